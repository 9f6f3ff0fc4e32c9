// GroupedGemmCheck.cpp - checks "fp8_gemm_sm90_grouped", "fp8_gemm_sm90_masked",
// "fp8_gemm_mma_grouped" and "fp8_gemm_mma_masked": the grouped FP8 GEMMs of a MoE layer's
// routed experts that kiln-compile emits for sm_90a (compiler/targets/cuda/FP8GemmSm90.h) and
// for sm_89 / sm_80 (FP8GemmMma.h), in the layouts of FP8GemmLayout.h. All compute, for each
// group g,
// C_g = A_g . B_g^T with DeepSeek's block scales, B being [G, N, K] with scales
// [G, ceil(N/128), ceil(K/128)].
//
//   grouped (contiguous, prefill): group g's count_g rows sit in A [rows, K] padded to a
//     multiple of BM; groups[i] names the group of row block i. One extra block of padding
//     (groups = -1) ends A; the kernel must skip it, so its rows of C stay NaN.
//   masked (decode): A is [G, M, K], of which group g's first count_g rows are valid;
//     groups[g] = count_g. C's rows past a count must stay NaN.
//
// With COUNTS 2, counts are drawn per run: group 0 full (M rows), group 1 empty (when G > 1),
// the others uniform in [0, M], so tiles are partial and uneven; with COUNTS 1 every group has
// M rows (the benchmark shapes).
//   sm_90a: shape GROUPSxMxNxKxBMxBNxSTAGESxOUTBITSxSPLITSxCOUNTS; ABI (a_s, b_s, c, tmap_a,
//     tmap_b, m, splits, groups, num_groups); persistent grid min(units, multiprocessors).
//   mma (sm_89, sm_80): shape GROUPSxMxNxKxBNxCOUNTS (BM 64, f32 out, no split); ABI (a, a_s, b,
//     b_s, c, m, groups, num_groups); grid (ceil(N/BN), row blocks), 128 threads.
// Every valid element is checked against the float64 reference
// (two per 64 x 64 block past 2^32 multiply-adds), with FP8GemmReference's bound, and every
// row that must stay unwritten is checked for NaN.
#include "ErrorStats.h"
#include "FP8GemmReference.h"
#include "KernelCheck.h"
#include "Status.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kiln::kerneltest {
namespace {

// One drawn problem, on the host: A, B and their scales, each group's rows and first row.
struct GroupedProblem {
  std::vector<uint8_t> a, b;
  std::vector<float> aScale, bScale;
  std::vector<size_t> count, start;
  size_t rows = 0, tileM = 0, splits = 1;
};

class GroupedGemmCheck : public KernelCheck {
public:
  GroupedGemmCheck(bool masked, bool mma) : masked_(masked), mma_(mma) {}
  const char *name() const override {
    if (mma_)
      return masked_ ? "fp8_gemm_mma_masked" : "fp8_gemm_mma_grouped";
    return masked_ ? "fp8_gemm_sm90_masked" : "fp8_gemm_sm90_grouped";
  }
  const char *shapeSyntax() const override {
    return mma_ ? "GROUPSxMxNxKxBNxCOUNTS" : "GROUPSxMxNxKxBMxBNxSTAGESxOUTBITSxSPLITSxCOUNTS";
  }

