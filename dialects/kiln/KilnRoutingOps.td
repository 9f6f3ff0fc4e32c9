//===- KilnRoutingOps.td - the primitive ops MoE routing is written in -----===//
//
// The frontend writes each router as a chain of these ops, so every family's semantics
// (greedy, group_limited_greedy, noaux_tc) is spelled out in the IR; kiln-fuse-routing folds a
// chain into one kiln.moe.router.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ROUTING_OPS_TD
#define KILN_ROUTING_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_RouteScoreOp : Kiln_Op<"route.score", [Pure, AllTypesMatch<["logits", "result"]>]> {
  let summary = "router scoring function over the gate logits";
  let description = [{
    `softmax` over the experts (V2, V2-Lite) or elementwise `sigmoid` (V3 and later), in f32.

    ```mlir
    %scores = kiln.route.score %logits {scoring = #kiln.scoring<sigmoid>} : tensor<?x16xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$logits, Kiln_ScoringFuncAttr:$scoring);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = "$logits attr-dict `:` type($logits)";
}

def Kiln_RouteBiasAddOp : Kiln_Op<"route.bias_add", [Pure,
    AllTypesMatch<["scores", "result"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "add the expert-selection bias (noaux_tc)";
  let description = [{
    `result = scores + bias` with the f32 `[experts]` weight `e_score_correction_bias`. The biased
    scores choose experts only; the routing weights come from the unbiased scores.

    ```mlir
    %sel = kiln.route.bias_add %scores, @layers.1.mlp.gate.e_score_correction_bias
        : tensor<?x16xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$scores, Kiln_WeightRef:$bias);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = "$scores `,` $bias attr-dict `:` type($scores)";
}

def Kiln_RouteGroupScoreOp : Kiln_Op<"route.group_score", [Pure]> {
  let summary = "score each contiguous group of experts";
  let description = [{
    Splits the experts into `groups` contiguous groups and reduces each: `max` (V2) or the sum of
    the two best scores (`top2_sum`, V3).

    ```mlir
    %g = kiln.route.group_score %sel {groups = 4 : i64, reduce = #kiln.group_reduce<top2_sum>}
        : tensor<?x16xf32> -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$scores, I64Attr:$groups,
                       Kiln_GroupReduceAttr:$reduce);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = "$scores attr-dict `:` type($scores) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_RouteGroupMaskOp : Kiln_Op<"route.group_mask", [Pure,
    AllTypesMatch<["scores", "result"]>]> {
  let summary = "keep the best groups, mask the others with -inf";
  let description = [{
    Keeps the `keep` best groups by `group_scores` and sets the scores of every expert in the
    other groups to -inf (not 0: a zero can still win when scores are negative).

    ```mlir
    %m = kiln.route.group_mask %sel, %g {keep = 2 : i64} : tensor<?x16xf32>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$scores, 2DTensorOf<[F32]>:$group_scores,
                       I64Attr:$keep);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $scores `,` $group_scores attr-dict `:` type($scores) `,` type($group_scores)
  }];
  let hasVerifier = 1;
}

def Kiln_RouteTopKOp : Kiln_Op<"route.topk", [Pure]> {
  let summary = "choose k experts by one score, weight them by another";
  let description = [{
    Picks the `k` largest entries of `select` per row (ties to the lower index) and returns the
    entries of `weights` at those experts with their indices. V3 selects by biased, masked scores
    and weights by unbiased ones; V2 passes the same value twice.

    ```mlir
    %w, %idx = kiln.route.topk %m, %scores {k = 4 : i64}
        : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x4xf32>, tensor<?x4xi32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$select, 2DTensorOf<[F32]>:$weights, I64Attr:$k);
  let results = (outs 2DTensorOf<[F32]>:$topk_weights, 2DTensorOf<[I32]>:$topk_indices);
  let assemblyFormat = [{
    $select `,` $weights attr-dict `:` type($select) `,` type($weights) `->`
    type($topk_weights) `,` type($topk_indices)
  }];
  let hasVerifier = 1;
}

def Kiln_RouteNormalizeOp : Kiln_Op<"route.normalize", [Pure,
    AllTypesMatch<["weights", "result"]>]> {
  let summary = "renormalise the chosen weights to sum to one";
  let description = [{
    `result = w / (sum(w) + epsilon)` per row (`norm_topk_prob`).

    ```mlir
    %n = kiln.route.normalize %w {epsilon = 1.0e-20 : f32} : tensor<?x4xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$weights,
                       DefaultValuedAttr<F32Attr, "0.0">:$epsilon);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = "$weights attr-dict `:` type($weights)";
  let hasVerifier = 1;
}

def Kiln_RouteScaleOp : Kiln_Op<"route.scale", [Pure, AllTypesMatch<["weights", "result"]>]> {
  let summary = "multiply the routing weights by routed_scaling_factor";
  let description = [{
    ```mlir
    %s = kiln.route.scale %n {factor = 2.5 : f32} : tensor<?x4xf32>
    ```
  }];
  let arguments = (ins 2DTensorOf<[F32]>:$weights, F32Attr:$factor);
  let results = (outs 2DTensorOf<[F32]>:$result);
  let assemblyFormat = "$weights attr-dict `:` type($weights)";
  let hasVerifier = 1;
}

#endif // KILN_ROUTING_OPS_TD
