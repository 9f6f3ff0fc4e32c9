// BaselineConfig.cpp - read a DeepSeek V2 config.json (nlohmann-json).
#include "BaselineConfig.h"

#include "BaselineError.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

namespace kiln::baseline {

using nlohmann::json;

double BaselineConfig::softmaxScale() const {
  double scale = 1.0 / std::sqrt(static_cast<double>(qkHeadDim()));
  // transformers' attention (since PR #47435 for V2): scale *= m^2 when mscale_all_dim is set.
  if (yarn && yarnScaling.mscaleAllDim != 0.0 && yarnScaling.factor > 1.0) {
    double m = 0.1 * yarnScaling.mscaleAllDim * std::log(yarnScaling.factor) + 1.0;
    scale *= m * m;
  }
  return scale;
}

double BaselineConfig::ropeAttentionFactor() const {
  if (!yarn)
    return 1.0;
  auto m = [&](double scale) {
    return scale <= 0 || yarnScaling.factor <= 1 ? 1.0
                                                 : 0.1 * scale * std::log(yarnScaling.factor) + 1.0;
  };
  return m(yarnScaling.mscale) / m(yarnScaling.mscaleAllDim);
}

namespace {

/// Typed reads of one JSON object's fields; null counts as absent (transformers' None). Errors
/// name the file and the field.
class Fields {
public:
  Fields(const json &object, const std::string &file, std::string prefix = "")
      : object_(object), file_(file), prefix_(std::move(prefix)) {}