  kiln_status_t run(KernelLauncher &launcher, const CheckInput &input,
                    CheckResult *result) const override {
    const size_t groups = static_cast<size_t>(input.shape[0]);
    const size_t m = static_cast<size_t>(input.shape[1]);
    const size_t n = static_cast<size_t>(input.shape[2]);
    const size_t k = static_cast<size_t>(input.shape[3]);
    // The mma kernels' fixed parameters: BM 64, f32 output, no split-K, and the cp.async
    // stages of FP8GemmMma.h (3 for BN 64, 2 for 128).
    const size_t tileM = mma_ ? 64 : static_cast<size_t>(input.shape[4]);
    const size_t tileN = static_cast<size_t>(input.shape[mma_ ? 4 : 5]);
    const size_t stages = mma_ ? (tileN == 64 ? 3 : 2) : static_cast<size_t>(input.shape[6]);
    const int64_t outBits = mma_ ? 32 : input.shape[7];
    const bool bf16 = outBits == 16;
    const size_t splits = mma_ ? 1 : static_cast<size_t>(input.shape[8]);
    const bool uneven = input.shape[mma_ ? 5 : 9] == 2;
    const std::vector<ShapeRule> rules = {
        {groups == 0, "GROUPS must be at least 1"},
        {m == 0, "M must be at least 1"},
        {n == 0 || n % 8 != 0, "N must be a positive multiple of 8"},
        {k == 0 || k % 16 != 0, "K must be a positive multiple of 16"},
        {mma_ && tileN != 64, "BN must be 64 (FP8GemmMma.h)"},
        {!mma_ && tileM != 64 && tileM != 128, "BM must be 64 or 128"},
        {!mma_ && tileN != 64 && tileN != 128, "BN must be 64 or 128"},
        {stages == 0, "STAGES must be at least 1"},
        {outBits != 16 && outBits != 32, "OUTBITS must be 16 (bf16) or 32 (f32)"},
        {splits == 0, "SPLITS must be at least 1"},
        {bf16 && splits != 1, "OUTBITS 16 needs SPLITS 1 (split-K adds into an f32 C)"}};
    if (kiln_status_t status = checkShapeRules(*this, input.shape, rules))
      return status;
    const size_t kBlocks = (k + kGemmBlockK - 1) / kGemmBlockK, nBlocks = (n + 127) / 128;

    // Rows of each group and where they start in A and C.
    GroupedProblem p;
    p.tileM = tileM;
    p.splits = splits;
    std::vector<size_t> &count = p.count, &start = p.start;
    count.resize(groups);
    start.resize(groups);
    std::uniform_int_distribution<size_t> anyCount(0, m);
    for (size_t g = 0; g < groups; ++g)
      count[g] = !uneven || g == 0 ? m : g == 1 ? 0 : anyCount(*input.random);
    std::vector<int32_t> groupArgument;
    size_t &rows = p.rows;
    if (masked_) {
      for (size_t g = 0; g < groups; ++g) {
        start[g] = g * m;
        groupArgument.push_back(static_cast<int32_t>(count[g]));
      }
      rows = groups * m;
    } else {
      for (size_t g = 0; g < groups; ++g) {
        start[g] = rows;
        size_t blocks = (count[g] + tileM - 1) / tileM;
        groupArgument.insert(groupArgument.end(), blocks, static_cast<int32_t>(g));
        rows += blocks * tileM;
      }
      groupArgument.insert(groupArgument.end(), 1, -1); // a block of padding to skip
      rows += tileM;
    }

    std::vector<uint8_t> &a = p.a, &b = p.b;
    std::vector<float> &aScale = p.aScale, &bScale = p.bScale;
    a.resize(rows * k);
    b.resize(groups * n * k);
    aScale.resize(rows * kBlocks);
    bScale.resize(groups * nBlocks * kBlocks);
    randomE4M3(*input.random, &a);
    randomE4M3(*input.random, &b);
    randomScales(*input.random, false, &aScale);
    randomScales(*input.random, false, &bScale);

    CUdeviceptr da = 0, dAScale = 0, db = 0, dBScale = 0, dc = 0, dGroups = 0, dMapA = 0,
                dMapB = 0;
    GemmOutput output(rows * n, bf16);
    for (auto [host, bytes, device] :
         {std::tuple<const void *, size_t, CUdeviceptr *>{a.data(), a.size(), &da},
          {b.data(), b.size(), &db},
          {aScale.data(), aScale.size() * sizeof(float), &dAScale},
          {bScale.data(), bScale.size() * sizeof(float), &dBScale},
          {groupArgument.data(), groupArgument.size() * sizeof(int32_t), &dGroups}})
      if (kiln_status_t status = launcher.upload(host, bytes, device))
        return status;
    if (kiln_status_t status = output.upload(launcher, /*zero=*/splits > 1, &dc))
      return status;
    int32_t mArgument = static_cast<int32_t>(masked_ ? m : rows);
    int32_t splitArgument = static_cast<int32_t>(splits);
    int32_t groupCount = static_cast<int32_t>(groups);
    size_t mTiles = masked_ ? groups * ((m + tileM - 1) / tileM) : rows / tileM;
    LaunchShape shape;
    if (mma_) {
      void *arguments[] = {&da, &dAScale, &db, &dBScale, &dc, &mArgument, &dGroups, &groupCount};
      shape.block[0] = 128;
      shape.grid[0] = static_cast<unsigned>((n + tileN - 1) / tileN);
      shape.grid[1] = static_cast<unsigned>(mTiles);
      shape.sharedBytes = static_cast<unsigned>(stages * (tileM + tileN) * kGemmBlockK);
      return checkAndTime(launcher, input, shape, arguments, output, dc, p, result);
    }
    if (kiln_status_t status =
            launcher.tensorMap2D(da, rows, k, static_cast<unsigned>(tileM), kGemmBlockK, &dMapA))
      return status;
    if (kiln_status_t status = launcher.tensorMap2D(db, groups * n, k,
                                                    static_cast<unsigned>(tileN), kGemmBlockK,
                                                    &dMapB))
      return status;
    void *arguments[] = {&dAScale, &dBScale, &dc,           &dMapA,     &dMapB,
                         &mArgument, &splitArgument, &dGroups, &groupCount};
    shape.block[0] = static_cast<unsigned>(128 * (tileM / 64 + 1));
    size_t units = mTiles * ((n + tileN - 1) / tileN) * splits;
    shape.grid[0] = static_cast<unsigned>(
        std::max<size_t>(1, std::min<size_t>(units, std::max(1, input.multiprocessors))));
    shape.sharedBytes = static_cast<unsigned>(2048 + stages * (tileM + tileN) * kGemmBlockK);
    return checkAndTime(launcher, input, shape, arguments, output, dc, p, result);
  }

private:
  // One launch checked against the float64 reference, then the timed launches.
  kiln_status_t checkAndTime(KernelLauncher &launcher, const CheckInput &input,
                             const LaunchShape &shape, void **arguments, GemmOutput &output,
                             CUdeviceptr dc, const GroupedProblem &p,
                             CheckResult *result) const {
    const std::vector<uint8_t> &a = p.a, &b = p.b;
    const std::vector<float> &aScale = p.aScale, &bScale = p.bScale;
    const std::vector<size_t> &count = p.count, &start = p.start;
    const size_t rows = p.rows, tileM = p.tileM, splits = p.splits;
    const size_t groups = count.size();
    const size_t m = static_cast<size_t>(input.shape[1]);
    const size_t n = static_cast<size_t>(input.shape[2]);
    const size_t k = static_cast<size_t>(input.shape[3]);
    const size_t kBlocks = (k + kGemmBlockK - 1) / kGemmBlockK, nBlocks = (n + 127) / 128;
    if (kiln_status_t status = launcher.launch(input.function, shape, arguments))
      return status;
    std::vector<float> c;
    if (kiln_status_t status = output.download(launcher, dc, &c))
      return status;

    BlockScaledReference reference(k, output.roundoff());
    std::vector<float> actual;
    std::vector<double> expected, bound;
    std::vector<size_t> where;
    size_t valid = 0;
    for (size_t g = 0; g < groups; ++g)
      valid += count[g];
    const bool sampled = static_cast<double>(valid) * n * k > 4294967296.0;
    std::uniform_int_distribution<size_t> offset(0, 63);
    for (size_t g = 0; g < groups; ++g) {
      auto add = [&](size_t local, size_t col) {
        size_t row = start[g] + local;
        double elementBound = 0;
        expected.push_back(reference.at(&a[row * k], &b[(g * n + col) * k], &aScale[row * kBlocks],
                                        &bScale[(g * nBlocks + col / 128) * kBlocks],
                                        &elementBound));
        bound.push_back(elementBound);
        actual.push_back(c[row * n + col]);
        where.push_back(row * n + col);
      };
      if (!sampled) {
        for (size_t local = 0; local < count[g]; ++local)
          for (size_t col = 0; col < n; ++col)
            add(local, col);
      } else {
        for (size_t local = 0; local < count[g]; local += 64)
          for (size_t col = 0; col < n; col += 64)
            for (int i = 0; i < 2; ++i)
              add(std::min(count[g] - 1, local + offset(*input.random)),
                  std::min(n - 1, col + offset(*input.random)));
      }
    }
    ErrorStats stats = compareToReference(actual, expected, bound);

    // Rows the kernel must not write: masked, past each count; contiguous, the padding block.
    size_t written = 0, firstWritten = 0;
    auto mustStayNaN = [&](size_t row) {
      for (size_t col = 0; col < n; ++col)
        if (!std::isnan(c[row * n + col]) && written++ == 0)
          firstWritten = row * n + col;
    };
    if (splits == 1) { // split-K starts from zeros: nothing to tell apart
      if (masked_) {
        for (size_t g = 0; g < groups; ++g)
          for (size_t local = count[g]; local < m; ++local)
            mustStayNaN(start[g] + local);
      } else {
        for (size_t row = rows - tileM; row < rows; ++row)
          mustStayNaN(row);
      }
    }
    result->maxAbsError = stats.maxAbsError;
    result->maxRelError = stats.maxRelError;
    result->passed = stats.failures == 0 && written == 0;
    result->flops = 2.0 * static_cast<double>(valid) * n * k;
    if (!result->passed) {
      size_t i = stats.firstFailure;
      char line[256];
      std::snprintf(line, sizeof line,
                    "%zu elements written that must not be; first C[%zu, %zu] = %g", written,
                    firstWritten / n, firstWritten % n, written ? c[firstWritten] : 0.0f);
      result->failure = stats.failures
                            ? outOfBoundsLine(stats.failures, actual.size(), sampled, where[i], n,
                                              actual[i], expected[i], bound[i])
                            : std::string(line);
    }
    return launcher.time(input.function, shape, arguments, input.iterations,
                         &result->microseconds);
  }

  bool masked_, mma_;
};

} // namespace

void addGroupedGemmChecks(std::vector<const KernelCheck *> *checks) {
  static const GroupedGemmCheck all[] = {
      GroupedGemmCheck(/*masked=*/false, /*mma=*/false),
      GroupedGemmCheck(/*masked=*/true, /*mma=*/false),
      GroupedGemmCheck(/*masked=*/false, /*mma=*/true),
      GroupedGemmCheck(/*masked=*/true, /*mma=*/true)};
  for (const GroupedGemmCheck &check : all)
    checks->push_back(&check);
}

} // namespace kiln::kerneltest
