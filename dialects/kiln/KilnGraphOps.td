//===- KilnGraphOps.td - model-level graph ops -------------------------------===//
//
// The dense building blocks of a DeepSeek decoder: embedding, norms, linear layers over weight
// symbols, rotary embedding, SwiGLU, residual add, the LM head and activation quantisation.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_GRAPH_OPS_TD
#define KILN_GRAPH_OPS_TD

include "dialects/kiln/KilnBase.td"

class Kiln_WeightUserOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<SymbolUserOpInterface>])>;

def Kiln_EmbedOp : Kiln_WeightUserOp<"embed"> {
  let summary = "embedding lookup";
  let description = [{
    `result[s, :] = table[tokens[s], :]` over the `[vocab, hidden]` weight `table`.

    ```mlir
    %h = kiln.embed %tokens, @embed_tokens.weight : tensor<?xi32> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins 1DTensorOf<[I32]>:$tokens, Kiln_WeightRef:$table);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = "$tokens `,` $table attr-dict `:` type($tokens) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_RMSNormOp : Kiln_WeightUserOp<"rms_norm", [AllTypesMatch<["input", "result"]>]> {
  let summary = "RMSNorm over the last dimension";
  let description = [{
    `result = weight * x / sqrt(mean(x^2) + epsilon)`, reduced over the last dimension, computed
    in f32. `weight` is a 1-D weight as wide as that dimension.

    ```mlir
    %n = kiln.rms_norm %h, @layers.0.input_layernorm.weight {epsilon = 1.0e-06 : f32}
        : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_WeightRef:$weight,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_AddRMSNormOp : Kiln_WeightUserOp<"add_rms_norm",
    [AllTypesMatch<["lhs", "rhs", "sum", "result"]>]> {
  let summary = "residual add and RMSNorm in one op (what kiln-fuse-residual-norm produces)";
  let description = [{
    `sum = lhs + rhs` (the new residual stream) and `result = rms_norm(sum)` with `weight` and
    `epsilon`, as `kiln.add` followed by `kiln.rms_norm` compute them: one pass over the row.

    ```mlir
    %sum, %n = kiln.add_rms_norm %h, %attn, @layers.0.post_attention_layernorm.weight
        {epsilon = 1.0e-06 : f32} : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs, Kiln_WeightRef:$weight,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs Kiln_FloatTensor:$sum, Kiln_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs `,` $weight attr-dict `:` type($lhs)";
  let hasVerifier = 1;
}

def Kiln_LinearOp : Kiln_WeightUserOp<"linear"> {
  let summary = "y = x W^T over a weight symbol";
  let description = [{
    Multiplies `[tokens, in]` activations by the `[out, in]` weight. The quantisation is read
    off the weight: a bf16/f32 weight is a plain GEMM; an `f8E4M3FN` weight with block scales is
    either dequantised per block (`--fp8-gemm dequant`, float input) or used with quantised
    activations (`--fp8-gemm act-quant`: an `f8E4M3FN` input plus its per-token-per-128
    `input_scale`, as produced by `kiln.act_quant`). Accumulation is f32.

    ```mlir
    %y = kiln.linear %x, @layers.0.mlp.up_proj.weight : tensor<?x256xf32> -> tensor<?x512xf32>
    %z = kiln.linear %xq scale %xs, @layers.1.mlp.down_proj.weight
        : tensor<?x512xf8E4M3FN>, tensor<?x4xf32> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16, F8E4M3FN]>:$input,
                       Optional<2DTensorOf<[F32]>>:$input_scale,
                       Kiln_WeightRef:$weight);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = [{
    $input (`scale` $input_scale^)? `,` $weight attr-dict `:` type($input)
    (`,` type($input_scale)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_RopeOp : Kiln_Op<"rope", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "rotary position embedding, optionally YaRN-scaled";
  let description = [{
    Rotates the last dimension of `input` (`[tokens, rope]` or `[tokens, heads, rope]`) by the
    angle `positions[t] * theta^(-2i/rope)`, with frequencies blended by `yarn` when present.
    `layout` says which channels form a pair: `interleaved` (x[2i], x[2i+1]) for MLA, `half`
    (x[i], x[i + rope/2]) for the V3.2 indexer.

    ```mlir
    %q_pe = kiln.rope %q, %positions {layout = #kiln.rope_layout<interleaved>, theta = 10000.0,
        yarn = #kiln.yarn<factor = 40.0, original_max_position_embeddings = 4096,
                          beta_fast = 32.0, beta_slow = 1.0, mscale = 1.0, mscale_all_dim = 1.0>}
        : tensor<?x4x16xf32>, tensor<?xi32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, 1DTensorOf<[I32]>:$positions,
                       Kiln_RopeLayoutAttr:$layout, F64Attr:$theta,
                       OptionalAttr<Kiln_YarnAttr>:$yarn);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `,` $positions attr-dict `:` type($input) `,` type($positions)";
  let hasVerifier = 1;
}

def Kiln_SwiGLUOp : Kiln_Op<"swiglu", [Pure, SameOperandsAndResultType]> {
  let summary = "silu(gate) * up";
  let description = [{
    The gated activation of every DeepSeek MLP and expert: `silu(gate) * up`, elementwise.

    ```mlir
    %a = kiln.swiglu %gate, %up : tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$gate, Kiln_FloatTensor:$up);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$gate `,` $up attr-dict `:` type($result)";
}

def Kiln_AddOp : Kiln_Op<"add", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "residual add";
  let description = [{
    Elementwise sum, used for the residual stream.

    ```mlir
    %h1 = kiln.add %h, %attn : tensor<?x256xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Kiln_LMHeadOp : Kiln_WeightUserOp<"lm_head"> {
  let summary = "logits from the final hidden state";
  let description = [{
    `logits = x W^T` over the `[vocab, hidden]` weight, always produced in f32 (the runtime's
    sampler and `--logits-out` read f32).

    ```mlir
    %logits = kiln.lm_head %n, @lm_head.weight : tensor<?x256xf32> -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input, Kiln_WeightRef:$weight);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_ActQuantOp : Kiln_Op<"act_quant", [Pure]> {
  let summary = "per-token, per-128-channel e4m3 activation quantisation";
  let description = [{
    For each row and each block of 128 channels (the last block may be partial):
    `s = max(amax, 1e-4) / 448`, rounded up to a power of two when the module says
    `kiln.act_scale_rounding = #kiln.scale_rounding<ue8m0>`; `q = e4m3(x / s)`, saturating.
    Produces the quantised tensor and its `[tokens, ceil(channels / 128)]` f32 scales.

    ```mlir
    %q, %s = kiln.act_quant %x : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input);
  let results = (outs 2DTensorOf<[F8E4M3FN]>:$quantized, 2DTensorOf<[F32]>:$scales);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($quantized) `,` type($scales)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Channels per scale.
    static constexpr int64_t kBlock = 128;
  }];
}

def Kiln_RMSNormQuantOp : Kiln_WeightUserOp<"rms_norm_quant",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "RMSNorm and the activation quantisation of its result in one op";
  let description = [{
    What `kiln.rms_norm` followed by `kiln.act_quant` of its result compute, in one pass over
    each row (what kiln-fuse-norm-quant produces): `result = rms_norm(input)` with `weight` and
    `epsilon`, then `quantized, scales = act_quant(result)` (per token, per 128 channels; ue8m0
    scales when the module says `kiln.act_scale_rounding = #kiln.scale_rounding<ue8m0>`). The
    float `result` stays available for users that read it unquantised (a router, the experts).

    ```mlir
    %n, %q, %s = kiln.rms_norm_quant %h, @layers.0.post_attention_layernorm.weight
        {epsilon = 1.0e-06 : f32} : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input, Kiln_WeightRef:$weight,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$result, 2DTensorOf<[F8E4M3FN]>:$quantized,
                      2DTensorOf<[F32]>:$scales);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `->` type($quantized) `,` type($scales)
  }];
  let hasVerifier = 1;
}

def Kiln_AddRMSNormQuantOp : Kiln_WeightUserOp<"add_rms_norm_quant",
    [AllTypesMatch<["lhs", "rhs", "sum", "result"]>]> {
  let summary = "residual add, RMSNorm and the activation quantisation of its result in one op";
  let description = [{
    What `kiln.add_rms_norm` followed by `kiln.act_quant` of its normalised result compute (what
    kiln-fuse-norm-quant makes of a fused residual norm): `sum = lhs + rhs`,
    `result = rms_norm(sum)`, `quantized, scales = act_quant(result)`, one pass over each row.

    ```mlir
    %sum, %n, %q, %s = kiln.add_rms_norm_quant %h, %attn, @layers.0.post_attention_layernorm.weight
        {epsilon = 1.0e-06 : f32} : tensor<?x256xf32> -> tensor<?x256xf8E4M3FN>, tensor<?x2xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$lhs, 2DTensorOf<[F32, BF16, F16]>:$rhs,
                       Kiln_WeightRef:$weight,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$sum, 2DTensorOf<[F32, BF16, F16]>:$result,
                      2DTensorOf<[F8E4M3FN]>:$quantized, 2DTensorOf<[F32]>:$scales);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $weight attr-dict `:` type($lhs) `->` type($quantized) `,` type($scales)
  }];
  let hasVerifier = 1;
}

def Kiln_SwiGLUQuantOp : Kiln_Op<"swiglu_quant", [Pure, AllTypesMatch<["gate", "up"]>]> {
  let summary = "silu(gate) * up, quantised per token and 128 channels, in one op";
  let description = [{
    What `kiln.swiglu` followed by `kiln.act_quant` of its result compute (what
    kiln-fuse-swiglu-quant produces): the gated activation of a row, then its e4m3 values and
    per-128-channel scales, without the f32 activation ever leaving the kernel. It feeds the
    down projection of an FP8 MLP.

    ```mlir
    %q, %s = kiln.swiglu_quant %gate, %up
        : tensor<?x512xf32> -> tensor<?x512xf8E4M3FN>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$gate, 2DTensorOf<[F32, BF16, F16]>:$up);
  let results = (outs 2DTensorOf<[F8E4M3FN]>:$quantized, 2DTensorOf<[F32]>:$scales);
  let assemblyFormat = [{
    $gate `,` $up attr-dict `:` type($gate) `->` type($quantized) `,` type($scales)
  }];
  let hasVerifier = 1;
}

#endif // KILN_GRAPH_OPS_TD
