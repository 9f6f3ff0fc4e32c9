// Round trip of the fused MoE ops.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

kiln.weight @bias : tensor<16xf32>
kiln.weight @gate.s : tensor<16x1x2xf32>
kiln.weight @gate : tensor<16x64x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @gate.s)
kiln.weight @up.s : tensor<16x1x2xf32>
kiln.weight @up : tensor<16x64x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @up.s)
kiln.weight @down.s : tensor<16x2x1xf32>
kiln.weight @down : tensor<16x256x64xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @down.s)

// CHECK-LABEL: func.func @moe
func.func @moe(%x: tensor<?x256xf32>, %logits: tensor<?x16xf32>) -> tensor<?x256xf32> {
  // CHECK: kiln.moe.router %{{.*}} bias @bias {epsilon = 9.99999968E-21 : f32, group_reduce = #kiln.group_reduce<top2_sum>, groups = 4 : i64, k = 4 : i64, keep_groups = 2 : i64, normalize = true, scaling_factor = 2.500000e+00 : f32, scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  %w, %idx = kiln.moe.router %logits bias @bias
      {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64,
       group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true,
       epsilon = 1.0e-20 : f32, scaling_factor = 2.5 : f32}
      : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  // CHECK: kiln.moe.experts %{{.*}}, %{{.*}}, gate @gate, up @up, down @down : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x4x256xf32>
  %y = kiln.moe.experts %x, %idx, gate @gate, up @up, down @down
      : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x4x256xf32>
  // CHECK: kiln.moe.combine %{{.*}}, %{{.*}} : tensor<?x4x256xf32>, tensor<?x4xf32> -> tensor<?x256xf32>
  %o = kiln.moe.combine %y, %w : tensor<?x4x256xf32>, tensor<?x4xf32> -> tensor<?x256xf32>
  return %o : tensor<?x256xf32>
}

// V2-Lite's greedy router: no bias, one group.
// CHECK-LABEL: func.func @greedy_router
func.func @greedy_router(%logits: tensor<8x16xf32>) -> tensor<8x6xi32> {
  // CHECK: kiln.moe.router %{{.*}} {group_reduce = #kiln.group_reduce<max>, groups = 1 : i64, k = 6 : i64, keep_groups = 1 : i64, normalize = false, scaling_factor = 1.000000e+00 : f32, scoring = #kiln.scoring<softmax>} : tensor<8x16xf32> -> tensor<8x6xf32>, tensor<8x6xi32>
  %w, %idx = kiln.moe.router %logits
      {scoring = #kiln.scoring<softmax>, groups = 1 : i64, keep_groups = 1 : i64,
       group_reduce = #kiln.group_reduce<max>, k = 6 : i64, normalize = false,
       scaling_factor = 1.0 : f32}
      : tensor<8x16xf32> -> tensor<8x6xf32>, tensor<8x6xi32>
  return %idx : tensor<8x6xi32>
}
