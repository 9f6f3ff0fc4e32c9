// Every verifier error of the fused MoE ops.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op must keep between 1 and 4 groups, got 0}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 0 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  return
}

// -----

func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op k must be positive, got 0}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 0 : i64, normalize = true, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x0xf32>, tensor<?x0xi32>
  return
}

// -----

func.func @f(%l: tensor<?x16xf32>) {
  // Two kept groups of four experts cannot supply nine.
  // expected-error @below {{'kiln.moe.router' op k = 9 exceeds the 8 experts in the kept groups}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 9 : i64, normalize = true, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x9xf32>, tensor<?x9xi32>
  return
}

// -----

func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op epsilon must not be negative}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true, epsilon = -1.0 : f32, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  return
}

// -----

func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op scaling_factor must be positive, got -2.5}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true, scaling_factor = -2.5 : f32} : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  return
}

// -----

func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op topk weights has shape [?, 2], expected [?, 4]}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x2xf32>, tensor<?x4xi32>
  return
}

// -----

func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op topk indices has shape [?, 2], expected [?, 4]}}
  %w, %i = kiln.moe.router %l {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x2xi32>
  return
}

// -----

kiln.weight @bias : tensor<16xf16>
func.func @f(%l: tensor<?x16xf32>) {
  // expected-error @below {{'kiln.moe.router' op weight @bias (selection bias) must be f32, got 'f16'}}
  %w, %i = kiln.moe.router %l bias @bias {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64, group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true, scaling_factor = 2.5 : f32} : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
  return
}

// -----

kiln.weight @gate : tensor<16x64x256xf32>
kiln.weight @up : tensor<16x64x256xf32>
kiln.weight @down : tensor<16x256x64xf32>
func.func @f(%x: tensor<8x256xf32>, %i: tensor<4x4xi32>) {
  // expected-error @below {{'kiln.moe.experts' op indices has 4 rows, input has 8}}
  %y = kiln.moe.experts %x, %i, gate @gate, up @up, down @down : tensor<8x256xf32>, tensor<4x4xi32> -> tensor<8x4x256xf32>
  return
}

// -----

kiln.weight @gate : tensor<16x64x256xf32>
kiln.weight @up : tensor<16x64x256xf32>
kiln.weight @down : tensor<16x256x64xf32>
func.func @f(%x: tensor<?x256xf32>, %i: tensor<?x4xi32>) {
  // expected-error @below {{'kiln.moe.experts' op result has shape [?, 2, 256], expected [?, 4, 256]}}
  %y = kiln.moe.experts %x, %i, gate @gate, up @up, down @down : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x2x256xf32>
  return
}

// -----

kiln.weight @gate : tensor<16x64x128xf32>
kiln.weight @up : tensor<16x64x256xf32>
kiln.weight @down : tensor<16x256x64xf32>
func.func @f(%x: tensor<?x256xf32>, %i: tensor<?x4xi32>) {
  // expected-error @below {{'kiln.moe.experts' op weight @gate (gate) has shape [16, 64, 128], expected [?, ?, 256]}}
  %y = kiln.moe.experts %x, %i, gate @gate, up @up, down @down : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x4x256xf32>
  return
}

// -----

kiln.weight @gate : tensor<16x64x256xf32>
kiln.weight @up : tensor<8x64x256xf32>
kiln.weight @down : tensor<16x256x64xf32>
func.func @f(%x: tensor<?x256xf32>, %i: tensor<?x4xi32>) {
  // expected-error @below {{'kiln.moe.experts' op weight @up (up) has shape [8, 64, 256], expected [16, 64, 256]}}
  %y = kiln.moe.experts %x, %i, gate @gate, up @up, down @down : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x4x256xf32>
  return
}

// -----

kiln.weight @gate : tensor<16x64x256xf32>
kiln.weight @up : tensor<16x64x256xf32>
kiln.weight @down : tensor<16x64x256xf32>
func.func @f(%x: tensor<?x256xf32>, %i: tensor<?x4xi32>) {
  // expected-error @below {{'kiln.moe.experts' op weight @down (down) has shape [16, 64, 256], expected [16, 256, 64]}}
  %y = kiln.moe.experts %x, %i, gate @gate, up @up, down @down : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x4x256xf32>
  return
}

// -----

func.func @f(%y: tensor<?x4x256xf32>, %w: tensor<?x2xf32>) {
  // expected-error @below {{'kiln.moe.combine' op weights has shape [?, 2], expected [?, 4]}}
  %o = kiln.moe.combine %y, %w : tensor<?x4x256xf32>, tensor<?x2xf32> -> tensor<?x256xf32>
  return
}

// -----

func.func @f(%y: tensor<?x4x256xf32>, %w: tensor<?x4xf32>) {
  // expected-error @below {{'kiln.moe.combine' op result has shape [?, 128], expected [?, 256]}}
  %o = kiln.moe.combine %y, %w : tensor<?x4x256xf32>, tensor<?x4xf32> -> tensor<?x128xf32>
  return
}
