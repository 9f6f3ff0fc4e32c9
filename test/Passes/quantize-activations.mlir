// RUN: kiln-opt %s -split-input-file --kiln-quantize-activations | FileCheck %s

kiln.weight @gate.scale : tensor<1x2xf32>
kiln.weight @gate : tensor<128x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @gate.scale)
kiln.weight @up.scale : tensor<1x2xf32>
kiln.weight @up : tensor<128x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @up.scale)
kiln.weight @norm : tensor<256xf32>
// Gate and up read one norm: one act_quant, right after the norm, feeds both.
// CHECK-LABEL: func.func @shared_input
func.func @shared_input(%h: tensor<?x256xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>) {
  // CHECK-NEXT: %[[N:.*]] = kiln.rms_norm
  // CHECK-NEXT: %[[Q:.*]], %[[S:.*]] = kiln.act_quant %[[N]] : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  // CHECK-NEXT: kiln.linear %[[Q]] scale %[[S]], @gate : tensor<?x256xf8E4M3FN>, tensor<?x2xf32> -> tensor<?x128xf32>
  // CHECK-NEXT: kiln.linear %[[Q]] scale %[[S]], @up : tensor<?x256xf8E4M3FN>, tensor<?x2xf32> -> tensor<?x128xf32>
  // CHECK-NOT: kiln.act_quant
  %n = kiln.rms_norm %h, @norm : tensor<?x256xf32>
  %g = kiln.linear %n, @gate : tensor<?x256xf32> -> tensor<?x128xf32>
  %u = kiln.linear %n, @up : tensor<?x256xf32> -> tensor<?x128xf32>
  return %g, %u : tensor<?x128xf32>, tensor<?x128xf32>
}

// -----

kiln.weight @down.scale : tensor<2x1xf32>
kiln.weight @down : tensor<256x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @down.scale)
// A function argument is quantised at the start of the body; 128 channels are one block.
// CHECK-LABEL: func.func @argument
func.func @argument(%x: tensor<?x128xf32>) -> tensor<?x256xf32> {
  // CHECK-NEXT: %[[Q:.*]], %[[S:.*]] = kiln.act_quant %{{.*}} : tensor<?x128xf32> -> tensor<?x128xf8E4M3FN>, tensor<?x1xf32>
  // CHECK-NEXT: kiln.linear %[[Q]] scale %[[S]], @down
  %y = kiln.linear %x, @down : tensor<?x128xf32> -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

kiln.weight @dense : tensor<128x256xf32>
kiln.weight @down.scale : tensor<2x1xf32>
kiln.weight @down : tensor<256x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @down.scale)
// Negative: a float weight keeps a float input; an already quantised input is left alone.
// CHECK-LABEL: func.func @not_fp8
func.func @not_fp8(%x: tensor<?x256xf32>, %q: tensor<?x128xf8E4M3FN>, %s: tensor<?x1xf32>) -> (tensor<?x128xf32>, tensor<?x256xf32>) {
  // CHECK-NOT: kiln.act_quant
  // CHECK: kiln.linear %{{.*}}, @dense : tensor<?x256xf32> -> tensor<?x128xf32>
  // CHECK-NEXT: kiln.linear %{{.*}} scale %{{.*}}, @down
  %y = kiln.linear %x, @dense : tensor<?x256xf32> -> tensor<?x128xf32>
  %z = kiln.linear %q scale %s, @down : tensor<?x128xf8E4M3FN>, tensor<?x1xf32> -> tensor<?x256xf32>
  return %y, %z : tensor<?x128xf32>, tensor<?x256xf32>
}
