// The FP8 GEMM plan and tile rules of compiler/targets/cuda: which kernels a model's linear
// and expert shapes get per chip, the tile and stage choice, the split-K count, and the one-line
// errors for tiles a kernel cannot take.
#include "compiler/targets/cuda/CudaCodegen.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kiln::cuda {
namespace {

std::set<std::string> names(const GemmPlan &plan) {
  std::set<std::string> out;
  for (const Sm90GemmTile &tile : plan.sm90)
    out.insert(sm90GemmName(tile));
  for (const MmaGemmTile &tile : plan.mma)
    out.insert(mmaGemmName(tile));
  return out;
}

std::string errorOf(const Sm90GemmTile &tile) {
  llvm::Error e = checkSm90GemmTile(tile);
  return e ? llvm::toString(std::move(e)) : std::string();
}

TEST(CudaGemmPlan, TileFollowsTheShape) {
  // N a multiple of 128: BN 128, six stages at most; otherwise BN 64 and up to eight.
  Sm90GemmTile wide = chooseSm90GemmTile(4096, 7168);
  EXPECT_EQ(wide.bm, 128);
  EXPECT_EQ(wide.bn, 128);
  EXPECT_EQ(wide.stages, 6);
  Sm90GemmTile narrow = chooseSm90GemmTile(2112, 7168);
  EXPECT_EQ(narrow.bn, 64);
  EXPECT_EQ(narrow.stages, 8);
  // No more stages than K blocks, and at least two.
  EXPECT_EQ(chooseSm90GemmTile(32768, 512).stages, 4);
  EXPECT_EQ(chooseSm90GemmTile(256, 16).stages, 2);
  EXPECT_EQ(chooseSm90GemmTile(4096, 7168, /*smallM=*/true).bm, 64);
  for (const Sm90GemmTile &tile : {wide, narrow})
    EXPECT_LE(sm90GemmSharedBytes(tile), 227 * 1024);
}

TEST(CudaGemmPlan, SplitKFillsTheMultiprocessors) {
  // DeepSeek-V3 decode shapes on 132 SMs, as the gpu-check bundle times them.
  Sm90GemmTile small = chooseSm90GemmTile(2112, 7168, /*smallM=*/true); // 33 tiles at M = 64
  EXPECT_EQ(chooseSm90Splits(small, 64, 132), 4);
  Sm90GemmTile longK = chooseSm90GemmTile(7168, 16384, /*smallM=*/true); // 56 tiles
  EXPECT_EQ(chooseSm90Splits(longK, 64, 132), 2);
  // At least 12 K blocks per unit: K = 1536 (12 blocks) takes no split.
  EXPECT_EQ(chooseSm90Splits(chooseSm90GemmTile(24576, 1536, true), 64, 132), 1);
  // Enough tiles already, and bf16 output (split-K adds f32 partial sums): no split.
  EXPECT_EQ(chooseSm90Splits(chooseSm90GemmTile(4096, 7168), 4096, 132), 1);
  Sm90GemmTile bf16 = chooseSm90GemmTile(2112, 7168, true);
  bf16.bf16Out = true;
  EXPECT_EQ(chooseSm90Splits(bf16, 64, 132), 1);
}

TEST(CudaGemmPlan, Sm90KernelsPerDenseAndExpertShape) {
  llvm::Expected<CudaChip> chip = lookupCudaChip("sm_90a");
  ASSERT_TRUE(bool(chip));
  GemmPlan plan = planFP8GemmsFor(*chip, {{4096, 7168}}, {{2048, 7168}});
  EXPECT_TRUE(plan.mma.empty());
  EXPECT_EQ(names(plan), (std::set<std::string>{
                             "fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6_bf16", // M > 128
                             "fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6",      // 64 < M <= 128
                             "fp8_gemm_sm90_n4096_k7168_bm64_bn128_s6",       // M <= 64
                             "fp8_gemm_sm90_grouped_n2048_k7168_bm128_bn128_s6_bf16",
                             "fp8_gemm_sm90_masked_n2048_k7168_bm64_bn128_s6",
                         }));
  for (const Sm90GemmTile &tile : plan.sm90) {
    EXPECT_FALSE(tile.swapAB) << sm90GemmName(tile) << ": swap A/B is not planned yet";
    EXPECT_EQ(tile.cluster, 1) << sm90GemmName(tile) << ": the multicast is not planned yet";
    EXPECT_EQ(errorOf(tile), "");
  }
}

TEST(CudaGemmPlan, MmaChipsGetGroupedKernelsToo) {
  for (const char *name : {"sm_89", "sm_80"}) {
    llvm::Expected<CudaChip> chip = lookupCudaChip(name);
    ASSERT_TRUE(bool(chip));
    GemmPlan plan = planFP8GemmsFor(*chip, {{4096, 7168}}, {{2048, 7168}});
    EXPECT_TRUE(plan.sm90.empty());
    std::string sm = name == std::string("sm_89") ? "sm89" : "sm80";
    EXPECT_EQ(names(plan), (std::set<std::string>{
                               "fp8_gemm_" + sm + "_n4096_k7168_bn64",
                               "fp8_gemm_" + sm + "_grouped_n2048_k7168_bn64",
                               "fp8_gemm_" + sm + "_masked_n2048_k7168_bn64",
                           }));
    for (const MmaGemmTile &tile : plan.mma) {
      EXPECT_EQ(tile.e4m3Mma, sm == "sm89");
      llvm::Error e = checkMmaGemmTile(tile);
      EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
    }
  }
}

TEST(CudaGemmPlan, ThreadsFollowTheConsumers) {
  Sm90GemmTile tile = chooseSm90GemmTile(4096, 7168);
  EXPECT_EQ(sm90GemmThreads(tile), 384); // two consumer warpgroups and the producer
  tile.bm = 64;
  EXPECT_EQ(sm90GemmThreads(tile), 256);
  // Swap A/B: the weights (BN) take wgmma's M side, so BN decides the consumers.
  tile.swapAB = true;
  tile.bm = 16;
  EXPECT_EQ(sm90GemmThreads(tile), 384);
  EXPECT_EQ(sm90GemmName(tile), "fp8_gemm_sm90_swap_n4096_k7168_bm16_bn128_s6");
  tile.bn = 64;
  EXPECT_EQ(sm90GemmThreads(tile), 256);
}

// Each row changes the planner's tile for N=4096 K=7168 (128x128, 6 stages) into one the
// generator must refuse, and gives the one line it must refuse it with.
TEST(CudaGemmPlan, Sm90TilesAKernelCannotTakeFailWithOneLine) {
  const std::string prefix = "sm_90a FP8 GEMM N=4096 K=7168 ";
  struct BadTile {
    const char *what;
    void (*change)(Sm90GemmTile &);
    const char *error;
  };
  const BadTile bad[] = {
      {"swap A/B with 128 tokens", [](Sm90GemmTile &t) { t.swapAB = true; },
       "(tile 128x128, 6 stages): with swap A/B, BM (tokens, wgmma's N) must be 16, 32 or 64"},
      {"swap A/B on a masked layout",
       [](Sm90GemmTile &t) {
         t.swapAB = true;
         t.bm = 16;
         t.layout = FP8GemmLayout::GroupedMasked;
       },
       "(tile 16x128, 6 stages): swap A/B is for dense GEMMs"},
      {"a cluster of 4", [](Sm90GemmTile &t) { t.cluster = 4; },
       "(tile 128x128, 6 stages): the cluster must be 1 or 2 CTAs"},
      {"multicast on a grouped layout",
       [](Sm90GemmTile &t) {
         t.cluster = 2;
         t.layout = FP8GemmLayout::GroupedContiguous;
       },
       "(tile 128x128, 6 stages): the weight multicast (cluster 2) is for dense GEMMs without "
       "swap A/B"},
      {"TMA store of f32", [](Sm90GemmTile &t) { t.tmaStore = true; },
       "(tile 128x128, 6 stages): the TMA-store epilogue is for dense bf16 GEMMs without swap "
       "A/B or multicast"},
      {"TMA store with multicast",
       [](Sm90GemmTile &t) {
         t.tmaStore = t.bf16Out = true;
         t.cluster = 2;
       },
       "(tile 128x128, 6 stages): the TMA-store epilogue is for dense bf16 GEMMs without swap "
       "A/B or multicast"},
  };
  for (const BadTile &row : bad) {
    SCOPED_TRACE(row.what);
    Sm90GemmTile tile = chooseSm90GemmTile(4096, 7168);
    ASSERT_EQ(errorOf(tile), "");
    row.change(tile);
    EXPECT_EQ(errorOf(tile), prefix + row.error);
  }
  Sm90GemmTile odd = chooseSm90GemmTile(4100, 7168);
  EXPECT_EQ(errorOf(odd), "sm_90a FP8 GEMM N=4100 K=7168 (tile 128x64, 8 stages): N must be a "
                          "multiple of 8 (each thread stores column pairs)");
  MmaGemmTile mma = chooseMmaGemmTile(/*e4m3Mma=*/true, 4096, 7160);
  llvm::Error e = checkMmaGemmTile(mma);
  ASSERT_TRUE(bool(e));
  EXPECT_EQ(llvm::toString(std::move(e)), "sm_89 FP8 GEMM N=4096 K=7160 (BN 64): K must be a "
                                          "multiple of 16 (the copies move 16-byte chunks)");
}

// The variants the generator takes: their names, and the TMA store's staging tile.
TEST(CudaGemmPlan, MulticastAndTmaStoreVariants) {
  Sm90GemmTile multicast = chooseSm90GemmTile(4096, 7168);
  multicast.cluster = 2;
  EXPECT_EQ(errorOf(multicast), "");
  EXPECT_EQ(sm90GemmName(multicast), "fp8_gemm_sm90_multicast_n4096_k7168_bm128_bn128_s6");
  Sm90GemmTile tmaStore = chooseSm90GemmTile(4096, 7168);
  tmaStore.tmaStore = tmaStore.bf16Out = true;
  EXPECT_EQ(errorOf(tmaStore), "");
  EXPECT_EQ(sm90GemmName(tmaStore), "fp8_gemm_sm90_n4096_k7168_bm128_bn128_s6_bf16_tmastore");
  // The staging tile (128 x 128 bf16) still fits beside six stages in 227 KiB.
  EXPECT_EQ(sm90GemmSharedBytes(tmaStore), 2048 + 6 * 32768 + 32768);
}

// The scale prefetch goes with every variant, names itself last and needs no shared memory;
// the plan does not take it (it waits for an H100 measurement).
TEST(CudaGemmPlan, PrefetchVariant) {
  Sm90GemmTile dense = chooseSm90GemmTile(32768, 512);
  dense.bf16Out = dense.prefetchScales = true;
  EXPECT_EQ(errorOf(dense), "");
  EXPECT_EQ(sm90GemmName(dense), "fp8_gemm_sm90_n32768_k512_bm128_bn128_s4_bf16_prefetch");
  Sm90GemmTile plain = dense;
  plain.prefetchScales = false;
  EXPECT_EQ(sm90GemmSharedBytes(dense), sm90GemmSharedBytes(plain));
  Sm90GemmTile swap = chooseSm90GemmTile(4096, 7168, /*smallM=*/true);
  swap.bm = 16;
  swap.swapAB = swap.prefetchScales = true;
  EXPECT_EQ(errorOf(swap), "");
  EXPECT_EQ(sm90GemmName(swap), "fp8_gemm_sm90_swap_n4096_k7168_bm16_bn128_s6_prefetch");
  Sm90GemmTile store = dense;
  store.tmaStore = true;
  EXPECT_EQ(sm90GemmName(store), "fp8_gemm_sm90_n32768_k512_bm128_bn128_s4_bf16_tmastore_prefetch");
  Sm90GemmTile masked = chooseSm90GemmTile(4096, 7168, /*smallM=*/true);
  masked.layout = FP8GemmLayout::GroupedMasked;
  masked.prefetchScales = true;
  EXPECT_EQ(errorOf(masked), "");
  EXPECT_EQ(sm90GemmName(masked), "fp8_gemm_sm90_masked_n4096_k7168_bm64_bn128_s6_prefetch");
  for (const Sm90GemmTile &tile : planFP8Gemms({{32768, 512}}, {{4096, 7168}}))
    EXPECT_FALSE(tile.prefetchScales) << sm90GemmName(tile);
}

// What the manifest says about a multicast kernel: whole clusters in the grid, and the half
// weight box each CTA's tensor map must have. (The multicast is not planned yet, so no model's
// manifest shows it; a launcher written from the description must still get it right.)
TEST(CudaGemmPlan, MulticastKernelDescribesItsClusterLaunch) {
  mlir::MLIRContext context;
  mlir::OpBuilder builder(&context);
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(builder.getUnknownLoc());
  GemmPlan plan;
  plan.sm90.push_back(chooseSm90GemmTile(4096, 7168));
  plan.sm90.back().cluster = 2;
  std::vector<CudaKernel> kernels;
  llvm::Error e = buildFP8GemmKernels(*module, plan, &kernels);
  ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));
  ASSERT_EQ(kernels.size(), 1u);
  EXPECT_EQ(kernels[0].name, "fp8_gemm_sm90_multicast_n4096_k7168_bm128_bn128_s6");
  EXPECT_EQ(kernels[0].grid, "(2 * min(units, multiprocessors / 2), 1, 1) in clusters of 2 "
                             "(fixed in the kernel), units = ceil(ceil(M/bm) / 2) * ceil(N/bn) * "
                             "splits");
  EXPECT_NE(kernels[0].abi.find("tmap_b's box is bn / 2 rows"), std::string::npos)
      << kernels[0].abi;
}

} // namespace
} // namespace kiln::cuda
