//===- Pipelines.h - Kiln's named pass pipelines ----------------*- C++ -*-===//
#ifndef KILN_PASSES_PIPELINES_H
#define KILN_PASSES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

struct CpuPipelineOptions : public mlir::PassPipelineOptions<CpuPipelineOptions> {
  Option<int64_t> maxSeqLen{*this, "max-seq-len", llvm::cl::desc("Longest sequence"),
                            llvm::cl::init(4096)};
  Option<int64_t> maxBatch{*this, "max-batch", llvm::cl::desc("Sequences per decode call"),
                           llvm::cl::init(8)};
  Option<int64_t> prefillChunk{*this, "prefill-chunk", llvm::cl::desc("Tokens per prefill call"),
                               llvm::cl::init(256)};
  Option<std::string> fp8Gemm{*this, "fp8-gemm",
                              llvm::cl::desc("FP8 GEMM semantics: act-quant or dequant"),
                              llvm::cl::init("act-quant")};
  Option<bool> fuseResidualNorm{*this, "fuse-residual-norm",
                                llvm::cl::desc("Run kiln-fuse-residual-norm"),
                                llvm::cl::init(true)};
  Option<bool> fuseRouting{*this, "fuse-routing",
                           llvm::cl::desc("Run kiln-fuse-routing"), llvm::cl::init(true)};
  Option<bool> absorbMLA{*this, "absorb-mla",
                         llvm::cl::desc("Run kiln-absorb-mla (off: absorbed everywhere)"),
                         llvm::cl::init(true)};
  Option<std::string> mlaPrefill{*this, "mla-prefill",
                                 llvm::cl::desc("kiln-absorb-mla's prefill form: naive or absorbed"),
                                 llvm::cl::init("naive")};
  Option<bool> fuseNormQuant{*this, "fuse-norm-quant",
                             llvm::cl::desc("Run kiln-fuse-norm-quant (act-quant only)"),
                             llvm::cl::init(true)};
  Option<bool> fuseSwiGLUQuant{*this, "fuse-swiglu-quant",
                               llvm::cl::desc("Run kiln-fuse-swiglu-quant (act-quant only)"),
                               llvm::cl::init(true)};
};

void buildCpuPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options);

/// Registers `kiln-cpu-pipeline`.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_PASSES_PIPELINES_H
