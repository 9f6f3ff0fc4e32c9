//===- FP8GemmSm90.h - the sm_90a FP8 block-scaled GEMM kernel --------------===//
//
// Builds Kiln's FP8 e4m3 block-scaled GEMM for Hopper (sm_90a) as a gpu.func of MLIR's gpu,
// nvvm, llvm, arith and scf dialects:
//
//   C[m, n] = sum_kb ( sum_{k in kb} A[m, k] * B[n, k] ) * a_s[m, kb] * b_s[n / 128, kb]
//
// A is e4m3 activations [M, K] with per-token-per-128 f32 scales a_s [M, ceil(K/128)]. B is
// e4m3 weights [N, K] with 128x128 block scales b_s [ceil(N/128), ceil(K/128)]. Accumulation
// is f32, and each K block's partial sum is promoted into the accumulator with a_s * b_s
// (deepseek-model.md §3.3). C is f32 [M, N].
//
// Warp roles: a producer warpgroup issues TMA loads into an mbarrier-guarded ring of stages;
// one or two consumer warpgroups issue wgmma on descriptors of the stages and promote each K
// block's partial. On top of that, what a model needs:
//   - With two consumer warpgroups, setmaxnreg moves registers from the producer warpgroup
//     (40) to the consumers (232); one CTA per SM (.minnctapersm 1) fixes the 168 at entry.
//   - M is a kernel argument, not a constant. A tile's rows past M are zero-filled by TMA, and
//     their scale loads and stores are masked.
//   - N and K need not be multiples of the tile. TMA zero-fills the K tail of A and B and the
//     N tail of B, so the tail block contributes exact zeros. Stores past N are masked.
//     Limits: K % 16 == 0 (TMA's global row stride is K bytes), N % 8 == 0 (a thread stores
//     column pairs).
//   - Persistent tile scheduling. The work is split into units: ceil(M/BM) x ceil(N/BN) tiles,
//     times `splits` ranges of K blocks. A CTA walks units blockIdx.x, + gridDim.x, ... The
//     producer loads the next unit's blocks while the consumers store the last unit's tile.
//   - Run-time split-K for small M (chooseSm90Splits). Each of `splits` units of a tile
//     atomically adds its partial sum to C, which the host zeroes first. With splits == 1 the
//     kernel stores and C needs no initialisation.
//
//   - Optionally (`cluster` 2, dense) a cluster of two CTAs on adjacent M tiles of the same N
//     tile: each loads half of the weight tile and TMA multicasts it into both, halving the
//     weight traffic from L2 (DeepGEMM's B multicast).
//   - Optionally (`tmaStore`, dense bf16) an epilogue that stages C in swizzled shared memory
//     and stores it with TMA, instead of 4-byte stores from registers.
//
// Launch ABI: (a_s, b_s, c, tmap_a, tmap_b : !llvm.ptr, m : i32, splits : i32), and for the
// grouped layouts two more: (groups : !llvm.ptr to i32, num_groups : i32); with the TMA-store
// epilogue one more: (tmap_c : !llvm.ptr). tmap_a and tmap_b
// point to 128-byte CUtensorMaps in device memory: uint8, 2-D {K, rows} (B's rows: G N),
// box {128, BM} and {128, BN / cluster}, 128-byte swizzle, OOB fill zero. Grid (cluster *
// min(units, multiprocessors / cluster), 1, 1) with units = ceil(ceil(M/BM) / cluster) *
// ceil(N/BN) * splits; the cluster size is in the kernel (.reqnctapercluster), so a plain
// cuLaunchKernel launches it. Block sm90GemmThreads(); dynamic shared memory
// sm90GemmSharedBytes(). bf16 output ignores `splits` (taken as 1: split-K adds partial sums,
// which bf16 would round each time).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TARGETS_CUDA_FP8GEMMSM90_H
#define KILN_COMPILER_TARGETS_CUDA_FP8GEMMSM90_H

#include "compiler/targets/cuda/FP8GemmLayout.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace kiln::cuda {

