//===- KilnWeightOps.cpp - kiln.weight ----------------------------------------===//

#include "dialects/kiln/KilnVerify.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "dialects/kiln/KilnWeightOps.cpp.inc"

void KilnDialect::registerWeightOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnWeightOps.cpp.inc"
      >();
}

LogicalResult WeightOp::verify() {
  RankedTensorType type = getTensorType();
  Type element = type.getElementType();
  if (!element.isF32() && !element.isBF16() && !element.isF16() &&
      !isa<Float8E4M3FNType, Float8E8M0FNUType>(element))
    return emitOpError("has unsupported element type ")
           << element << " (expected f32, bf16, f16, f8E4M3FN or f8E8M0FNU)";
  if (getQuant().has_value() != static_cast<bool>(getScaleAttr()))
    return emitOpError("needs both quant and scale, or neither");
  bool isFP8 = isa<Float8E4M3FNType>(element);
  if (isFP8 && !getQuant())
    return emitOpError("of type f8E4M3FN needs quant(#kiln.block_fp8<...>, scale @...)");
  if (!isFP8 && getQuant())
    return emitOpError("has block quantisation but element type ")
           << element << "; only f8E4M3FN weights are block-quantised";
  if (getQuant() && type.getRank() < 2)
    return emitOpError("with block quantisation must have rank 2 or more, got ")
           << type.getRank();
  if (!getSource())
    return success();
  uint64_t bytes = 0;
  for (auto source : getSource()->getAsRange<SourceAttr>())
    bytes += source.getSize();
  uint64_t needed =
      static_cast<uint64_t>(type.getNumElements()) * element.getIntOrFloatBitWidth() / 8;
  if (bytes != needed)
    return emitOpError("sources hold ") << bytes << " bytes, but " << type << " needs "
                                        << needed;
  return success();
}

LogicalResult WeightOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  if (!getScaleAttr())
    return success();
  // Scales: one per block of the last two dimensions, leading (expert) dimensions kept.
  ArrayRef<int64_t> shape = getTensorType().getShape();
  ArrayRef<int64_t> block = getQuant()->getBlock();
  SmallVector<int64_t> expected(shape.drop_back(2));
  expected.push_back(ceilDivDim(shape[shape.size() - 2], block[0]));
  expected.push_back(ceilDivDim(shape.back(), block[1]));
  FailureOr<WeightOp> scale =
      verifyWeight(*this, symbolTable, getScaleAttr(), "block scales", expected);
  if (failed(scale))
    return failure();
  Type scaleElement = scale->getTensorType().getElementType();
  if (scaleElement != getQuant()->getScaleType())
    return emitOpError("scales ") << getScaleAttr() << " are " << scaleElement
                                  << " but quant says " << getQuant()->getScaleType();
  return success();
}
