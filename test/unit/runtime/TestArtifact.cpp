// TestArtifact.cpp - a small .kiln writer and the hand-made model for the runtime's tests.
#include "TestArtifact.h"

#include "ArtifactFormat.h"
#include "TestModel.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kiln::test {

namespace fb = flatbuffers;

ArtifactDesc::ArtifactDesc()
    : formatMajor(artifact::kFormatMajor), formatMinor(artifact::kFormatMinor) {}

TempDir::TempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/kiln-runtime-test-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

namespace {

fb::Offset<artifact::BufferRef> buffer(fb::FlatBufferBuilder &builder, const BufferDesc &ref) {
  return artifact::CreateBufferRef(builder, ref.kind, ref.index, ref.offset, ref.size);
}

fb::Offset<artifact::Target> target(fb::FlatBufferBuilder &builder, const TargetDesc &desc) {
  std::vector<fb::Offset<artifact::Kernel>> kernels;
  for (const KernelDesc &kernel : desc.kernels)
    kernels.push_back(
        artifact::CreateKernel(builder, builder.CreateString(kernel.symbol), kernel.numArgs));
  std::vector<fb::Offset<artifact::Plan>> plans;
  for (const PlanDesc &plan : desc.plans) {
    std::vector<fb::Offset<artifact::Launch>> launches;
    for (const LaunchDesc &launch : plan.launches) {
      std::vector<fb::Offset<artifact::BufferRef>> args;
      for (const BufferDesc &arg : launch.args)
        args.push_back(buffer(builder, arg));
      launches.push_back(artifact::CreateLaunch(builder, launch.kernel, launch.grid,
                                                builder.CreateVector(args)));
    }
    auto name = builder.CreateString(plan.name);
    auto launchVector = builder.CreateVector(launches);
    fb::Offset<artifact::BufferRef> logits;
    if (plan.logits)
      logits = buffer(builder, *plan.logits);
    plans.push_back(artifact::CreatePlan(builder, name, plan.rank, plan.maxTokens,
                                         plan.arenaBytes, plan.arenaBytes, launchVector, logits));
  }
  return artifact::CreateTarget(builder, builder.CreateString(desc.name),
                                builder.CreateString(desc.arch), desc.codeSection,
                                builder.CreateVector(kernels), builder.CreateVector(plans));
}

} // namespace

