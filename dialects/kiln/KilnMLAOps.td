//===- KilnMLAOps.td - Multi-head Latent Attention ----------------------------===//
//
// kiln.mla.attention is the whole block as the frontend emits it; it decomposes into
// q_proj, kv_compress, cache_write and either naive (prefill: kv_b_proj expanded per head) or
// absorbed (decode: W_UK folded into the query, W_UV into the output, attention over the
// 512 + 64 latent cache). V3.2 adds index_keys and indexer, whose top-k restricts attention.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_MLA_OPS_TD
#define KILN_MLA_OPS_TD

include "dialects/kiln/KilnBase.td"

class Kiln_MLAOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<"mla." # mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<SymbolUserOpInterface>])>;

def Kiln_MLAAttentionOp : Kiln_MLAOp<"attention", [Pure,
    AllTypesMatch<["cache", "new_cache"]>]> {
  let summary = "a whole MLA attention block, reading and writing the latent cache";
  let description = [{
    From the normalised hidden state `[tokens, hidden]`: the query (low-rank `q_a` + norm + `q`,
    or a direct `q` when `shape.q_lora` is 0), the compressed key/value (`kv_a` + norm: the
    latent, and the shared RoPE key), RoPE (interleaved, `rope_theta`, optional `yarn`) on both
    RoPE parts, the cache update for `layer`, causal attention with `softmax_scale` over every
    cached position, and the output projection `o`. `norm_epsilon` is the epsilon of the
    `q_a` and `kv_a` RMSNorms (the model's `rms_norm_eps`). `form` (set by kiln-absorb-mla)
    says how `kv_b` is applied: `absorbed` (W_UK into the query, W_UV into the output, attention
    over the latent) or `naive` (keys and values expanded per head); absent, the lowering uses
    the absorbed form, which every entry point can run. With `indexer` (V3.2), each query attends
    only to the top `index.topk` keys the lightning indexer picks.

    ```mlir
    %out, %cache1 = kiln.mla.attention %n, %positions, %cache layer 0
        q_a @l0.q_a_proj, @l0.q_a_layernorm q @l0.q_b_proj
        kv_a @l0.kv_a_proj_with_mqa, @l0.kv_a_layernorm kv_b @l0.kv_b_proj o @l0.o_proj
        {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
         softmax_scale = 0.1352 : f32, rope_theta = 10000.0}
        : tensor<?x256xf32>, tensor<?xi32>,
          !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
          -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input, 1DTensorOf<[I32]>:$positions,
                       Kiln_KVCacheType:$cache, I64Attr:$layer,
                       Kiln_OptWeightRef:$q_a, Kiln_OptWeightRef:$q_a_norm, Kiln_WeightRef:$q,
                       Kiln_WeightRef:$kv_a, Kiln_WeightRef:$kv_a_norm, Kiln_WeightRef:$kv_b,
                       Kiln_WeightRef:$o,
                       Kiln_OptWeightRef:$index_wq_b, Kiln_OptWeightRef:$index_wk,
                       Kiln_OptWeightRef:$index_k_norm, Kiln_OptWeightRef:$index_k_norm_bias,
                       Kiln_OptWeightRef:$index_weights_proj,
                       Kiln_MLAShapeAttr:$shape, F32Attr:$softmax_scale, F64Attr:$rope_theta,
                       OptionalAttr<Kiln_YarnAttr>:$yarn,
                       OptionalAttr<Kiln_IndexerShapeAttr>:$index,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$norm_epsilon,
                       OptionalAttr<Kiln_MLAFormAttr>:$form);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$result, Kiln_KVCacheType:$new_cache);
  let assemblyFormat = [{
    $input `,` $positions `,` $cache `layer` $layer
    (`q_a` $q_a^ `,` $q_a_norm)? `q` $q
    `kv_a` $kv_a `,` $kv_a_norm `kv_b` $kv_b `o` $o
    (`indexer` `(` $index_wq_b^ `,` $index_wk `,` $index_k_norm `,` $index_k_norm_bias `,`
       $index_weights_proj `)`)?
    attr-dict `:` type($input) `,` type($positions) `,` qualified(type($cache)) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_MLAQProjOp : Kiln_MLAOp<"q_proj", [Pure]> {
  let summary = "the per-head query, through the low-rank path or a direct projection";
  let description = [{
    `q = q_b(rms_norm(q_a(x)))` reshaped to `[tokens, heads, nope + rope]` (no-RoPE channels
    first), or `q = q(x)` when `shape.q_lora` is 0. RoPE is applied afterwards by `kiln.rope` on
    the last `rope` channels. The optional second result is the normalised q latent
    `[tokens, q_lora]` that the V3.2 indexer reads.

    ```mlir
    %q, %ql = kiln.mla.q_proj %n q_a @l0.q_a_proj, @l0.q_a_layernorm q @l0.q_b_proj
        {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>}
        : tensor<?x256xf32> -> tensor<?x4x48xf32>, tensor<?x128xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input,
                       Kiln_OptWeightRef:$q_a, Kiln_OptWeightRef:$q_a_norm, Kiln_WeightRef:$q,
                       Kiln_MLAShapeAttr:$shape);
  let results = (outs 3DTensorOf<[F32, BF16, F16]>:$result,
                      Optional<2DTensorOf<[F32, BF16, F16]>>:$q_latent);
  let assemblyFormat = [{
    $input (`q_a` $q_a^ `,` $q_a_norm)? `q` $q attr-dict `:` type($input) `->` type($result)
    (`,` type($q_latent)^)?
  }];
  let hasVerifier = 1;
}

def Kiln_MLAKVCompressOp : Kiln_MLAOp<"kv_compress", [Pure]> {
  let summary = "the compressed key/value: normalised latent and the shared RoPE key";
  let description = [{
    `ckv = kv_a(x)`; the first `kv_lora` channels, RMS-normalised by `kv_a_norm`, are the latent;
    the last `rope` channels are `k_pe` (one key head shared by all heads), not yet rotated.

    ```mlir
    %latent, %k_pe = kiln.mla.kv_compress %n kv_a @l0.kv_a_proj_with_mqa, @l0.kv_a_layernorm
        {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>}
        : tensor<?x256xf32> -> tensor<?x128xf32>, tensor<?x16xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input, Kiln_WeightRef:$kv_a,
                       Kiln_WeightRef:$kv_a_norm, Kiln_MLAShapeAttr:$shape);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$latent,
                      2DTensorOf<[F32, BF16, F16]>:$k_pe);
  let assemblyFormat = [{
    $input `kv_a` $kv_a `,` $kv_a_norm attr-dict `:` type($input) `->` type($latent) `,`
    type($k_pe)
  }];
  let hasVerifier = 1;
}

def Kiln_MLACacheWriteOp : Kiln_Op<"mla.cache_write", [Pure,
    AllTypesMatch<["cache", "new_cache"]>]> {
  let summary = "store the latent, the roped key and (V3.2) the index key of new tokens";
  let description = [{
    Writes row `t` of each value at position `positions[t]` of `layer` (of the one sequence in
    prefill; of sequence `t` in decode). `index_keys` is required exactly when the cache has
    indexer keys.

    ```mlir
    %cache1 = kiln.mla.cache_write %latent, %k_pe_rot into %cache at %positions layer 0
        : tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>,
          !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
    ```

    With indexer keys (V3.2), their type comes last:

    ```mlir
    %cache1 = kiln.mla.cache_write %latent, %k_pe index %keys into %cache at %positions layer 0
        : tensor<?x128xbf16>, tensor<?x16xbf16>, tensor<?xi32>,
          !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 32, block = 64,
                         element = bf16>, tensor<?x32xbf16>
    ```
  }];
  // The optional operand comes last: AllTypesMatch infers the result from the cache operand by
  // its position, which an absent optional operand before it would shift.
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$latent, 2DTensorOf<[F32, BF16, F16]>:$k_pe,
                       Kiln_KVCacheType:$cache, 1DTensorOf<[I32]>:$positions, I64Attr:$layer,
                       Optional<2DTensorOf<[F32, BF16, F16]>>:$index_keys);
  let results = (outs Kiln_KVCacheType:$new_cache);
  let assemblyFormat = [{
    $latent `,` $k_pe (`index` $index_keys^)? `into` $cache `at` $positions `layer` $layer
    attr-dict `:` type($latent) `,` type($k_pe) `,` type($positions) `,` qualified(type($cache))
    (`,` type($index_keys)^)?
  }];
  let hasVerifier = 1;
}

def Kiln_MLACacheReadOp : Kiln_Op<"mla.cache_read", [Pure]> {
  let summary = "read every cached position of one sequence (prefill)";
  let description = [{
    Returns the latent `[cached, kv_lora]`, the roped key `[cached, rope]` and, when the cache has
    them, the index keys `[cached, index]` of `layer` for the sequence being prefilled, in
    position order.

    ```mlir
    %latent, %k_pe = kiln.mla.cache_read %cache1 layer 0
        : !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
          -> tensor<?x128xf32>, tensor<?x16xf32>
    ```
  }];
  let arguments = (ins Kiln_KVCacheType:$cache, I64Attr:$layer);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$latent, 2DTensorOf<[F32, BF16, F16]>:$k_pe,
                      Optional<2DTensorOf<[F32, BF16, F16]>>:$index_keys);
  let assemblyFormat = [{
    $cache `layer` $layer attr-dict `:` qualified(type($cache)) `->` type($latent) `,` type($k_pe)
    (`,` type($index_keys)^)?
  }];
  let hasVerifier = 1;
}

def Kiln_MLANaiveOp : Kiln_MLAOp<"naive", [Pure]> {
  let summary = "prefill attention: kv_b_proj expanded into per-head keys and values";
  let description = [{
    `k_nope, v = split(kv_b(latent))` per head, `k = [k_nope ; k_pe]` (k_pe broadcast over
    heads), `o = softmax(q k^T * softmax_scale + causal) v`, where query `s` sits at
    `positions[s]` and cached key `t` at position `t`. With `topk`, only those key positions
    count (the rest are -inf). Result `[tokens, heads, v]`.

    ```mlir
    %o = kiln.mla.naive %q_rot, %latent, %k_pe, %positions kv_b @l0.kv_b_proj
        {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
         softmax_scale = 0.1352 : f32}
        : tensor<?x4x48xf32>, tensor<?x128xf32>, tensor<?x16xf32>, tensor<?xi32>
          -> tensor<?x4x32xf32>
    ```
  }];
  let arguments = (ins 3DTensorOf<[F32, BF16, F16]>:$q, 2DTensorOf<[F32, BF16, F16]>:$latent,
                       2DTensorOf<[F32, BF16, F16]>:$k_pe, 1DTensorOf<[I32]>:$positions,
                       Kiln_WeightRef:$kv_b, Optional<2DTensorOf<[I32]>>:$topk,
                       Kiln_MLAShapeAttr:$shape, F32Attr:$softmax_scale);
  let results = (outs 3DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = [{
    $q `,` $latent `,` $k_pe `,` $positions `kv_b` $kv_b (`topk` $topk^)? attr-dict `:`
    type($q) `,` type($latent) `,` type($k_pe) `,` type($positions) (`,` type($topk)^)? `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_MLAAbsorbedOp : Kiln_MLAOp<"absorbed", [Pure]> {
  let summary = "decode attention over the latent cache, kv_b_proj absorbed";
  let description = [{
    Folds W_UK (the key half of `kv_b`, per head) into the query and W_UV (the value half) into
    the output, so attention runs over the cached `kv_lora + rope` latent directly:
    `q_lat = q_nope W_UK`, `score = (q_lat . latent + q_pe . k_pe) * softmax_scale`,
    `o = (softmax(score) latent) W_UV^T`. Both halves are slices of `kv_b` (never a re-quantised
    product). Row `b` of the batch is sequence `b` at `positions[b]`. Result `[batch, heads, v]`.

    ```mlir
    %o = kiln.mla.absorbed %q_rot, %cache1, %positions layer 0 kv_b @l0.kv_b_proj
        {shape = #kiln.mla<heads = 4, q_lora = 128, kv_lora = 128, nope = 32, rope = 16, v = 32>,
         softmax_scale = 0.1352 : f32}
        : tensor<8x4x48xf32>, tensor<8xi32>,
          !kiln.kv_cache<layers = 3, latent = 128, rope = 16, index = 0, block = 64, element = f32>
          -> tensor<8x4x32xf32>
    ```
  }];
  let arguments = (ins 3DTensorOf<[F32, BF16, F16]>:$q, Kiln_KVCacheType:$cache,
                       1DTensorOf<[I32]>:$positions, I64Attr:$layer, Kiln_WeightRef:$kv_b,
                       Optional<2DTensorOf<[I32]>>:$topk,
                       Kiln_MLAShapeAttr:$shape, F32Attr:$softmax_scale);
  let results = (outs 3DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = [{
    $q `,` $cache `,` $positions `layer` $layer `kv_b` $kv_b (`topk` $topk^)? attr-dict `:`
    type($q) `,` type($positions) `,` qualified(type($cache)) (`,` type($topk)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_MLAIndexKeysOp : Kiln_MLAOp<"index_keys", [Pure]> {
  let summary = "the V3.2 indexer's key for each new token";
  let description = [{
    `k = LayerNorm(wk(x))` (with weight and bias, eps 1e-6), the first `index.rope` channels
    rotated in the `half` layout, then the Hadamard transform. One key per token, shared by all
    index heads; it is cached beside the latent.

    ```mlir
    %ik = kiln.mla.index_keys %n, %positions wk @l0.indexer.wk norm @l0.indexer.k_norm.weight,
        @l0.indexer.k_norm.bias
        {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>,
         rope_theta = 10000.0}
        : tensor<?x256xf32>, tensor<?xi32> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input, 1DTensorOf<[I32]>:$positions,
                       Kiln_WeightRef:$wk, Kiln_WeightRef:$norm, Kiln_WeightRef:$norm_bias,
                       Kiln_IndexerShapeAttr:$index, F64Attr:$rope_theta,
                       OptionalAttr<Kiln_YarnAttr>:$yarn);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = [{
    $input `,` $positions `wk` $wk `norm` $norm `,` $norm_bias attr-dict `:` type($input) `,`
    type($positions) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_MLAIndexerOp : Kiln_MLAOp<"indexer", [Pure]> {
  let summary = "the V3.2 lightning indexer: the top-k key positions for each query";
  let description = [{
    `q_h = wq_b(q_latent)` per index head (RoPE'd in the `half` layout, Hadamard-transformed),
    `w = weights(x) * heads^-0.5`, `score[s, t] = sum_h w[s, h] * head_dim^-0.5 * relu(q_h . k_t)`
    over the cached index keys with a causal mask, and the positions of the `index.topk` best
    keys (fewer valid entries than `topk` are padded with -1).

    ```mlir
    %top = kiln.mla.indexer %n, %ql, %ikeys, %positions wq_b @l0.indexer.wq_b
        weights @l0.indexer.weights_proj
        {index = #kiln.mla_indexer<heads = 4, head_dim = 32, rope = 16, topk = 8>,
         rope_theta = 10000.0}
        : tensor<?x256xf32>, tensor<?x128xf32>, tensor<?x32xf32>, tensor<?xi32>
          -> tensor<?x8xi32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input,
                       2DTensorOf<[F32, BF16, F16]>:$q_latent,
                       2DTensorOf<[F32, BF16, F16]>:$keys, 1DTensorOf<[I32]>:$positions,
                       Kiln_WeightRef:$wq_b, Kiln_WeightRef:$weights,
                       Kiln_IndexerShapeAttr:$index, F64Attr:$rope_theta,
                       OptionalAttr<Kiln_YarnAttr>:$yarn);
  let results = (outs 2DTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $q_latent `,` $keys `,` $positions `wq_b` $wq_b `weights` $weights attr-dict `:`
    type($input) `,` type($q_latent) `,` type($keys) `,` type($positions) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // KILN_MLA_OPS_TD
