// Every verifier error of the MLA ops.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm : tensor<128xf32>
kiln.weight @kv_b : tensor<256x128xf32>
kiln.weight @o : tensor<256x128xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // q_lora = 128 promises a low-rank q path the op does not name.
  // expected-error @below {{'kiln.mla.attention' op q_a and q_a_norm are required exactly when shape.q_lora is nonzero}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op layer 3 is out of range for a cache of 3 layers}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 3 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 512, rope = 64, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op cache holds latent 512 + rope 64, but the shape needs 128 + 16}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op softmax_scale must be positive, got 0}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.0 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op rope_theta must be positive, got 0}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 0.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<8x256xf32>, %p: tensor<4xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op positions has 4 rows, input has 8}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<8x256xf32>, tensor<4xi32>, !cache -> tensor<8x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op result has shape [?, 128], expected [?, 256]}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x128xf32>
  return
}

// -----

// The generic form can name q_a without its norm.
!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op q_a and q_a_norm go together}}
  %out, %c1 = "kiln.mla.attention"(%x, %p, %c) <{layer = 0 : i64, q_a = @q_a, q = @q, kv_a = @kv_a,
      kv_a_norm = @kv_a_norm, kv_b = @kv_b, o = @o,
      shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
      softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}>
      : (tensor<?x256xf32>, tensor<?xi32>, !cache) -> (tensor<?x256xf32>, !cache)
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op indexer weights must be given all together}}
  %out, %c1 = "kiln.mla.attention"(%x, %p, %c) <{layer = 0 : i64, q_a = @q_a, q_a_norm = @q_a_norm,
      q = @q, kv_a = @kv_a, kv_a_norm = @kv_a_norm, kv_b = @kv_b, o = @o, index_wq_b = @ix.wq_b,
      shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
      softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}>
      : (tensor<?x256xf32>, tensor<?xi32>, !cache) -> (tensor<?x256xf32>, !cache)
  return
}

// -----

// A cache with index keys but no indexer.
!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op the indexer weights, the index attribute and a cache with index keys go together}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op the indexer reads the q latent, so it needs shape.q_lora > 0}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      indexer(@ix.wq_b, @ix.wk, @ix.k_norm, @ix.k_norm_bias, @ix.weights_proj)
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 64, block = 64, element = f32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op cache index keys are 64 wide, the indexer's head_dim is 32}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      indexer(@ix.wq_b, @ix.wk, @ix.k_norm, @ix.k_norm_bias, @ix.weights_proj)
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

// Weight shapes follow from #kiln.mla; one bad shape per weight role.
!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @q_a : tensor<128x256xf32>
kiln.weight @q_a_norm : tensor<128xf32>
kiln.weight @q_b : tensor<192x256xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op weight @q_b (q) has shape [192, 256], expected [192, 128]}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<128x256xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // kv_a must produce the latent and the shared RoPE key: 128 + 16 rows.
  // expected-error @below {{'kiln.mla.attention' op weight @kv_a (kv_a) has shape [128, 256], expected [144, 256]}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm.s : tensor<1xf32>
kiln.weight @kv_a_norm : tensor<128xf32>
kiln.weight @kv_b : tensor<256x128xf32>
kiln.weight @o : tensor<128x256xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op weight @o (o) has shape [128, 256], expected [256, 128]}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = f32>
kiln.weight @q_a : tensor<128x256xf32>
kiln.weight @q_a_norm : tensor<128xf32>
kiln.weight @q_b : tensor<192x128xf32>
kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm : tensor<128xf32>
kiln.weight @kv_b : tensor<256x128xf32>
kiln.weight @o : tensor<256x128xf32>
kiln.weight @ix.wq_b : tensor<128x128xf32>
kiln.weight @ix.wk : tensor<32x256xf32>
kiln.weight @ix.k_norm : tensor<32xf32>
kiln.weight @ix.k_norm_bias : tensor<32xf32>
kiln.weight @ix.weights_proj : tensor<8x256xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.attention' op weight @ix.weights_proj (indexer weights_proj) has shape [8, 256], expected [4, 256]}}
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      indexer(@ix.wq_b, @ix.wk, @ix.k_norm, @ix.k_norm_bias, @ix.weights_proj)
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>,
       softmax_scale = 0.1 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return
}

// -----

kiln.weight @q : tensor<192x256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.q_proj' op query has shape [?, 4, 32], expected [?, 4, 48]}}
  %q = kiln.mla.q_proj %x q @q
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x4x32xf32>
  return
}

