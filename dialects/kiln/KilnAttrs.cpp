//===- KilnAttrs.cpp - kiln attributes and enums -----------------------------===//

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

#include "dialects/kiln/KilnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/kiln/KilnAttrs.cpp.inc"

void KilnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/kiln/KilnAttrs.cpp.inc"
      >();
}

LogicalResult BlockFP8Attr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   ArrayRef<int64_t> block, Type scaleType) {
  if (block.size() != 2)
    return emitError() << "block_fp8 needs a 2-D block shape, got " << block.size()
                       << " dimensions";
  if (block[0] <= 0 || block[1] <= 0)
    return emitError() << "block_fp8 block sizes must be positive";
  if (!scaleType.isF32() && !isa<Float8E8M0FNUType>(scaleType))
    return emitError() << "block_fp8 scales must be stored as f32 or f8E8M0FNU, got "
                       << scaleType;
  return success();
}

LogicalResult SourceAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef file,
                                 uint64_t offset, uint64_t size) {
  // Artifacts and IR must not depend on where the checkpoint lived.
  if (file.empty() || file.starts_with("/"))
    return emitError() << "source file must be a path relative to the checkpoint, got \""
                       << file << "\"";
  if (offset + size < offset)
    return emitError() << "source byte range overflows";
  return success();
}

LogicalResult YarnAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               llvm::APFloat factorValue,
                               int64_t originalMaxPositionEmbeddings,
                               llvm::APFloat betaFastValue,
                               llvm::APFloat betaSlowValue,
                               llvm::APFloat mscaleValue,
                               llvm::APFloat mscaleAllDimValue) {
  double factor = factorValue.convertToDouble();
  double betaFast = betaFastValue.convertToDouble();
  double betaSlow = betaSlowValue.convertToDouble();
  double mscale = mscaleValue.convertToDouble();
  double mscaleAllDim = mscaleAllDimValue.convertToDouble();
  if (!(factor >= 1.0))
    return emitError() << "yarn factor must be at least 1, got " << factor;
  if (originalMaxPositionEmbeddings <= 0)
    return emitError() << "yarn original_max_position_embeddings must be positive";
  if (!(betaFast > betaSlow) || !(betaSlow > 0.0))
    return emitError() << "yarn needs beta_fast > beta_slow > 0";
  if (mscale < 0.0 || mscaleAllDim < 0.0)
    return emitError() << "yarn mscale and mscale_all_dim must not be negative";
  return success();
}

LogicalResult MLAShapeAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t heads,
                                   int64_t qLora, int64_t kvLora, int64_t nope, int64_t rope,
                                   int64_t v) {
  if (heads <= 0 || kvLora <= 0 || rope <= 0 || v <= 0)
    return emitError() << "mla heads, kv_lora, rope and v must be positive";
  if (qLora < 0 || nope < 0)
    return emitError() << "mla q_lora and nope must not be negative";
  if (rope % 2 != 0)
    return emitError() << "mla rope must be even, got " << rope;
  return success();
}

LogicalResult IndexerShapeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                       int64_t heads, int64_t headDim, int64_t rope,
                                       int64_t topk) {
  if (heads <= 0 || headDim <= 0 || topk <= 0)
    return emitError() << "mla_indexer heads, head_dim and topk must be positive";
  if (rope <= 0 || rope % 2 != 0 || rope > headDim)
    return emitError() << "mla_indexer rope must be even and in [2, head_dim], got " << rope;
  return success();
}
