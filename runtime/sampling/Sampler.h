// Sampler.h - picks the next token from a model's logits.
//
// temperature <= 0 is greedy: the argmax after the repetition penalty (transformers'
// do_sample=False). Otherwise: repetition penalty, temperature, top-k, top-p (LogitsProcessors),
// then one draw from the remaining distribution by inverse CDF: u = Rng::uniform(), and the
// first id (in id order) whose running sum of exp(score - max) exceeds u times the total. The
// same seed and the same calls give the same ids, on any machine.
#ifndef KILN_RUNTIME_SAMPLING_SAMPLER_H
#define KILN_RUNTIME_SAMPLING_SAMPLER_H

#include "Rng.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::sampling {

struct SamplingConfig {
  double temperature = 1.0;      // <= 0: greedy
  int64_t topK = 0;              // <= 0: off
  double topP = 1.0;             // >= 1: off
  double repetitionPenalty = 1.0;
  uint64_t seed = 0;

  // "" when valid, else what is wrong ("top_p must be in (0, 1]").
  std::string validate() const;
};

class Sampler {
public:
  explicit Sampler(const SamplingConfig &config) : config_(config), rng_(config.seed) {}

  // The next id. `history` is every id so far (prompt and generated), for the penalty.
  int32_t sample(const float *logits, size_t vocabSize, const std::vector<int32_t> &history);
  // The distribution sample() draws from (one-hot for greedy), for tests and inspection.
  std::vector<double> distribution(const float *logits, size_t vocabSize,
                                   const std::vector<int32_t> &history) const;

private:
  std::vector<double> processed(const float *logits, size_t vocabSize,
                                const std::vector<int32_t> &history) const;

  SamplingConfig config_;
  Rng rng_;
};

} // namespace kiln::sampling

#endif // KILN_RUNTIME_SAMPLING_SAMPLER_H
