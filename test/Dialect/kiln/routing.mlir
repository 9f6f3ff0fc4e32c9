// Round trip of the routing primitives, written as each router family's chain.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

kiln.weight @bias : tensor<16xf32>

// noaux_tc (V3): sigmoid, biased selection, group top-2 sum, -inf masking, renormalise, scale.
// CHECK-LABEL: func.func @noaux_tc
func.func @noaux_tc(%logits: tensor<?x16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  // CHECK: kiln.route.score %{{.*}} {scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32>
  %scores = kiln.route.score %logits {scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32>
  // CHECK: kiln.route.bias_add %{{.*}}, @bias : tensor<?x16xf32>
  %sel = kiln.route.bias_add %scores, @bias : tensor<?x16xf32>
  // CHECK: kiln.route.group_score %{{.*}} {groups = 4 : i64, reduce = #kiln.group_reduce<top2_sum>} : tensor<?x16xf32> -> tensor<?x4xf32>
  %g = kiln.route.group_score %sel {groups = 4 : i64, reduce = #kiln.group_reduce<top2_sum>}
      : tensor<?x16xf32> -> tensor<?x4xf32>
  // CHECK: kiln.route.group_mask %{{.*}}, %{{.*}} {keep = 2 : i64} : tensor<?x16xf32>, tensor<?x4xf32>
  %m = kiln.route.group_mask %sel, %g {keep = 2 : i64} : tensor<?x16xf32>, tensor<?x4xf32>
  // CHECK: kiln.route.topk %{{.*}}, %{{.*}} {k = 4 : i64} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  %w, %idx = kiln.route.topk %m, %scores {k = 4 : i64}
      : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  // CHECK: kiln.route.normalize %{{.*}} {epsilon = 9.99999968E-21 : f32} : tensor<?x4xf32>
  %n = kiln.route.normalize %w {epsilon = 1.0e-20 : f32} : tensor<?x4xf32>
  // CHECK: kiln.route.scale %{{.*}} {factor = 2.500000e+00 : f32} : tensor<?x4xf32>
  %s = kiln.route.scale %n {factor = 2.5 : f32} : tensor<?x4xf32>
  return %s, %idx : tensor<?x4xf32>, tensor<?x4xi32>
}

// greedy (V2-Lite): softmax, one group, no renormalisation.
// CHECK-LABEL: func.func @greedy
func.func @greedy(%logits: tensor<8x16xf32>) -> (tensor<8x6xf32>, tensor<8x6xi32>) {
  // CHECK: kiln.route.score %{{.*}} {scoring = #kiln.scoring<softmax>} : tensor<8x16xf32>
  %scores = kiln.route.score %logits {scoring = #kiln.scoring<softmax>} : tensor<8x16xf32>
  // CHECK: kiln.route.topk
  %w, %idx = kiln.route.topk %scores, %scores {k = 6 : i64}
      : tensor<8x16xf32>, tensor<8x16xf32> -> tensor<8x6xf32>, tensor<8x6xi32>
  // The default epsilon (0) is elided.
  // CHECK: kiln.route.normalize %{{.*}} : tensor<8x6xf32>
  %n = kiln.route.normalize %w : tensor<8x6xf32>
  return %n, %idx : tensor<8x6xf32>, tensor<8x6xi32>
}