std::string writeArtifact(const ArtifactDesc &desc, const std::string &path,
                          Placement *placement) {
  std::string file(artifact::kAlignment, '\0');
  fb::FlatBufferBuilder builder;
  std::vector<fb::Offset<artifact::Section>> sections;
  Placement where;
  for (const SectionDesc &section : desc.sections) {
    file.resize(artifact::alignUp(file.size()), '\0');
    where.sectionOffsets.push_back(file.size());
    sections.push_back(artifact::CreateSection(
        builder, 0, builder.CreateString("raw"), builder.CreateString(section.name), 0,
        file.size(), section.bytes.size(),
        XXH3_64bits(section.bytes.data(), section.bytes.size())));
    file += section.bytes;
  }
  std::vector<fb::Offset<artifact::Weight>> weights;
  for (const WeightDesc &weight : desc.weights)
    weights.push_back(artifact::CreateWeight(builder, builder.CreateString(weight.name),
                                             builder.CreateString(weight.dtype),
                                             builder.CreateVector(weight.shape), weight.section));
  std::vector<fb::Offset<artifact::Target>> targets;
  std::vector<fb::Offset<fb::String>> targetNames;
  for (const TargetDesc &t : desc.targets) {
    targets.push_back(target(builder, t));
    targetNames.push_back(builder.CreateString(t.name));
  }
  std::vector<fb::Offset<fb::String>> features;
  for (const std::string &feature : desc.features)
    features.push_back(builder.CreateString(feature));
  fb::Offset<artifact::KvLayout> kv;
  if (desc.kv)
    kv = artifact::CreateKvLayout(builder, builder.CreateString(desc.kv->dtype),
                                  desc.kv->blockSize, desc.kv->layers, desc.kv->latent,
                                  desc.kv->rope, desc.kv->index, desc.kv->bytesPerToken,
                                  desc.kv->numBlocks, desc.kv->maxSeqLen, desc.kv->maxBatch,
                                  desc.kv->blocksPerSeq);
  auto featureVector = builder.CreateVector(features);
  auto targetNameVector = builder.CreateVector(targetNames);
  auto weightVector = builder.CreateVector(weights);
  auto sectionVector = builder.CreateVector(sections);
  auto targetVector = builder.CreateVector(targets);
  artifact::ArtifactBuilder root(builder);
  root.add_format_major(static_cast<uint16_t>(desc.formatMajor));
  root.add_format_minor(static_cast<uint16_t>(desc.formatMinor));
  root.add_required_features(featureVector);
  root.add_targets(targetNameVector);
  root.add_ranks(desc.ranks);
  root.add_weights(weightVector);
  root.add_sections(sectionVector);
  root.add_code_targets(targetVector);
  if (desc.kv)
    root.add_kv_layout(kv);
  root.add_vocab_size(desc.vocabSize);
  artifact::FinishArtifactBuffer(builder, root.Finish());

  file.resize(artifact::alignUp(file.size()), '\0');
  where.headerOffset = file.size();
  file.append(reinterpret_cast<const char *>(builder.GetBufferPointer()), builder.GetSize());
  artifact::Preamble preamble{};
  std::memcpy(preamble.magic, artifact::kMagic, sizeof(preamble.magic));
  preamble.formatMajor = desc.formatMajor;
  preamble.formatMinor = desc.formatMinor;
  preamble.headerOffset = where.headerOffset;
  preamble.headerSize = builder.GetSize();
  preamble.headerXxh3 = XXH3_64bits(builder.GetBufferPointer(), builder.GetSize());
  std::memcpy(file.data(), &preamble, sizeof(preamble));

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(file.data(), static_cast<std::streamsize>(file.size()));
  out.close();
  if (!out)
    return path + ": cannot write";
  if (placement)
    *placement = where;
  return "";
}

float tinyEmbedding(int token, int d) { return static_cast<float>((token * 7 + d * 3) % 11 - 5) * 0.125f; }
float tinyLmHead(int d, int token) { return static_cast<float>((d * 5 + token * 2) % 9 - 4) * 0.25f; }

namespace {

std::string floatBytes(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
}

/// One plan of the tiny model: embed, write both layers' cache, logits.
PlanDesc tinyPlan(const std::string &name, uint32_t maxTokens, uint32_t grid,
                  uint32_t numBlocks) {
  using K = artifact::BufferKind;
  constexpr uint32_t D = KILN_TEST_HIDDEN, V = KILN_TEST_VOCAB;
  const uint64_t hBytes = uint64_t{maxTokens} * D * 4, logitsOffset = (hBytes + 63) / 64 * 64;
  const uint64_t logitsBytes = uint64_t{maxTokens} * V * 4, inputBytes = uint64_t{maxTokens} * 4;
  const uint64_t table = uint64_t{kTinyMaxBatch} * KILN_TEST_BLOCKS_PER_SEQ * 4;
  const uint64_t pool = uint64_t{numBlocks} * KILN_TEST_BLOCK_SIZE * D * 4;
  const BufferDesc h{K::Arena, 0, 0, hBytes}, logits{K::Arena, 0, logitsOffset, logitsBytes};
  const BufferDesc positions{K::Input, 1, 0, inputBytes}, slots{K::Input, 2, 0, inputBytes};
  const BufferDesc blockTable{K::BlockTable, 0, 0, table};
  PlanDesc plan;
  plan.name = name;
  plan.maxTokens = maxTokens;
  plan.arenaBytes = logitsOffset + logitsBytes;
  plan.launches.push_back(
      {0, grid, {{K::Input, 0, 0, inputBytes}, {K::Weight, 0, 0, V * D * 4}, {K::Constant, 3, 0, 4}, h}});
  for (uint32_t layer = 0; layer < KILN_TEST_LAYERS; ++layer)
    plan.launches.push_back({1, layer == 0 ? grid : 1,
                             {h, positions, slots, blockTable, {K::KvPool, layer, 0, pool},
                              {K::Constant, 4 + layer, 0, 4}}});
  plan.launches.push_back({2, grid + 2,
                           {positions, slots, blockTable, {K::KvPool, 0, 0, pool},
                            {K::KvPool, 1, 0, pool}, {K::Weight, 1, 0, D * V * 4}, logits}});
  plan.logits = logits;
  return plan;
}

} // namespace

