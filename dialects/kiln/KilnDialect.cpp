//===- KilnDialect.cpp - the kiln dialect ------------------------------------===//

#include "dialects/kiln/KilnOps.h"

using namespace mlir;
using namespace kiln;

#include "dialects/kiln/KilnDialect.cpp.inc"

void KilnDialect::initialize() {
  registerAttributes();
  registerTypes();
  registerWeightOps();
  registerGraphOps();
  registerRoutingOps();
  registerMoEOps();
  registerMLAOps();
}

LogicalResult KilnDialect::verifyOperationAttribute(Operation *op, NamedAttribute attribute) {
  if (attribute.getName() == getModelAttrName()) {
    if (!isa<ModuleOp>(op))
      return op->emitError("'kiln.model' is only valid on a builtin.module");
    if (!isa<DictionaryAttr>(attribute.getValue()))
      return op->emitError("'kiln.model' must be a dictionary, got ") << attribute.getValue();
    return success();
  }
  if (attribute.getName() != getActScaleRoundingAttrName())
    return op->emitError("unknown kiln dialect attribute '")
           << attribute.getName().getValue() << "'";
  if (!isa<ModuleOp>(op))
    return op->emitError("'kiln.act_scale_rounding' is only valid on a builtin.module");
  if (!isa<ScaleRoundingAttr>(attribute.getValue()))
    return op->emitError("'kiln.act_scale_rounding' must be a #kiln.scale_rounding, got ")
           << attribute.getValue();
  return success();
}
