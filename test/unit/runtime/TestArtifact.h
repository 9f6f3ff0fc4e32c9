// TestArtifact.h - hand-made .kiln artifacts for the runtime's tests.
//
// The compiler's writer (compiler/artifact) needs MLIR, so the runtime's tests carry their own
// small writer: an artifact described as plain structs (which a test edits to break one
// thing), serialised with flatbuffers behind the 4 KiB preamble, sections 4 KiB aligned and
// XXH3-hashed as the format says. tinyModel() is the model of TestModel.h, with the kernels of
// test_kernels.c as its CPU code.
#ifndef KILN_TEST_UNIT_RUNTIME_TESTARTIFACT_H
#define KILN_TEST_UNIT_RUNTIME_TESTARTIFACT_H

#include "artifact_generated.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::test {

struct BufferDesc {
  artifact::BufferKind kind = artifact::BufferKind::Arena;
  uint32_t index = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct LaunchDesc {
  uint32_t kernel = 0;
  uint32_t grid = 1;
  std::vector<BufferDesc> args;
};

struct PlanDesc {
  std::string name;
  uint32_t rank = 0;
  uint32_t maxTokens = 0;
  uint64_t arenaBytes = 0;
  std::vector<LaunchDesc> launches;
  std::optional<BufferDesc> logits;
};

struct KernelDesc {
  std::string symbol;
  uint32_t numArgs = 0;
};

struct TargetDesc {
  std::string name;
  std::string arch;
  int32_t codeSection = -1;
  std::vector<KernelDesc> kernels;
  std::vector<PlanDesc> plans;
};

struct SectionDesc {
  std::string name;
  std::string bytes;
};

struct WeightDesc {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  uint32_t section = 0;
};

struct KvLayoutDesc {
  std::string dtype = "f32";
  uint32_t blockSize = 0, layers = 0, latent = 0, rope = 0, index = 0;
  uint64_t bytesPerToken = 0;
  uint32_t numBlocks = 0, maxSeqLen = 0, maxBatch = 0, blocksPerSeq = 0;
};

struct ArtifactDesc {
  uint32_t formatMajor, formatMinor; // ArtifactFormat.h's by default
  std::vector<std::string> features;
  std::vector<SectionDesc> sections;
  std::vector<WeightDesc> weights;
  std::vector<TargetDesc> targets;
  std::optional<KvLayoutDesc> kv;
  uint32_t vocabSize = 0;
  uint32_t ranks = 1;
  ArtifactDesc();
};

/// Where the writer put things, for tests that damage the file.
struct Placement {
  std::vector<uint64_t> sectionOffsets;
  uint64_t headerOffset = 0;
};

/// Writes `desc` to `path`; returns "" or what went wrong.
std::string writeArtifact(const ArtifactDesc &desc, const std::string &path,
                          Placement *placement = nullptr);

/// The hand-made model (TestModel.h): sections 0 code, 1 embedding, 2 lm_head, 3 scale, 4 and
/// 5 the layers' coefficients; kernels 0 embed, 1 kv_write, 2 logits; plans "prefill"
/// (max_tokens 8) and "decode" (max_tokens = max_batch = 4), with grids larger than two
/// threads. `kernelLibrary` is the built test_kernels.c; `numBlocks` the KV blocks per layer.
ArtifactDesc tinyModel(const std::string &kernelLibrary, uint32_t numBlocks = 16);

/// The values tinyModel() stores.
float tinyEmbedding(int token, int d);
float tinyLmHead(int d, int token);
inline constexpr float kTinyScale = 0.5f;
inline constexpr float kTinyCoefficients[2] = {1.0f, -0.25f};
inline constexpr uint32_t kTinyPrefillTokens = 8;
inline constexpr uint32_t kTinyMaxBatch = 4;

/// The logits [tokens.size(), vocab] the tiny model gives for one sequence from position 0,
/// computed here in the same order as the kernels.
std::vector<float> tinyReference(const std::vector<int32_t> &tokens);

/// The whole file's bytes.
std::string readFile(const std::string &path);

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

} // namespace kiln::test

#endif // KILN_TEST_UNIT_RUNTIME_TESTARTIFACT_H
