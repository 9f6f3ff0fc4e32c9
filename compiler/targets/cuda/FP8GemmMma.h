//===- FP8GemmMma.h - the FP8 block-scaled GEMM for sm_89 and sm_80 ---------===//
//
// The same computation as FP8GemmSm90.h (deepseek-model.md §3.3), for the chips without wgmma.
// Warp-level mma.sync (FP8GemmMma.cpp's header comment has the fragment layouts):
//   - sm_89: mma.sync m16n8k32 e4m3 on the bytes. MLIR 22's nvvm.mma.sync rejects e4m3, so it
//     is `llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"`, which LLVM
//     selects only with PTX ISA 8.4.
//   - sm_80: no FP8 tensor-core op and no f8 conversion instruction. Each 32-bit register of
//     four e4m3 bytes is widened by arith.extf straight to bf16, which kiln-expand-f8 expands
//     into integer arithmetic and one fma.rn.bf16x2 per pair (exact; NaN stays NaN). The pairs
//     come as bytes (0, 2) and (1, 3) and feed nvvm.mma.sync m16n8k16 bf16 in that order: A and
//     B share the K permutation, so the dot product is unchanged.
// Four warps (2 x 2) per 64 x BN tile. 128-wide K blocks reach shared memory through a
// cp.async pipeline (16-byte chunks XOR-swizzled by row); fragments come from ldmatrix.x4. Each
// K block's f32 partial is promoted with a_s · b_s.
//
// M is a run-time argument. Rows past M, and B's rows
// past N, are loaded from the last row (clamped) and never stored. K need not be a multiple of
// 128: the chunks past K are zero-filled (cp.async src-size 0). N % 8 == 0, K % 16 == 0.
//
// The grouped layouts of a MoE layer's routed experts (FP8GemmLayout.h) take one CTA per
// 64-row block of A as the dense kernel does: the block's group picks B [G, N, K] and its
// scales; a padding block (contiguous) or a block past its group's count (masked) returns
// before loading anything.
//
// Launch ABI: (a, a_s, b, b_s, c : !llvm.ptr, m : i32), and for the grouped layouts
// (groups : !llvm.ptr to i32, num_groups : i32); grid (ceil(N / BN), row blocks) with
// ceil(M / 64) row blocks (dense, grouped contiguous) or num_groups ceil(M / 64) (masked);
// 128 threads; dynamic shared memory mmaGemmSharedBytes(); f32 C.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TARGETS_CUDA_FP8GEMMMMA_H
#define KILN_COMPILER_TARGETS_CUDA_FP8GEMMMMA_H

#include "compiler/targets/cuda/FP8GemmLayout.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace kiln::cuda {

struct MmaGemmTile {
  bool e4m3Mma = true; // sm_89: mma.sync e4m3; false: sm_80's bf16 route
  int64_t n = 0;
  int64_t k = 0;
  int64_t bn = 64; // 64 only: 128 spills
  FP8GemmLayout layout = FP8GemmLayout::Dense;
};

/// BN 64: BN 128 spills (sm_89: 8 bytes at 255 registers; sm_80's bf16 conversions more).
MmaGemmTile chooseMmaGemmTile(bool e4m3Mma, int64_t n, int64_t k);
llvm::Error checkMmaGemmTile(const MmaGemmTile &tile);
/// fp8_gemm_sm89[_grouped|_masked]_n<N>_k<K>_bn<BN> or fp8_gemm_sm80_...
std::string mmaGemmName(const MmaGemmTile &tile);
/// cp.async stages: 3 for BN 64, 2 for BN 128 (48 KiB, the default shared-memory limit).
int64_t mmaGemmStages(const MmaGemmTile &tile);
int64_t mmaGemmSharedBytes(const MmaGemmTile &tile);
constexpr int64_t kMmaGemmThreads = 128;
constexpr int64_t kMmaGemmTileM = 64;

/// Builds the kernel at the builder's insertion point, inside a gpu.module that holds
/// buildSm90DynamicSharedMemory's global. checkMmaGemmTile(tile) must have succeeded.
mlir::gpu::GPUFuncOp buildMmaFP8Gemm(mlir::OpBuilder &builder, mlir::Location loc,
                                     const MmaGemmTile &tile);

} // namespace kiln::cuda

#endif // KILN_COMPILER_TARGETS_CUDA_FP8GEMMMMA_H
