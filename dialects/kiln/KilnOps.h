//===- KilnOps.h - every op of the kiln dialect -----------------------------===//

#ifndef KILN_DIALECTS_KILN_KILNOPS_H
#define KILN_DIALECTS_KILN_KILNOPS_H

#include "dialects/kiln/KilnDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/kiln/KilnWeightOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/kiln/KilnGraphOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/kiln/KilnRoutingOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/kiln/KilnMoEOps.h.inc"
#define GET_OP_CLASSES
#include "dialects/kiln/KilnMLAOps.h.inc"

#endif // KILN_DIALECTS_KILN_KILNOPS_H
