// Model.cpp - the layers of Model.h.
#include "Model.h"

#include "BaselineError.h"
#include "Blas.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace kiln::baseline {

namespace {

float *sized(std::vector<float> &buffer, int64_t count) {
  if (buffer.size() < static_cast<size_t>(count))
    buffer.resize(static_cast<size_t>(count));
  return buffer.data();
}

/// out[r] = w ⊙ x[r] / sqrt(mean(x[r]²) + eps) for `rows` rows of `dim` (strides ldx, ldo).
void rmsNorm(const float *x, int64_t ldx, int64_t rows, int64_t dim, const float *w, double eps,
             float *out, int64_t ldo) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * ldx;
    float sum = 0.0f;
    for (int64_t d = 0; d < dim; ++d)
      sum += xr[d] * xr[d];
    float inv = 1.0f / std::sqrt(sum / static_cast<float>(dim) + static_cast<float>(eps));
    for (int64_t d = 0; d < dim; ++d)
      out[r * ldo + d] = xr[d] * inv * w[d];
  }
}

/// In place: row[0 .. visible) = softmax(row · scale), row[visible .. length) = 0 (the causal
/// mask: a token sees the positions up to its own).
void causalSoftmax(float *row, int64_t visible, int64_t length, float scale) {
  float max = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < visible; ++j) {
    row[j] *= scale;
    max = std::max(max, row[j]);
  }
  float sum = 0.0f;
  for (int64_t j = 0; j < visible; ++j) {
    row[j] = std::exp(row[j] - max);
    sum += row[j];
  }
  for (int64_t j = 0; j < visible; ++j)
    row[j] /= sum;
  std::fill(row + visible, row + length, 0.0f);
}

void softmax(const float *x, int64_t n, float *out) {
  float max = *std::max_element(x, x + n), sum = 0.0f;
  for (int64_t i = 0; i < n; ++i)
    sum += out[i] = std::exp(x[i] - max);
  for (int64_t i = 0; i < n; ++i)
    out[i] /= sum;
}

/// The `k` largest of sel[0 .. n) (ties to the lower index) into idx[0 .. k).
void topk(const float *sel, int64_t n, int64_t k, int32_t *idx) {
  for (int64_t j = 0; j < k; ++j) {
    int64_t best = -1;
    for (int64_t i = 0; i < n; ++i) {
      if (std::find(idx, idx + j, static_cast<int32_t>(i)) != idx + j)
        continue;
      if (best < 0 || sel[i] > sel[best])
        best = i;
    }
    idx[j] = static_cast<int32_t>(best);
  }
}

} // namespace

Model::Model(const BaselineConfig &config, const ModelWeights &weights, int64_t maxPositions,
             MLAForm prefillForm)
    : c_(config), w_(weights), maxPositions_(maxPositions), prefillForm_(prefillForm),
      rope_(config, maxPositions),
      cache_(static_cast<size_t>(config.layers),
             std::vector<float>(
                 static_cast<size_t>(maxPositions * (config.kvLoraRank + config.rope)))) {}

void Model::forward(const int32_t *ids, int64_t count, int64_t start, MLAForm form,
                    float *logits) {
  if (count < 1 || start < 0 || start + count > maxPositions_)
    throw BaselineError{"positions " + std::to_string(start) + ".." +
                        std::to_string(start + count - 1) + " are past the KV cache's " +
                        std::to_string(maxPositions_)};
  const int64_t H = c_.hidden;
  float *x = sized(x_, count * H), *a = sized(a_, count * H), *mix = sized(mix_, count * H);
  for (int64_t t = 0; t < count; ++t)
    std::memcpy(x + t * H, w_.embed.data() + int64_t{ids[t]} * H, H * sizeof(float));
  for (size_t l = 0; l < w_.layers.size(); ++l) {
    const LayerWeights &layer = w_.layers[l];
    rmsNorm(x, H, count, H, layer.inputNorm.data(), c_.rmsEps, a, H);
    attention(layer.attention, cache_[l], a, count, start, form, mix);
    for (int64_t i = 0; i < count * H; ++i)
      x[i] += mix[i];
    rmsNorm(x, H, count, H, layer.postNorm.data(), c_.rmsEps, a, H);
    if (layer.moe)
      moe(layer, a, count, mix);
    else
      swiglu(layer.dense, a, count, mix);
    for (int64_t i = 0; i < count * H; ++i)
      x[i] += mix[i];
  }
  rmsNorm(x, H, count, H, w_.finalNorm.data(), c_.rmsEps, a, H);
  linear(count, H, c_.vocab, a, w_.lmHead.data(), logits);
}

void Model::attention(const AttentionWeights &w, std::vector<float> &cache, const float *a,
                      int64_t count, int64_t start, MLAForm form, float *out) {
  project(w, a, count);
  cacheLatent(w, cache, count, start);
  sized(o_, count * c_.heads * c_.vHead);
  if (form == MLAForm::Naive)
    attendNaive(w, cache, count, start);
  else
    for (int64_t head = 0; head < c_.heads; ++head)
      attendAbsorbed(w, cache, head, count, start);
  linear(count, c_.heads * c_.vHead, c_.hidden, o_.data(), w.o.data(), out);
}

