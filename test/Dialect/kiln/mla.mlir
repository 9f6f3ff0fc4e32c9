// Round trip of the MLA ops: the whole block (V3, V2-Lite, V3.2 forms) and its decomposition.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --emit-bytecode | kiln-opt | FileCheck %s

// hidden 256, 4 heads, q_lora 128, kv_lora 128, nope 32, rope 16, v 32.
kiln.weight @q_a : tensor<128x256xf32>
kiln.weight @q_a_norm : tensor<128xf32>
kiln.weight @q_b : tensor<192x128xf32>
kiln.weight @q : tensor<192x256xf32>
kiln.weight @kv_a : tensor<144x256xf32>
kiln.weight @kv_a_norm : tensor<128xf32>
kiln.weight @kv_b : tensor<256x128xf32>
kiln.weight @o : tensor<256x128xf32>
// The V3.2 indexer: 4 heads of 32, 16 of them rotated, top 8.
kiln.weight @ix.wq_b : tensor<128x128xf32>
kiln.weight @ix.wk : tensor<32x256xf32>
kiln.weight @ix.k_norm : tensor<32xf32>
kiln.weight @ix.k_norm_bias : tensor<32xf32>
kiln.weight @ix.weights_proj : tensor<4x256xf32>

!cache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
!icache = !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64, element = bf16>

// CHECK-LABEL: func.func @attention_v3
func.func @attention_v3(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) -> (tensor<?x256xf32>, !cache) {
  // CHECK: kiln.mla.attention %{{.*}}, %{{.*}}, %{{.*}} layer 2 q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
  // CHECK-SAME: {rope_theta = 1.000000e+04 : f64, shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>, softmax_scale = 1.352000e-01 : f32, yarn = #kiln.yarn<factor = 4.000000e+01, original_max_position_embeddings = 4096, beta_fast = 3.200000e+01, beta_slow = 1.000000e+00, mscale = 1.000000e+00, mscale_all_dim = 1.000000e+00>}
  // CHECK-SAME: : tensor<?x256xf32>, tensor<?xi32>, !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32> -> tensor<?x256xf32>
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 2
      q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32, rope_theta = 10000.0 : f64,
       yarn = #kiln.yarn<factor = 40.0, original_max_position_embeddings = 4096, beta_fast = 32.0,
                         beta_slow = 1.0, mscale = 1.0, mscale_all_dim = 1.0>}
      : tensor<?x256xf32>, tensor<?xi32>, !cache -> tensor<?x256xf32>
  return %out, %c1 : tensor<?x256xf32>, !cache
}

// V2-Lite: q_lora_rank null, a direct q projection.
// CHECK-LABEL: func.func @attention_v2_lite
func.func @attention_v2_lite(%x: tensor<8x256xf32>, %p: tensor<8xi32>, %c: !cache) -> tensor<8x256xf32> {
  // CHECK: kiln.mla.attention %{{.*}}, %{{.*}}, %{{.*}} layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 0 q @q kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      {shape = #kiln.mla<heads = 4, q_lora = 0, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1147 : f32, rope_theta = 10000.0 : f64}
      : tensor<8x256xf32>, tensor<8xi32>, !cache -> tensor<8x256xf32>
  return %out : tensor<8x256xf32>
}

// V3.2: the lightning indexer's weights, and a cache that holds its keys.
// CHECK-LABEL: func.func @attention_v32
func.func @attention_v32(%x: tensor<?x256xbf16>, %p: tensor<?xi32>, %c: !icache) -> tensor<?x256xbf16> {
  // CHECK: kiln.mla.attention {{.*}} indexer(@ix.wq_b, @ix.wk, @ix.k_norm, @ix.k_norm_bias, @ix.weights_proj)
  // CHECK-SAME: index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>
  %out, %c1 = kiln.mla.attention %x, %p, %c layer 1
      q_a @q_a, @q_a_norm q @q_b kv_a @kv_a, @kv_a_norm kv_b @kv_b o @o
      indexer(@ix.wq_b, @ix.wk, @ix.k_norm, @ix.k_norm_bias, @ix.weights_proj)
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>,
       softmax_scale = 0.1352 : f32, rope_theta = 10000.0 : f64}
      : tensor<?x256xbf16>, tensor<?xi32>, !icache -> tensor<?x256xbf16>
  return %out : tensor<?x256xbf16>
}

// The decomposed prefill: q, compressed kv, RoPE, cache write, cache read, naive attention.
// CHECK-LABEL: func.func @prefill_decomposed
func.func @prefill_decomposed(%x: tensor<?x256xf32>, %p: tensor<?xi32>, %c: !cache) -> (tensor<?x4x32xf32>, !cache) {
  // CHECK: kiln.mla.q_proj %{{.*}} q_a @q_a, @q_a_norm q @q_b {shape = {{.*}}} : tensor<?x256xf32> -> tensor<?x4x48xf32>, tensor<?x128xf32>
  %q, %ql = kiln.mla.q_proj %x q_a @q_a, @q_a_norm q @q_b
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x4x48xf32>, tensor<?x128xf32>
  // CHECK: kiln.mla.kv_compress %{{.*}} kv_a @kv_a, @kv_a_norm {shape = {{.*}}} : tensor<?x256xf32> -> tensor<?x128xf32>, tensor<?x16xf32>
  %lat, %kpe = kiln.mla.kv_compress %x kv_a @kv_a, @kv_a_norm
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>}
      : tensor<?x256xf32> -> tensor<?x128xf32>, tensor<?x16xf32>
  %kr = kiln.rope %kpe, %p {layout = #kiln.rope_layout<interleaved>, theta = 10000.0 : f64}
      : tensor<?x16xf32>, tensor<?xi32>
  // CHECK: kiln.mla.cache_write %{{.*}}, %{{.*}} into %{{.*}} at %{{.*}} layer 0 : tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>, !kiln.kv_cache
  %c1 = kiln.mla.cache_write %lat, %kr into %c at %p layer 0
      : tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>, !cache
  // CHECK: kiln.mla.cache_read %{{.*}} layer 0 : !kiln.kv_cache<{{.*}}> -> tensor<?x128xf32>, tensor<?x16xf32>
  %all_lat, %all_kpe = kiln.mla.cache_read %c1 layer 0 : !cache -> tensor<?x128xf32>, tensor<?x16xf32>
  // CHECK: kiln.mla.naive %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} kv_b @kv_b {shape = {{.*}}, softmax_scale = 1.352000e-01 : f32} : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x4x32xf32>
  %o = kiln.mla.naive %q, %all_lat, %all_kpe, %p kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32}
      : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32> -> tensor<?x4x32xf32>
  return %o, %c1 : tensor<?x4x32xf32>, !cache
}

