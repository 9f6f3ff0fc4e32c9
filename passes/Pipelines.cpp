//===- Pipelines.cpp - Kiln's named pass pipelines -------------------------===//
//
// `kiln-cpu-pipeline`: the graph fusions (and, for act-quant, explicit activation quantisation
// and its fusions), then the lowering to kernels and plans. kiln-compile
// runs it unless `--pipeline` replaces it; kiln-opt and pipeline strings can name it.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines.h"

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

namespace kiln {

void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  if (options.fuseRouting)
    pm.addPass(createFuseRouting());
  if (options.fuseResidualNorm)
    pm.addPass(createFuseResidualNorm());
  // act-quant made explicit in the graph, so the quantisations can fuse with what feeds them.
  if (options.fp8Gemm == "act-quant") {
    pm.addPass(createQuantizeActivations());
    if (options.fuseNormQuant)
      pm.addPass(createFuseNormQuant());
    if (options.fuseSwiGLUQuant)
      pm.addPass(createFuseSwiGLUQuant());
  }
  if (options.absorbMLA) {
    AbsorbMLAOptions absorb;
    absorb.prefill = options.mlaPrefill;
    pm.addPass(createAbsorbMLA(absorb));
  }
  LowerToKernelsOptions lower;
  lower.maxSeqLen = options.maxSeqLen;
  lower.maxBatch = options.maxBatch;
  lower.prefillChunk = options.prefillChunk;
  lower.fp8Gemm = options.fp8Gemm;
  pm.addPass(createLowerToKernels(lower));
}

void registerKilnPipelines() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "kiln-cpu-pipeline", "Kiln's CPU pipeline: graph fusions, then kernels and plans",
      buildCpuPipeline);
}

} // namespace kiln
