//===- ExamplePasses.h - the example plugin's passes -----------*- C++ -*-===//
//
// What mlir-tblgen generated from ExamplePasses.td: the create functions and options of each
// pass (GEN_PASS_DECL) and registerExamplePasses() (GEN_PASS_REGISTRATION), which the plugin's
// entry point calls.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXAMPLE_PASSES_H
#define KILN_EXAMPLE_PASSES_H

#include "dialects/kiln/KilnDialect.h"
#include "mlir/Pass/Pass.h"

namespace example {

#define GEN_PASS_DECL
#include "ExamplePasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "ExamplePasses.h.inc"

} // namespace example

#endif // KILN_EXAMPLE_PASSES_H