/// q_ [count, heads · (nope + rope)] and ckv_ [count, kv_lora + rope] from the normed input.
void Model::project(const AttentionWeights &w, const float *a, int64_t count) {
  const int64_t H = c_.hidden, qDim = c_.heads * c_.qkHeadDim();
  float *q = sized(q_, count * qDim);
  if (const int64_t rank = c_.qLoraRank; rank > 0) {
    float *low = sized(qLow_, count * rank);
    linear(count, H, rank, a, w.qA.data(), low);
    rmsNorm(low, rank, count, rank, w.qANorm.data(), c_.rmsEps, low, rank);
    linear(count, rank, qDim, low, w.qB.data(), q);
  } else {
    linear(count, H, qDim, a, w.q.data(), q);
  }
  linear(count, H, c_.kvLoraRank + c_.rope, a, w.kvA.data(),
         sized(ckv_, count * (c_.kvLoraRank + c_.rope)));
}

/// The cache row of each new position: the normed latent, then the rotated shared key.
void Model::cacheLatent(const AttentionWeights &w, std::vector<float> &cache, int64_t count,
                        int64_t start) {
  const int64_t C = c_.kvLoraRank, row = C + c_.rope;
  for (int64_t t = 0; t < count; ++t) {
    float *slot = cache.data() + (start + t) * row;
    const float *src = ckv_.data() + t * row;
    rmsNorm(src, row, 1, C, w.kvANorm.data(), c_.rmsEps, slot, row);
    std::memcpy(slot + C, src + C, c_.rope * sizeof(float));
    rope_.rotate(slot + C, start + t);
  }
}

/// Every head in the model's own dimensions into o_: the cached latents expanded once into
/// per-head keys and values, kv [length, heads · (nope + v)] = latent · kv_bᵀ; then per head
/// scores q_nope·k_nopeᵀ + RoPE(q_pe)·k_peᵀ (k_pe shared by the heads), causal softmax, · v.
void Model::attendNaive(const AttentionWeights &w, const std::vector<float> &cache,
                        int64_t count, int64_t start) {
  const int64_t C = c_.kvLoraRank, R = c_.rope, D = c_.nope, V = c_.vHead, heads = c_.heads;
  const int64_t row = C + R, qStride = heads * (D + R), kvStride = heads * (D + V);
  const int64_t length = start + count;
  float *kv = sized(kv_, length * kvStride), *qPe = sized(qPe_, count * R);
  float *scores = sized(scores_, count * length), *o = o_.data();
  matmul(length, kvStride, C, cache.data(), row, w.kvB.data(), C, BLayout::RowsAreOutputs, kv,
         kvStride);
  const float scale = static_cast<float>(c_.softmaxScale());
  for (int64_t head = 0; head < heads; ++head) {
    const float *qHead = q_.data() + head * (D + R), *kvHead = kv + head * (D + V);
    for (int64_t t = 0; t < count; ++t) {
      std::memcpy(qPe + t * R, qHead + t * qStride + D, R * sizeof(float));
      rope_.rotate(qPe + t * R, start + t);
    }
    matmul(count, length, D, qHead, qStride, kvHead, kvStride, BLayout::RowsAreOutputs, scores,
           length);
    matmul(count, length, R, qPe, R, cache.data() + C, row, BLayout::RowsAreOutputs, scores,
           length, /*beta=*/1.0f);
    for (int64_t t = 0; t < count; ++t)
      causalSoftmax(scores + t * length, start + t + 1, length, scale);
    matmul(count, V, length, scores, length, kvHead + D, kvStride, BLayout::RowsAreInputs,
           o + head * V, heads * V);
  }
}

/// One head's absorbed attention over the cache into o_[:, head · v ..].
void Model::attendAbsorbed(const AttentionWeights &w, const std::vector<float> &cache,
                           int64_t head, int64_t count, int64_t start) {
  const int64_t C = c_.kvLoraRank, R = c_.rope, D = c_.nope, V = c_.vHead;
  const int64_t row = C + R, qStride = c_.heads * (D + R), length = start + count;
  const float *qHead = q_.data() + head * (D + R);
  const float *wUK = w.kvB.data() + head * (D + V) * C; // [D, C]
  const float *wUV = wUK + D * C;                       // [V, C]
  float *qFull = sized(qFull_, count * row), *scores = sized(scores_, count * length);
  float *oLat = sized(oLat_, count * C), *o = o_.data();
  // The query in latent space, then its rotated rope part: [q_nope · W_UK ; RoPE(q_pe)].
  matmul(count, C, D, qHead, qStride, wUK, C, BLayout::RowsAreInputs, qFull, row);
  for (int64_t t = 0; t < count; ++t) {
    std::memcpy(qFull + t * row + C, qHead + t * qStride + D, R * sizeof(float));
    rope_.rotate(qFull + t * row + C, start + t);
  }
  matmul(count, length, row, qFull, row, cache.data(), row, BLayout::RowsAreOutputs, scores,
         length);
  const float scale = static_cast<float>(c_.softmaxScale());
  for (int64_t t = 0; t < count; ++t)
    causalSoftmax(scores + t * length, start + t + 1, length, scale);
  matmul(count, C, length, scores, length, cache.data(), row, BLayout::RowsAreInputs, oLat, C);
  matmul(count, V, C, oLat, C, wUV, C, BLayout::RowsAreOutputs, o + head * V, c_.heads * V);
}

