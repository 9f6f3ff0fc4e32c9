// Round trip of the graph ops: custom form, generic form, bytecode.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

kiln.weight @embed : tensor<512x256xf32>
kiln.weight @norm : tensor<256xf32>
kiln.weight @up : tensor<512x256xf32>
kiln.weight @down.scale : tensor<2x4xf32>
kiln.weight @down : tensor<256x512xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @down.scale)
kiln.weight @head : tensor<512x256xf32>

// CHECK-LABEL: func.func @dense_block
func.func @dense_block(%tokens: tensor<?xi32>, %positions: tensor<?xi32>) -> tensor<?x512xf32> {
  // CHECK: kiln.embed %{{.*}}, @embed : tensor<?xi32> -> tensor<?x256xf32>
  %h = kiln.embed %tokens, @embed : tensor<?xi32> -> tensor<?x256xf32>
  // CHECK: kiln.rms_norm %{{.*}}, @norm {epsilon = 9.99999974E-6 : f32} : tensor<?x256xf32>
  %n = kiln.rms_norm %h, @norm {epsilon = 1.0e-05 : f32} : tensor<?x256xf32>
  // The default epsilon (1e-6) is elided.
  // CHECK: kiln.rms_norm %{{.*}}, @norm : tensor<?x256xf32>
  %n2 = kiln.rms_norm %h, @norm {epsilon = 1.0e-06 : f32} : tensor<?x256xf32>
  // CHECK: kiln.add_rms_norm %{{.*}}, %{{.*}}, @norm {epsilon = 9.99999974E-6 : f32} : tensor<?x256xf32>
  %sum, %n3 = kiln.add_rms_norm %h, %n2, @norm {epsilon = 1.0e-05 : f32} : tensor<?x256xf32>
  // CHECK: kiln.linear %{{.*}}, @up : tensor<?x256xf32> -> tensor<?x512xf32>
  %u = kiln.linear %n, @up : tensor<?x256xf32> -> tensor<?x512xf32>
  // CHECK: kiln.swiglu %{{.*}}, %{{.*}} : tensor<?x512xf32>
  %a = kiln.swiglu %u, %u : tensor<?x512xf32>
  // CHECK: kiln.act_quant %{{.*}} : tensor<?x512xf32> -> tensor<?x512xf8E4M3FN>, tensor<?x4xf32>
  %q, %s = kiln.act_quant %a : tensor<?x512xf32> -> tensor<?x512xf8E4M3FN>, tensor<?x4xf32>
  // CHECK: kiln.rms_norm_quant %{{.*}}, @norm : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  %nq, %nqq, %nqs = kiln.rms_norm_quant %h, @norm : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  // CHECK: kiln.add_rms_norm_quant %{{.*}}, %{{.*}}, @norm {epsilon = 9.99999974E-6 : f32} : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  %aqs, %aqn, %aqq, %aqsc = kiln.add_rms_norm_quant %h, %nq, @norm {epsilon = 1.0e-05 : f32} : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
  // CHECK: kiln.swiglu_quant %{{.*}}, %{{.*}} : tensor<?x512xf32> -> tensor<?x512xf8E4M3FN>, tensor<?x4xf32>
  %sq, %ss = kiln.swiglu_quant %u, %u : tensor<?x512xf32> -> tensor<?x512xf8E4M3FN>, tensor<?x4xf32>
  // CHECK: kiln.linear %{{.*}} scale %{{.*}}, @down : tensor<?x512xf8E4M3FN>, tensor<?x4xf32> -> tensor<?x256xf32>
  %d = kiln.linear %q scale %s, @down : tensor<?x512xf8E4M3FN>, tensor<?x4xf32> -> tensor<?x256xf32>
  // The dequant semantics: a float input over the same FP8 weight.
  // CHECK: kiln.linear %{{.*}}, @down : tensor<?x512xf32> -> tensor<?x256xf32>
  %d2 = kiln.linear %a, @down : tensor<?x512xf32> -> tensor<?x256xf32>
  // CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<?x256xf32>
  %r = kiln.add %h, %d : tensor<?x256xf32>
  // CHECK: kiln.lm_head %{{.*}}, @head : tensor<?x256xf32> -> tensor<?x512xf32>
  %logits = kiln.lm_head %r, @head : tensor<?x256xf32> -> tensor<?x512xf32>
  return %logits : tensor<?x512xf32>
}

// CHECK-LABEL: func.func @rope
func.func @rope(%q: tensor<?x4x16xf32>, %k: tensor<8x16xbf16>, %p: tensor<?xi32>, %pd: tensor<8xi32>)
    -> (tensor<?x4x16xf32>, tensor<8x16xbf16>) {
  // CHECK: kiln.rope %{{.*}}, %{{.*}} {layout = #kiln.rope_layout<interleaved>, theta = 1.000000e+04 : f64, yarn = #kiln.yarn<factor = 4.000000e+01, original_max_position_embeddings = 4096, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00, mscale = 7.070000e-01, mscale_all_dim = 7.070000e-01>} : tensor<?x4x16xf32>, tensor<?xi32>
  %a = kiln.rope %q, %p {layout = #kiln.rope_layout<interleaved>, theta = 10000.0 : f64,
      yarn = #kiln.yarn<factor = 40.0, original_max_position_embeddings = 4096, beta_fast = 32.0,
                        beta_slow = 1.0, mscale = 0.707, mscale_all_dim = 0.707>}
      : tensor<?x4x16xf32>, tensor<?xi32>
  // CHECK: kiln.rope %{{.*}}, %{{.*}} {layout = #kiln.rope_layout<half>, theta = 1.000000e+04 : f64} : tensor<8x16xbf16>, tensor<8xi32>
  %b = kiln.rope %k, %pd {layout = #kiln.rope_layout<half>, theta = 10000.0 : f64} : tensor<8x16xbf16>, tensor<8xi32>
  return %a, %b : tensor<?x4x16xf32>, tensor<8x16xbf16>
}
