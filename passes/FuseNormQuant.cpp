//===- FuseNormQuant.cpp - RMSNorm + activation quantisation in one op -----===//
//
// The MLP after each attention block reads `act_quant(rms_norm(h))` (its FP8 projections) and,
// in MoE layers, the float norm too (router, experts). One op computes the norm and quantises
// it while the row is in cache; the float result stays for its other users.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_FUSENORMQUANT
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct FuseNormQuantPass : public kiln::impl::FuseNormQuantBase<FuseNormQuantPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<ActQuantOp> quants;
    getOperation()->walk([&](ActQuantOp op) { quants.push_back(op); });
    for (ActQuantOp quant : quants) {
      Operation *def = quant.getInput().getDefiningOp();
      // Same block only: the fused op takes the norm's place, before every use of its result.
      if (!def || def->getBlock() != quant->getBlock())
        continue;
      OpBuilder b(def);
      Type q = quant.getQuantized().getType(), s = quant.getScales().getType();
      if (auto norm = dyn_cast<RMSNormOp>(def)) {
        auto fused = RMSNormQuantOp::create(b, norm.getLoc(), norm.getType(), q, s, norm.getInput(),
                                            norm.getWeightAttr(), norm.getEpsilonAttr());
        norm.getResult().replaceAllUsesWith(fused.getResult());
        replace(quant, fused.getQuantized(), fused.getScales());
        norm.erase();
      } else if (auto norm = dyn_cast<AddRMSNormOp>(def);
                 norm && quant.getInput() == norm.getResult()) {
        Type t = norm.getResult().getType();
        auto fused = AddRMSNormQuantOp::create(b, norm.getLoc(), t, t, q, s, norm.getLhs(),
                                               norm.getRhs(), norm.getWeightAttr(),
                                               norm.getEpsilonAttr());
        norm.getSum().replaceAllUsesWith(fused.getSum());
        norm.getResult().replaceAllUsesWith(fused.getResult());
        replace(quant, fused.getQuantized(), fused.getScales());
        norm.erase();
      } else {
        continue;
      }
      ++numFused;
    }
  }

  static void replace(ActQuantOp quant, Value q, Value s) {
    quant.getQuantized().replaceAllUsesWith(q);
    quant.getScales().replaceAllUsesWith(s);
    quant.erase();
  }
};

} // namespace