/// out = down(silu(gate(x)) ⊙ up(x)).
void Model::swiglu(const SwiGLU &mlp, const float *x, int64_t count, float *out) {
  const int64_t I = mlp.inner;
  float *gu = sized(gu_, count * 2 * I), *h = sized(h_, count * I);
  linear(count, c_.hidden, 2 * I, x, mlp.gateUp.data(), gu);
  for (int64_t t = 0; t < count; ++t)
    for (int64_t i = 0; i < I; ++i) {
      float g = gu[t * 2 * I + i];
      h[t * I + i] = g / (1.0f + std::exp(-g)) * gu[t * 2 * I + I + i];
    }
  linear(count, I, c_.hidden, h, mlp.down.data(), out);
}

/// Routed experts, each once over the tokens that chose it, weighted; plus the shared experts.
void Model::moe(const LayerWeights &w, const float *x, int64_t count, float *out) {
  const int64_t H = c_.hidden, E = c_.routedExperts, K = c_.expertsPerToken;
  float *logits = sized(routerLogits_, count * E);
  linear(count, H, E, x, w.router.data(), logits);
  std::vector<std::vector<std::pair<int64_t, float>>> chosen(static_cast<size_t>(E));
  std::vector<int32_t> experts(static_cast<size_t>(K));
  std::vector<float> weights(static_cast<size_t>(K));
  for (int64_t t = 0; t < count; ++t) {
    route(logits + t * E, experts.data(), weights.data());
    for (int64_t j = 0; j < K; ++j)
      chosen[experts[j]].push_back({t, weights[j]});
  }
  std::fill(out, out + count * H, 0.0f);
  for (int64_t e = 0; e < E; ++e) {
    const auto &tokens = chosen[e];
    const int64_t n = static_cast<int64_t>(tokens.size());
    if (n == 0)
      continue;
    float *in = sized(gathered_, n * H), *y = sized(expertOut_, n * H);
    for (int64_t r = 0; r < n; ++r)
      std::memcpy(in + r * H, x + tokens[r].first * H, H * sizeof(float));
    swiglu(w.experts[e], in, n, y);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t d = 0; d < H; ++d)
        out[tokens[r].first * H + d] += tokens[r].second * y[r * H + d];
  }
  if (c_.sharedExperts == 0)
    return;
  float *shared = sized(expertOut_, count * H);
  swiglu(w.shared, x, count, shared);
  for (int64_t i = 0; i < count * H; ++i)
    out[i] += shared[i];
}

/// V2's routers: softmax scores; group_limited_greedy keeps the topk_group groups with the best
/// max score (the others -inf); top-k (ties to the lower index); optional renormalisation; times
/// routed_scaling_factor.
void Model::route(const float *logits, int32_t *experts, float *weights) const {
  const int64_t E = c_.routedExperts, K = c_.expertsPerToken, G = c_.groups;
  std::vector<float> scores(static_cast<size_t>(E)), select(static_cast<size_t>(E));
  softmax(logits, E, scores.data());
  select = scores;
  if (G > 1) {
    const int64_t per = E / G;
    std::vector<float> groupScore(static_cast<size_t>(G));
    for (int64_t g = 0; g < G; ++g)
      groupScore[g] = *std::max_element(scores.begin() + g * per, scores.begin() + (g + 1) * per);
    std::vector<int32_t> kept(static_cast<size_t>(c_.keptGroups));
    topk(groupScore.data(), G, c_.keptGroups, kept.data());
    for (int64_t g = 0; g < G; ++g)
      if (std::find(kept.begin(), kept.end(), g) == kept.end())
        std::fill(select.begin() + g * per, select.begin() + (g + 1) * per,
                  -std::numeric_limits<float>::infinity());
  }
  topk(select.data(), E, K, experts);
  float total = 0.0f;
  for (int64_t j = 0; j < K; ++j)
    total += weights[j] = scores[experts[j]];
  for (int64_t j = 0; j < K; ++j) {
    if (c_.normTopkProb)
      weights[j] /= total + 1e-20f;
    weights[j] *= static_cast<float>(c_.routedScaling);
  }
}

} // namespace kiln::baseline
