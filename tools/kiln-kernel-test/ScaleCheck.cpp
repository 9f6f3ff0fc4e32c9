// ScaleCheck.cpp - check "scale": y[i] = x[i] * s over f32, the smoke test of the launch path.
//
// Kernel ABI: scale(x: f32*, y: f32*, s: f32), one thread per element; shape N.
#include "ErrorStats.h"
#include "KernelCheck.h"

#include <cfloat>
#include <cmath>
#include <cstdio>

namespace kiln::kerneltest {
namespace {

class ScaleCheck : public KernelCheck {
public:
  const char *name() const override { return "scale"; }
  const char *shapeSyntax() const override { return "N"; }

  kiln_status_t run(KernelLauncher &launcher, const CheckInput &input,
                    CheckResult *result) const override {
    const size_t n = static_cast<size_t>(input.shape[0]);
    std::uniform_real_distribution<float> values(-1.0f, 1.0f), scales(0.5f, 2.0f);
    std::vector<float> x(n);
    for (float &v : x)
      v = values(*input.random);
    float s = scales(*input.random);

    CUdeviceptr dx = 0, dy = 0;
    std::vector<float> y(n);
    if (kiln_status_t status = launcher.upload(x, &dx))
      return status;
    if (kiln_status_t status = launcher.allocate(n * sizeof(float), &dy))
      return status;
    void *arguments[] = {&dx, &dy, &s};
    LaunchShape shape;
    shape.block[0] = 256;
    shape.grid[0] = static_cast<unsigned>((n + 255) / 256);
    if (kiln_status_t status = launcher.launch(input.function, shape, arguments))
      return status;
    if (kiln_status_t status = launcher.download(dy, &y))
      return status;

    // One f32 multiply rounds once: within half an ulp (FLT_MIN covers a flushed subnormal).
    std::vector<double> reference(n), bound(n);
    for (size_t i = 0; i < n; ++i) {
      reference[i] = static_cast<double>(x[i]) * static_cast<double>(s);
      bound[i] = kFloat32Roundoff * std::fabs(reference[i]) + FLT_MIN;
    }
    ErrorStats stats = compareToReference(y, reference, bound);
    result->maxAbsError = stats.maxAbsError;
    result->maxRelError = stats.maxRelError;
    result->passed = stats.failures == 0;
    if (!result->passed) {
      size_t i = stats.firstFailure;
      char line[256];
      std::snprintf(line, sizeof line,
                    "%zu of %zu elements out of bounds; first y[%zu] = %.9g, want %.9g",
                    stats.failures, n, i, y[i], reference[i]);
      result->failure = line;
    }
    return launcher.time(input.function, shape, arguments, input.iterations, &result->microseconds);
  }
};

} // namespace

const KernelCheck &scaleCheck() {
  static const ScaleCheck check;
  return check;
}

} // namespace kiln::kerneltest
