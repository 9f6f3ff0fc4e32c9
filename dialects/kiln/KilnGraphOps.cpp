//===- KilnGraphOps.cpp - model-level graph ops -------------------------------===//

#include "dialects/kiln/KilnVerify.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "dialects/kiln/KilnGraphOps.cpp.inc"

void KilnDialect::registerGraphOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnGraphOps.cpp.inc"
      >();
}

static int64_t lastDim(Value value) {
  auto type = cast<ShapedType>(value.getType());
  return type.getDimSize(type.getRank() - 1);
}

//===----------------------------------------------------------------------===//
// EmbedOp
//===----------------------------------------------------------------------===//

LogicalResult EmbedOp::verify() {
  return verifyRows(*this, "result", getResult(), getTokens());
}

LogicalResult EmbedOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getTableAttr(), "table", {kAnyDim, lastDim(getResult())},
                      WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  return verifyPositive(*this, "epsilon", getEpsilon().convertToDouble());
}

LogicalResult RMSNormOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getWeightAttr(), "norm", {lastDim(getInput())},
                      WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// AddRMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult AddRMSNormOp::verify() {
  return verifyPositive(*this, "epsilon", getEpsilon().convertToDouble());
}

LogicalResult AddRMSNormOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getWeightAttr(), "norm", {lastDim(getLhs())},
                      WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  bool quantizedInput = isa<Float8E4M3FNType>(getInput().getType().getElementType());
  if (quantizedInput && !getInputScale())
    return emitOpError("an f8E4M3FN input needs its per-token scales (`scale %s`)");
  if (!quantizedInput && getInputScale())
    return emitOpError("input scales are only valid with an f8E4M3FN input");
  if (failed(verifyRows(*this, "result", getResult(), getInput())))
    return failure();
  if (getInputScale())
    return verifyShape(*this, "input scale", getInputScale().getType(),
                       {dim(getInput(), 0), ceilDivDim(lastDim(getInput()), ActQuantOp::kBlock)});
  return success();
}

LogicalResult LinearOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FailureOr<WeightOp> weight =
      verifyWeight(*this, symbolTable, getWeightAttr(), "weight",
                   {lastDim(getResult()), lastDim(getInput())});
  if (failed(weight))
    return failure();
  Type weightElement = weight->getTensorType().getElementType();
  if (getInputScale() && !isa<Float8E4M3FNType>(weightElement))
    return emitOpError("a quantised input needs an f8E4M3FN weight, ")
           << getWeightAttr() << " is " << weightElement;
  return success();
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (rank != 2 && rank != 3)
    return emitOpError("input must be [tokens, rope] or [tokens, heads, rope], got rank ")
           << rank;
  int64_t rotary = lastDim(getInput());
  if (ShapedType::isDynamic(rotary) || rotary % 2 != 0)
    return emitOpError("rotary dimension must be static and even, got ") << formatDim(rotary);
  if (failed(verifyPositive(*this, "theta", getTheta().convertToDouble())))
    return failure();
  return verifyRows(*this, "positions", getPositions(), getInput());
}

//===----------------------------------------------------------------------===//
// LMHeadOp
//===----------------------------------------------------------------------===//

LogicalResult LMHeadOp::verify() {
  return verifyRows(*this, "result", getResult(), getInput());
}

LogicalResult LMHeadOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getWeightAttr(), "lm_head",
                      {lastDim(getResult()), lastDim(getInput())}, WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// ActQuantOp
//===----------------------------------------------------------------------===//

/// The quantised result and scales of activation quantisation over `shape` ([tokens, channels]).
static LogicalResult verifyQuantizedRows(Operation *op, Type quantized, Type scales,
                                         ArrayRef<int64_t> shape) {
  if (failed(verifyShape(op, "quantized result", quantized, shape)))
    return failure();
  return verifyShape(op, "scales", scales, {shape[0], ceilDivDim(shape[1], ActQuantOp::kBlock)});
}

LogicalResult ActQuantOp::verify() {
  return verifyQuantizedRows(*this, getQuantized().getType(), getScales().getType(),
                             getInput().getType().getShape());
}

//===----------------------------------------------------------------------===//
// RMSNormQuantOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormQuantOp::verify() {
  if (failed(verifyPositive(*this, "epsilon", getEpsilon().convertToDouble())))
    return failure();
  return verifyQuantizedRows(*this, getQuantized().getType(), getScales().getType(),
                             getInput().getType().getShape());
}

LogicalResult RMSNormQuantOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getWeightAttr(), "norm", {lastDim(getInput())},
                      WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// AddRMSNormQuantOp
//===----------------------------------------------------------------------===//

LogicalResult AddRMSNormQuantOp::verify() {
  if (failed(verifyPositive(*this, "epsilon", getEpsilon().convertToDouble())))
    return failure();
  return verifyQuantizedRows(*this, getQuantized().getType(), getScales().getType(),
                             getLhs().getType().getShape());
}

LogicalResult AddRMSNormQuantOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyWeight(*this, symbolTable, getWeightAttr(), "norm", {lastDim(getLhs())},
                      WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// SwiGLUQuantOp
//===----------------------------------------------------------------------===//

LogicalResult SwiGLUQuantOp::verify() {
  return verifyQuantizedRows(*this, getQuantized().getType(), getScales().getType(),
                             getGate().getType().getShape());
}
