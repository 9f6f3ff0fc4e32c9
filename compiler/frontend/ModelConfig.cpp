//===- ModelConfig.cpp - parse and check a DeepSeek config.json ---------------===//

#include "compiler/frontend/ModelConfig.h"

#include "compiler/frontend/ImportError.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace llvm;

namespace kiln::frontend {

double ModelConfig::softmaxScale() const {
  double scale = 1.0 / std::sqrt(static_cast<double>(qkHeadDim()));
  // transformers' DeepseekV3Attention: `if mscale_all_dim: scale *= mscale * mscale`.
  if (yarn && yarn->mscaleAllDim != 0.0 && yarn->factor > 1.0) {
    double m = 0.1 * yarn->mscaleAllDim * std::log(yarn->factor) + 1.0;
    scale *= m * m;
  }
  return scale;
}

namespace {

const char *kindName(const json::Value &value) {
  switch (value.kind()) {
  case json::Value::Null: return "null";
  case json::Value::Boolean: return "a boolean";
  case json::Value::Number: return "a number";
  case json::Value::String: return "a string";
  case json::Value::Array: return "an array";
  case json::Value::Object: return "an object";
  }
  return "a value";
}

/// Typed access to the fields of one JSON object, with the error naming the file and field.
/// A field written as null counts as absent (transformers' None).
class FieldReader {
public:
  FieldReader(const json::Object &object, StringRef file, std::string prefix = "")
      : object(object), file(file), prefix(std::move(prefix)) {}

  bool has(StringRef key) const {
    const json::Value *value = object.get(key);
    return value && value->kind() != json::Value::Null;
  }

  Error integer(StringRef key, int64_t &out) const {
    const json::Value *value = present(key);
    if (!value)
      return Error::success();
    std::optional<int64_t> number = value->getAsInteger();
    if (!number)
      return wrongType(key, "an integer", *value);
    out = *number;
    return Error::success();
  }

  Error number(StringRef key, double &out) const {
    const json::Value *value = present(key);
    if (!value)
      return Error::success();
    std::optional<double> number = value->getAsNumber();
    if (!number)
      return wrongType(key, "a number", *value);
    out = *number;
    return Error::success();
  }

  Error boolean(StringRef key, bool &out) const {
    const json::Value *value = present(key);
    if (!value)
      return Error::success();
    std::optional<bool> flag = value->getAsBoolean();
    if (!flag)
      return wrongType(key, "a boolean", *value);
    out = *flag;
    return Error::success();
  }

  Error string(StringRef key, std::string &out) const {
    const json::Value *value = present(key);
    if (!value)
      return Error::success();
    std::optional<StringRef> text = value->getAsString();
    if (!text)
      return wrongType(key, "a string", *value);
    out = text->str();
    return Error::success();
  }

  /// An object-valued field; null when absent.
  Expected<const json::Object *> object_(StringRef key) const {
    const json::Value *value = present(key);
    if (!value)
      return nullptr;
    const json::Object *inner = value->getAsObject();
    if (!inner)
      return wrongType(key, "an object", *value);
    return inner;
  }

  Error missing(StringRef key, const Twine &why) const {
    return importError(file, "missing '" + prefix + key + "' (" + why + ")");
  }

  Error invalid(StringRef key, const Twine &problem) const {
    return importError(file, "'" + prefix + key + "' " + problem);
  }

  StringRef fileName() const { return file; }

private:
  const json::Value *present(StringRef key) const {
    const json::Value *value = object.get(key);
    if (!value || value->kind() == json::Value::Null)
      return nullptr;
    return value;
  }

  Error wrongType(StringRef key, StringRef expected, const json::Value &value) const {
    return importError(file, "'" + prefix + key + "' must be " + expected + ", got " +
                                 kindName(value));
  }

