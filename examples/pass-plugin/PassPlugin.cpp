//===- PassPlugin.cpp - the example plugin's entry point -------------------===//
//
// kiln-opt and kiln-compile --load-pass-plugin dlopen this library, call mlirGetPassPluginInfo
// and run its callback, which registers the plugin's passes with MLIR's pass registry; a
// pipeline string can then name them (--pass-pipeline, --pipeline).
//
//===----------------------------------------------------------------------===//

#include "ExamplePasses.h"

#include "mlir/Tools/Plugins/PassPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "KilnExampleFusion", "0.1",
          []() { example::registerExamplePasses(); }};
}
