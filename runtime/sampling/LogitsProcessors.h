// LogitsProcessors.h - the steps between a model's logits and the distribution sampled from,
// each as Hugging Face transformers' generation applies it (RepetitionPenaltyLogitsProcessor,
// TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper with min_tokens_to_keep=1), in
// that order. Scores are double; a removed token's score is -infinity.
#ifndef KILN_RUNTIME_SAMPLING_LOGITSPROCESSORS_H
#define KILN_RUNTIME_SAMPLING_LOGITSPROCESSORS_H

#include <cstdint>
#include <vector>

namespace kiln::sampling {

// Every id that occurs in `history` (each once): a negative score is multiplied by
// `penalty`, a positive one divided by it. 1 changes nothing. Ids outside the scores are ignored.
void applyRepetitionPenalty(std::vector<double> &scores, const std::vector<int32_t> &history,
                            double penalty);
// scores / temperature (temperature > 0).
void applyTemperature(std::vector<double> &scores, double temperature);
// Keeps the scores >= the k-th largest (ties with it stay); k <= 0 or >= size changes nothing.
void applyTopK(std::vector<double> &scores, int64_t k);
// Sorted ascending (ties by id), removes the tokens whose cumulative probability from the
// bottom is <= 1 - p, always keeping the most likely one. p >= 1 changes nothing.
void applyTopP(std::vector<double> &scores, double p);
// exp(score - max) normalized to sum 1; -infinity becomes 0.
std::vector<double> softmax(const std::vector<double> &scores);
// The first index of the largest score.
int32_t argmax(const std::vector<double> &scores);

} // namespace kiln::sampling

#endif // KILN_RUNTIME_SAMPLING_LOGITSPROCESSORS_H
