//===- FuseResidualNorm.cpp - kiln.add + kiln.rms_norm → kiln.add_rms_norm -===//
//
// Every pre-norm block ends with `h = h + f(x)` and the next block starts with `rms_norm(h)`:
// one op (one kernel, one pass over the row) yields both the new residual and its norm.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_FUSERESIDUALNORM
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct FuseResidualNormPass : public kiln::impl::FuseResidualNormBase<FuseResidualNormPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<RMSNormOp> norms;
    getOperation()->walk([&](RMSNormOp op) { norms.push_back(op); });
    for (RMSNormOp norm : norms) {
      auto add = norm.getInput().getDefiningOp<AddOp>();
      // Same block only: the fused op takes the add's place, before every use of the sum.
      if (!add || add->getBlock() != norm->getBlock())
        continue;
      OpBuilder b(add);
      auto fused = AddRMSNormOp::create(b, norm.getLoc(), add.getType(), add.getType(),
                                        add.getLhs(), add.getRhs(), norm.getWeightAttr(),
                                        norm.getEpsilonAttr());
      norm.getResult().replaceAllUsesWith(fused.getResult());
      norm.erase();
      add.getResult().replaceAllUsesWith(fused.getSum());
      add.erase();
      ++numFused;
    }
  }
};

} // namespace