// Decode: absorbed attention straight over the paged cache.
// CHECK-LABEL: func.func @decode_absorbed
func.func @decode_absorbed(%q: tensor<8x4x48xf32>, %p: tensor<8xi32>, %c: !cache) -> tensor<8x4x32xf32> {
  // CHECK: kiln.mla.absorbed %{{.*}}, %{{.*}}, %{{.*}} layer 1 kv_b @kv_b {shape = {{.*}}, softmax_scale = 1.352000e-01 : f32} : tensor<8x4x48xf32>, tensor<8xi32>, !kiln.kv_cache<{{.*}}> -> tensor<8x4x32xf32>
  %o = kiln.mla.absorbed %q, %c, %p layer 1 kv_b @kv_b
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32}
      : tensor<8x4x48xf32>, tensor<8xi32>, !cache -> tensor<8x4x32xf32>
  return %o : tensor<8x4x32xf32>
}

// V3.2 decomposed: index keys into the cache, the indexer's top-k restricting both forms.
// CHECK-LABEL: func.func @indexer
func.func @indexer(%x: tensor<?x256xbf16>, %ql: tensor<?x128xbf16>, %q: tensor<?x4x48xbf16>,
                   %lat: tensor<?x128xbf16>, %kpe: tensor<?x16xbf16>, %p: tensor<?xi32>,
                   %c: !icache) -> (tensor<?x4x32xbf16>, tensor<?x4x32xbf16>) {
  // CHECK: kiln.mla.index_keys %{{.*}}, %{{.*}} wk @ix.wk norm @ix.k_norm, @ix.k_norm_bias {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 1.000000e+04 : f64} : tensor<?x256xbf16>, tensor<?xi32> -> tensor<?x32xbf16>
  %ik = kiln.mla.index_keys %x, %p wk @ix.wk norm @ix.k_norm, @ix.k_norm_bias
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xbf16>, tensor<?xi32> -> tensor<?x32xbf16>
  // CHECK: kiln.mla.cache_write %{{.*}}, %{{.*}} index %{{.*}} into %{{.*}} at %{{.*}} layer 1 : tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?xi32>, !kiln.kv_cache<{{.*}}>, tensor<?x32xbf16>
  %c1 = kiln.mla.cache_write %lat, %kpe index %ik into %c at %p layer 1
      : tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?xi32>, !icache, tensor<?x32xbf16>
  // CHECK: kiln.mla.cache_read %{{.*}} layer 1 : !kiln.kv_cache<{{.*}}> -> tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?x32xbf16>
  %all_lat, %all_kpe, %keys = kiln.mla.cache_read %c1 layer 1
      : !icache -> tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?x32xbf16>
  // CHECK: kiln.mla.indexer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} wq_b @ix.wq_b weights @ix.weights_proj {{.*}} -> tensor<?x8xi32>
  %top = kiln.mla.indexer %x, %ql, %keys, %p wq_b @ix.wq_b weights @ix.weights_proj
      {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>, rope_theta = 10000.0 : f64}
      : tensor<?x256xbf16>, tensor<?x128xbf16>, tensor<?x32xbf16>, tensor<?xi32> -> tensor<?x8xi32>
  // CHECK: kiln.mla.naive {{.*}} kv_b @kv_b topk %{{.*}} {{.*}} : tensor<?x4x48xbf16>, tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?xi32>, tensor<?x8xi32> -> tensor<?x4x32xbf16>
  %o = kiln.mla.naive %q, %all_lat, %all_kpe, %p kv_b @kv_b topk %top
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32}
      : tensor<?x4x48xbf16>, tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?xi32>, tensor<?x8xi32>
        -> tensor<?x4x32xbf16>
  // CHECK: kiln.mla.absorbed {{.*}} kv_b @kv_b topk %{{.*}} {{.*}} : tensor<?x4x48xbf16>, tensor<?xi32>, !kiln.kv_cache<{{.*}}>, tensor<?x8xi32> -> tensor<?x4x32xbf16>
  %o2 = kiln.mla.absorbed %q, %c1, %p layer 1 kv_b @kv_b topk %top
      {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
       softmax_scale = 0.1352 : f32}
      : tensor<?x4x48xbf16>, tensor<?xi32>, !icache, tensor<?x8xi32> -> tensor<?x4x32xbf16>
  return %o, %o2 : tensor<?x4x32xbf16>, tensor<?x4x32xbf16>
}
