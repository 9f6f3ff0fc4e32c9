//===- CudaCodegen.h - a model's FP8 GEMMs as PTX per GPU target ------------===//
//
// `kiln-compile --target sm_90a --emit ptx -o DIR` comes through here. Code generation:
//   1. The (N, K) of every block-FP8 weight the graph module uses is collected.
//   2. For each chip, one kernel per shape is built into a fresh gpu.module.
//   3. The module is lowered by MLIR's NVVM path (gpu -> nvvm -> llvm) and LLVM's NVPTX
//      backend to PTX.
// No MLIR appears in what the runtime loads: PTX text, and cubins when ptxas is present.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TARGETS_CUDA_CUDACODEGEN_H
#define KILN_COMPILER_TARGETS_CUDA_CUDACODEGEN_H

#include "compiler/targets/cuda/FP8GemmMma.h"
#include "compiler/targets/cuda/FP8GemmSm90.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace kiln::cuda {

/// The GPU targets kiln-compile knows, with the PTX ISA each is built for.
struct CudaChip {
  llvm::StringRef name;     // sm_90a, ...
  llvm::StringRef features; // +ptx80, ...
};
/// The chip for `name`, or an error naming the supported ones.
llvm::Expected<CudaChip> lookupCudaChip(llvm::StringRef name);

/// One block-FP8 GEMM of the model: a block-FP8 weight some op of the graph references, [N, K]
/// (a linear layer, an MLA or indexer projection) or [experts, N, K] (the routed experts).
struct FP8GemmUse {
  std::string weight, scale; // the kiln.weight symbols of the e4m3 weight and its scales
  int64_t n = 0, k = 0;
  int64_t experts = 0; // 0: a dense linear
};
/// Every block-FP8 GEMM of `graph` in the order of the weights' first use, each weight once.
std::vector<FP8GemmUse> collectFP8GemmUses(mlir::ModuleOp graph);

/// (N, K) of the dense uses (`experts` false) or of the routed experts' uses (true), sorted,
/// without repeats. Experts' gate and up are [experts, inter, hidden] (N inter, K hidden),
/// down [experts, hidden, inter].
std::vector<std::pair<int64_t, int64_t>> fp8GemmShapes(llvm::ArrayRef<FP8GemmUse> uses,
                                                       bool experts);

/// The kernels a model needs: per dense (N, K) a BM 128 kernel with bf16 output (prefill,
/// M > 128), a BM 128 kernel with f32 output and split-K (64 < M <= 128) and a BM 64 one
/// (decode, M <= 64); per expert (N, K) a grouped contiguous BM 128 bf16 kernel (prefill) and
/// a grouped masked BM 64 f32 kernel (decode).
std::vector<Sm90GemmTile> planFP8Gemms(llvm::ArrayRef<std::pair<int64_t, int64_t>> dense,
                                       llvm::ArrayRef<std::pair<int64_t, int64_t>> experts);

/// What one chip's module holds: sm_90a's wgmma kernels, or the mma.sync kernels of sm_89 and
/// sm_80.
struct GemmPlan {
  std::vector<Sm90GemmTile> sm90;
  std::vector<MmaGemmTile> mma;
  bool empty() const { return sm90.empty() && mma.empty(); }
};

/// planFP8Gemms for sm_90a. For sm_89 / sm_80, one chooseMmaGemmTile kernel per dense (N, K),
/// and a grouped contiguous and a grouped masked one per expert (N, K).
GemmPlan planFP8GemmsFor(const CudaChip &chip,
                         llvm::ArrayRef<std::pair<int64_t, int64_t>> dense,
                         llvm::ArrayRef<std::pair<int64_t, int64_t>> experts);
/// The same for the shapes of `uses` (fp8GemmShapes: dense, and routed experts).
GemmPlan planFP8GemmsFor(const CudaChip &chip, llvm::ArrayRef<FP8GemmUse> uses);

/// Fails with one line naming the weight when `chip`'s kernels cannot take its GEMM (e.g. a K
/// that is not a multiple of 16).
llvm::Error checkFP8GemmUse(const CudaChip &chip, const FP8GemmUse &use);

/// One generated kernel and how to launch it, as manifest.json describes it.
struct CudaKernel {
  std::string name;
  int64_t n = 0, k = 0, bm = 0, bn = 0, stages = 0, threads = 0, sharedBytes = 0;
  std::string layout, out, mRange, grid, splits, abi;
};

/// Whether `kernel` computes `use`: the same (N, K), dense for a linear, grouped (contiguous or
/// masked) for experts. A runtime picks among them by M (CudaKernel::mRange).
bool servesFP8Gemm(const CudaKernel &kernel, const FP8GemmUse &use);

/// The PTX of one chip's module and the kernels in it.
struct CudaTargetCode {
  std::string chip;
  std::string ptx;
  std::vector<CudaKernel> kernels;
};

/// Builds a gpu.module with one FP8 GEMM kernel per tile for `chip` and lowers it to PTX.
/// `printKernelIR`, when set, receives the module before lowering.
llvm::Expected<CudaTargetCode> emitFP8GemmPTX(mlir::MLIRContext &context, const CudaChip &chip,
                                              const GemmPlan &plan,
                                              llvm::raw_ostream *printKernelIR = nullptr);

/// Adds gpu.module @kiln_fp8_gemms with one kernel per planned tile to `module` (marking it a
/// gpu.container_module). Fails with one line on a tile the kernel cannot take.
llvm::Error buildFP8GemmKernels(mlir::ModuleOp module, const GemmPlan &plan,
                                std::vector<CudaKernel> *kernels);

/// Builds (without lowering) the module emitFP8GemmPTX lowers: a new module holding
/// buildFP8GemmKernels' gpu.module.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildFP8GemmModule(mlir::MLIRContext &context, const GemmPlan &plan,
                   std::vector<CudaKernel> *kernels);

} // namespace kiln::cuda

#endif // KILN_COMPILER_TARGETS_CUDA_CUDACODEGEN_H
