//===- KilnPlanDialect.h - the kiln_plan dialect -----------------*- C++ -*-===//
#ifndef KILN_DIALECTS_PLAN_KILNPLANDIALECT_H
#define KILN_DIALECTS_PLAN_KILNPLANDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"

#include "dialects/plan/KilnPlanDialect.h.inc"
#include "dialects/plan/KilnPlanEnums.h.inc"
#define GET_ATTRDEF_CLASSES
#include "dialects/plan/KilnPlanAttrs.h.inc"
#define GET_OP_CLASSES
#include "dialects/plan/KilnPlanOps.h.inc"

#endif // KILN_DIALECTS_PLAN_KILNPLANDIALECT_H
