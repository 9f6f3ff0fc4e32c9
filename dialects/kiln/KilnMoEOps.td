//===- KilnMoEOps.td - fused Mixture-of-Experts ops ----------------------------===//

#ifndef KILN_MOE_OPS_TD
#define KILN_MOE_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_MoERouterOp : Kiln_Op<"moe.router", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the whole router in one op (what kiln-fuse-routing produces)";
  let description = [{
    From f32 gate logits `[tokens, experts]`: score (`scoring`), add the selection `bias` when
    given, score `groups` contiguous groups (`group_reduce`), keep the best `keep_groups` and mask
    the rest with -inf, choose the top `k` by the biased scores, take their unbiased scores,
    renormalise when `normalize` (with `epsilon`), multiply by `scaling_factor`.

    | family                      | scoring | bias | groups / keep | group_reduce | normalize |
    |-----------------------------|---------|------|---------------|--------------|-----------|
    | greedy (V2-Lite)            | softmax | no   | 1 / 1         | max          | false     |
    | group_limited_greedy (V2)   | softmax | no   | 8 / 3         | max          | false     |
    | noaux_tc (V3, V3.1, V3.2)   | sigmoid | yes  | 8 / 4         | top2_sum     | true      |

    ```mlir
    %w, %idx = kiln.moe.router %logits bias @layers.1.mlp.gate.e_score_correction_bias
        {scoring = #kiln.scoring<sigmoid>, groups = 4 : i64, keep_groups = 2 : i64,
         group_reduce = #kiln.group_reduce<top2_sum>, k = 4 : i64, normalize = true,
         epsilon = 1.0e-20 : f32, scaling_factor = 2.5 : f32}
        : tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$logits, Kiln_OptWeightRef:$bias,
                       Kiln_ScoringFuncAttr:$scoring, I64Attr:$groups, I64Attr:$keep_groups,
                       Kiln_GroupReduceAttr:$group_reduce, I64Attr:$k, BoolAttr:$normalize,
                       DefaultValuedAttr<F32Attr, "0.0">:$epsilon, F32Attr:$scaling_factor);
  let results = (outs 2DTensorOf<[F32]>:$topk_weights, 2DTensorOf<[I32]>:$topk_indices);
  let assemblyFormat = [{
    $logits (`bias` $bias^)? attr-dict `:` type($logits) `->` type($topk_weights) `,`
    type($topk_indices)
  }];
  let hasVerifier = 1;
}

def Kiln_MoEExpertsOp : Kiln_Op<"moe.experts", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "grouped SwiGLU MLP over each token's routed experts";
  let description = [{
    For every token `t` and choice `j`, with `e = indices[t, j]`:
    `result[t, j] = down[e] (silu(gate[e] x[t]) * up[e] x[t])`. The expert weights are packed
    `[experts, inter, hidden]` (gate, up) and `[experts, hidden, inter]` (down) by the
    declarative layout transform the importer records. `kiln.moe.combine` weights and sums.

    ```mlir
    %y = kiln.moe.experts %x, %idx, gate @l1.experts.gate, up @l1.experts.up,
        down @l1.experts.down : tensor<?x256xf32>, tensor<?x4xi32> -> tensor<?x4x256xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32, BF16, F16]>:$input, 2DTensorOf<[I32]>:$indices,
                       Kiln_WeightRef:$gate, Kiln_WeightRef:$up, Kiln_WeightRef:$down);
  let results = (outs 3DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = [{
    $input `,` $indices `,` `gate` $gate `,` `up` $up `,` `down` $down attr-dict `:`
    type($input) `,` type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Kiln_MoECombineOp : Kiln_Op<"moe.combine", [Pure]> {
  let summary = "weighted sum of each token's expert outputs";
  let description = [{
    `result[t] = sum_j weights[t, j] * expert_out[t, j]`, accumulated in f32.

    ```mlir
    %o = kiln.moe.combine %y, %w : tensor<?x4x256xf32>, tensor<?x4xf32> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins 3DTensorOf<[F32, BF16, F16]>:$expert_out, 2DTensorOf<[F32]>:$weights);
  let results = (outs 2DTensorOf<[F32, BF16, F16]>:$result);
  let assemblyFormat = [{
    $expert_out `,` $weights attr-dict `:` type($expert_out) `,` type($weights) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

#endif // KILN_MOE_OPS_TD
