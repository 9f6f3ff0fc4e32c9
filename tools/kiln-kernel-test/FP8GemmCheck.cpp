// FP8GemmCheck.cpp - the checks of kiln-compile's dense FP8 GEMMs: DeepSeek's block-scaled
// FP8 e4m3 GEMM with per-K-block promotion (reference/deepseek-model.md section 3.3):
//
//   C[m, n] = sum_kb ( sum_{k in kb} a[m, k] * b[n, k] ) * a_s[m, kb] * b_s[n / 128, kb]
//
// with a: e4m3 [M][K], a_s: f32 [M][ceil(K/128)], b: e4m3 [N][K], b_s: f32
// [ceil(N/128)][ceil(K/128)], c: f32 or bf16 [M][N].
//
// Check "fp8_gemm_mma": kiln-compile's sm_89 / sm_80 kernels (compiler/targets/cuda/
// FP8GemmMma.h): ABI (a, a_s, b, b_s, c, m: i32), 128 threads per 64 x BN tile, grid
// (ceil(N / BN), ceil(M / 64)), dynamic shared memory (3 or 2 stages) x (64 + BN) x 128 bytes;
// M >= 1, N % 8 == 0, K % 16 == 0 (a partial last K block). Shape MxNxKxBN. Same inputs,
// reference and bound (mma.sync accumulates in f32, well inside the wgmma allowance).
//
// Check "fp8_gemm_sm90": the kernel kiln-compile emits (compiler/targets/cuda/FP8GemmSm90.h),
// with M a run-time argument and N, K free of the tile: ABI (a_s, b_s, c, tmap_a, tmap_b, m: i32,
// splits: i32); persistent, grid min(units, multiprocessors) with units = ceil(M / BM) *
// ceil(N / BN) * splits; M >= 1, N % 8 == 0, K % 16 == 0, the last K block partial (TMA
// zero-fills A and B past K and past M / N). With splits > 1 the kernel adds into C, so C starts
// at zero instead of NaN, and every element is then checked against the reference rather than
// for having been written. Shape MxNxKxBMxBNxSTAGESxSCALEBITSxSPLITSxOUTBITS: SCALEBITS 8 draws
// power-of-two scales (DeepSeek-V3.1's ue8m0 format: an 8-bit exponent), 32 any positive f32;
// OUTBITS 16 for the bf16-output kernels (the bound adds bf16's rounding), 32 for f32.
//
// Check "fp8_gemm_sm90_swap": the same kernel with swap A/B (Sm90GemmTile::swapAB), the same
// ABI, grid and shape; BM (tokens) is 16, 32 or 64 and the CTA has 128 (BN / 64 + 1) threads.
//
// Check "fp8_gemm_sm90_tmastore": the bf16 kernel whose epilogue stages C in shared memory and
// stores it with TMA (Sm90GemmTile::tmaStore): one more argument, tmap_c (a bf16 tensor map of
// C, box 64 x 64, 128-byte swizzle), BM x BN x 2 more bytes of dynamic shared memory; OUTBITS
// must be 16. Rows past M and columns past N must stay unwritten (TMA clips them).
//
// Check "fp8_gemm_sm90_multicast": the same kernel in clusters of two CTAs that share the weight
// tile (Sm90GemmTile::cluster = 2): B's tensor map has a box of BN / 2 rows (each CTA loads
// half and multicasts it), and the grid is 2 min(units, SMs / 2) with units = ceil(ceil(M / BM)
// / 2) ceil(N / BN) SPLITS. Same shape syntax; an odd number of M tiles leaves the last
// cluster's second CTA without rows, which must still do its part of the loads.
//
// Inputs are random e4m3 bytes (every finite code, NaN codes 0x7F/0xFF excluded) and random
// positive scales; nothing is quantised here. Checks "fp8_gemm_sm90_codes" and
// "fp8_gemm_mma_codes" run the same kernels on every code instead (everyE4M3Code: M and N of
// at least 256, each C element one product or zero, NaN in the rows and columns of a NaN
// code), so a code the kernel decodes wrongly (sm_80 widens e4m3 to bf16 in registers; a
// flushed subnormal or a lost NaN) fails by its whole value, where among random products it
// would hide inside the bound. The float64 reference decodes each byte exactly (sign, 4-bit
// exponent with bias 7, 3-bit mantissa, subnormals) and sums in double.
//
// Error bound of element (m, n), with S_kb = sum_{k in kb} |a b| and s_kb = a_s * b_s:
//   sum_kb s_kb * (kWgmmaFp8Error * S_kb)           the wgmma FP8 accumulator inside a block,
//                                                   which keeps only ~14 significant bits
//                                                   (DeepSeek-V3 report, section 3.3.2)
//   + gamma(KB + 2) * sum_kb s_kb * |P_kb|          the f32 product a_s * b_s and the f32 fma
//                                                   chain of the promotion (Higham's gamma)
// A wrong layout, descriptor or scale index moves an element by about |P_kb| s_kb, some ten
// times the first term for random data, so the bound separates rounding from bugs.
//
// Up to 2^32 multiply-adds every element is checked; larger shapes (the timing shapes) check
// two random elements in each 64 x 64 block of C, and every element for having been written
// (C is filled with NaN before the launch).
#include "ErrorStats.h"
#include "FP8GemmReference.h"
#include "KernelCheck.h"
#include "Status.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>