  bool has(const char *key) const {
    auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }
  void integer(const char *key, int64_t &out) const {
    if (const json *v = present(key)) {
      if (!v->is_number_integer())
        fail(key, "must be an integer");
      out = v->get<int64_t>();
    }
  }
  void number(const char *key, double &out) const {
    if (const json *v = present(key)) {
      if (!v->is_number())
        fail(key, "must be a number");
      out = v->get<double>();
    }
  }
  void boolean(const char *key, bool &out) const {
    if (const json *v = present(key)) {
      if (!v->is_boolean())
        fail(key, "must be a boolean");
      out = v->get<bool>();
    }
  }
  std::string string(const char *key, const std::string &fallback = "") const {
    const json *v = present(key);
    if (!v)
      return fallback;
    if (!v->is_string())
      fail(key, "must be a string");
    return v->get<std::string>();
  }
  const json *object(const char *key) const {
    const json *v = present(key);
    if (v && !v->is_object())
      fail(key, "must be an object");
    return v;
  }
  [[noreturn]] void fail(const char *key, const std::string &problem) const {
    throw BaselineError{file_ + ": '" + prefix_ + key + "' " + problem};
  }
  [[noreturn]] void refuse(const std::string &problem) const {
    throw BaselineError{file_ + ": " + problem};
  }
  const std::string &file() const { return file_; }

private:
  const json *present(const char *key) const {
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  const json &object_;
  const std::string &file_;
  std::string prefix_;
};

json parseFile(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw BaselineError{path + ": cannot read (a checkpoint directory holds config.json)"};
  std::stringstream text;
  text << in.rdbuf();
  json root = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    throw BaselineError{path + ": not valid JSON"};
  if (!root.is_object())
    throw BaselineError{path + ": must hold a JSON object"};
  return root;
}

/// What the baseline does not compute, refused with the reason.
void refuseOtherModels(const Fields &f) {
  if (!f.has("model_type"))
    f.refuse("missing 'model_type'");
  std::string type = f.string("model_type");
  if (type != "deepseek_v2")
    f.refuse("model_type '" + type + "' is not supported: the OpenBLAS baseline runs DeepSeek V2 "
             "and V2-Lite (deepseek_v2) only, not V3's sigmoid/noaux_tc routing or V3.2's indexer");
  if (f.has("quantization_config"))
    f.refuse("has a quantization_config (FP8 weights): the OpenBLAS baseline reads bf16, f16 and "
             "f32 checkpoints only");
  std::string method = f.string("topk_method", "greedy");
  if (method != "greedy" && method != "group_limited_greedy")
    f.fail("topk_method", "is '" + method + "': the OpenBLAS baseline runs greedy and "
                          "group_limited_greedy (V2's softmax routers) only");
  if (f.string("scoring_func", "softmax") != "softmax")
    f.fail("scoring_func", "is '" + f.string("scoring_func") + "': the OpenBLAS baseline runs "
                           "softmax routing only");
  if (f.string("hidden_act", "silu") != "silu")
    f.fail("hidden_act", "is not silu");
  bool biased = false;
  f.boolean("attention_bias", biased);
  if (biased)
    f.fail("attention_bias", "is true; DeepSeek's MLA projections have no bias");
  bool interleave = true;
  f.boolean("rope_interleave", interleave);
  if (!interleave)
    f.fail("rope_interleave", "is false; DeepSeek checkpoints use interleaved RoPE");
}

/// transformers' DeepseekV2Config defaults, then the config's own values.
void readShapes(const Fields &f, BaselineConfig &c) {
  c.vocab = 102400, c.hidden = 4096, c.intermediate = 11008, c.moeIntermediate = 1407;
  c.layers = 32, c.heads = 32, c.sharedExperts = 2, c.routedExperts = 64;
  c.qLoraRank = 1536, c.kvLoraRank = 512, c.nope = 128, c.rope = 64, c.vHead = 128;
  f.integer("vocab_size", c.vocab);
  f.integer("hidden_size", c.hidden);
  f.integer("intermediate_size", c.intermediate);
  f.integer("moe_intermediate_size", c.moeIntermediate);
  f.integer("num_hidden_layers", c.layers);
  f.integer("num_attention_heads", c.heads);
  f.integer("num_local_experts", c.routedExperts); // transformers v5's alias
  f.integer("n_routed_experts", c.routedExperts);
  f.integer("n_shared_experts", c.sharedExperts);
  f.integer("num_experts_per_tok", c.expertsPerToken);
  f.integer("first_k_dense_replace", c.firstDense);
  f.integer("moe_layer_freq", c.moeLayerFreq);
  if (f.has("q_lora_rank"))
    f.integer("q_lora_rank", c.qLoraRank);
  else
    c.qLoraRank = 0; // null: V2-Lite's direct q_proj
  f.integer("kv_lora_rank", c.kvLoraRank);
  f.integer("qk_nope_head_dim", c.nope);
  f.integer("qk_rope_head_dim", c.rope);
  f.integer("v_head_dim", c.vHead);
  int64_t kvHeads = c.heads;
  f.integer("num_key_value_heads", kvHeads);
  if (kvHeads != c.heads)
    f.fail("num_key_value_heads", "differs from num_attention_heads (MLA has one per head)");
  f.number("rms_norm_eps", c.rmsEps);
  f.boolean("tie_word_embeddings", c.tieEmbeddings);
}

void readRouter(const Fields &f, BaselineConfig &c) {
  f.boolean("norm_topk_prob", c.normTopkProb);
  f.number("routed_scaling_factor", c.routedScaling);
  if (c.routedExperts == 0)
    return;
  if (c.expertsPerToken <= 0 || c.expertsPerToken > c.routedExperts)
    f.fail("num_experts_per_tok", "must be in [1, n_routed_experts]");
  if (f.string("topk_method", "greedy") == "greedy")
    return; // greedy ignores grouping
  if (!f.has("n_group") || !f.has("topk_group"))
    f.refuse("group_limited_greedy needs 'n_group' and 'topk_group'");
  f.integer("n_group", c.groups);
  f.integer("topk_group", c.keptGroups);
  if (c.groups <= 0 || c.routedExperts % c.groups != 0)
    f.fail("n_group", "must divide n_routed_experts");
  if (c.keptGroups <= 0 || c.keptGroups > c.groups ||
      c.expertsPerToken > c.keptGroups * (c.routedExperts / c.groups))
    f.fail("topk_group", "must be in [1, n_group] and keep at least num_experts_per_tok experts");
}

void readRope(const Fields &f, BaselineConfig &c) {
  f.number("rope_theta", c.ropeTheta);
  int64_t maxPositions = 2048;
  f.integer("max_position_embeddings", maxPositions);
  const char *key = f.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
  const json *rope = f.object(key);
  if (!rope)
    return;
  Fields r(*rope, f.file(), std::string(key) + ".");
  r.number("rope_theta", c.ropeTheta);
  std::string type = r.string("rope_type", r.string("type"));
  if (type.empty() || type == "default")
    return;
  if (type != "yarn")
    r.fail("rope_type", "is '" + type + "'; DeepSeek models use yarn (or none)");
  YarnScaling &y = c.yarnScaling;
  y.originalMaxPositions = maxPositions;
  if (!r.has("factor"))
    r.fail("factor", "is missing; YaRN needs it");
  r.number("factor", y.factor);
  r.integer("original_max_position_embeddings", y.originalMaxPositions);
  r.number("beta_fast", y.betaFast);
  r.number("beta_slow", y.betaSlow);
  r.number("mscale", y.mscale);
  r.number("mscale_all_dim", y.mscaleAllDim);
  if (!(y.factor >= 1.0) || y.originalMaxPositions <= 0 || !(y.betaFast > y.betaSlow))
    r.fail("factor", "and its companions are out of range");
  c.yarn = true;
}

void checkPositive(const Fields &f, const BaselineConfig &c) {
  for (auto [key, value] : {std::pair<const char *, int64_t>{"vocab_size", c.vocab},
                            {"hidden_size", c.hidden},
                            {"num_hidden_layers", c.layers},
                            {"num_attention_heads", c.heads},
                            {"kv_lora_rank", c.kvLoraRank},
                            {"qk_rope_head_dim", c.rope},
                            {"v_head_dim", c.vHead},
                            {"moe_layer_freq", c.moeLayerFreq}})
    if (value <= 0)
      f.fail(key, "must be positive");
  if (c.rope % 2 != 0)
    f.fail("qk_rope_head_dim", "must be even");
  if (c.qLoraRank < 0 || c.nope < 0 || c.routedExperts < 0 || c.sharedExperts < 0)
    f.refuse("q_lora_rank, qk_nope_head_dim and the expert counts must not be negative");
  if (!(c.rmsEps > 0) || !(c.ropeTheta > 0))
    f.refuse("rms_norm_eps and rope_theta must be positive");
}

} // namespace

BaselineConfig readConfig(const std::string &path) {
  json root = parseFile(path);
  Fields f(root, path);
  refuseOtherModels(f);
  BaselineConfig c;
  readShapes(f, c);
  readRouter(f, c);
  readRope(f, c);
  checkPositive(f, c);
  return c;
}

} // namespace kiln::baseline