// -----

kiln.weight @q : tensor<192x256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.q_proj' op q_latent needs the low-rank q path (shape.q_lora > 0)}}
  %q, %ql = kiln.mla.q_proj %x q @q
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x4x48xf32>, tensor<?x128xf32>
  return
}

// -----

kiln.weight @q_a : tensor<128x256xf32>
kiln.weight @q_a_norm : tensor<128xf32>
kiln.weight @q_b : tensor<192x128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.q_proj' op q_latent has shape [?, 64], expected [?, 128]}}
  %q, %ql = kiln.mla.q_proj %x q_a @q_a, @q_a_norm q @q_b
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x4x48xf32>, tensor<?x64xf32>
  return
}

// -----

kiln.weight @q_a : tensor<128x256xf32>
kiln.weight @q_a_norm.s : tensor<1x1xf32>
kiln.weight @q_a_norm : tensor<128xbf16>
kiln.weight @q_b : tensor<192x256xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // q_b reads the 128-wide q latent, not the hidden state.
  // expected-error @below {{'kiln.mla.q_proj' op weight @q_b (q) has shape [192, 256], expected [192, 128]}}
  %q = kiln.mla.q_proj %x q_a @q_a, @q_a_norm q @q_b
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x4x48xf32>
  return
}

// -----

kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm.s : tensor<1x1xf32>
kiln.weight @kv_a_norm : tensor<1x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @kv_a_norm.s)
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.kv_compress' op weight @kv_a_norm (kv_a_norm) has shape [1, 128], expected [128]}}
  %lat, %kpe = kiln.mla.kv_compress %x kv_a @kv_a, @kv_a_norm
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x128xf32>, tensor<?x16xf32>
  return
}

// -----

kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm.s : tensor<1x1xf32>
kiln.weight @kv_a_norm : tensor<128x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @kv_a_norm.s)
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.kv_compress' op latent has shape [?, 64], expected [?, 128]}}
  %lat, %kpe = kiln.mla.kv_compress %x kv_a @kv_a, @kv_a_norm
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x64xf32>, tensor<?x16xf32>
  return
}

// -----

kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm : tensor<128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.kv_compress' op k_pe has shape [?, 8], expected [?, 16]}}
  %lat, %kpe = kiln.mla.kv_compress %x kv_a @kv_a, @kv_a_norm
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x128xf32>, tensor<?x8xf32>
  return
}

// -----