namespace kiln::kerneltest {
namespace {

constexpr size_t kBlockK = kGemmBlockK;
constexpr size_t kMmaTileM = 64; // the mma.sync kernels: four warps per 64 x BN tile

// --dump-dir: DIR/LABEL.fp8gemm, for shapes up to 2^27 multiply-adds: int64 M, N, K, BN, then
// a (M*K bytes), b (N*K bytes), a_s (f32), b_s (f32), c (f32, as the kernel wrote it).
void dump(const CheckInput &input, size_t m, size_t n, size_t k, size_t tileN,
          const std::vector<uint8_t> &a, const std::vector<uint8_t> &b,
          const std::vector<float> &aScale, const std::vector<float> &bScale,
          const std::vector<float> &c) {
  if (input.dumpDirectory.empty() || static_cast<double>(m) * n * k > 134217728.0)
    return;
  std::string path = input.dumpDirectory + "/" + input.label + ".fp8gemm";
  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    std::fprintf(stderr, "kiln-kernel-test: cannot write %s\n", path.c_str());
    return;
  }
  int64_t header[4] = {static_cast<int64_t>(m), static_cast<int64_t>(n),
                       static_cast<int64_t>(k), static_cast<int64_t>(tileN)};
  std::fwrite(header, sizeof header, 1, file);
  std::fwrite(a.data(), 1, a.size(), file);
  std::fwrite(b.data(), 1, b.size(), file);
  std::fwrite(aScale.data(), sizeof(float), aScale.size(), file);
  std::fwrite(bScale.data(), sizeof(float), bScale.size(), file);
  std::fwrite(c.data(), sizeof(float), c.size(), file);
  std::fclose(file);
}

enum class GemmAbi { Sm90, Sm90Swap, Sm90Multicast, Sm90TmaStore, Mma };

// Random codes, or every code once per row of A and of B (everyE4M3Code).
enum class GemmInputs { Random, EveryCode };

// What tells the variants apart: the manifest's check name and shape syntax, and the inputs.
// Everything else follows from the ABI in run().
struct GemmAbiTraits {
  GemmAbi abi;
  const char *name, *shapeSyntax;
  GemmInputs inputs = GemmInputs::Random;
};
constexpr const char kSm90Shape[] = "MxNxKxBMxBNxSTAGESxSCALEBITSxSPLITSxOUTBITS";
constexpr GemmAbiTraits kGemmAbis[] = {
    {GemmAbi::Sm90, "fp8_gemm_sm90", kSm90Shape},
    {GemmAbi::Sm90Swap, "fp8_gemm_sm90_swap", kSm90Shape},
    {GemmAbi::Sm90Multicast, "fp8_gemm_sm90_multicast", kSm90Shape},
    {GemmAbi::Sm90TmaStore, "fp8_gemm_sm90_tmastore", kSm90Shape},
    {GemmAbi::Mma, "fp8_gemm_mma", "MxNxKxBN"},
    {GemmAbi::Sm90, "fp8_gemm_sm90_codes", kSm90Shape, GemmInputs::EveryCode},
    {GemmAbi::Mma, "fp8_gemm_mma_codes", "MxNxKxBN", GemmInputs::EveryCode},
};

// The manifest's shape, read per the ABI's syntax; fields a syntax lacks keep their defaults.
struct GemmShape {
  size_t m = 0, n = 0, k = 0, tileM = kMmaTileM, tileN = 0, stages = 0, splits = 1;
  int64_t scaleBits = 32, outBits = 32;
};

class FP8GemmCheck : public KernelCheck {
public:
  explicit FP8GemmCheck(const GemmAbiTraits &traits)
      : traits_(traits), abi_(traits.abi), sm90_(abi_ != GemmAbi::Mma) {}
  const char *name() const override { return traits_.name; }
  const char *shapeSyntax() const override { return traits_.shapeSyntax; }

