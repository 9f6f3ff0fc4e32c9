// Model.h - DeepSeek V2's forward pass in f32 over a latent KV cache, every matrix product a BLAS
// call (Blas.h), the rest plain loops on one thread.
//
// The same math as Kiln's CPU path (compiler/lowering/*Kernels.cpp), organised the way a BLAS
// implementation would: RMSNorm; MLA with q direct or low-rank, kv_a + norm, interleaved YaRN
// RoPE on the rope parts and a latent KV cache ([normed latent ; rotated k_pe] per position);
// decode attends in the absorbed form (q_nope·W_UK per head, scores against the cached latent
// and k_pe, softmax, the weighted latent times W_UV), prefill in the naive form (every cached
// latent expanded by kv_b_proj once per call into per-head [k_nope ; v], then attention with the
// model's own head dimensions) or the absorbed one, as kiln-absorb-mla chooses; dense SwiGLU
// layers; MoE with softmax scores, greedy or group-limited top-k, norm_topk_prob,
// routed_scaling_factor and shared experts, each routed expert run once over all the tokens
// that chose it; the final norm and lm_head for every position. Formulas:
// ../shared/reference/deepseek-model.md §2.
#ifndef KILN_BENCH_OPENBLAS_MODEL_H
#define KILN_BENCH_OPENBLAS_MODEL_H

#include "BaselineConfig.h"
#include "Rope.h"
#include "Weights.h"

#include <cstdint>
#include <vector>

namespace kiln::baseline {

/// How attention applies kv_b_proj (kiln-absorb-mla's forms).
enum class MLAForm { Naive, Absorbed };

class Model {
public:
  /// A model over `weights` (kept by reference) with a KV cache of `maxPositions` positions;
  /// prefill attends in `prefillForm`, decode always absorbed.
  Model(const BaselineConfig &config, const ModelWeights &weights, int64_t maxPositions,
        MLAForm prefillForm = MLAForm::Naive);

  /// Runs ids[0 .. count) at positions start .. start + count - 1 of the one sequence, after the
  /// positions before `start` (cached by earlier calls), and writes the logits of each to
  /// logits[count, vocab]. Throws BaselineError past maxPositions.
  void prefill(const int32_t *ids, int64_t count, int64_t start, float *logits) {
    forward(ids, count, start, prefillForm_, logits);
  }
  /// One token at `position`: logits[vocab].
  void decode(int32_t id, int64_t position, float *logits) {
    forward(&id, 1, position, MLAForm::Absorbed, logits);
  }

  int64_t maxPositions() const { return maxPositions_; }

private:
  void forward(const int32_t *ids, int64_t count, int64_t start, MLAForm form, float *logits);
  void attention(const AttentionWeights &w, std::vector<float> &cache, const float *a,
                 int64_t count, int64_t start, MLAForm form, float *out);
  void project(const AttentionWeights &w, const float *a, int64_t count);
  void cacheLatent(const AttentionWeights &w, std::vector<float> &cache, int64_t count,
                   int64_t start);
  void attendNaive(const AttentionWeights &w, const std::vector<float> &cache, int64_t count,
                   int64_t start);
  void attendAbsorbed(const AttentionWeights &w, const std::vector<float> &cache, int64_t head,
                      int64_t count, int64_t start);
  void swiglu(const SwiGLU &mlp, const float *x, int64_t count, float *out);
  void moe(const LayerWeights &w, const float *x, int64_t count, float *out);
  void route(const float *logits, int32_t *experts, float *weights) const;

  const BaselineConfig &c_;
  const ModelWeights &w_;
  int64_t maxPositions_;
  MLAForm prefillForm_;
  RopeTable rope_;
  std::vector<std::vector<float>> cache_; // per layer [maxPositions, kv_lora + rope]
  // Scratch, grown on first use.
  std::vector<float> x_, a_, mix_, qLow_, q_, ckv_, qFull_, qPe_, kv_, scores_, oLat_, o_, gu_, h_,
      gathered_, expertOut_, routerLogits_;
};

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_MODEL_H