/// The shape a kernel is specialised for (N, K) and its tile: BM = 64 per consumer warpgroup
/// (64 or 128), BN 64 or 128, STAGES shared-memory stages of one 128-wide K block each, the
/// layout and the output type (f32, or bf16 rounded to nearest even).
///
/// `swapAB` (dense only, for small M) computes C^T = B . A^T: the weight tile's BN rows (64 per
/// consumer warpgroup) fill wgmma's M side and the BM tokens (16, 32 or 64) its N side, so no
/// MMA row is spent on zero-filled tokens. The grid, the units and the tensor maps are the
/// same; the stage holds the weight tile first, and the epilogue writes C[m, n] transposed
/// from the fragment.
///
/// `tmaStore` (dense bf16, without swap A/B or multicast): each consumer warpgroup writes its
/// 64 x BN bf16 fragment into a shared-memory staging tile (64 x 64 blocks, 128-byte swizzle,
/// so the writes are free of bank conflicts) and one thread stores it with TMA
/// (`cp.async.bulk.tensor` shared -> global, bulk groups), which clips rows past M and
/// columns past N. The staging tile is reused for the next unit once the last stores have
/// read it (`cp.async.bulk.wait_group.read`). One more launch argument, tmap_c: a
/// CUtensorMap of C, bf16, 2-D {N, M} with M the launch's m (TMA, not the kernel, clips the
/// rows past it), box {64, 64}, 128-byte swizzle.
///
/// `cluster` 2 (dense, without swap A/B) launches clusters of two CTAs that take M tiles 2i and
/// 2i + 1 of the same N tile and K range. Each CTA loads BN / 2 rows of the weight tile and
/// multicasts them to both, so a stage's full barrier counts its own A tile and the whole B
/// tile, and a stage is free only when the consumers of both CTAs have released it: each
/// consumer warp arrives on the empty barrier of each CTA of the cluster.
///
/// `prefetchScales` (any layout): before a unit's epilogue, each consumer thread computes the
/// CTA's next unit and prefetches into L1 (`prefetch.global.L1`) the scale lines that unit's
/// first K block will load. Without it, those loads miss L1 whenever the next unit's token
/// rows or weight block are new to the SM, and a miss holds back the unit's fourth wgmma
/// (bench/RESULTS.md, the K loop in static SASS), which would cost most where units are
/// short (K = 512: four K blocks). A prefetch has no effect on any value,
/// so the kernel computes exactly what it does without.
struct Sm90GemmTile {
  int64_t n = 0;
  int64_t k = 0;
  int64_t bm = 128;
  int64_t bn = 128;
  int64_t stages = 6;
  FP8GemmLayout layout = FP8GemmLayout::Dense;
  bool bf16Out = false;
  bool swapAB = false;
  int64_t cluster = 1;
  /// bf16 C written through shared memory and TMA stores instead of from registers.
  bool tmaStore = false;
  /// The next unit's first scales prefetched into L1 before each epilogue.
  bool prefetchScales = false;
};

/// A tile for (N, K) from the H100 measurements in bench/RESULTS.md. BM 128 with BN 128
/// reaches 0.9 PFLOPS at M = 4096, and BN 64 when N is not a multiple of 128. `smallM` (M <= 64,
/// decode) uses BM 64, so that no half tile of zero rows is multiplied. The stages are as many
/// as the 227 KiB of shared memory hold, up to the number of K blocks.
Sm90GemmTile chooseSm90GemmTile(int64_t n, int64_t k, bool smallM = false);

/// The `splits` argument for M rows on a GPU with `multiprocessors` SMs. It gives the CTAs
/// enough units to stream the weights when there are fewer tiles than SMs. It keeps at least
/// 12 K blocks per unit so the pipeline fills. bf16-output kernels take no split-K: 1.
int64_t chooseSm90Splits(const Sm90GemmTile &tile, int64_t m, int64_t multiprocessors);

/// Fails with one line when the kernel cannot be built for `tile`.
llvm::Error checkSm90GemmTile(const Sm90GemmTile &tile);

/// fp8_gemm_sm90[_grouped|_masked|_swap|_multicast]_n<N>_k<K>_bm<BM>_bn<BN>_s<STAGES>[_bf16]
/// [_tmastore][_prefetch].
std::string sm90GemmName(const Sm90GemmTile &tile);
/// Consumer warpgroups: BM / 64, or BN / 64 with swapAB.
int64_t sm90GemmConsumers(const Sm90GemmTile &tile);
/// 128 threads per consumer warpgroup plus the producer warpgroup.
int64_t sm90GemmThreads(const Sm90GemmTile &tile);
/// One stage: a 128-wide K block of the A and B tiles, (BM + BN) x 128 bytes.
int64_t sm90GemmStageBytes(const Sm90GemmTile &tile);
/// Dynamic shared memory: 1024 bytes of alignment slack, 1024 for the mbarriers, the stages,
/// and with tmaStore the BM x BN bf16 staging tile.
int64_t sm90GemmSharedBytes(const Sm90GemmTile &tile);

/// The dynamic shared memory the kernels address, once per gpu.module:
/// llvm.mlir.global external @kiln_fp8_dsmem : !llvm.array<0 x i8>, address space 3.
void buildSm90DynamicSharedMemory(mlir::OpBuilder &builder, mlir::Location loc);

/// Builds the kernel at the builder's insertion point (inside a gpu.module that holds the
/// dynamic shared memory global). checkSm90GemmTile(tile) must have succeeded.
mlir::gpu::GPUFuncOp buildSm90FP8Gemm(mlir::OpBuilder &builder, mlir::Location loc,
                                      const Sm90GemmTile &tile);

} // namespace kiln::cuda

#endif // KILN_COMPILER_TARGETS_CUDA_FP8GEMMSM90_H
