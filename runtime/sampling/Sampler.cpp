// Sampler.cpp - the sampling chain (see Sampler.h).
#include "Sampler.h"

#include "LogitsProcessors.h"

#include <cmath>
#include <limits>

namespace kiln::sampling {

std::string SamplingConfig::validate() const {
  if (std::isnan(temperature)) return "temperature must be a number";
  if (!(topP > 0.0 && topP <= 1.0)) return "top_p must be in (0, 1]";
  if (!(repetitionPenalty > 0.0)) return "repetition_penalty must be > 0";
  return "";
}

std::vector<double> Sampler::processed(const float *logits, size_t vocabSize,
                                       const std::vector<int32_t> &history) const {
  std::vector<double> scores(logits, logits + vocabSize);
  applyRepetitionPenalty(scores, history, config_.repetitionPenalty);
  if (config_.temperature <= 0) return scores;
  applyTemperature(scores, config_.temperature);
  applyTopK(scores, config_.topK);
  applyTopP(scores, config_.topP);
  return scores;
}

std::vector<double> Sampler::distribution(const float *logits, size_t vocabSize,
                                          const std::vector<int32_t> &history) const {
  std::vector<double> scores = processed(logits, vocabSize, history);
  if (config_.temperature > 0) return softmax(scores);
  std::vector<double> oneHot(vocabSize, 0.0);
  if (vocabSize) oneHot[argmax(scores)] = 1.0;
  return oneHot;
}

int32_t Sampler::sample(const float *logits, size_t vocabSize, const std::vector<int32_t> &history) {
  std::vector<double> scores = processed(logits, vocabSize, history);
  if (config_.temperature <= 0 || vocabSize == 0) return vocabSize ? argmax(scores) : -1;
  double max = -std::numeric_limits<double>::infinity();
  for (double s : scores) max = std::max(max, s);
  // Weights in id order, summed left to right (the reference replays exactly this).
  std::vector<double> cumulative(vocabSize);
  double total = 0;
  for (size_t i = 0; i < vocabSize; ++i) {
    total += std::isinf(scores[i]) && scores[i] < 0 ? 0.0 : std::exp(scores[i] - max);
    cumulative[i] = total;
  }
  double target = rng_.uniform() * total;
  for (size_t i = 0; i < vocabSize; ++i)
    if (cumulative[i] > target) return static_cast<int32_t>(i);
  return argmax(scores); // only reachable through rounding at the very top
}

} // namespace kiln::sampling
