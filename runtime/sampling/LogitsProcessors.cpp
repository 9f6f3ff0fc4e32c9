// LogitsProcessors.cpp - transformers' logits processors (see LogitsProcessors.h).
#include "LogitsProcessors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kiln::sampling {

namespace {
constexpr double kRemoved = -std::numeric_limits<double>::infinity();
} // namespace

void applyRepetitionPenalty(std::vector<double> &scores, const std::vector<int32_t> &history,
                            double penalty) {
  if (penalty == 1.0) return;
  std::vector<bool> seen(scores.size(), false);
  for (int32_t id : history) {
    if (id < 0 || static_cast<size_t>(id) >= scores.size() || seen[id]) continue;
    seen[id] = true;
    double &s = scores[id];
    s = s < 0 ? s * penalty : s / penalty;
  }
}

void applyTemperature(std::vector<double> &scores, double temperature) {
  for (double &s : scores) s /= temperature;
}

void applyTopK(std::vector<double> &scores, int64_t k) {
  if (k <= 0 || static_cast<size_t>(k) >= scores.size()) return;
  std::vector<double> sorted(scores);
  std::nth_element(sorted.begin(), sorted.begin() + (k - 1), sorted.end(), std::greater<double>());
  double threshold = sorted[k - 1];
  for (double &s : scores)
    if (s < threshold) s = kRemoved;
}

void applyTopP(std::vector<double> &scores, double p) {
  if (p >= 1.0) return;
  std::vector<int32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return scores[a] < scores[b]; });
  std::vector<double> sorted(scores.size());
  for (size_t i = 0; i < order.size(); ++i) sorted[i] = scores[order[i]];
  std::vector<double> probs = softmax(sorted);
  double cumulative = 0;
  for (size_t i = 0; i + 1 < order.size(); ++i) { // the last (most likely) always stays
    cumulative += probs[i];
    if (cumulative <= 1.0 - p) scores[order[i]] = kRemoved;
  }
}

std::vector<double> softmax(const std::vector<double> &scores) {
  std::vector<double> probs(scores.size(), 0.0);
  double max = kRemoved;
  for (double s : scores) max = std::max(max, s);
  if (max == kRemoved) return probs;
  double sum = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    probs[i] = scores[i] == kRemoved ? 0.0 : std::exp(scores[i] - max);
    sum += probs[i];
  }
  for (double &q : probs) q /= sum;
  return probs;
}

int32_t argmax(const std::vector<double> &scores) {
  return static_cast<int32_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

} // namespace kiln::sampling
