//===- KilnVerify.cpp - checks the kiln op verifiers share ------------------===//

#include "dialects/kiln/KilnVerify.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

int64_t ceilDivDim(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a))
    return a;
  return (a + b - 1) / b;
}

std::string formatDim(int64_t dim) {
  return ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim);
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t dim) { os << formatDim(dim); });
  os << ']';
  return text;
}

static bool shapesCompatible(ArrayRef<int64_t> actual, ArrayRef<int64_t> expected) {
  if (actual.size() != expected.size())
    return false;
  for (auto [a, e] : llvm::zip_equal(actual, expected))
    if (!dimsCompatible(a, e))
      return false;
  return true;
}

LogicalResult verifyShape(Operation *op, StringRef what, Type type, ArrayRef<int64_t> expected) {
  auto shaped = cast<ShapedType>(type);
  if (shapesCompatible(shaped.getShape(), expected))
    return success();
  return op->emitOpError() << what << " has shape " << formatShape(shaped.getShape())
                           << ", expected " << formatShape(expected);
}

LogicalResult verifyRows(Operation *op, StringRef what, Value value, Value input) {
  int64_t rows = cast<ShapedType>(value.getType()).getDimSize(0);
  int64_t inputRows = cast<ShapedType>(input.getType()).getDimSize(0);
  if (dimsCompatible(rows, inputRows))
    return success();
  return op->emitOpError() << what << " has " << formatDim(rows) << " rows, input has "
                           << formatDim(inputRows);
}

FailureOr<WeightOp> lookupWeight(Operation *op, SymbolTableCollection &symbolTable,
                                 FlatSymbolRefAttr ref) {
  auto weight = symbolTable.lookupNearestSymbolFrom<WeightOp>(op, ref.getAttr());
  if (!weight)
    return op->emitOpError("references unknown weight ") << ref;
  return weight;
}

FailureOr<WeightOp> verifyWeight(Operation *op, SymbolTableCollection &symbolTable,
                                 FlatSymbolRefAttr ref, StringRef role,
                                 ArrayRef<int64_t> expected, WeightKind kind) {
  FailureOr<WeightOp> weight = lookupWeight(op, symbolTable, ref);
  if (failed(weight))
    return failure();
  RankedTensorType type = weight->getTensorType();
  if (!shapesCompatible(type.getShape(), expected))
    return op->emitOpError("weight ") << ref << " (" << role << ") has shape "
                                      << formatShape(type.getShape()) << ", expected "
                                      << formatShape(expected);
  Type element = type.getElementType();
  if (kind == WeightKind::NotFP8 && isa<Float8E4M3FNType>(element))
    return op->emitOpError("weight ") << ref << " (" << role << ") must not be FP8";
  if (kind == WeightKind::F32Only && !element.isF32())
    return op->emitOpError("weight ") << ref << " (" << role << ") must be f32, got " << element;
  return weight;
}

LogicalResult verifyRoutingConfig(Operation *op, int64_t experts, int64_t groups, int64_t keep,
                                  int64_t k, GroupReduce reduce) {
  if (groups <= 0)
    return op->emitOpError("groups must be positive, got ") << groups;
  if (keep <= 0 || keep > groups)
    return op->emitOpError("must keep between 1 and ") << groups << " groups, got " << keep;
  if (k <= 0)
    return op->emitOpError("k must be positive, got ") << k;
  if (ShapedType::isDynamic(experts))
    return success();
  if (experts % groups != 0)
    return op->emitOpError() << experts << " experts do not split into " << groups
                             << " equal groups";
  int64_t perGroup = experts / groups;
  if (reduce == GroupReduce::top2_sum && perGroup < 2)
    return op->emitOpError("top2_sum needs at least 2 experts per group, got ") << perGroup;
  if (k > keep * perGroup)
    return op->emitOpError("k = ") << k << " exceeds the " << keep * perGroup
                                   << " experts in the kept groups";
  return success();
}

LogicalResult verifyCacheLayer(Operation *op, KVCacheType cache, int64_t layer) {
  if (layer < 0 || layer >= cache.getLayers())
    return op->emitOpError("layer ") << layer << " is out of range for a cache of "
                                     << cache.getLayers() << " layers";
  return success();
}

LogicalResult verifyCacheMatchesShape(Operation *op, KVCacheType cache, MLAShapeAttr shape) {
  if (cache.getLatent() != shape.getKvLora() || cache.getRope() != shape.getRope())
    return op->emitOpError("cache holds latent ")
           << cache.getLatent() << " + rope " << cache.getRope() << ", but the shape needs "
           << shape.getKvLora() << " + " << shape.getRope();
  return success();
}

LogicalResult verifyPositive(Operation *op, StringRef what, double value) {
  if (value > 0.0)
    return success();
  // The shortest text that reads back as `value`, not printf's %e.
  SmallString<16> text;
  llvm::APFloat(value).toString(text);
  return op->emitOpError() << what << " must be positive, got " << text;
}

} // namespace kiln