// A smaller rope width shrinks kv_a.
kiln.weight @q_a : tensor<128x256xf32>
kiln.weight @q_a_norm.s : tensor<1x1xf32>
kiln.weight @q_a_norm : tensor<128xbf16>
kiln.weight @q_b.s : tensor<2x1xf32>
kiln.weight @q_b : tensor<192x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @q_b.s)
kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm.s : tensor<1x1xf32>
kiln.weight @kv_a_norm : tensor<128xf32>
func.func @f(%x: tensor<?x256xf32>) {
  // expected-error @below {{'kiln.mla.kv_compress' op weight @kv_a (kv_a) has shape [144, 256], expected [136, 256]}}
  %lat, %kpe = kiln.mla.kv_compress %x kv_a @kv_a, @kv_a_norm
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 8, v = 32>}
      : tensor<?x256xf32> -> tensor<?x128xf32>, tensor<?x8xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.cache_write' op layer -1 is out of range for a cache of 3 layers}}
  %c1 = kiln.mla.cache_write %l, %k into %c at %p layer -1 : tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>, !cache
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%l: tensor<?x64xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.cache_write' op latent has shape [?, 64], expected [?, 128]}}
  %c1 = kiln.mla.cache_write %l, %k into %c at %p layer 0 : tensor<?x64xf32>, tensor<?x16xf32>, tensor<?xi32>, !cache
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%l: tensor<4x128xf32>, %k: tensor<4x16xf32>, %p: tensor<2xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.cache_write' op positions has 2 rows, input has 4}}
  %c1 = kiln.mla.cache_write %l, %k into %c at %p layer 0 : tensor<4x128xf32>, tensor<4x16xf32>, tensor<2xi32>, !cache
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = f32>
func.func @f(%l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.cache_write' op index keys are required exactly when the cache has them (index = 32)}}
  %c1 = kiln.mla.cache_write %l, %k into %c at %p layer 0 : tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>, !cache
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = f32>
func.func @f(%l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %i: tensor<?x64xf32>, %p: tensor<?xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.cache_write' op index keys has shape [?, 64], expected [?, 32]}}
  %c1 = kiln.mla.cache_write %l, %k index %i into %c at %p layer 0 : tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>, !cache, tensor<?x64xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%c: !cache) {
  // expected-error @below {{'kiln.mla.cache_read' op k_pe has shape [?, 64], expected [?, 16]}}
  %l, %k = kiln.mla.cache_read %c layer 0 : !cache -> tensor<?x128xf32>, tensor<?x64xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%c: !cache) {
  // expected-error @below {{'kiln.mla.cache_read' op layer 5 is out of range for a cache of 3 layers}}
  %l, %k = kiln.mla.cache_read %c layer 5 : !cache -> tensor<?x128xf32>, tensor<?x16xf32>
  return
}

// -----

kiln.weight @kv_b : tensor<256x128xf32>
func.func @f(%q: tensor<?x4x48xf32>, %l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.naive' op result has shape [?, 4, 48], expected [?, 4, 32]}}
  %o = kiln.mla.naive %q, %l, %k, %p kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x4x48xf32>
  return
}

// -----

kiln.weight @kv_b : tensor<256x128xf32>
func.func @f(%q: tensor<?x4x48xf32>, %l: tensor<?x128xf32>, %k: tensor<?x8xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.naive' op k_pe has shape [?, 8], expected [?, 16]}}
  %o = kiln.mla.naive %q, %l, %k, %p kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x8xf32>, tensor<?xi32> -> tensor<?x4x32xf32>
  return
}

// -----

kiln.weight @kv_b : tensor<256x128xf32>
func.func @f(%q: tensor<4x4x48xf32>, %l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<4xi32>, %t: tensor<3x8xi32>) {
  // expected-error @below {{'kiln.mla.naive' op topk has 3 rows, input has 4}}
  %o = kiln.mla.naive %q, %l, %k, %p kv_b @kv_b topk %t
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<4x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<4xi32>, tensor<3x8xi32> -> tensor<4x4x32xf32>
  return
}

// -----

kiln.weight @kv_b : tensor<128x128xf32>
func.func @f(%q: tensor<?x4x48xf32>, %l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // kv_b expands the latent into nope keys and values for every head: 4 x (32 + 32) rows.
  // expected-error @below {{'kiln.mla.naive' op weight @kv_b (kv_b) has shape [128, 128], expected [256, 128]}}
  %o = kiln.mla.naive %q, %l, %k, %p kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x4x32xf32>
  return
}

// -----

kiln.weight @kv_b : tensor<256x128xf32>
func.func @f(%q: tensor<?x4x48xf32>, %l: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.naive' op softmax_scale must be positive, got -0.5}}
  %o = kiln.mla.naive %q, %l, %k, %p kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = -0.5 : f32}
      : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x4x32xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @kv_b : tensor<256x128xf32>
func.func @f(%q: tensor<8x4x40xf32>, %p: tensor<8xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.absorbed' op query has shape [8, 4, 40], expected [8, 4, 48]}}
  %o = kiln.mla.absorbed %q, %c, %p layer 0 kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<8x4x40xf32>, tensor<8xi32>, !cache -> tensor<8x4x32xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @kv_b : tensor<256x128xf32>
func.func @f(%q: tensor<8x4x48xf32>, %p: tensor<8xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.absorbed' op cache holds latent 128 + rope 16, but the shape needs 256 + 16}}
  %o = kiln.mla.absorbed %q, %c, %p layer 0 kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 256, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<8x4x48xf32>, tensor<8xi32>, !cache -> tensor<8x4x32xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
kiln.weight @kv_b.s : tensor<2x1xf32>
kiln.weight @kv_b : tensor<256x128xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @kv_b.s)
func.func @f(%q: tensor<8x4x48xf32>, %p: tensor<7xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.absorbed' op positions has 7 rows, input has 8}}
  %o = kiln.mla.absorbed %q, %c, %p layer 0 kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<8x4x48xf32>, tensor<7xi32>, !cache -> tensor<8x4x32xf32>
  return
}

// -----

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
func.func @f(%q: tensor<8x4x48xf32>, %p: tensor<8xi32>, %c: !cache) {
  // expected-error @below {{'kiln.mla.absorbed' op references unknown weight @kv_b}}
  %o = kiln.mla.absorbed %q, %c, %p layer 0 kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 0.1 : f32}
      : tensor<8x4x48xf32>, tensor<8xi32>, !cache -> tensor<8x4x32xf32>
  return
}

// -----

kiln.weight @wk : tensor<32x256xf32>
kiln.weight @n : tensor<32xf32>
kiln.weight @b : tensor<32xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.index_keys' op result has shape [?, 64], expected [?, 32]}}
  %k = kiln.mla.index_keys %x, %p wk @wk norm @n, @b
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32> -> tensor<?x64xf32>
  return
}