  kiln_status_t run(KernelLauncher &launcher, const CheckInput &input,
                    CheckResult *result) const override {
    const GemmShape parsed = parse(input.shape);
    if (kiln_status_t status = checkShapeRules(*this, input.shape, rules(parsed)))
      return status;
    const size_t m = parsed.m, n = parsed.n, k = parsed.k;
    const size_t tileM = parsed.tileM, tileN = parsed.tileN, stages = parsed.stages;
    const size_t splits = parsed.splits;
    const bool ue8m0 = parsed.scaleBits == 8, bf16 = parsed.outBits == 16;
    const bool swap = abi_ == GemmAbi::Sm90Swap;
    // Clusters of two CTAs on adjacent M tiles, each loading half of the weight tile.
    const size_t cluster = abi_ == GemmAbi::Sm90Multicast ? 2 : 1;
    // bf16 C stored by TMA from a BM x BN staging tile in shared memory (tensor map tmap_c).
    const bool tmaStore = abi_ == GemmAbi::Sm90TmaStore;
    const size_t kBlocks = (k + kBlockK - 1) / kBlockK, nBlocks = (n + 127) / 128;

    std::vector<uint8_t> a(m * k), b(n * k);
    if (traits_.inputs == GemmInputs::EveryCode) {
      everyE4M3Code(m, k, /*first=*/0, &a);
      everyE4M3Code(n, k, /*first=*/128, &b); // C[r, r]: each code times its negation
    } else {
      randomE4M3(*input.random, &a);
      randomE4M3(*input.random, &b);
    }
    std::vector<float> aScale(m * kBlocks), bScale(nBlocks * kBlocks);
    randomScales(*input.random, ue8m0, &aScale);
    randomScales(*input.random, ue8m0, &bScale);

    CUdeviceptr da = 0, dAScale = 0, db = 0, dBScale = 0, dc = 0;
    // Poisoned with NaN where nothing should be left unwritten; split-K adds into zeros.
    GemmOutput output(m * n, bf16);
    std::vector<float> c;
    if (kiln_status_t status = launcher.upload(a.data(), a.size(), &da))
      return status;
    if (kiln_status_t status = launcher.upload(aScale, &dAScale))
      return status;
    if (kiln_status_t status = launcher.upload(b.data(), b.size(), &db))
      return status;
    if (kiln_status_t status = launcher.upload(bScale, &dBScale))
      return status;
    if (kiln_status_t status = output.upload(launcher, /*zero=*/splits > 1, &dc))
      return status;
    CUdeviceptr dMapA = 0, dMapB = 0, dMapC = 0;
    if (sm90_) {
      if (kiln_status_t status = launcher.tensorMap2D(da, m, k, static_cast<unsigned>(tileM),
                                                      kBlockK, &dMapA))
        return status;
      if (kiln_status_t status = launcher.tensorMap2D(
              db, n, k, static_cast<unsigned>(tileN / cluster), kBlockK, &dMapB))
        return status;
    }
    if (tmaStore) // C in 64 x 64 bf16 boxes (128 bytes wide, the swizzle's span)
      if (kiln_status_t status = launcher.tensorMap2D(dc, m, n, 64, 64, &dMapC,
                                                      cuda::CU_TENSOR_MAP_DATA_TYPE_BFLOAT16))
        return status;
    int32_t rows = static_cast<int32_t>(m), splitCount = static_cast<int32_t>(splits);
    void *sm90Arguments[] = {&dAScale, &dBScale, &dc,         &dMapA,
                             &dMapB,   &rows,    &splitCount, &dMapC}; // tmap_c: TMA store only
    void *mmaArguments[] = {&da, &dAScale, &db, &dBScale, &dc, &rows};
    void **arguments = sm90_ ? sm90Arguments : mmaArguments;
    LaunchShape shape;
    // One producer warpgroup and a consumer warpgroup per 64 rows of wgmma's M side: the
    // tokens (BM), or with swap A/B the weights (BN).
    shape.block[0] = static_cast<unsigned>(sm90_ ? 128 * ((swap ? tileN : tileM) / 64 + 1) : 128);
    shape.grid[0] = static_cast<unsigned>((n + tileN - 1) / tileN);
    shape.grid[1] = static_cast<unsigned>((m + tileM - 1) / tileM);
    if (sm90_) { // persistent: one CTA per multiprocessor at most, in whole clusters
      size_t mSlots = (shape.grid[1] + cluster - 1) / cluster;
      size_t units = shape.grid[0] * mSlots * splits;
      size_t clusters = std::max<size_t>(1, static_cast<size_t>(input.multiprocessors) / cluster);
      shape.grid[0] = static_cast<unsigned>(cluster * std::min(units, clusters));
      shape.grid[1] = 1;
    }
    if (sm90_)
      shape.sharedBytes = static_cast<unsigned>(2048 + stages * (tileM + tileN) * kBlockK +
                                                (tmaStore ? tileM * tileN * 2 : 0));
    else // dynamic shared memory: 3 cp.async stages for BN 64, 2 for 128
      shape.sharedBytes =
          static_cast<unsigned>((tileN == 64 ? 3 : 2) * (kMmaTileM + tileN) * kBlockK);
    if (kiln_status_t status = launcher.launch(input.function, shape, arguments))
      return status;
    if (kiln_status_t status = output.download(launcher, dc, &c))
      return status;
    dump(input, m, n, k, tileN, a, b, aScale, bScale, c);

    BlockScaledReference blockScaled(k, output.roundoff());
    auto referenceAt = [&](size_t row, size_t col, double *bound) {
      return blockScaled.at(&a[row * k], &b[col * k], &aScale[row * kBlocks],
                            &bScale[(col / 128) * kBlocks], bound);
    };

    // Which elements: all of them up to 2^32 multiply-adds, else two per 64 x 64 block.
    std::vector<float> actual;
    std::vector<double> reference, bound;
    std::vector<size_t> where;
    auto add = [&](size_t row, size_t col) {
      double elementBound = 0;
      reference.push_back(referenceAt(row, col, &elementBound));
      bound.push_back(elementBound);
      actual.push_back(c[row * n + col]);
      where.push_back(row * n + col);
    };
    const bool sampled = static_cast<double>(m) * n * k > 4294967296.0;
    if (!sampled) {
      for (size_t row = 0; row < m; ++row)
        for (size_t col = 0; col < n; ++col)
          add(row, col);
    } else {
      std::uniform_int_distribution<size_t> offset(0, 63);
      for (size_t row = 0; row < m; row += 64)
        for (size_t col = 0; col < n; col += 64)
          for (int i = 0; i < 2; ++i)
            add(std::min(m - 1, row + offset(*input.random)),
                std::min(n - 1, col + offset(*input.random)));
    }
    ErrorStats stats = compareToReference(actual, reference, bound);
    size_t unwritten = 0, firstUnwritten = 0;
    if (sampled)
      for (size_t i = 0; i < c.size(); ++i)
        if (!std::isfinite(c[i]) && unwritten++ == 0)
          firstUnwritten = i;
    result->maxAbsError = stats.maxAbsError;
    result->maxRelError = stats.maxRelError;
    result->passed = stats.failures == 0 && unwritten == 0;
    result->flops = 2.0 * static_cast<double>(m) * n * k;
    if (!result->passed) {
      if (stats.failures) {
        size_t i = stats.firstFailure;
        result->failure = outOfBoundsLine(stats.failures, actual.size(), sampled, where[i], n,
                                          actual[i], reference[i], bound[i]);
      } else {
        char line[256];
        std::snprintf(line, sizeof line,
                      "%zu of %zu elements not finite (unwritten?); first "
                      "C[%zu, %zu] = %g",
                      unwritten, c.size(), firstUnwritten / n, firstUnwritten % n,
                      c[firstUnwritten]);
        result->failure = line;
      }
    }
    return launcher.time(input.function, shape, arguments, input.iterations, &result->microseconds);
  }

private:
  GemmShape parse(const std::vector<int64_t> &shape) const {
    auto at = [&](size_t i) { return static_cast<size_t>(shape[i]); };
    GemmShape parsed;
    parsed.m = at(0);
    parsed.n = at(1);
    parsed.k = at(2);
    if (!sm90_) {
      parsed.tileN = at(3);
      return parsed;
    }
    parsed.tileM = at(3);
    parsed.tileN = at(4);
    parsed.stages = at(5);
    parsed.scaleBits = shape[6];
    parsed.splits = shape[7] < 1 ? 0 : at(7);
    parsed.outBits = shape[8];
    return parsed;
  }

