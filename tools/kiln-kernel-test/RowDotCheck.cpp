// RowDotCheck.cpp - check "row_dot": out[r] = s * sum_k a[r,k] * b[r,k] over f32.
//
// A small reduction with a scale: it exercises 2-D indexing, a loop, f32 accumulation and a
// scalar argument, the pieces a GEMM check builds on. Kernel ABI:
// row_dot(a: f32* [ROWS][K], b: f32* [ROWS][K], out: f32* [ROWS], s: f32), one thread per row;
// shape ROWSxK.
#include "ErrorStats.h"
#include "KernelCheck.h"

#include <cfloat>
#include <cmath>
#include <cstdio>

namespace kiln::kerneltest {
namespace {

class RowDotCheck : public KernelCheck {
public:
  const char *name() const override { return "row_dot"; }
  const char *shapeSyntax() const override { return "ROWSxK"; }

  kiln_status_t run(KernelLauncher &launcher, const CheckInput &input,
                    CheckResult *result) const override {
    const size_t rows = static_cast<size_t>(input.shape[0]);
    const size_t k = static_cast<size_t>(input.shape[1]);
    std::uniform_real_distribution<float> values(-1.0f, 1.0f), scales(0.5f, 2.0f);
    std::vector<float> a(rows * k), b(rows * k);
    for (float &v : a)
      v = values(*input.random);
    for (float &v : b)
      v = values(*input.random);
    float s = scales(*input.random);

    CUdeviceptr da = 0, db = 0, dout = 0;
    std::vector<float> out(rows);
    if (kiln_status_t status = launcher.upload(a, &da))
      return status;
    if (kiln_status_t status = launcher.upload(b, &db))
      return status;
    if (kiln_status_t status = launcher.allocate(rows * sizeof(float), &dout))
      return status;
    void *arguments[] = {&da, &db, &dout, &s};
    LaunchShape shape;
    shape.block[0] = 128;
    shape.grid[0] = static_cast<unsigned>((rows + 127) / 128);
    if (kiln_status_t status = launcher.launch(input.function, shape, arguments))
      return status;
    if (kiln_status_t status = launcher.download(dout, &out))
      return status;

    // Any order of K f32 multiply-adds and the final scale stays within
    // (K + 1) u / (1 - (K + 1) u) * |s| * sum |a b| of the exact value (Higham's gamma bound),
    // whether or not the compiler fuses them into FMAs.
    const double gamma = (k + 1) * kFloat32Roundoff / (1 - (k + 1) * kFloat32Roundoff);
    std::vector<double> reference(rows), bound(rows);
    for (size_t r = 0; r < rows; ++r) {
      double sum = 0, magnitude = 0;
      for (size_t i = 0; i < k; ++i) {
        double product = static_cast<double>(a[r * k + i]) * static_cast<double>(b[r * k + i]);
        sum += product;
        magnitude += std::fabs(product);
      }
      reference[r] = static_cast<double>(s) * sum;
      bound[r] = gamma * static_cast<double>(s) * magnitude + FLT_MIN;
    }
    ErrorStats stats = compareToReference(out, reference, bound);
    result->maxAbsError = stats.maxAbsError;
    result->maxRelError = stats.maxRelError;
    result->passed = stats.failures == 0;
    if (!result->passed) {
      size_t r = stats.firstFailure;
      char line[256];
      std::snprintf(line, sizeof line,
                    "%zu of %zu rows out of bounds; first out[%zu] = %.9g, want %.9g (bound %.3g)",
                    stats.failures, rows, r, out[r], reference[r], bound[r]);
      result->failure = line;
    }
    return launcher.time(input.function, shape, arguments, input.iterations, &result->microseconds);
  }
};

} // namespace

const KernelCheck &rowDotCheck() {
  static const RowDotCheck check;
  return check;
}

} // namespace kiln::kerneltest
