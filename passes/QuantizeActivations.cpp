//===- QuantizeActivations.cpp - explicit kiln.act_quant before FP8 GEMMs --===//
//
// Under the act-quant semantics (DeepSeek's inference: e4m3 activations times e4m3 weights),
// every float input of a kiln.linear over a block-FP8 weight is quantised per token and 128
// channels. Making that a graph op lets the fusions see it (norm + quant, SwiGLU + quant) and
// quantises a value once for all its FP8 users (an MLP's gate and up projections share one).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"

namespace kiln {
#define GEN_PASS_DEF_QUANTIZEACTIVATIONS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

bool isBlockFP8(LinearOp linear) {
  auto weight = SymbolTable::lookupNearestSymbolFrom<WeightOp>(linear, linear.getWeightAttr());
  return weight && weight.getScaleAttr();
}

struct QuantizeActivationsPass
    : public kiln::impl::QuantizeActivationsBase<QuantizeActivationsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<LinearOp> linears;
    getOperation()->walk([&](LinearOp op) {
      if (!op.getInputScale() && isBlockFP8(op))
        linears.push_back(op);
    });
    DenseMap<Value, ActQuantOp> quantized; // one act_quant per value
    for (LinearOp linear : linears) {
      Value x = linear.getInput();
      ActQuantOp &q = quantized[x];
      if (!q) {
        // Right after the value's definition, so it dominates every user of the value.
        OpBuilder b(linear.getContext());
        if (Operation *def = x.getDefiningOp())
          b.setInsertionPointAfter(def);
        else
          b.setInsertionPointToStart(cast<BlockArgument>(x).getOwner());
        auto type = cast<RankedTensorType>(x.getType());
        int64_t blocks = ShapedType::isDynamic(type.getDimSize(1))
                             ? ShapedType::kDynamic
                             : (type.getDimSize(1) + ActQuantOp::kBlock - 1) / ActQuantOp::kBlock;
        q = ActQuantOp::create(
            b, x.getLoc(), type.clone(Float8E4M3FNType::get(&getContext())),
            RankedTensorType::get({type.getDimSize(0), blocks}, Float32Type::get(&getContext())), x);
        ++numQuantized;
      }
      linear.getInputMutable().assign(q.getQuantized());
      linear.getInputScaleMutable().assign(q.getScales());
      ++numLinears;
    }
  }
};

} // namespace