  // The rules of the kernel's generator, in the order they are reported.
  std::vector<ShapeRule> rules(const GemmShape &s) const {
    std::vector<ShapeRule> all = abiRules(s);
    if (traits_.inputs == GemmInputs::EveryCode)
      all.push_back(
          {s.m < 256 || s.n < 256, "M and N must be at least 256 (every code in A and B)"});
    return all;
  }

  std::vector<ShapeRule> abiRules(const GemmShape &s) const {
    if (abi_ == GemmAbi::Mma)
      return {{s.m == 0, "M must be at least 1"},
              {s.n == 0 || s.n % 8 != 0, "N must be a positive multiple of 8"},
              {s.k == 0 || s.k % 16 != 0, "K must be a positive multiple of 16"},
              {s.tileN != 64 && s.tileN != 128, "BN must be 64 or 128"}};
    const bool swap = abi_ == GemmAbi::Sm90Swap;
    return {{s.m == 0, "M must be at least 1"},
            {s.n == 0 || s.n % 8 != 0, "N must be a positive multiple of 8"},
            {s.k == 0 || s.k % 16 != 0, "K must be a positive multiple of 16"},
            {swap && s.tileM != 16 && s.tileM != 32 && s.tileM != 64,
             "BM must be 16, 32 or 64 with swap A/B (the tokens are the wgmma N side)"},
            {!swap && s.tileM != 64 && s.tileM != 128, "BM must be 64 or 128"},
            {s.tileN != 64 && s.tileN != 128, "BN must be 64 or 128"},
            {s.stages == 0, "STAGES must be at least 1"},
            {s.scaleBits != 8 && s.scaleBits != 32, "SCALEBITS must be 8 (ue8m0) or 32 (f32)"},
            {s.splits == 0, "SPLITS must be at least 1"},
            {s.outBits != 16 && s.outBits != 32, "OUTBITS must be 16 (bf16) or 32 (f32)"},
            {s.outBits == 16 && s.splits != 1,
             "OUTBITS 16 needs SPLITS 1 (split-K adds into an f32 C)"},
            {abi_ == GemmAbi::Sm90TmaStore && s.outBits != 16,
             "OUTBITS must be 16 (the TMA-store epilogue writes bf16)"}};
  }

  GemmAbiTraits traits_;
  GemmAbi abi_;
  bool sm90_; // kiln-compile's sm_90a kernel, in any of its variants (GemmAbi::Sm90*)
};

} // namespace

void addFP8GemmChecks(std::vector<const KernelCheck *> *checks) {
  static const std::vector<FP8GemmCheck> all(std::begin(kGemmAbis), std::end(kGemmAbis));
  for (const FP8GemmCheck &check : all)
    checks->push_back(&check);
}

} // namespace kiln::kerneltest
