//===- KilnMoEOps.cpp - fused Mixture-of-Experts ops --------------------------===//

#include "dialects/kiln/KilnVerify.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "dialects/kiln/KilnMoEOps.cpp.inc"

void KilnDialect::registerMoEOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnMoEOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// MoERouterOp
//===----------------------------------------------------------------------===//

LogicalResult MoERouterOp::verify() {
  auto logits = getLogits().getType();
  if (failed(verifyRoutingConfig(*this, logits.getDimSize(1), getGroups(), getKeepGroups(),
                                 getK(), getGroupReduce())))
    return failure();
  if (getEpsilon().isNegative())
    return emitOpError("epsilon must not be negative");
  if (failed(verifyPositive(*this, "scaling_factor", getScalingFactor().convertToDouble())))
    return failure();
  SmallVector<int64_t> expected = {logits.getDimSize(0), static_cast<int64_t>(getK())};
  if (failed(verifyShape(*this, "topk weights", getTopkWeights().getType(), expected)))
    return failure();
  return verifyShape(*this, "topk indices", getTopkIndices().getType(), expected);
}

LogicalResult MoERouterOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!getBiasAttr())
    return success();
  return verifyWeight(*this, symbolTable, getBiasAttr(), "selection bias",
                      {getLogits().getType().getDimSize(1)}, WeightKind::F32Only);
}

//===----------------------------------------------------------------------===//
// MoEExpertsOp
//===----------------------------------------------------------------------===//

LogicalResult MoEExpertsOp::verify() {
  auto input = getInput().getType();
  auto indices = getIndices().getType();
  if (failed(verifyRows(*this, "indices", getIndices(), getInput())))
    return failure();
  return verifyShape(*this, "result", getResult().getType(),
                     {input.getDimSize(0), indices.getDimSize(1), input.getDimSize(1)});
}

LogicalResult MoEExpertsOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t hidden = getInput().getType().getDimSize(1);
  FailureOr<WeightOp> gate =
      verifyWeight(*this, symbolTable, getGateAttr(), "gate", {kAnyDim, kAnyDim, hidden});
  if (failed(gate))
    return failure();
  // The packed gate fixes the expert count and the inner width for up and down.
  int64_t experts = gate->getTensorType().getDimSize(0);
  int64_t inner = gate->getTensorType().getDimSize(1);
  if (failed(verifyWeight(*this, symbolTable, getUpAttr(), "up", {experts, inner, hidden})))
    return failure();
  return verifyWeight(*this, symbolTable, getDownAttr(), "down", {experts, hidden, inner});
}

//===----------------------------------------------------------------------===//
// MoECombineOp
//===----------------------------------------------------------------------===//

LogicalResult MoECombineOp::verify() {
  auto expertOut = getExpertOut().getType();
  if (failed(verifyShape(*this, "weights", getWeights().getType(),
                         {expertOut.getDimSize(0), expertOut.getDimSize(1)})))
    return failure();
  return verifyShape(*this, "result", getResult().getType(),
                     {expertOut.getDimSize(0), expertOut.getDimSize(2)});
}
