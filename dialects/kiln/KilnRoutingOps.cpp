//===- KilnRoutingOps.cpp - routing primitives --------------------------------===//

#include "dialects/kiln/KilnVerify.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "dialects/kiln/KilnRoutingOps.cpp.inc"

void KilnDialect::registerRoutingOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnRoutingOps.cpp.inc"
      >();
}

LogicalResult RouteBiasAddOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getBiasAttr(), "selection bias",
                      {getScores().getType().getDimSize(1)}, WeightKind::F32Only);
}

LogicalResult RouteGroupScoreOp::verify() {
  auto scores = getScores().getType();
  int64_t groups = getGroups();
  // The group score itself only constrains the grouping; keep and k are checked where used.
  if (failed(verifyRoutingConfig(*this, scores.getDimSize(1), groups, /*keep=*/groups,
                                 /*k=*/1, getReduce())))
    return failure();
  return verifyShape(*this, "result", getResult().getType(), {scores.getDimSize(0), groups});
}

LogicalResult RouteGroupMaskOp::verify() {
  auto scores = getScores().getType();
  int64_t groups = getGroupScores().getType().getDimSize(1);
  if (ShapedType::isDynamic(groups))
    return emitOpError("group scores need a static group count");
  if (failed(verifyRoutingConfig(*this, scores.getDimSize(1), groups, getKeep(), /*k=*/1,
                                 GroupReduce::max)))
    return failure();
  return verifyShape(*this, "group scores", getGroupScores().getType(),
                     {scores.getDimSize(0), groups});
}

LogicalResult RouteTopKOp::verify() {
  auto select = getSelect().getType();
  if (failed(verifyShape(*this, "weights", getWeights().getType(), select.getShape())))
    return failure();
  int64_t experts = select.getDimSize(1);
  int64_t k = getK();
  if (k <= 0 || (!ShapedType::isDynamic(experts) && k > experts))
    return emitOpError("k must be in [1, ") << formatDim(experts) << "], got " << k;
  SmallVector<int64_t> expected = {select.getDimSize(0), k};
  if (failed(verifyShape(*this, "topk weights", getTopkWeights().getType(), expected)))
    return failure();
  return verifyShape(*this, "topk indices", getTopkIndices().getType(), expected);
}

LogicalResult RouteNormalizeOp::verify() {
  if (getEpsilon().isNegative())
    return emitOpError("epsilon must not be negative");
  return success();
}

LogicalResult RouteScaleOp::verify() {
  return verifyPositive(*this, "factor", getFactor().convertToDouble());
}
