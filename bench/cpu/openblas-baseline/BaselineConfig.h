// BaselineConfig.h - the config.json fields the baseline's forward pass reads, for DeepSeek V2 /
// V2-Lite only (model_type deepseek_v2: softmax routers, bf16/f16/f32 weights).
//
// Fields a config leaves out take transformers' DeepseekV2Config defaults, as Kiln's importer
// does (compiler/frontend/ModelConfig.cpp); both rope spellings are read (v4 `rope_scaling` +
// `rope_theta`, v5 `rope_parameters`). Anything the baseline does not compute — V3's routing
// (sigmoid, noaux_tc), V3.2's indexer, FP8 (`quantization_config`) — is refused, not ignored.
#ifndef KILN_BENCH_OPENBLAS_BASELINECONFIG_H
#define KILN_BENCH_OPENBLAS_BASELINECONFIG_H

#include <cstdint>
#include <string>

namespace kiln::baseline {

struct YarnScaling {
  double factor = 1.0;
  int64_t originalMaxPositions = 0;
  double betaFast = 32.0;
  double betaSlow = 1.0;
  double mscale = 1.0;
  double mscaleAllDim = 0.0;
};

struct BaselineConfig {
  int64_t vocab = 0, hidden = 0, intermediate = 0, moeIntermediate = 0, layers = 0;
  int64_t heads = 0, qLoraRank = 0 /* 0: direct q_proj */, kvLoraRank = 0;
  int64_t nope = 0, rope = 0, vHead = 0;
  int64_t routedExperts = 0, sharedExperts = 0, expertsPerToken = 0;
  int64_t groups = 1, keptGroups = 1; // group_limited_greedy; 1 and 1 for greedy
  int64_t firstDense = 0, moeLayerFreq = 1;
  bool normTopkProb = false;
  double routedScaling = 1.0;
  double ropeTheta = 10000.0;
  bool yarn = false;
  YarnScaling yarnScaling;
  double rmsEps = 1e-6;
  bool tieEmbeddings = false;

  bool isMoELayer(int64_t layer) const {
    return routedExperts > 0 && layer >= firstDense && layer % moeLayerFreq == 0;
  }
  int64_t qkHeadDim() const { return nope + rope; }
  /// qk_head_dim^-0.5, times m^2 (m = 0.1 mscale_all_dim ln(factor) + 1) under YaRN.
  double softmaxScale() const;
  /// YaRN's cos/sin factor m(mscale) / m(mscale_all_dim) (1 for every released config).
  double ropeAttentionFactor() const;
};

/// Reads and checks `path` (a config.json). Throws BaselineError "<path>: <problem>".
BaselineConfig readConfig(const std::string &path);

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_BASELINECONFIG_H
