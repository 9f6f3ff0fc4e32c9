//===- kiln-opt.cpp - mlir-opt with Kiln's dialect and passes ----------------===//
//
// Runs any pass or pipeline over .mlir files. Registers Kiln's dialect and passes beside every
// upstream dialect, extension and pass: Kiln lowers through a wide set (tensor, linalg,
// bufferization, vector, scf, gpu, nvgpu, nvvm, llvm), and a researcher's pipeline may name
// any upstream pass. Against the shared libMLIR.so this costs nothing at link time.
//
//===----------------------------------------------------------------------===//

#include "dialects/kiln/KilnOps.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<kiln::KilnDialect, kiln::plan::KilnPlanDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates each gpu.module to LLVM IR before NVPTX codegen.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::registerAllPasses();
  kiln::registerKilnPasses();
  kiln::registerKilnPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
