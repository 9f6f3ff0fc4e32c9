//===- TensorNames.cpp - every checkpoint tensor a DeepSeek config implies ------===//

#include "compiler/frontend/TensorNames.h"

namespace kiln::frontend {

namespace names {
std::string layer(int64_t layer) { return "model.layers." + std::to_string(layer); }
std::string expert(int64_t layer, int64_t expert, llvm::StringRef proj) {
  return names::layer(layer) + ".mlp.experts." + std::to_string(expert) + "." + proj.str() +
         ".weight";
}
std::string fusedGateUp(int64_t layer) { return names::layer(layer) + ".mlp.experts.gate_up_proj"; }
std::string fusedDown(int64_t layer) { return names::layer(layer) + ".mlp.experts.down_proj"; }
std::string scaleOf(llvm::StringRef weight) { return weight.str() + "_scale_inv"; }
} // namespace names

std::vector<ExpectedTensor> expectedModelTensors(const ModelConfig &c) {
  std::vector<ExpectedTensor> out = {
      {names::kEmbed, {c.vocabSize, c.hiddenSize}, TensorKind::Float},
      {names::kFinalNorm, {c.hiddenSize}, TensorKind::Float},
  };
  if (!c.tieWordEmbeddings)
    out.push_back({names::kLMHead, {c.vocabSize, c.hiddenSize}, TensorKind::Float});
  return out;
}

std::vector<ExpectedTensor> expectedLayerTensors(const ModelConfig &c, int64_t layer) {
  const int64_t H = c.hiddenSize, nH = c.numAttentionHeads;
  const std::string p = names::layer(layer) + ".";
  std::vector<ExpectedTensor> out = {
      {p + "input_layernorm.weight", {H}, TensorKind::Float},
      {p + "post_attention_layernorm.weight", {H}, TensorKind::Float},
  };
  auto linear = [&](const std::string &name, int64_t rows, int64_t cols) {
    out.push_back({p + name, {rows, cols}, TensorKind::Linear});
  };
  auto floating = [&](const std::string &name, std::vector<int64_t> shape) {
    out.push_back({p + name, std::move(shape), TensorKind::Float});
  };

  // MLA (§2.4).
  if (c.qLoraRank > 0) {
    linear("self_attn.q_a_proj.weight", c.qLoraRank, H);
    floating("self_attn.q_a_layernorm.weight", {c.qLoraRank});
    linear("self_attn.q_b_proj.weight", nH * c.qkHeadDim(), c.qLoraRank);
  } else {
    linear("self_attn.q_proj.weight", nH * c.qkHeadDim(), H);
  }
  linear("self_attn.kv_a_proj_with_mqa.weight", c.kvLoraRank + c.qkRopeHeadDim, H);
  floating("self_attn.kv_a_layernorm.weight", {c.kvLoraRank});
  linear("self_attn.kv_b_proj.weight", nH * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank);
  linear("self_attn.o_proj.weight", H, nH * c.vHeadDim);

  // The V3.2 lightning indexer (§5).
  if (c.hasIndexer()) {
    linear("self_attn.indexer.wq_b.weight", c.indexNHeads * c.indexHeadDim, c.qLoraRank);
    linear("self_attn.indexer.wk.weight", c.indexHeadDim, H);
    floating("self_attn.indexer.k_norm.weight", {c.indexHeadDim});
    floating("self_attn.indexer.k_norm.bias", {c.indexHeadDim});
    floating("self_attn.indexer.weights_proj.weight", {c.indexNHeads, H});
  }

  if (c.isMoELayer(layer)) {
    floating("mlp.gate.weight", {c.nRoutedExperts, H});
    if (c.topkMethod == TopkMethod::NoauxTc)
      out.push_back({p + "mlp.gate.e_score_correction_bias", {c.nRoutedExperts}, TensorKind::F32});
    if (c.nSharedExperts > 0) {
      int64_t shared = c.moeIntermediateSize * c.nSharedExperts;
      linear("mlp.shared_experts.gate_proj.weight", shared, H);
      linear("mlp.shared_experts.up_proj.weight", shared, H);
      linear("mlp.shared_experts.down_proj.weight", H, shared);
    }
  } else {
    linear("mlp.gate_proj.weight", c.intermediateSize, H);
    linear("mlp.up_proj.weight", c.intermediateSize, H);
    linear("mlp.down_proj.weight", H, c.intermediateSize);
  }

  // Multi-token prediction (§4): layers at num_hidden_layers and beyond.
  if (layer >= c.numHiddenLayers) {
    floating("enorm.weight", {H});
    floating("hnorm.weight", {H});
    linear("eh_proj.weight", H, 2 * H);
    floating("shared_head.norm.weight", {H});
  }
  return out;
}

std::vector<ExpectedTensor> expectedExpertTensors(const ModelConfig &c, int64_t layer) {
  std::vector<ExpectedTensor> out;
  out.reserve(3 * c.nRoutedExperts);
  const int64_t H = c.hiddenSize, I = c.moeIntermediateSize;
  for (int64_t e = 0; e < c.nRoutedExperts; ++e) {
    out.push_back({names::expert(layer, e, "gate_proj"), {I, H}, TensorKind::Linear});
    out.push_back({names::expert(layer, e, "up_proj"), {I, H}, TensorKind::Linear});
    out.push_back({names::expert(layer, e, "down_proj"), {H, I}, TensorKind::Linear});
  }
  return out;
}

std::vector<ExpectedTensor> expectedFusedExpertTensors(const ModelConfig &c, int64_t layer) {
  const int64_t E = c.nRoutedExperts, H = c.hiddenSize, I = c.moeIntermediateSize;
  return {{names::fusedGateUp(layer), {E, 2 * I, H}, TensorKind::Float},
          {names::fusedDown(layer), {E, H, I}, TensorKind::Float}};
}

} // namespace kiln::frontend
