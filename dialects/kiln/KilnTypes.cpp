//===- KilnTypes.cpp - kiln types ---------------------------------------------===//

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

#define GET_TYPEDEF_CLASSES
#include "dialects/kiln/KilnTypes.cpp.inc"

void KilnDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/kiln/KilnTypes.cpp.inc"
      >();
}

LogicalResult KVCacheType::verify(function_ref<InFlightDiagnostic()> emitError, int64_t layers,
                                  int64_t latent, int64_t rope, int64_t index, int64_t block,
                                  Type element) {
  if (layers <= 0 || latent <= 0 || rope <= 0 || block <= 0)
    return emitError() << "kv_cache layers, latent, rope and block must be positive";
  if (index < 0)
    return emitError() << "kv_cache index must not be negative (0: no indexer keys)";
  if (!element.isF32() && !element.isBF16() && !element.isF16() &&
      !isa<Float8E4M3FNType>(element))
    return emitError() << "kv_cache element must be f32, bf16, f16 or f8E4M3FN, got " << element;
  return success();
}
