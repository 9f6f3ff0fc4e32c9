// RUN: kiln-opt %s -split-input-file --kiln-absorb-mla | FileCheck %s --check-prefixes=CHECK,NAIVE
// RUN: kiln-opt %s -split-input-file --kiln-absorb-mla=prefill=absorbed | FileCheck %s --check-prefixes=CHECK,ABSORBED

kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<80x256xf32>
kiln.weight @kv_a_norm : tensor<64xf32>
kiln.weight @kv_b : tensor<256x64xf32>
kiln.weight @o : tensor<256x128xf32>

// Prefill keeps the naive form unless the option forces the absorbed one.
// CHECK-LABEL: func.func @prefill
// NAIVE: kiln.mla.attention {{.*}}form = #kiln.mla_form<naive>
// ABSORBED: kiln.mla.attention {{.*}}form = #kiln.mla_form<absorbed>
func.func @prefill(%x: tensor<?x256xf32>, %pos: tensor<?xi32>,
    %c: !kiln.kv_cache<layers = 1, latent = 64, rope = 16, index = 0, block = 64, element = f32>) -> tensor<?x256xf32> {
  %o, %c1 = kiln.mla.attention %x, %pos, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {rope_theta = 1.0e4 : f64, shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 64, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.14 : f32}
      : tensor<?x256xf32>, tensor<?xi32>, !kiln.kv_cache<layers = 1, latent = 64, rope = 16, index = 0, block = 64, element = f32> -> tensor<?x256xf32>
  return %o : tensor<?x256xf32>
}

// -----

kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<80x256xf32>
kiln.weight @kv_a_norm : tensor<64xf32>
kiln.weight @kv_b : tensor<256x64xf32>
kiln.weight @o : tensor<256x128xf32>

// Decode is always absorbed: W_UK into the query, W_UV into the output.
// CHECK-LABEL: func.func @decode
// CHECK: kiln.mla.attention {{.*}}form = #kiln.mla_form<absorbed>
func.func @decode(%x: tensor<?x256xf32>, %pos: tensor<?xi32>,
    %c: !kiln.kv_cache<layers = 1, latent = 64, rope = 16, index = 0, block = 64, element = f32>) -> tensor<?x256xf32> {
  %o, %c1 = kiln.mla.attention %x, %pos, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {rope_theta = 1.0e4 : f64, shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 64, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.14 : f32}
      : tensor<?x256xf32>, tensor<?xi32>, !kiln.kv_cache<layers = 1, latent = 64, rope = 16, index = 0, block = 64, element = f32> -> tensor<?x256xf32>
  return %o : tensor<?x256xf32>
}

// -----

kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<80x256xf32>
kiln.weight @kv_a_norm : tensor<64xf32>
kiln.weight @kv_b : tensor<256x64xf32>
kiln.weight @o : tensor<256x128xf32>

// Any other function (a test harness, a future entry point) may batch sequences: absorbed.
// CHECK-LABEL: func.func @other
// CHECK: kiln.mla.attention {{.*}}form = #kiln.mla_form<absorbed>
func.func @other(%x: tensor<?x256xf32>, %pos: tensor<?xi32>,
    %c: !kiln.kv_cache<layers = 1, latent = 64, rope = 16, index = 0, block = 64, element = f32>) -> tensor<?x256xf32> {
  %o, %c1 = kiln.mla.attention %x, %pos, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {rope_theta = 1.0e4 : f64, shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 64, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.14 : f32}
      : tensor<?x256xf32>, tensor<?xi32>, !kiln.kv_cache<layers = 1, latent = 64, rope = 16, index = 0, block = 64, element = f32> -> tensor<?x256xf32>
  return %o : tensor<?x256xf32>
}
