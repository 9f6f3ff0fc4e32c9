//===- FuseAddNorm.cpp - example-fuse-add-norm: kiln.add + kiln.rms_norm --===//
//
// The worked example of passes/README.md ("Write your own fusion pass"). Every pre-norm block
// ends with `h = h + f(x)` and the next block starts with `rms_norm(h)`; kiln.add_rms_norm
// computes both in one kernel, one pass over the row. In-tree, kiln-fuse-residual-norm does
// this; here the same fusion is a rewrite pattern in an out-of-tree plugin, and running it in
// place of the in-tree pass gives the same IR and the same numbers.
//
//===----------------------------------------------------------------------===//

#include "ExamplePasses.h"

#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace example {
#define GEN_PASS_DEF_EXAMPLEFUSEADDNORM
#include "ExamplePasses.h.inc"
} // namespace example

using namespace mlir;

namespace {

/// kiln.rms_norm(kiln.add(a, b)) -> kiln.add_rms_norm(a, b). Rooted at the norm, which has
/// exactly one input to look at; a sum may have many users.
struct FuseAddIntoRMSNorm : public OpRewritePattern<kiln::RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(kiln::RMSNormOp norm,
                                PatternRewriter &rewriter) const override {
    auto add = norm.getInput().getDefiningOp<kiln::AddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(norm, "the input is not a kiln.add");
    // The fused op takes the add's place, before every user of the sum; in another block it
    // might not dominate the norm's users.
    if (add->getBlock() != norm->getBlock())
      return rewriter.notifyMatchFailure(norm, "the add is in another block");

    rewriter.setInsertionPoint(add);
    // Result types are inferred: sum and norm have the operands' type.
    auto fused = kiln::AddRMSNormOp::create(rewriter, norm.getLoc(), add.getLhs(), add.getRhs(),
                                            norm.getWeightAttr(), norm.getEpsilonAttr());
    rewriter.replaceOp(norm, fused.getResult());
    // Other users of the sum (the next residual add) read the fused op's sum.
    rewriter.replaceOp(add, fused.getSum());
    return success();
  }
};

struct ExampleFuseAddNormPass
    : public example::impl::ExampleFuseAddNormBase<ExampleFuseAddNormPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAddIntoRMSNorm>(&getContext());
    // One walk in program order, each op visited once: no folding, no dead-code elimination,
    // nothing but this fusion changes (the greedy driver would also fold and erase ops, and
    // visits the block bottom-up, so a sum with two norms would fuse with the other one).
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
