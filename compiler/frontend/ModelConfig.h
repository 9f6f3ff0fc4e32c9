//===- ModelConfig.h - a DeepSeek config.json, normalised ---------------------===//
//
// Every field of ../shared/reference/deepseek-model.md §1, with transformers' defaults per
// model_type, its aliases (num_local_experts, dtype/torch_dtype) and both rope spellings
// (v4 `rope_scaling` + `rope_theta`, v5 `rope_parameters`), checked for consistency.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_MODELCONFIG_H
#define KILN_COMPILER_FRONTEND_MODELCONFIG_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::frontend {

/// The three DeepSeek routers (reference note §3.8).
enum class TopkMethod { Greedy, GroupLimitedGreedy, NoauxTc };
enum class ScoringFunc { Softmax, Sigmoid };

struct YarnConfig {
  double factor = 1.0;
  int64_t originalMaxPositionEmbeddings = 0;
  double betaFast = 32.0;
  double betaSlow = 1.0;
  double mscale = 1.0;
  double mscaleAllDim = 0.0;
};

struct QuantizationConfig {
  int64_t blockOut = 128;
  int64_t blockIn = 128;
  /// `scale_fmt: ue8m0`: activation scales round up to powers of two.
  bool ue8m0Scales = false;
};

struct ModelConfig {
  /// deepseek_v2 (V2, V2-Lite, V2.5), deepseek_v3 (V3, V3.1, R1), deepseek_v32 (V3.2).
  std::string modelType;
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;
  int64_t intermediateSize = 0;
  int64_t moeIntermediateSize = 0;
  int64_t numHiddenLayers = 0;
  int64_t numAttentionHeads = 0;
  int64_t numKeyValueHeads = 0;
  int64_t nSharedExperts = 0;
  int64_t nRoutedExperts = 0;
  int64_t numExpertsPerTok = 0;
  double routedScalingFactor = 1.0;
  int64_t nGroup = 1;
  int64_t topkGroup = 1;
  TopkMethod topkMethod = TopkMethod::Greedy;
  ScoringFunc scoringFunc = ScoringFunc::Softmax;
  bool normTopkProb = false;
  int64_t firstKDenseReplace = 0;
  int64_t moeLayerFreq = 1;
  /// 0 when the checkpoint has a direct q_proj (q_lora_rank null).
  int64_t qLoraRank = 0;
  int64_t kvLoraRank = 0;
  int64_t qkNopeHeadDim = 0;
  int64_t qkRopeHeadDim = 0;
  int64_t vHeadDim = 0;
  double ropeTheta = 10000.0;
  std::optional<YarnConfig> yarn;
  bool ropeInterleave = true;
  int64_t maxPositionEmbeddings = 0;
  double rmsNormEps = 1e-6;
  int64_t numNextnPredictLayers = 0;
  std::optional<QuantizationConfig> quantization;
  bool tieWordEmbeddings = false;
  std::string hiddenAct = "silu";
  bool attentionBias = false;
  /// V3.2's lightning indexer; all zero when absent.
  int64_t indexNHeads = 0;
  int64_t indexHeadDim = 0;
  int64_t indexTopk = 0;
  std::optional<int64_t> bosTokenId;
  std::optional<int64_t> eosTokenId;
  /// torch_dtype / dtype as written ("bfloat16", "float32", ...), empty when absent.
  std::string dtype;

  bool isMoELayer(int64_t layer) const {
    return nRoutedExperts > 0 && layer >= firstKDenseReplace && layer % moeLayerFreq == 0;
  }
  bool hasIndexer() const { return indexNHeads > 0; }
  int64_t qkHeadDim() const { return qkNopeHeadDim + qkRopeHeadDim; }
  /// qk_head_dim^-0.5, times mscale^2 under YaRN with a nonzero mscale_all_dim (§2.5).
  double softmaxScale() const;
};

/// Parses and checks `json` (the text of `fileName`). Errors read "<fileName>: <problem>".
llvm::Expected<ModelConfig> parseModelConfig(llvm::StringRef json, llvm::StringRef fileName);

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_MODELCONFIG_H
