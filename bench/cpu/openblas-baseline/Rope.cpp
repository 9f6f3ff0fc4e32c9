// Rope.cpp - frequencies and angles rounded to f32 where transformers rounds them.
#include "Rope.h"

#include <algorithm>
#include <cmath>

namespace kiln::baseline {

namespace {

/// theta^(-2i/dim), blended towards theta^(-2i/dim) / factor by YaRN's ramp over the dims whose
/// wavelengths fit between beta_fast and beta_slow times into the original context.
std::vector<float> frequencies(const BaselineConfig &c) {
  const int64_t dim = c.rope, half = dim / 2;
  const YarnScaling &y = c.yarnScaling;
  const double pi = 3.14159265358979323846;
  auto correctionDim = [&](double rotations) {
    return dim * std::log(y.originalMaxPositions / (rotations * 2 * pi)) /
           (2 * std::log(c.ropeTheta));
  };
  const bool yarn = c.yarn && y.factor > 1.0;
  double low = 0, high = 1;
  if (yarn) {
    low = std::max(std::floor(correctionDim(y.betaFast)), 0.0);
    high = std::min(std::ceil(correctionDim(y.betaSlow)), double(dim - 1));
    if (low == high)
      high += 0.001;
  }
  std::vector<float> freq(half);
  for (int64_t i = 0; i < half; ++i) {
    float f = 1.0f / static_cast<float>(std::pow(c.ropeTheta, double(2 * i) / double(dim)));
    if (yarn) {
      float ramp = static_cast<float>(std::clamp((double(i) - low) / (high - low), 0.0, 1.0));
      f = (f / static_cast<float>(y.factor)) * ramp + f * (1.0f - ramp);
    }
    freq[i] = f;
  }
  return freq;
}

} // namespace

RopeTable::RopeTable(const BaselineConfig &config, int64_t positions)
    : half_(config.rope / 2), positions_(positions) {
  std::vector<float> freq = frequencies(config);
  const double factor = config.ropeAttentionFactor();
  cosSin_.resize(static_cast<size_t>(positions * half_ * 2));
  for (int64_t pos = 0; pos < positions; ++pos)
    for (int64_t i = 0; i < half_; ++i) {
      float angle = static_cast<float>(pos) * freq[i];
      cosSin_[(pos * half_ + i) * 2] = static_cast<float>(std::cos(double(angle)) * factor);
      cosSin_[(pos * half_ + i) * 2 + 1] = static_cast<float>(std::sin(double(angle)) * factor);
    }
}

void RopeTable::rotate(float *x, int64_t position) const {
  const float *cs = cosSin_.data() + position * half_ * 2;
  for (int64_t i = 0; i < half_; ++i) {
    float a = x[2 * i], b = x[2 * i + 1], cos = cs[2 * i], sin = cs[2 * i + 1];
    x[2 * i] = a * cos - b * sin;
    x[2 * i + 1] = a * sin + b * cos;
  }
}

} // namespace kiln::baseline
