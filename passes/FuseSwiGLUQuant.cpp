//===- FuseSwiGLUQuant.cpp - SwiGLU + activation quantisation in one op ----===//
//
// An FP8 MLP's down projection reads `act_quant(swiglu(gate, up))`. When the float activation
// has no other user, one op computes it a row at a time and quantises it without writing it.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_FUSESWIGLUQUANT
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

struct FuseSwiGLUQuantPass : public kiln::impl::FuseSwiGLUQuantBase<FuseSwiGLUQuantPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<ActQuantOp> quants;
    getOperation()->walk([&](ActQuantOp op) { quants.push_back(op); });
    for (ActQuantOp quant : quants) {
      auto swiglu = quant.getInput().getDefiningOp<SwiGLUOp>();
      // The float activation must have no other reader: the fused op never writes it.
      if (!swiglu || !swiglu->hasOneUse() || swiglu->getBlock() != quant->getBlock())
        continue;
      OpBuilder b(quant);
      auto fused = SwiGLUQuantOp::create(b, quant.getLoc(), quant.getQuantized().getType(),
                                         quant.getScales().getType(), swiglu.getGate(),
                                         swiglu.getUp());
      quant.getQuantized().replaceAllUsesWith(fused.getQuantized());
      quant.getScales().replaceAllUsesWith(fused.getScales());
      quant.erase();
      swiglu.erase();
      ++numFused;
    }
  }
};

} // namespace
