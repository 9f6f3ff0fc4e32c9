// Every verifier error of the routing primitives.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

kiln.weight @bias : tensor<16xbf16>
func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.bias_add' op weight @bias (selection bias) must be f32, got 'bf16'}}
  %r = kiln.route.bias_add %s, @bias : tensor<?x16xf32>
  return
}

// -----

kiln.weight @bias : tensor<8xf32>
func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.bias_add' op weight @bias (selection bias) has shape [8], expected [16]}}
  %r = kiln.route.bias_add %s, @bias : tensor<?x16xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.group_score' op groups must be positive, got 0}}
  %g = kiln.route.group_score %s {groups = 0 : i64, reduce = #kiln.group_reduce<max>} : tensor<?x16xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.group_score' op 16 experts do not split into 3 equal groups}}
  %g = kiln.route.group_score %s {groups = 3 : i64, reduce = #kiln.group_reduce<max>} : tensor<?x16xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.group_score' op top2_sum needs at least 2 experts per group, got 1}}
  %g = kiln.route.group_score %s {groups = 16 : i64, reduce = #kiln.group_reduce<top2_sum>} : tensor<?x16xf32> -> tensor<?x16xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.group_score' op result has shape [?, 8], expected [?, 4]}}
  %g = kiln.route.group_score %s {groups = 4 : i64, reduce = #kiln.group_reduce<max>} : tensor<?x16xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>, %g: tensor<?x?xf32>) {
  // expected-error @below {{'kiln.route.group_mask' op group scores need a static group count}}
  %m = kiln.route.group_mask %s, %g {keep = 2 : i64} : tensor<?x16xf32>, tensor<?x?xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>, %g: tensor<?x4xf32>) {
  // expected-error @below {{'kiln.route.group_mask' op must keep between 1 and 4 groups, got 5}}
  %m = kiln.route.group_mask %s, %g {keep = 5 : i64} : tensor<?x16xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @f(%s: tensor<8x16xf32>, %g: tensor<4x4xf32>) {
  // expected-error @below {{'kiln.route.group_mask' op group scores has shape [4, 4], expected [8, 4]}}
  %m = kiln.route.group_mask %s, %g {keep = 2 : i64} : tensor<8x16xf32>, tensor<4x4xf32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>, %w: tensor<?x8xf32>) {
  // expected-error @below {{'kiln.route.topk' op weights has shape [?, 8], expected [?, 16]}}
  %v, %i = kiln.route.topk %s, %w {k = 4 : i64} : tensor<?x16xf32>, tensor<?x8xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.topk' op k must be in [1, 16], got 17}}
  %v, %i = kiln.route.topk %s, %s {k = 17 : i64} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x17xf32>, tensor<?x17xi32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.topk' op topk weights has shape [?, 3], expected [?, 4]}}
  %v, %i = kiln.route.topk %s, %s {k = 4 : i64} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x3xf32>, tensor<?x4xi32>
  return
}

// -----

func.func @f(%s: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.route.topk' op topk indices has shape [?, 3], expected [?, 4]}}
  %v, %i = kiln.route.topk %s, %s {k = 4 : i64} : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x3xi32>
  return
}

// -----

func.func @f(%w: tensor<?x4xf32>) {
  // expected-error @below {{'kiln.route.normalize' op epsilon must not be negative}}
  %n = kiln.route.normalize %w {epsilon = -1.0 : f32} : tensor<?x4xf32>
  return
}

// -----

func.func @f(%w: tensor<?x4xf32>) {
  // expected-error @below {{'kiln.route.scale' op factor must be positive, got 0}}
  %n = kiln.route.scale %w {factor = 0.0 : f32} : tensor<?x4xf32>
  return
}

// -----

func.func @f(%l: tensor<?x16xbf16>) {
  // Router math is f32 (the reference computes router logits in fp32).
  // expected-error @below {{'kiln.route.score' op operand #0 must be 2D tensor of 32-bit float values}}
  %s = "kiln.route.score"(%l) <{scoring = #kiln.scoring<sigmoid>}> : (tensor<?x16xbf16>) -> tensor<?x16xbf16>
  return
}