// -----

kiln.weight @wk : tensor<32x256xf32>
kiln.weight @n : tensor<32xf32>
kiln.weight @b : tensor<32xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.index_keys' op rope_theta must be positive, got -1}}
  %k = kiln.mla.index_keys %x, %p wk @wk norm @n, @b
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = -1.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32> -> tensor<?x32xf32>
  return
}

// -----

kiln.weight @wk : tensor<32x256xf32>
kiln.weight @n : tensor<32xf32>
kiln.weight @b : tensor<16xf32>
func.func @f(%x: tensor<?x256xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.index_keys' op weight @b (k_norm bias) has shape [16], expected [32]}}
  %k = kiln.mla.index_keys %x, %p wk @wk norm @n, @b
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?xi32> -> tensor<?x32xf32>
  return
}

// -----

kiln.weight @wq_b : tensor<128x128xf32>
kiln.weight @wp : tensor<4x256xf32>
func.func @f(%x: tensor<?x256xf32>, %ql: tensor<?x128xf32>, %k: tensor<?x32xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.indexer' op result has shape [?, 4], expected [?, 8]}}
  %t = kiln.mla.indexer %x, %ql, %k, %p wq_b @wq_b weights @wp
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?x128xf32>, tensor<?x32xf32>, tensor<?xi32> -> tensor<?x4xi32>
  return
}

// -----

kiln.weight @wq_b : tensor<128x128xf32>
kiln.weight @wp : tensor<4x256xf32>
func.func @f(%x: tensor<8x256xf32>, %ql: tensor<2x128xf32>, %k: tensor<?x32xf32>, %p: tensor<8xi32>) {
  // expected-error @below {{'kiln.mla.indexer' op q_latent has 2 rows, input has 8}}
  %t = kiln.mla.indexer %x, %ql, %k, %p wq_b @wq_b weights @wp
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<8x256xf32>, tensor<2x128xf32>, tensor<?x32xf32>, tensor<8xi32> -> tensor<8x8xi32>
  return
}

// -----

kiln.weight @wq_b : tensor<128x128xf32>
kiln.weight @wp : tensor<4x256xf32>
func.func @f(%x: tensor<?x256xf32>, %ql: tensor<?x128xf32>, %k: tensor<?x16xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.indexer' op keys has shape [?, 16], expected [?, 32]}}
  %t = kiln.mla.indexer %x, %ql, %k, %p wq_b @wq_b weights @wp
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x8xi32>
  return
}

// -----

kiln.weight @wq_b : tensor<128x64xf32>
kiln.weight @wp : tensor<4x256xf32>
func.func @f(%x: tensor<?x256xf32>, %ql: tensor<?x128xf32>, %k: tensor<?x32xf32>, %p: tensor<?xi32>) {
  // expected-error @below {{'kiln.mla.indexer' op weight @wq_b (wq_b) has shape [128, 64], expected [128, 128]}}
  %t = kiln.mla.indexer %x, %ql, %k, %p wq_b @wq_b weights @wp
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?x128xf32>, tensor<?x32xf32>, tensor<?xi32> -> tensor<?x8xi32>
  return
}

// -----

kiln.weight @wq_b : tensor<128x128xf32>
kiln.weight @wp.s : tensor<1x2xf32>
kiln.weight @wp : tensor<4x256xf8E4M3FN> quant(#kiln.block_fp8<[128, 128], f32>, scale @wp.s)
func.func @f(%x: tensor<?x256xf32>, %ql: tensor<?x128xf32>, %k: tensor<?x32xf32>, %p: tensor<?xi32>) {
  // weights_proj stays in floating point (reference note §1.9).
  // expected-error @below {{'kiln.mla.indexer' op weight @wp (weights_proj) must not be FP8}}
  %t = kiln.mla.indexer %x, %ql, %k, %p wq_b @wq_b weights @wp
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xf32>, tensor<?x128xf32>, tensor<?x32xf32>, tensor<?xi32> -> tensor<?x8xi32>
  return
}