  const json::Object &object;
  StringRef file;
  std::string prefix;
};

/// transformers' defaults for the fields a config may leave out.
void applyDefaults(ModelConfig &c) {
  if (c.modelType == "deepseek_v2") {
    // DeepseekV2Config (transformers 5.23).
    c.vocabSize = 102400;
    c.hiddenSize = 4096;
    c.intermediateSize = 11008;
    c.moeIntermediateSize = 1407;
    c.numHiddenLayers = 32;
    c.numAttentionHeads = 32;
    c.nSharedExperts = 2;
    c.nRoutedExperts = 64;
    c.routedScalingFactor = 1.0;
    c.topkMethod = TopkMethod::Greedy;
    c.scoringFunc = ScoringFunc::Softmax;
    c.normTopkProb = false;
    c.firstKDenseReplace = 0;
    c.qLoraRank = 1536;
    c.kvLoraRank = 512;
    c.maxPositionEmbeddings = 2048;
    c.bosTokenId = 1;
    c.eosTokenId = 2;
    // n_group, topk_group and num_experts_per_tok default to None there: required below.
    c.nGroup = 0;
    c.topkGroup = 0;
    c.numExpertsPerTok = 0;
  } else {
    // DeepseekV3Config (transformers 5.23; V3.2 extends it).
    c.vocabSize = 129280;
    c.hiddenSize = 7168;
    c.intermediateSize = 18432;
    c.moeIntermediateSize = 2048;
    c.numHiddenLayers = 61;
    c.numAttentionHeads = 128;
    c.nSharedExperts = 1;
    c.nRoutedExperts = 256;
    c.routedScalingFactor = 2.5;
    c.nGroup = 8;
    c.topkGroup = 4;
    c.numExpertsPerTok = 8;
    c.topkMethod = TopkMethod::NoauxTc;
    c.scoringFunc = ScoringFunc::Sigmoid;
    c.normTopkProb = true;
    c.firstKDenseReplace = 3;
    c.qLoraRank = 1536;
    c.kvLoraRank = 512;
    c.maxPositionEmbeddings = 4096;
    c.bosTokenId = 0;
    c.eosTokenId = 1;
  }
  c.qkNopeHeadDim = 128;
  c.qkRopeHeadDim = 64;
  c.vHeadDim = 128;
  c.ropeTheta = 10000.0;
  c.rmsNormEps = 1e-6;
}

Error parseTopkMethod(const FieldReader &r, ModelConfig &c) {
  std::string method;
  if (Error e = r.string("topk_method", method))
    return e;
  if (!method.empty()) {
    std::optional<TopkMethod> parsed = StringSwitch<std::optional<TopkMethod>>(method)
                                           .Case("greedy", TopkMethod::Greedy)
                                           .Case("group_limited_greedy",
                                                 TopkMethod::GroupLimitedGreedy)
                                           .Case("noaux_tc", TopkMethod::NoauxTc)
                                           .Default(std::nullopt);
    if (!parsed)
      return r.invalid("topk_method", "is '" + method +
                                          "', expected greedy, group_limited_greedy or noaux_tc");
    c.topkMethod = *parsed;
  }
  std::string scoring;
  if (Error e = r.string("scoring_func", scoring))
    return e;
  if (!scoring.empty()) {
    if (scoring == "softmax")
      c.scoringFunc = ScoringFunc::Softmax;
    else if (scoring == "sigmoid")
      c.scoringFunc = ScoringFunc::Sigmoid;
    else
      return r.invalid("scoring_func", "is '" + scoring + "', expected softmax or sigmoid");
  }
  return Error::success();
}

/// `rope_scaling` (v4) or `rope_parameters` (v5): only YaRN (or none) is used by DeepSeek.
Error parseRope(const FieldReader &r, ModelConfig &c) {
  Expected<const json::Object *> v5 = r.object_("rope_parameters");
  if (!v5)
    return v5.takeError();
  Expected<const json::Object *> v4 = r.object_("rope_scaling");
  if (!v4)
    return v4.takeError();
  const json::Object *rope = *v5 ? *v5 : *v4;
  if (!rope)
    return Error::success();
  StringRef key = *v5 ? "rope_parameters" : "rope_scaling";
  FieldReader rr(*rope, r.fileName(), (key + ".").str());
  if (Error e = rr.number("rope_theta", c.ropeTheta))
    return e;
  std::string type;
  if (Error e = rr.string("rope_type", type))
    return e;
  if (type.empty())
    if (Error e = rr.string("type", type))
      return e;
  if (type.empty() || type == "default")
    return Error::success();
  if (type != "yarn")
    return rr.invalid("rope_type", "is '" + type + "'; DeepSeek models use yarn (or none)");
  YarnConfig yarn;
  if (!rr.has("factor"))
    return rr.missing("factor", "YaRN needs its scaling factor");
  yarn.originalMaxPositionEmbeddings = c.maxPositionEmbeddings;
  if (Error e = rr.number("factor", yarn.factor))
    return e;
  if (Error e = rr.integer("original_max_position_embeddings",
                           yarn.originalMaxPositionEmbeddings))
    return e;
  if (Error e = rr.number("beta_fast", yarn.betaFast))
    return e;
  if (Error e = rr.number("beta_slow", yarn.betaSlow))
    return e;
  if (Error e = rr.number("mscale", yarn.mscale))
    return e;
  if (Error e = rr.number("mscale_all_dim", yarn.mscaleAllDim))
    return e;
  if (!(yarn.factor >= 1.0))
    return rr.invalid("factor", formatv("must be at least 1, got {0}", yarn.factor).str());
  if (yarn.originalMaxPositionEmbeddings <= 0)
    return rr.invalid("original_max_position_embeddings", "must be positive");
  if (!(yarn.betaFast > yarn.betaSlow) || !(yarn.betaSlow > 0))
    return rr.invalid("beta_fast", "must exceed beta_slow, and both must be positive");
  c.yarn = yarn;
  return Error::success();
}

Error parseQuantization(const FieldReader &r, ModelConfig &c) {
  Expected<const json::Object *> object = r.object_("quantization_config");
  if (!object)
    return object.takeError();
  if (!*object)
    return Error::success();
  FieldReader q(**object, r.fileName(), "quantization_config.");
  std::string method, fmt = "e4m3", scheme = "dynamic", scaleFmt;
  if (Error e = q.string("quant_method", method))
    return e;
  if (method != "fp8")
    return q.invalid("quant_method", "is '" + method + "'; Kiln reads fp8 checkpoints");
  if (Error e = q.string("fmt", fmt))
    return e;
  if (fmt != "e4m3")
    return q.invalid("fmt", "is '" + fmt + "'; only e4m3 is supported");
  if (Error e = q.string("activation_scheme", scheme))
    return e;
  if (scheme != "dynamic")
    return q.invalid("activation_scheme", "is '" + scheme + "'; only dynamic is supported");
  if (Error e = q.string("scale_fmt", scaleFmt))
    return e;
  if (!scaleFmt.empty() && scaleFmt != "ue8m0")
    return q.invalid("scale_fmt", "is '" + scaleFmt + "', expected ue8m0 or absent");
  QuantizationConfig quant;
  quant.ue8m0Scales = scaleFmt == "ue8m0";
  if (const json::Array *block = (*object)->getArray("weight_block_size")) {
    std::optional<int64_t> out = block->size() == 2 ? (*block)[0].getAsInteger() : std::nullopt;
    std::optional<int64_t> in = block->size() == 2 ? (*block)[1].getAsInteger() : std::nullopt;
    if (!out || !in || *out <= 0 || *in <= 0)
      return q.invalid("weight_block_size", "must be two positive integers");
    quant.blockOut = *out;
    quant.blockIn = *in;
  } else if (q.has("weight_block_size")) {
    return q.invalid("weight_block_size", "must be two positive integers");
  }
  c.quantization = quant;
  return Error::success();
}

/// The consistency checks transformers would only fail on deep inside a forward pass.
Error checkConsistency(const FieldReader &r, ModelConfig &c) {
  auto positive = [&](StringRef key, int64_t value) -> Error {
    if (value <= 0)
      return r.invalid(key, formatv("must be positive, got {0}", value).str());
    return Error::success();
  };
  for (auto [key, value] : {std::pair<StringRef, int64_t>{"vocab_size", c.vocabSize},
                            {"hidden_size", c.hiddenSize},
                            {"num_hidden_layers", c.numHiddenLayers},
                            {"num_attention_heads", c.numAttentionHeads},
                            {"kv_lora_rank", c.kvLoraRank},
                            {"qk_rope_head_dim", c.qkRopeHeadDim},
                            {"v_head_dim", c.vHeadDim},
                            {"moe_layer_freq", c.moeLayerFreq}})
    if (Error e = positive(key, value))
      return e;
  for (auto [key, value] : {std::pair<StringRef, int64_t>{"q_lora_rank", c.qLoraRank},
                            {"qk_nope_head_dim", c.qkNopeHeadDim},
                            {"n_shared_experts", c.nSharedExperts},
                            {"n_routed_experts", c.nRoutedExperts},
                            {"first_k_dense_replace", c.firstKDenseReplace},
                            {"num_nextn_predict_layers", c.numNextnPredictLayers}})
    if (value < 0)
      return r.invalid(key, formatv("must not be negative, got {0}", value).str());
  if (c.qkRopeHeadDim % 2 != 0)
    return r.invalid("qk_rope_head_dim", formatv("must be even, got {0}", c.qkRopeHeadDim).str());
  if (c.numKeyValueHeads != c.numAttentionHeads)
    return r.invalid("num_key_value_heads",
                     formatv("is {0}, but MLA gives every one of the {1} heads its own key "
                             "and value",
                             c.numKeyValueHeads, c.numAttentionHeads)
                         .str());
  if (c.hiddenAct != "silu")
    return r.invalid("hidden_act", "is '" + c.hiddenAct + "'; DeepSeek models use silu");
  if (c.attentionBias)
    return r.invalid("attention_bias", "is true; DeepSeek's MLA projections have no bias");
  if (!c.ropeInterleave)
    return r.invalid("rope_interleave", "is false; DeepSeek checkpoints use interleaved RoPE");
  if (!(c.rmsNormEps > 0))
    return r.invalid("rms_norm_eps", "must be positive");
  if (!(c.ropeTheta > 0))
    return r.invalid("rope_theta", "must be positive");
  if (c.firstKDenseReplace > c.numHiddenLayers)
    return r.invalid("first_k_dense_replace",
                     formatv("({0}) exceeds num_hidden_layers ({1})", c.firstKDenseReplace,
                             c.numHiddenLayers)
                         .str());
  bool anyDense = c.firstKDenseReplace > 0 || c.moeLayerFreq > 1 || c.nRoutedExperts == 0;
  if (anyDense)
    if (Error e = positive("intermediate_size", c.intermediateSize))
      return e;
  if (c.nRoutedExperts == 0)
    return Error::success();

  // MoE: the router's configuration.
  if (Error e = positive("moe_intermediate_size", c.moeIntermediateSize))
    return e;
  if (c.numExpertsPerTok == 0 && !r.has("num_experts_per_tok"))
    return r.missing("num_experts_per_tok", "MoE layers need it");
  if (Error e = positive("num_experts_per_tok", c.numExpertsPerTok))
    return e;
  if (c.numExpertsPerTok > c.nRoutedExperts)
    return r.invalid("num_experts_per_tok",
                     formatv("({0}) exceeds n_routed_experts ({1})", c.numExpertsPerTok,
                             c.nRoutedExperts)
                         .str());
  if (c.topkMethod == TopkMethod::Greedy) {
    // greedy ignores grouping (transformers and DeepSeek alike).
    c.nGroup = 1;
    c.topkGroup = 1;
    return Error::success();
  }
  StringRef method = c.topkMethod == TopkMethod::NoauxTc ? "noaux_tc" : "group_limited_greedy";
  if (!r.has("n_group") && c.nGroup == 0)
    return r.missing("n_group", method + " groups the experts");
  if (!r.has("topk_group") && c.topkGroup == 0)
    return r.missing("topk_group", method + " keeps the best groups");
  if (Error e = positive("n_group", c.nGroup))
    return e;
  if (c.nRoutedExperts % c.nGroup != 0)
    return r.invalid("n_group", formatv("({0}) does not divide n_routed_experts ({1})", c.nGroup,
                                        c.nRoutedExperts)
                                    .str());
  if (c.topkGroup <= 0 || c.topkGroup > c.nGroup)
    return r.invalid("topk_group", formatv("must be in [1, n_group = {0}], got {1}", c.nGroup,
                                           c.topkGroup)
                                       .str());
  int64_t reachable = c.topkGroup * (c.nRoutedExperts / c.nGroup);
  if (c.numExpertsPerTok > reachable)
    return r.invalid("num_experts_per_tok",
                     formatv("({0}) exceeds the {1} experts in the topk_group = {2} kept groups",
                             c.numExpertsPerTok, reachable, c.topkGroup)
                         .str());
  if (c.topkMethod == TopkMethod::NoauxTc && c.nRoutedExperts / c.nGroup < 2)
    return r.invalid("n_group", "leaves fewer than 2 experts per group; noaux_tc scores a "
                                "group by its top 2");
  return Error::success();
}

} // namespace

Expected<ModelConfig> parseModelConfig(StringRef text, StringRef file) {
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return importError(file, "not valid JSON: " + toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return importError(file, Twine("must hold a JSON object, got ") + kindName(*parsed));
  FieldReader r(*root, file);

  ModelConfig c;
  if (!r.has("model_type"))
    return r.missing("model_type", "the model family");
  if (Error e = r.string("model_type", c.modelType))
    return std::move(e);
  if (c.modelType != "deepseek_v2" && c.modelType != "deepseek_v3" &&
      c.modelType != "deepseek_v32")
    return importError(file, "unsupported model_type '" + c.modelType +
                                 "' (Kiln reads deepseek_v2, deepseek_v3 and deepseek_v32)");
  applyDefaults(c);

  auto integer = [&](StringRef key, int64_t &out) { return r.integer(key, out); };
  // num_local_experts is transformers v5's alias of n_routed_experts.
  if (Error e = integer("num_local_experts", c.nRoutedExperts))
    return std::move(e);
  for (auto [key, out] : {std::pair<StringRef, int64_t *>{"vocab_size", &c.vocabSize},
                          {"hidden_size", &c.hiddenSize},
                          {"intermediate_size", &c.intermediateSize},
                          {"moe_intermediate_size", &c.moeIntermediateSize},
                          {"num_hidden_layers", &c.numHiddenLayers},
                          {"num_attention_heads", &c.numAttentionHeads},
                          {"n_shared_experts", &c.nSharedExperts},
                          {"n_routed_experts", &c.nRoutedExperts},
                          {"num_experts_per_tok", &c.numExpertsPerTok},
                          {"n_group", &c.nGroup},
                          {"topk_group", &c.topkGroup},
                          {"first_k_dense_replace", &c.firstKDenseReplace},
                          {"moe_layer_freq", &c.moeLayerFreq},
                          {"kv_lora_rank", &c.kvLoraRank},
                          {"qk_nope_head_dim", &c.qkNopeHeadDim},
                          {"qk_rope_head_dim", &c.qkRopeHeadDim},
                          {"v_head_dim", &c.vHeadDim},
                          {"max_position_embeddings", &c.maxPositionEmbeddings},
                          {"num_nextn_predict_layers", &c.numNextnPredictLayers},
                          {"index_n_heads", &c.indexNHeads},
                          {"index_head_dim", &c.indexHeadDim},
                          {"index_topk", &c.indexTopk}})
    if (Error e = integer(key, *out))
      return std::move(e);
  // q_lora_rank null (V2-Lite) means a direct q_proj; DeepSeek's own configs write 0.
  const json::Value *qLora = root->get("q_lora_rank");
  if (qLora && qLora->kind() == json::Value::Null)
    c.qLoraRank = 0;
  else if (Error e = integer("q_lora_rank", c.qLoraRank))
    return std::move(e);
  c.numKeyValueHeads = c.numAttentionHeads;
  if (Error e = integer("num_key_value_heads", c.numKeyValueHeads))
    return std::move(e);
  int64_t bos = 0, eos = 0;
  if (r.has("bos_token_id")) {
    if (Error e = integer("bos_token_id", bos))
      return std::move(e);
    c.bosTokenId = bos;
  }
  if (r.has("eos_token_id")) {
    if (Error e = integer("eos_token_id", eos))
      return std::move(e);
    c.eosTokenId = eos;
  }
  for (auto [key, out] : {std::pair<StringRef, double *>{"routed_scaling_factor",
                                                         &c.routedScalingFactor},
                          {"rope_theta", &c.ropeTheta},
                          {"rms_norm_eps", &c.rmsNormEps}})
    if (Error e = r.number(key, *out))
      return std::move(e);
  for (auto [key, out] : {std::pair<StringRef, bool *>{"norm_topk_prob", &c.normTopkProb},
                          {"tie_word_embeddings", &c.tieWordEmbeddings},
                          {"attention_bias", &c.attentionBias},
                          {"rope_interleave", &c.ropeInterleave}})
    if (Error e = r.boolean(key, *out))
      return std::move(e);
  if (Error e = r.string("hidden_act", c.hiddenAct))
    return std::move(e);
  if (Error e = r.string("torch_dtype", c.dtype))
    return std::move(e);
  if (Error e = r.string("dtype", c.dtype))
    return std::move(e);
  if (c.modelType != "deepseek_v2") {
    // transformers hard-codes V3's router; a config that says otherwise is honoured, as in
    // DeepSeek's own inference code, but must be a known method.
    c.topkMethod = TopkMethod::NoauxTc;
    c.scoringFunc = ScoringFunc::Sigmoid;
  }
  if (Error e = parseTopkMethod(r, c))
    return std::move(e);
  if (Error e = parseRope(r, c))
    return std::move(e);
  if (Error e = parseQuantization(r, c))
    return std::move(e);
  if (c.modelType == "deepseek_v32") {
    for (StringRef key : {"index_n_heads", "index_head_dim", "index_topk"})
      if (!r.has(key))
        return r.missing(key, "deepseek_v32's lightning indexer");
    if (c.indexNHeads <= 0 || c.indexHeadDim <= 0 || c.indexTopk <= 0)
      return r.invalid("index_n_heads", "index_n_heads, index_head_dim and index_topk must be "
                                        "positive");
    if (c.qLoraRank == 0)
      return r.invalid("q_lora_rank", "must be set: the V3.2 indexer reads the q latent");
    if (c.qkRopeHeadDim > c.indexHeadDim)
      return r.invalid("index_head_dim", "is narrower than qk_rope_head_dim");
  }
  if (Error e = checkConsistency(r, c))
    return std::move(e);
  return c;
}

} // namespace kiln::frontend
