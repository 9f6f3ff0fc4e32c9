//===- KilnPlanDialect.cpp - the kiln_plan dialect ------------------------===//
#include "dialects/plan/KilnPlanDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln::plan;

#include "dialects/plan/KilnPlanDialect.cpp.inc"
#include "dialects/plan/KilnPlanEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/plan/KilnPlanAttrs.cpp.inc"

void KilnPlanDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/plan/KilnPlanAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/plan/KilnPlanOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "dialects/plan/KilnPlanOps.cpp.inc"

static LogicalResult verifyRef(Operation *op, BufferRefAttr ref, int64_t arenaBytes) {
  if (ref.getSize() <= 0)
    return op->emitOpError("buffer reference has no bytes");
  if (ref.getKind() == BufferKind::arena) {
    if (ref.getOffset() < 0 || ref.getOffset() % 64 != 0)
      return op->emitOpError("arena offset ") << ref.getOffset() << " is not 64-byte aligned";
    if (arenaBytes >= 0 && ref.getOffset() + ref.getSize() > arenaBytes)
      return op->emitOpError("arena reference [")
             << ref.getOffset() << ", " << ref.getOffset() + ref.getSize()
             << ") lies outside the arena of " << arenaBytes << " bytes";
  }
  if ((ref.getKind() == BufferKind::weight || ref.getKind() == BufferKind::constant) &&
      ref.getName().empty())
    return op->emitOpError("weight and constant references need a symbol name");
  return success();
}

LogicalResult EntryOp::verify() {
  if (getMaxTokens() <= 0)
    return emitOpError("max_tokens must be positive");
  if (getPeakLiveBytes() > getArenaBytes())
    return emitOpError("peak live bytes exceed the arena");
  if (getLogits().getKind() != BufferKind::arena)
    return emitOpError("logits must live in the arena");
  return verifyRef(*this, getLogits(), getArenaBytes());
}

LogicalResult LaunchOp::verify() {
  if (getGrid() <= 0)
    return emitOpError("grid must be positive");
  auto entry = (*this)->getParentOfType<EntryOp>();
  for (Attribute a : getArgs())
    if (failed(verifyRef(*this, cast<BufferRefAttr>(a), entry ? entry.getArenaBytes() : -1)))
      return failure();
  auto module = (*this)->getParentOfType<ModuleOp>();
  if (module && !SymbolTable::lookupSymbolIn(module, getKernelAttr()))
    return emitOpError("kernel ") << getKernelAttr() << " is not defined";
  return success();
}

LogicalResult RopeTableOp::verify() {
  if (getDim() <= 0 || getDim() % 2 != 0)
    return emitOpError("dim must be positive and even");
  if (getPositions() <= 0)
    return emitOpError("positions must be positive");
  return success();
}

LogicalResult KVCacheOp::verify() {
  if (getLayers() <= 0 || getLatent() <= 0 || getBlock() <= 0 || getBlocks() <= 0 ||
      getMaxSeqLen() <= 0 || getMaxBatch() <= 0)
    return emitOpError("every size must be positive");
  uint64_t perSeq = (getMaxSeqLen() + getBlock() - 1) / getBlock();
  if (getBlocks() < perSeq)
    return emitOpError("has ") << getBlocks() << " blocks, fewer than one sequence of "
                               << getMaxSeqLen() << " tokens needs";
  return success();
}
