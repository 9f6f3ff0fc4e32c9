// RUN: kiln-opt %s -split-input-file --kiln-fuse-routing | FileCheck %s

// The V3 chain (sigmoid, bias, top-2-sum groups, -inf mask, top-k, normalise, scale).
kiln.weight @bias : tensor<16xf32>
// CHECK-LABEL: func.func @noaux_tc
func.func @noaux_tc(%logits: tensor<?x16xf32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  // CHECK-NEXT: %[[W:.*]], %[[I:.*]] = kiln.moe.router %{{.*}} bias @bias {epsilon = 9.99999968E-21 : f32, group_reduce = #kiln.group_reduce<top2_sum>, groups = 4 : i64, k = 4 : i64, keep_groups = 2 : i64, normalize = true, scaling_factor = 2.500000e+00 : f32, scoring = #kiln.scoring<sigmoid>}
  // CHECK-NEXT: return %[[W]], %[[I]]
  %s = kiln.route.score %logits {scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32>
  %b = kiln.route.bias_add %s, @bias : tensor<?x16xf32>
  %g = kiln.route.group_score %b {groups = 4 : i64, reduce = #kiln.group_reduce<top2_sum>} : tensor<?x16xf32> -> tensor<?x4xf32>
  %m = kiln.route.group_mask %b, %g {keep = 2 : i64} : tensor<?x16xf32>, tensor<?x4xf32>
  %w, %i = kiln.route.topk %m, %s {k = 4 : i64} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  %n = kiln.route.normalize %w {epsilon = 1.0e-20 : f32} : tensor<?x4xf32>
  %r = kiln.route.scale %n {factor = 2.5 : f32} : tensor<?x4xf32>
  return %r, %i : tensor<?x4xf32>, tensor<?x4xi32>
}

// -----

// V2-Lite's greedy softmax: no bias, no groups, no normalisation, no scale.
// CHECK-LABEL: func.func @greedy
func.func @greedy(%logits: tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>) {
  // CHECK-NEXT: kiln.moe.router %{{.*}} {group_reduce = #kiln.group_reduce<max>, groups = 1 : i64, k = 3 : i64, keep_groups = 1 : i64, normalize = false, scaling_factor = 1.000000e+00 : f32, scoring = #kiln.scoring<softmax>}
  // CHECK-NOT: kiln.route
  %s = kiln.route.score %logits {scoring = #kiln.scoring<softmax>} : tensor<?x8xf32>
  %w, %i = kiln.route.topk %s, %s {k = 3 : i64} : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

// -----

// V2's group-limited greedy with a scale.
// CHECK-LABEL: func.func @group_limited
func.func @group_limited(%logits: tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>) {
  // CHECK-NEXT: kiln.moe.router %{{.*}} {group_reduce = #kiln.group_reduce<max>, groups = 4 : i64, k = 3 : i64, keep_groups = 2 : i64, normalize = false, scaling_factor = 1.600000e+01 : f32, scoring = #kiln.scoring<softmax>}
  // CHECK-NOT: kiln.route
  %s = kiln.route.score %logits {scoring = #kiln.scoring<softmax>} : tensor<?x8xf32>
  %g = kiln.route.group_score %s {groups = 4 : i64, reduce = #kiln.group_reduce<max>} : tensor<?x8xf32> -> tensor<?x4xf32>
  %m = kiln.route.group_mask %s, %g {keep = 2 : i64} : tensor<?x8xf32>, tensor<?x4xf32>
  %w, %i = kiln.route.topk %m, %s {k = 3 : i64} : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  %r = kiln.route.scale %w {factor = 16.0 : f32} : tensor<?x3xf32>
  return %r, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

// -----

// Negative: the scores are also returned, so the chain must stay.
// CHECK-LABEL: func.func @scores_used_elsewhere
func.func @scores_used_elsewhere(%logits: tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x8xf32>) {
  // CHECK-NOT: kiln.moe.router
  // CHECK: kiln.route.score
  // CHECK: kiln.route.topk
  %s = kiln.route.score %logits {scoring = #kiln.scoring<softmax>} : tensor<?x8xf32>
  %w, %i = kiln.route.topk %s, %s {k = 3 : i64} : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  return %w, %s : tensor<?x3xf32>, tensor<?x8xf32>
}

// -----

// Negative: the top-k weights do not come from a score op.
// CHECK-LABEL: func.func @not_scored
func.func @not_scored(%x: tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>) {
  // CHECK-NOT: kiln.moe.router
  // CHECK: kiln.route.topk
  %w, %i = kiln.route.topk %x, %x {k = 3 : i64} : tensor<?x8xf32>, tensor<?x8xf32> -> tensor<?x3xf32>, tensor<?x3xi32>
  return %w, %i : tensor<?x3xf32>, tensor<?x3xi32>
}

// -----

// Negative: the biased selection scores are read by something else.
kiln.weight @bias : tensor<16xf32>
// CHECK-LABEL: func.func @bias_used_elsewhere
func.func @bias_used_elsewhere(%logits: tensor<?x16xf32>) -> (tensor<?x4xf32>, tensor<?x16xf32>) {
  // CHECK-NOT: kiln.moe.router
  // CHECK: kiln.route.bias_add
  %s = kiln.route.score %logits {scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32>
  %b = kiln.route.bias_add %s, @bias : tensor<?x16xf32>
  %w, %i = kiln.route.topk %b, %s {k = 4 : i64} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  return %w, %b : tensor<?x4xf32>, tensor<?x16xf32>
}
