//===- FuseRouting.cpp - the routing primitives → one kiln.moe.router -----===//
//
// Anchored on kiln.route.topk, walks back to kiln.route.score (through the optional
// bias_add and group_score/group_mask) and forward through the optional normalize and scale,
// and replaces the chain with one kiln.moe.router. Only chains whose intermediates have no
// other users fuse: anything else still needs them.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_FUSEROUTING
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// The chain one top-k heads, or failure when it is not the frontend's pattern.
struct RoutingChain {
  RouteScoreOp score;
  RouteBiasAddOp bias;          // optional
  RouteGroupScoreOp groupScore; // optional, with groupMask
  RouteGroupMaskOp groupMask;
  RouteTopKOp topk;
  RouteNormalizeOp normalize; // optional
  RouteScaleOp scale;         // optional
  SmallVector<Operation *> ops;
};

template <typename OpT> OpT soleUser(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  return dyn_cast<OpT>(*v.getUsers().begin());
}

FailureOr<RoutingChain> match(RouteTopKOp topk) {
  RoutingChain c;
  c.topk = topk;
  c.score = topk.getWeights().getDefiningOp<RouteScoreOp>();
  if (!c.score)
    return failure();
  Value select = topk.getSelect();
  if ((c.groupMask = select.getDefiningOp<RouteGroupMaskOp>())) {
    if (!select.hasOneUse())
      return failure();
    c.groupScore = c.groupMask.getGroupScores().getDefiningOp<RouteGroupScoreOp>();
    if (!c.groupScore || c.groupScore.getScores() != c.groupMask.getScores() ||
        !c.groupScore.getResult().hasOneUse())
      return failure();
    select = c.groupMask.getScores();
    // The masked scores feed the group score and the mask (and, unbiased, the top-k weights).
    for (Operation *user : select.getUsers())
      if (user != c.groupScore && user != c.groupMask &&
          !(user == topk && select == c.score.getResult()))
        return failure();
  } else if (!select.hasOneUse() && select != c.score.getResult()) {
    return failure();
  }
  if (select != c.score.getResult()) {
    c.bias = select.getDefiningOp<RouteBiasAddOp>();
    if (!c.bias || c.bias.getScores() != c.score.getResult())
      return failure();
  }
  // The unbiased scores feed the bias (or the selection) and the top-k weights only.
  for (Operation *user : c.score.getResult().getUsers())
    if (user != c.topk && user != c.bias.getOperation() && user != c.groupScore.getOperation() &&
        user != c.groupMask.getOperation())
      return failure();
  Value weights = topk.getTopkWeights();
  if ((c.normalize = soleUser<RouteNormalizeOp>(weights)))
    weights = c.normalize.getResult();
  if ((c.scale = soleUser<RouteScaleOp>(weights)))
    weights = c.scale.getResult();
  return c;
}

struct FuseRoutingPass : public kiln::impl::FuseRoutingBase<FuseRoutingPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<RouteTopKOp> anchors;
    getOperation()->walk([&](RouteTopKOp op) { anchors.push_back(op); });
    for (RouteTopKOp topk : anchors) {
      FailureOr<RoutingChain> chain = match(topk);
      if (failed(chain))
        continue;
      RoutingChain &c = *chain;
      OpBuilder b(topk);
      Value last = c.scale ? c.scale.getResult()
                           : c.normalize ? c.normalize.getResult() : topk.getTopkWeights();
      int64_t groups = c.groupScore ? c.groupScore.getGroups() : 1;
      int64_t keep = c.groupMask ? c.groupMask.getKeep() : 1;
      GroupReduce reduce = c.groupScore ? c.groupScore.getReduce() : GroupReduce::max;
      auto router = MoERouterOp::create(
          b, topk.getLoc(), last.getType(), topk.getTopkIndices().getType(),
          c.score.getLogits(), c.bias ? c.bias.getBiasAttr() : FlatSymbolRefAttr(),
          c.score.getScoring(), groups, keep, reduce, topk.getK(), bool(c.normalize),
          c.normalize ? c.normalize.getEpsilon() : llvm::APFloat(0.0f),
          c.scale ? c.scale.getFactor() : llvm::APFloat(1.0f));
      last.replaceAllUsesWith(router.getTopkWeights());
      topk.getTopkIndices().replaceAllUsesWith(router.getTopkIndices());
      for (Operation *op : {c.scale.getOperation(), c.normalize.getOperation(),
                            topk.getOperation(), c.groupMask.getOperation(),
                            c.groupScore.getOperation(), c.bias.getOperation(),
                            c.score.getOperation()})
        if (op)
          op->erase();
      ++numFused;
    }
  }
};

} // namespace
