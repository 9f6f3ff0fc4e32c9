// Weights.cpp - tensor names (Hugging Face's) and shapes of a DeepSeek V2 checkpoint.
#include "Weights.h"

#include <cstring>

namespace kiln::baseline {

namespace {

std::string layerPrefix(int64_t layer) { return "model.layers." + std::to_string(layer) + "."; }

/// `prefix`{gate,up,down}_proj.weight into one SwiGLU.
SwiGLU loadSwiGLU(const Checkpoint &ckpt, const std::string &prefix, int64_t inner,
                  int64_t hidden) {
  SwiGLU mlp;
  mlp.inner = inner;
  mlp.gateUp.resize(static_cast<size_t>(2 * inner * hidden));
  ckpt.loadInto(prefix + "gate_proj.weight", {inner, hidden}, mlp.gateUp.data());
  ckpt.loadInto(prefix + "up_proj.weight", {inner, hidden}, mlp.gateUp.data() + inner * hidden);
  mlp.down = ckpt.load(prefix + "down_proj.weight", {hidden, inner});
  return mlp;
}

/// transformers v5's fused expert tensors, split into one SwiGLU per expert.
std::vector<SwiGLU> loadFusedExperts(const Checkpoint &ckpt, const std::string &prefix,
                                     const BaselineConfig &c) {
  const int64_t E = c.routedExperts, I = c.moeIntermediate, H = c.hidden;
  std::vector<float> gateUp = ckpt.load(prefix + "mlp.experts.gate_up_proj", {E, 2 * I, H});
  std::vector<float> down = ckpt.load(prefix + "mlp.experts.down_proj", {E, H, I});
  std::vector<SwiGLU> experts(static_cast<size_t>(E));
  for (int64_t e = 0; e < E; ++e) {
    experts[e].inner = I;
    experts[e].gateUp.assign(gateUp.begin() + e * 2 * I * H, gateUp.begin() + (e + 1) * 2 * I * H);
    experts[e].down.assign(down.begin() + e * H * I, down.begin() + (e + 1) * H * I);
  }
  return experts;
}

AttentionWeights loadAttention(const Checkpoint &ckpt, const std::string &p,
                               const BaselineConfig &c) {
  const int64_t H = c.hidden, nH = c.heads;
  const std::string a = p + "self_attn.";
  AttentionWeights w;
  if (c.qLoraRank > 0) {
    w.qA = ckpt.load(a + "q_a_proj.weight", {c.qLoraRank, H});
    w.qANorm = ckpt.load(a + "q_a_layernorm.weight", {c.qLoraRank});
    w.qB = ckpt.load(a + "q_b_proj.weight", {nH * c.qkHeadDim(), c.qLoraRank});
  } else {
    w.q = ckpt.load(a + "q_proj.weight", {nH * c.qkHeadDim(), H});
  }
  w.kvA = ckpt.load(a + "kv_a_proj_with_mqa.weight", {c.kvLoraRank + c.rope, H});
  w.kvANorm = ckpt.load(a + "kv_a_layernorm.weight", {c.kvLoraRank});
  w.kvB = ckpt.load(a + "kv_b_proj.weight", {nH * (c.nope + c.vHead), c.kvLoraRank});
  w.o = ckpt.load(a + "o_proj.weight", {H, nH * c.vHead});
  return w;
}

LayerWeights loadLayer(const Checkpoint &ckpt, int64_t layer) {
  const BaselineConfig &c = ckpt.config();
  const std::string p = layerPrefix(layer);
  LayerWeights w;
  w.inputNorm = ckpt.load(p + "input_layernorm.weight", {c.hidden});
  w.postNorm = ckpt.load(p + "post_attention_layernorm.weight", {c.hidden});
  w.attention = loadAttention(ckpt, p, c);
  w.moe = c.isMoELayer(layer);
  if (!w.moe) {
    w.dense = loadSwiGLU(ckpt, p + "mlp.", c.intermediate, c.hidden);
    return w;
  }
  w.router = ckpt.load(p + "mlp.gate.weight", {c.routedExperts, c.hidden});
  if (ckpt.has(p + "mlp.experts.gate_up_proj")) {
    w.experts = loadFusedExperts(ckpt, p, c);
  } else {
    for (int64_t e = 0; e < c.routedExperts; ++e)
      w.experts.push_back(loadSwiGLU(ckpt, p + "mlp.experts." + std::to_string(e) + ".",
                                     c.moeIntermediate, c.hidden));
  }
  if (c.sharedExperts > 0)
    w.shared = loadSwiGLU(ckpt, p + "mlp.shared_experts.", c.moeIntermediate * c.sharedExperts,
                          c.hidden);
  return w;
}

uint64_t swigluBytes(const SwiGLU &m) { return 4 * uint64_t(m.gateUp.size() + m.down.size()); }

} // namespace

uint64_t ModelWeights::bytes() const {
  uint64_t total = 4 * uint64_t(embed.size() + finalNorm.size() + lmHead.size());
  for (const LayerWeights &l : layers) {
    const AttentionWeights &a = l.attention;
    for (const std::vector<float> *v : {&l.inputNorm, &l.postNorm, &a.q, &a.qA, &a.qANorm, &a.qB,
                                        &a.kvA, &a.kvANorm, &a.kvB, &a.o, &l.router})
      total += 4 * uint64_t(v->size());
    total += swigluBytes(l.dense) + swigluBytes(l.shared);
    for (const SwiGLU &e : l.experts)
      total += swigluBytes(e);
  }
  return total;
}

ModelWeights loadWeights(const Checkpoint &ckpt) {
  const BaselineConfig &c = ckpt.config();
  ModelWeights w;
  w.embed = ckpt.load("model.embed_tokens.weight", {c.vocab, c.hidden});
  for (int64_t layer = 0; layer < c.layers; ++layer)
    w.layers.push_back(loadLayer(ckpt, layer));
  w.finalNorm = ckpt.load("model.norm.weight", {c.hidden});
  w.lmHead = c.tieEmbeddings ? w.embed : ckpt.load("lm_head.weight", {c.vocab, c.hidden});
  return w;
}

} // namespace kiln::baseline