ArtifactDesc tinyModel(const std::string &kernelLibrary, uint32_t numBlocks) {
  constexpr int D = KILN_TEST_HIDDEN, V = KILN_TEST_VOCAB;
  ArtifactDesc desc;
  desc.features = {"cpu-plan-v1"};
  std::vector<float> embedding(V * D), lmHead(D * V);
  for (int v = 0; v < V; ++v)
    for (int d = 0; d < D; ++d) {
      embedding[v * D + d] = tinyEmbedding(v, d);
      lmHead[d * V + v] = tinyLmHead(d, v);
    }
  desc.sections = {{"cpu.code", readFile(kernelLibrary)},
                   {"model.embed_tokens.weight", floatBytes(embedding)},
                   {"lm_head.weight", floatBytes(lmHead)},
                   {"const.scale", floatBytes({kTinyScale})},
                   {"const.coefficient.0", floatBytes({kTinyCoefficients[0]})},
                   {"const.coefficient.1", floatBytes({kTinyCoefficients[1]})}};
  desc.weights = {{"model.embed_tokens.weight", "f32", {V, D}, 1},
                  {"lm_head.weight", "f32", {D, V}, 2}};
  TargetDesc cpu;
  cpu.name = "cpu";
  cpu.arch = "x86-64";
  cpu.codeSection = 0;
  cpu.kernels = {{"kiln_test_embed", 4}, {"kiln_test_kv_write", 6}, {"kiln_test_logits", 7}};
  cpu.plans = {tinyPlan("prefill", kTinyPrefillTokens, 7, numBlocks),
               tinyPlan("decode", kTinyMaxBatch, 5, numBlocks)};
  desc.targets = {cpu};
  KvLayoutDesc kv;
  kv.dtype = "f32";
  kv.blockSize = KILN_TEST_BLOCK_SIZE;
  kv.layers = KILN_TEST_LAYERS;
  kv.latent = D;
  kv.bytesPerToken = D * 4;
  kv.numBlocks = numBlocks;
  kv.maxSeqLen = KILN_TEST_BLOCK_SIZE * KILN_TEST_BLOCKS_PER_SEQ;
  kv.maxBatch = kTinyMaxBatch;
  kv.blocksPerSeq = KILN_TEST_BLOCKS_PER_SEQ;
  desc.kv = kv;
  desc.vocabSize = V;
  return desc;
}

std::vector<float> tinyReference(const std::vector<int32_t> &tokens) {
  constexpr int D = KILN_TEST_HIDDEN, V = KILN_TEST_VOCAB;
  std::vector<float> entries; // [position, D]: both layers' cache entries added
  std::vector<float> logits;
  for (size_t t = 0; t < tokens.size(); ++t) {
    for (int d = 0; d < D; ++d) {
      float h = tinyEmbedding(tokens[t], d) * kTinyScale;
      float weight = static_cast<float>(t + 1);
      entries.push_back(h * weight * kTinyCoefficients[0]);
      entries.push_back(h * weight * kTinyCoefficients[1]);
    }
    for (int v = 0; v < V; ++v) {
      float context[D] = {0};
      for (size_t p = 0; p <= t; ++p)
        for (int d = 0; d < D; ++d)
          context[d] += entries[(p * D + d) * 2] + entries[(p * D + d) * 2 + 1];
      float logit = 0;
      for (int d = 0; d < D; ++d)
        logit += context[d] * tinyLmHead(d, v);
      logits.push_back(logit);
    }
  }
  return logits;
}

} // namespace kiln::test
