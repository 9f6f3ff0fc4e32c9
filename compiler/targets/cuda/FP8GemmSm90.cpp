//===- FP8GemmSm90.cpp - the sm_90a FP8 GEMM's tile rules ---------------------===//
//
// Which tiles the sm_90a kernel takes, how the planner picks one and the split-K count, and
// the kernel's name, threads and shared memory. The kernel itself is built in
// FP8GemmSm90Kernel.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/targets/cuda/FP8GemmSm90.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;

namespace kiln::cuda {
namespace {

constexpr int64_t kBlockK = 128; // K block: the scale granularity; one 128-byte smem row
constexpr int64_t kMaxShared = 227 * 1024;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

Sm90GemmTile chooseSm90GemmTile(int64_t n, int64_t k, bool smallM) {
  Sm90GemmTile tile;
  tile.n = n;
  tile.k = k;
  tile.bm = smallM ? 64 : 128;
  tile.bn = n % 128 == 0 ? 128 : 64;
  int64_t fit = (kMaxShared - 2048) / sm90GemmStageBytes(tile);
  tile.stages = std::clamp<int64_t>(std::min<int64_t>(fit, ceilDiv(k, kBlockK)), 2, 8);
  if (tile.stages > 6 && tile.bn == 128)
    tile.stages = 6; // measured: 6 stages no slower than 7-8 at 128x128 (bench/RESULTS.md)
  return tile;
}

int64_t chooseSm90Splits(const Sm90GemmTile &tile, int64_t m, int64_t multiprocessors) {
  int64_t tiles = ceilDiv(m, tile.bm) * ceilDiv(tile.n, tile.bn);
  if (tile.bf16Out)
    return 1;
  // At least 12 K blocks per unit: measured on an H100 (bench/RESULTS.md), 14 per unit gained
  // 1.5x at K = 7168 and 8 per unit lost 7 % at K = 2048.
  int64_t most = std::max<int64_t>(1, ceilDiv(tile.k, kBlockK) / 12);
  return std::clamp<int64_t>(multiprocessors / std::max<int64_t>(tiles, 1), 1, most);
}

llvm::Error checkSm90GemmTile(const Sm90GemmTile &t) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::formatv("sm_90a FP8 GEMM N={0} K={1} (tile {2}x{3}, "
                                                 "{4} stages): ",
                                                 t.n, t.k, t.bm, t.bn, t.stages)
                                       .str() +
                                   why.str());
  };
  if (t.n <= 0 || t.k <= 0)
    return fail("N and K must be positive");
  if (t.k % 16 != 0)
    return fail("K must be a multiple of 16 (TMA's global row stride is K bytes)");
  if (t.n % 8 != 0)
    return fail("N must be a multiple of 8 (each thread stores column pairs)");
  if (t.swapAB) {
    if (t.layout != FP8GemmLayout::Dense)
      return fail("swap A/B is for dense GEMMs");
    if (t.bm != 16 && t.bm != 32 && t.bm != 64)
      return fail("with swap A/B, BM (tokens, wgmma's N) must be 16, 32 or 64");
  } else if (t.bm != 64 && t.bm != 128) {
    return fail("BM must be 64 or 128 (one or two consumer warpgroups)");
  }
  if (t.bn != 64 && t.bn != 128)
    return fail("BN must be 64 or 128");
  if (t.cluster != 1 && t.cluster != 2)
    return fail("the cluster must be 1 or 2 CTAs");
  if (t.cluster == 2 && (t.layout != FP8GemmLayout::Dense || t.swapAB))
    return fail("the weight multicast (cluster 2) is for dense GEMMs without swap A/B");
  if (t.tmaStore && (!t.bf16Out || t.layout != FP8GemmLayout::Dense || t.swapAB ||
                     t.cluster != 1))
    return fail("the TMA-store epilogue is for dense bf16 GEMMs without swap A/B or multicast");
  if (t.stages < 2 || t.stages > 8 || sm90GemmSharedBytes(t) > kMaxShared)
    return fail("2 to 8 stages, within 227 KiB of shared memory");
  return llvm::Error::success();
}

std::string sm90GemmName(const Sm90GemmTile &t) {
  return llvm::formatv("fp8_gemm_sm90{0}_n{1}_k{2}_bm{3}_bn{4}_s{5}{6}{7}",
                       t.swapAB           ? "_swap"
                       : t.cluster == 2   ? "_multicast"
                                          : fp8GemmLayoutSuffix(t.layout),
                       t.n, t.k, t.bm, t.bn, t.stages,
                       t.bf16Out ? (t.tmaStore ? "_bf16_tmastore" : "_bf16") : "",
                       t.prefetchScales ? "_prefetch" : "")
      .str();
}

int64_t sm90GemmConsumers(const Sm90GemmTile &t) { return (t.swapAB ? t.bn : t.bm) / 64; }

int64_t sm90GemmThreads(const Sm90GemmTile &t) { return 128 * (sm90GemmConsumers(t) + 1); }

int64_t sm90GemmStageBytes(const Sm90GemmTile &t) { return (t.bm + t.bn) * kBlockK; }

int64_t sm90GemmSharedBytes(const Sm90GemmTile &t) {
  return 2048 + t.stages * sm90GemmStageBytes(t) + (t.tmaStore ? t.bm * t.bn * 2 : 0);
}

} // namespace kiln::cuda
