//===- EmitPTX.h - kiln-compile --emit ptx ----------------------------------===//
#ifndef KILN_TOOLS_KILN_COMPILE_EMITPTX_H
#define KILN_TOOLS_KILN_COMPILE_EMITPTX_H

#include "compiler/targets/cuda/CudaCodegen.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

namespace kiln::compile {

/// Writes the model's FP8 GEMMs for every chip into `outDir`:
///   manifest.json                 the kernels per chip: name, N, K, tile, threads, shared bytes;
///                                 and per FP8 weight of the model ("gemms") the kernels per
///                                 chip that compute its GEMM
///   <chip>/kiln_fp8_gemms.ptx     PTX from LLVM's NVPTX backend
///   <chip>/kiln_fp8_gemms.cubin   when ptxas is found ($KILN_PTXAS, PATH, /usr/local/cuda/bin)
/// The directory is written beside `outDir` and renamed into place, so a failure leaves nothing
/// half-written. An existing `outDir` is replaced only if it holds a manifest.json of this
/// format. Returns one-line errors.
llvm::Error emitPTXDirectory(mlir::MLIRContext &context, mlir::ModuleOp graph,
                             llvm::ArrayRef<cuda::CudaChip> chips, llvm::StringRef outDir);

} // namespace kiln::compile

#endif // KILN_TOOLS_KILN_COMPILE_EMITPTX_H
