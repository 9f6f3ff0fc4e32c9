//===- FP8GemmMma.cpp - the sm_89 / sm_80 FP8 GEMM's tile rules ---------------===//
//
// Which tiles the mma.sync kernel takes, its name, stages and shared memory. The kernel itself
// is built in FP8GemmMmaKernel.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/targets/cuda/FP8GemmMma.h"

#include "llvm/Support/FormatVariadic.h"

namespace kiln::cuda {
namespace {

constexpr int64_t kBlockK = 128;

} // namespace

MmaGemmTile chooseMmaGemmTile(bool e4m3Mma, int64_t n, int64_t k) {
  MmaGemmTile tile;
  tile.e4m3Mma = e4m3Mma;
  tile.n = n;
  tile.k = k;
  tile.bn = 64;
  return tile;
}

llvm::Error checkMmaGemmTile(const MmaGemmTile &t) {
  auto fail = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::formatv("{0} FP8 GEMM N={1} K={2} (BN {3}): ",
                                                 t.e4m3Mma ? "sm_89" : "sm_80", t.n, t.k, t.bn)
                                       .str() +
                                   why.str());
  };
  if (t.n <= 0 || t.k <= 0)
    return fail("N and K must be positive");
  if (t.k % 16 != 0)
    return fail("K must be a multiple of 16 (the copies move 16-byte chunks)");
  if (t.n % 8 != 0)
    return fail("N must be a multiple of 8 (each thread stores column pairs)");
  if (t.bn != 64)
    return fail("BN must be 64 (128 needs more than 255 registers a thread: it spills)");
  return llvm::Error::success();
}

std::string mmaGemmName(const MmaGemmTile &t) {
  return llvm::formatv("fp8_gemm_{0}{1}_n{2}_k{3}_bn{4}", t.e4m3Mma ? "sm89" : "sm80",
                       fp8GemmLayoutSuffix(t.layout), t.n, t.k, t.bn)
      .str();
}

int64_t mmaGemmStages(const MmaGemmTile &t) { return t.bn == 64 ? 3 : 2; }

int64_t mmaGemmSharedBytes(const MmaGemmTile &t) {
  return mmaGemmStages(t) * (kMmaGemmTileM + t.bn) * kBlockK;
}

} // namespace kiln::cuda
