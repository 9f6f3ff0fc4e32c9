// ErrorStats.cpp - max abs/rel error and the element-wise bound check.
#include "ErrorStats.h"

#include <cmath>
#include <limits>

namespace kiln::kerneltest {

ErrorStats compareToReference(const std::vector<float> &actual,
                              const std::vector<double> &reference,
                              const std::vector<double> &bound) {
  ErrorStats stats;
  double maxReference = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    double error = std::fabs(static_cast<double>(actual[i]) - reference[i]);
    if (std::isnan(reference[i]) && std::isnan(actual[i]))
      continue; // a NaN input's NaN, as IEEE arithmetic gives it
    if (std::isnan(error))
      error = std::numeric_limits<double>::infinity();
    stats.maxAbsError = std::fmax(stats.maxAbsError, error);
    maxReference = std::fmax(maxReference, std::fabs(reference[i]));
    if (!(error <= bound[i]) && stats.failures++ == 0)
      stats.firstFailure = i;
  }
  if (maxReference > 0)
    stats.maxRelError = stats.maxAbsError / maxReference;
  return stats;
}

} // namespace kiln::kerneltest
