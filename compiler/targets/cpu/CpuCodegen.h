//===- CpuCodegen.h - kernel functions → an x86-64 shared object ------------===//
//
// Takes the `kiln_plan.kernel` functions of a lowered module, lowers them to the LLVM dialect
// (f8 expanded to integer arithmetic, exp approximated by polynomials so nothing calls libm),
// gives each kernel the CPU workgroup ABI
//   void symbol(void *const *args, int64_t tokens, int64_t workgroup, int64_t workgroups)
// and compiles the module with LLVM's TargetMachine for a generic x86-64 level into an object,
// linked into a shared object by ld.lld (or the system ld).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_TARGETS_CPU_CPUCODEGEN_H
#define KILN_COMPILER_TARGETS_CPU_CPUCODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <mutex>
#include <string>
#include <vector>

namespace kiln::cpu {

/// The CPU level code is generated for by default: generic, so an artifact runs on any x86-64
/// machine of that level, never tuned for the build host. `kiln-compile --cpu x86-64-v3` trades
/// portability for AVX2 + FMA (about 1.3x faster prefill on a V2-Lite-shaped model; decode is
/// bound by memory either way); the runtime refuses code its CPU cannot run.
inline constexpr const char *kCpuLevel = "x86-64-v2";

/// The levels kiln-compile accepts (the runtime knows how to check each).
inline constexpr const char *kCpuLevels[] = {"x86-64-v2", "x86-64-v3", "x86-64-v4"};

struct CpuKernel {
  std::string symbol;
  unsigned numArgs = 0;
};

struct CpuCode {
  std::vector<CpuKernel> kernels;
  std::string sharedObject;
};

/// Lowers the kernels of `module` (left unchanged) to the LLVM dialect with the ABI wrappers.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> lowerKernelsToLLVMDialect(mlir::ModuleOp module);

/// The LLVM IR text of the kernels (for --emit llvm).
llvm::Expected<std::string> emitLLVMIR(mlir::ModuleOp module,
                                       llvm::StringRef cpuLevel = kCpuLevel);

/// The shared object and its kernel table.
llvm::Expected<CpuCode> emitSharedObject(mlir::ModuleOp module,
                                         llvm::StringRef cpuLevel = kCpuLevel);

} // namespace kiln::cpu

#endif // KILN_COMPILER_TARGETS_CPU_CPUCODEGEN_H
