// ErrorStats.h - a kernel's output against its float64 CPU reference.
#ifndef KILN_TOOLS_KERNEL_TEST_ERRORSTATS_H
#define KILN_TOOLS_KERNEL_TEST_ERRORSTATS_H

#include <cstddef>
#include <vector>

namespace kiln::kerneltest {

struct ErrorStats {
  double maxAbsError = 0;
  // max |actual - reference| / max |reference|: relative to the output's scale, as the numerics
  // contract measures logits (a per-element ratio explodes where a dot product cancels).
  double maxRelError = 0;
  size_t failures = 0; // elements outside their bound (NaN counts)
  size_t firstFailure = 0;
};

// Compares `actual` with `reference` element by element; element i passes when
// |actual[i] - reference[i]| <= bound[i], or when both are NaN (a NaN input's result; no
// random input holds a NaN code, so only the every-code checks expect one). Checks derive each
// bound from the rounding error float32 arithmetic may make, so a pass means "as exact as f32
// allows", not "close enough".
ErrorStats compareToReference(const std::vector<float> &actual,
                              const std::vector<double> &reference,
                              const std::vector<double> &bound);

// The unit roundoff of float32 (half an ulp of 1): 2^-24.
constexpr double kFloat32Roundoff = 1.0 / 16777216.0;

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_ERRORSTATS_H
