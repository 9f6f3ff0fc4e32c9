//===- RopeTable.cpp ------------------------------------------------------===//
#include "compiler/lowering/RopeTable.h"

#include <algorithm>
#include <cmath>

namespace kiln::lowering {

std::vector<float> computeRopeTable(const RopeParams &p) {
  const int64_t half = p.dim / 2;
  std::vector<float> freq(half);
  const double pi = 3.14159265358979323846;
  bool yarn = p.factor > 1.0 && p.original > 0;
  // Correction range of the ramp: dims whose wavelength fits beta_fast / beta_slow times into
  // the original context.
  auto correctionDim = [&](double rotations) {
    return p.dim * std::log(p.original / (rotations * 2 * pi)) / (2 * std::log(p.theta));
  };
  double low = 0, high = 0;
  if (yarn) {
    low = std::max(std::floor(correctionDim(p.betaFast)), 0.0);
    high = std::min(std::ceil(correctionDim(p.betaSlow)), double(p.dim - 1));
    if (low == high)
      high += 0.001;
  }
  for (int64_t i = 0; i < half; ++i) {
    // transformers: 1 / theta^(arange(0, dim, 2) / dim), in f32.
    float f = 1.0f / static_cast<float>(std::pow(p.theta, double(2 * i) / double(p.dim)));
    if (yarn) {
      float ramp = static_cast<float>(std::clamp((double(i) - low) / (high - low), 0.0, 1.0));
      float extrapolation = 1.0f - ramp;
      f = (f / static_cast<float>(p.factor)) * (1.0f - extrapolation) + f * extrapolation;
    }
    freq[i] = f;
  }
  std::vector<float> table(static_cast<size_t>(p.positions) * half * 2);
  for (int64_t pos = 0; pos < p.positions; ++pos)
    for (int64_t i = 0; i < half; ++i) {
      float angle = static_cast<float>(pos) * freq[i];
      table[(pos * half + i) * 2] = static_cast<float>(std::cos(double(angle)) * p.attentionFactor);
      table[(pos * half + i) * 2 + 1] = static_cast<float>(std::sin(double(angle)) * p.attentionFactor);
    }
  return table;
}

} // namespace kiln::lowering
