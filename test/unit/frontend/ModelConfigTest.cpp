// config.json parsing: defaults, aliases, both rope spellings and the softmax scale.
#include "compiler/frontend/ModelConfig.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln::frontend;

namespace {

ModelConfig parse(const std::string &json) {
  llvm::Expected<ModelConfig> config = parseModelConfig(json, "config.json");
  EXPECT_TRUE(bool(config)) << (config ? "" : llvm::toString(config.takeError()));
  return config ? *config : ModelConfig();
}

std::string error(const std::string &json) {
  llvm::Expected<ModelConfig> config = parseModelConfig(json, "config.json");
  if (config)
    return "<accepted>";
  return llvm::toString(config.takeError());
}

TEST(ModelConfig, V3DefaultsAreTransformers) {
  ModelConfig c = parse(R"({"model_type": "deepseek_v3"})");
  EXPECT_EQ(c.hiddenSize, 7168);
  EXPECT_EQ(c.nRoutedExperts, 256);
  EXPECT_EQ(c.numExpertsPerTok, 8);
  EXPECT_EQ(c.topkMethod, TopkMethod::NoauxTc);
  EXPECT_EQ(c.scoringFunc, ScoringFunc::Sigmoid);
  EXPECT_TRUE(c.normTopkProb);
  EXPECT_EQ(c.qLoraRank, 1536);
  EXPECT_EQ(c.firstKDenseReplace, 3);
}

TEST(ModelConfig, V2DefaultsAreTransformers) {
  // DeepseekV2Config() in transformers 5.23; num_experts_per_tok has no default there.
  ModelConfig c = parse(R"({"model_type": "deepseek_v2", "num_experts_per_tok": 6})");
  EXPECT_EQ(c.vocabSize, 102400);
  EXPECT_EQ(c.hiddenSize, 4096);
  EXPECT_EQ(c.moeIntermediateSize, 1407);
  EXPECT_EQ(c.nRoutedExperts, 64);
  EXPECT_EQ(c.nSharedExperts, 2);
  EXPECT_EQ(c.topkMethod, TopkMethod::Greedy);
  EXPECT_EQ(c.scoringFunc, ScoringFunc::Softmax);
  EXPECT_FALSE(c.normTopkProb);
  EXPECT_EQ(c.firstKDenseReplace, 0);
  EXPECT_EQ(c.maxPositionEmbeddings, 2048);
  EXPECT_EQ(c.bosTokenId, 1);
}

TEST(ModelConfig, SoftmaxScaleWithYarnMscale) {
  // The reference note §2.5: 0.135234 for V3, 0.114721 for V2-Lite.
  ModelConfig v3 = parse(R"({"model_type": "deepseek_v3", "max_position_embeddings": 163840,
      "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                       "beta_fast": 32, "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}})");
  EXPECT_NEAR(v3.softmaxScale(), 0.135234, 1e-6);
  ModelConfig v2lite = parse(R"({"model_type": "deepseek_v2", "num_experts_per_tok": 6,
      "q_lora_rank": null, "rope_scaling": {"type": "yarn", "factor": 40,
      "original_max_position_embeddings": 4096, "beta_fast": 32, "beta_slow": 1,
      "mscale": 0.707, "mscale_all_dim": 0.707}})");
  EXPECT_NEAR(v2lite.softmaxScale(), 0.114721, 1e-6);
  EXPECT_EQ(v2lite.qLoraRank, 0);
  ModelConfig plain = parse(R"({"model_type": "deepseek_v3"})");
  EXPECT_DOUBLE_EQ(plain.softmaxScale(), 1.0 / std::sqrt(192.0));
}

TEST(ModelConfig, RopeParametersV5Spelling) {
  ModelConfig c = parse(R"({"model_type": "deepseek_v3", "rope_parameters": {"rope_type": "yarn",
      "rope_theta": 50000.0, "factor": 4.0, "original_max_position_embeddings": 1024}})");
  ASSERT_TRUE(c.yarn.has_value());
  EXPECT_EQ(c.ropeTheta, 50000.0);
  EXPECT_EQ(c.yarn->factor, 4.0);
  EXPECT_EQ(c.yarn->originalMaxPositionEmbeddings, 1024);
  EXPECT_EQ(c.yarn->betaFast, 32.0);
}

TEST(ModelConfig, Aliases) {
  ModelConfig c = parse(R"({"model_type": "deepseek_v3", "num_local_experts": 64,
      "torch_dtype": "bfloat16"})");
  EXPECT_EQ(c.nRoutedExperts, 64);
  EXPECT_EQ(c.dtype, "bfloat16");
  ModelConfig d = parse(R"({"model_type": "deepseek_v3", "dtype": "float32"})");
  EXPECT_EQ(d.dtype, "float32");
}

TEST(ModelConfig, Quantization) {
  ModelConfig c = parse(R"({"model_type": "deepseek_v3", "quantization_config": {
      "quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
      "weight_block_size": [128, 128], "scale_fmt": "ue8m0"}})");
  ASSERT_TRUE(c.quantization.has_value());
  EXPECT_TRUE(c.quantization->ue8m0Scales);
  EXPECT_EQ(c.quantization->blockOut, 128);
}

TEST(ModelConfig, Errors) {
  EXPECT_EQ(error(R"({"model_type": "llama"})"),
            "config.json: unsupported model_type 'llama' (Kiln reads deepseek_v2, deepseek_v3 "
            "and deepseek_v32)");
  EXPECT_EQ(error(R"({"model_type": "deepseek_v3", "hidden_size": "big"})"),
            "config.json: 'hidden_size' must be an integer, got a string");
  EXPECT_EQ(error(R"({"model_type": "deepseek_v3", "n_group": 3})"),
            "config.json: 'n_group' (3) does not divide n_routed_experts (256)");
  EXPECT_EQ(error(R"({"model_type": "deepseek_v3", "rope_scaling": {"type": "linear",
      "factor": 2}})"),
            "config.json: 'rope_scaling.rope_type' is 'linear'; DeepSeek models use yarn (or "
            "none)");
}

} // namespace
