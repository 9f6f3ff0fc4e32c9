// The runtime's C API (kiln_runtime.h) through the shared library, as an embedder links it, over
// the hand-made artifact (TestArtifact.h): every function's results and errors, sequences and
// slots, sampling against the sampler itself, several sessions of one artifact, and threads.
#include "kiln_runtime.h"

#include "Sampler.h"
#include "TestArtifact.h"
#include "TestModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace kiln;

extern "C" kiln_status_t kiln_test_c_generate(const char *path, const int32_t *prompt,
                                              size_t promptLength, size_t count, int32_t *out);

namespace {

constexpr uint32_t kVocab = KILN_TEST_VOCAB;
constexpr uint32_t kMaxSeqLen = KILN_TEST_BLOCK_SIZE * KILN_TEST_BLOCKS_PER_SEQ;

/// "CODE: message" of a status, freed; "OK" for NULL.
std::string take(kiln_status_t status) {
  std::string text = std::string(kiln_status_code_name(kiln_status_code(status)));
  if (status)
    text += std::string(": ") + kiln_status_message(status);
  kiln_status_free(status);
  return text;
}

#define EXPECT_OK(call) EXPECT_EQ(take(call), "OK")
#define ASSERT_OK(call) ASSERT_EQ(take(call), "OK")

std::vector<float> lastLogits(kiln_session_t session, uint32_t *rowsOut = nullptr) {
  const float *data = nullptr;
  uint32_t rows = 0, vocab = 0;
  EXPECT_OK(kiln_logits(session, &data, &rows, &vocab));
  EXPECT_EQ(vocab, kVocab);
  if (rowsOut)
    *rowsOut = rows;
  return data ? std::vector<float>(data, data + size_t{rows} * vocab) : std::vector<float>();
}

void expectNear(const std::vector<float> &actual, const std::vector<float> &expected) {
  ASSERT_EQ(actual.size(), expected.size());
  float scale = 1;
  for (float value : expected)
    scale = std::max(scale, std::fabs(value));
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], 1e-5f * scale) << "row " << i / kVocab << " column "
                                                       << i % kVocab;
}

int32_t argmax(const float *row) {
  return static_cast<int32_t>(std::max_element(row, row + kVocab) - row);
}

class CApiTest : public ::testing::Test {
protected:
  void TearDown() override {
    kiln_session_destroy(session);
    kiln_artifact_close(artifact);
  }
  std::string write(const test::ArtifactDesc &desc, const std::string &name = "model.kiln") {
    std::string path = dir.file(name);
    EXPECT_EQ(test::writeArtifact(desc, path), "");
    return path;
  }
  /// Opens the tiny model into `artifact` and a two-thread session into `session`.
  void openTiny(uint32_t numBlocks = 16) {
    path = write(test::tinyModel(KILN_TEST_KERNELS, numBlocks));
    ASSERT_OK(kiln_artifact_open(path.c_str(), &artifact));
    kiln_session_options_t options;
    kiln_session_options_init(&options);
    options.threads = 2;
    ASSERT_OK(kiln_session_create(artifact, &options, &session));
  }
  /// "PATH: " stripped from a status' message.
  std::string problem(kiln_status_t status) {
    std::string text = take(status);
    size_t at = text.find(path + ": ");
    return at == std::string::npos ? text : text.erase(at, path.size() + 2);
  }

  test::TempDir dir;
  std::string path;
  kiln_artifact_t artifact = nullptr;
  kiln_session_t session = nullptr;
};

TEST_F(CApiTest, QueriesGiveTheArtifactsLimits) {
  openTiny();
  uint32_t value = 0;
  EXPECT_OK(kiln_artifact_vocab_size(artifact, &value));
  EXPECT_EQ(value, kVocab);
  EXPECT_OK(kiln_artifact_max_seq_len(artifact, &value));
  EXPECT_EQ(value, kMaxSeqLen);
  EXPECT_OK(kiln_artifact_max_batch(artifact, &value));
  EXPECT_EQ(value, test::kTinyMaxBatch);
  EXPECT_OK(kiln_session_vocab_size(session, &value));
  EXPECT_EQ(value, kVocab);
  EXPECT_OK(kiln_session_max_seq_len(session, &value));
  EXPECT_EQ(value, kMaxSeqLen);
  EXPECT_OK(kiln_session_max_batch(session, &value));
  EXPECT_EQ(value, test::kTinyMaxBatch);
  EXPECT_OK(kiln_session_max_prefill_tokens(session, &value));
  EXPECT_EQ(value, test::kTinyPrefillTokens);
  EXPECT_OK(kiln_session_max_decode_batch(session, &value));
  EXPECT_EQ(value, 4u);
  EXPECT_OK(kiln_session_threads(session, &value));
  EXPECT_EQ(value, 2u);
}

TEST_F(CApiTest, PrefillContinuesTheSequenceAndDecodeFollows) {
  openTiny();
  uint32_t slot = 99, length = 99;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  EXPECT_EQ(slot, 0u);
  EXPECT_OK(kiln_sequence_length(session, slot, &length));
  EXPECT_EQ(length, 0u);

  std::vector<int32_t> tokens;
  for (int i = 0; i < 20; ++i)
    tokens.push_back((i * 7 + 2) % kVocab);
  std::vector<float> got;
  uint32_t rows = 0;
  // 8 + 5 through prefill (the second continues at 8), the rest one by one through decode.
  ASSERT_OK(kiln_prefill(session, slot, tokens.data(), 8));
  std::vector<float> chunk = lastLogits(session, &rows);
  EXPECT_EQ(rows, 8u);
  got.insert(got.end(), chunk.begin(), chunk.end());
  ASSERT_OK(kiln_prefill(session, slot, tokens.data() + 8, 5));
  chunk = lastLogits(session, &rows);
  EXPECT_EQ(rows, 5u);
  got.insert(got.end(), chunk.begin(), chunk.end());
  EXPECT_OK(kiln_sequence_length(session, slot, &length));
  EXPECT_EQ(length, 13u);
  for (size_t i = 13; i < tokens.size(); ++i) {
    ASSERT_OK(kiln_decode(session, &slot, &tokens[i], 1));
    chunk = lastLogits(session, &rows);
    EXPECT_EQ(rows, 1u);
    got.insert(got.end(), chunk.begin(), chunk.end());
  }
  EXPECT_OK(kiln_sequence_length(session, slot, &length));
  EXPECT_EQ(length, 20u);
  expectNear(got, test::tinyReference(tokens));
  // The rows are the session's: NULL for rows or vocab is fine.
  const float *data = nullptr;
  EXPECT_OK(kiln_logits(session, &data, nullptr, nullptr));
  EXPECT_NE(data, nullptr);
}

TEST_F(CApiTest, BatchedDecodeStepsEverySequence) {
  openTiny();
  const std::vector<std::vector<int32_t>> sequences = {
      {1, 2, 3, 4, 5, 6, 7, 8, 9}, {12, 13, 14, 15, 0, 1, 2, 3}, {5, 5, 5, 6, 6, 6, 7, 7, 7}};
  std::vector<uint32_t> slots(3);
  std::vector<std::vector<float>> got(3);
  for (size_t s = 0; s < 3; ++s) {
    ASSERT_OK(kiln_sequence_add(session, &slots[s]));
    EXPECT_EQ(slots[s], s);
    ASSERT_OK(kiln_prefill(session, slots[s], sequences[s].data(), 2 + s));
    got[s] = lastLogits(session);
  }
  // Positions differ per sequence: each continues at its own length.
  for (size_t step = 0; step < 5; ++step) {
    std::vector<uint32_t> batch;
    std::vector<int32_t> tokens;
    for (size_t s = 0; s < 3; ++s) {
      batch.push_back(slots[s]);
      tokens.push_back(sequences[s][2 + s + step]);
    }
    ASSERT_OK(kiln_decode(session, batch.data(), tokens.data(), batch.size()));
    uint32_t rows = 0;
    std::vector<float> logits = lastLogits(session, &rows);
    ASSERT_EQ(rows, 3u);
    for (size_t s = 0; s < 3; ++s)
      got[s].insert(got[s].end(), logits.begin() + s * kVocab, logits.begin() + (s + 1) * kVocab);
  }
  for (size_t s = 0; s < 3; ++s) {
    std::vector<int32_t> seen(sequences[s].begin(), sequences[s].begin() + 2 + s + 5);
    expectNear(got[s], test::tinyReference(seen));
  }
}

TEST_F(CApiTest, SlotsAreReusedAndARemovedSequenceStartsOver) {
  openTiny();
  uint32_t a = 0, b = 0, c = 0, d = 0, again = 0;
  ASSERT_OK(kiln_sequence_add(session, &a));
  ASSERT_OK(kiln_sequence_add(session, &b));
  ASSERT_OK(kiln_sequence_add(session, &c));
  ASSERT_OK(kiln_sequence_add(session, &d));
  EXPECT_EQ(std::vector<uint32_t>({a, b, c, d}), std::vector<uint32_t>({0, 1, 2, 3}));
  const std::vector<int32_t> old = {9, 9, 9, 9, 9};
  ASSERT_OK(kiln_prefill(session, b, old.data(), old.size()));
  ASSERT_OK(kiln_sequence_remove(session, b));
  ASSERT_OK(kiln_sequence_add(session, &again));
  EXPECT_EQ(again, 1u); // the lowest free slot
  uint32_t length = 99;
  EXPECT_OK(kiln_sequence_length(session, again, &length));
  EXPECT_EQ(length, 0u);
  const std::vector<int32_t> fresh = {3, 4};
  ASSERT_OK(kiln_prefill(session, again, fresh.data(), fresh.size()));
  expectNear(lastLogits(session), test::tinyReference(fresh));
}

TEST_F(CApiTest, GreedySamplingIsTheArgmax) {
  openTiny();
  uint32_t slot = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  const std::vector<int32_t> prompt = {3, 1, 4, 1, 5};
  ASSERT_OK(kiln_prefill(session, slot, prompt.data(), prompt.size()));
  std::vector<float> logits = lastLogits(session);
  for (uint32_t row = 0; row < prompt.size(); ++row) {
    int32_t token = -1;
    ASSERT_OK(kiln_sample(session, row, nullptr, &token));
    EXPECT_EQ(token, argmax(logits.data() + row * kVocab)) << "row " << row;
  }
  kiln_sampling_params_t params;
  kiln_sampling_params_init(&params);
  EXPECT_EQ(params.temperature, 0.0);
  EXPECT_EQ(params.top_k, 0);
  EXPECT_EQ(params.top_p, 1.0);
  EXPECT_EQ(params.repetition_penalty, 1.0);
  EXPECT_EQ(params.seed, 0u);
  int32_t token = -1;
  ASSERT_OK(kiln_sample(session, 4, &params, &token));
  EXPECT_EQ(token, argmax(logits.data() + 4 * kVocab));
}

TEST_F(CApiTest, SamplingIsTheSamplersAndEachSequenceKeepsItsStream) {
  openTiny();
  uint32_t slot = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  kiln_sampling_params_t params;
  kiln_sampling_params_init(&params);
  params.temperature = 0.7;
  params.top_k = 6;
  params.top_p = 0.95;
  params.repetition_penalty = 1.3;
  params.seed = 1234;
  sampling::SamplingConfig config;
  config.temperature = 0.7;
  config.topK = 6;
  config.topP = 0.95;
  config.repetitionPenalty = 1.3;
  config.seed = 1234;
  sampling::Sampler reference(config);

  std::vector<int32_t> history = {2, 7, 1, 8};
  ASSERT_OK(kiln_prefill(session, slot, history.data(), history.size()));
  std::vector<int32_t> generated;
  for (int step = 0; step < 20; ++step) {
    uint32_t rows = 0;
    std::vector<float> logits = lastLogits(session, &rows);
    int32_t token = -1;
    ASSERT_OK(kiln_sample(session, rows - 1, &params, &token));
    EXPECT_EQ(token, reference.sample(logits.data() + (rows - 1) * kVocab, kVocab, history))
        << "step " << step;
    generated.push_back(token);
    history.push_back(token);
    ASSERT_OK(kiln_decode(session, &slot, &token, 1));
  }
  // A random stream, continued: not the same draw every step.
  EXPECT_GT(std::set<int32_t>(generated.begin(), generated.end()).size(), 2u);

  // A row inside a prefill: the penalty sees the sequence up to that row's token.
  uint32_t second = 0;
  ASSERT_OK(kiln_sequence_add(session, &second));
  const std::vector<int32_t> prompt = {5, 5, 5, 9, 9, 1};
  ASSERT_OK(kiln_prefill(session, second, prompt.data(), prompt.size()));
  std::vector<float> logits = lastLogits(session);
  kiln_sampling_params_t penalty;
  kiln_sampling_params_init(&penalty);
  penalty.repetition_penalty = 50;
  sampling::SamplingConfig greedyPenalty;
  greedyPenalty.temperature = 0;
  greedyPenalty.repetitionPenalty = 50;
  for (uint32_t row = 0; row < prompt.size(); ++row) {
    int32_t token = -1;
    ASSERT_OK(kiln_sample(session, row, &penalty, &token));
    std::vector<int32_t> seen(prompt.begin(), prompt.begin() + row + 1);
    EXPECT_EQ(token, sampling::Sampler(greedyPenalty).sample(logits.data() + row * kVocab,
                                                             kVocab, seen))
        << "row " << row;
  }
}

TEST_F(CApiTest, TheSameSeedGivesTheSameTokensInAnotherSession) {
  openTiny();
  kiln_session_t other = nullptr;
  ASSERT_OK(kiln_session_create(artifact, nullptr, &other));
  kiln_sampling_params_t params;
  kiln_sampling_params_init(&params);
  params.temperature = 1.5;
  params.seed = 77;
  auto run = [&](kiln_session_t s) {
    uint32_t slot = 0;
    EXPECT_OK(kiln_sequence_add(s, &slot));
    int32_t token = 4;
    std::vector<int32_t> out;
    EXPECT_OK(kiln_prefill(s, slot, &token, 1));
    for (int i = 0; i < 12; ++i) {
      EXPECT_OK(kiln_sample(s, 0, &params, &token));
      out.push_back(token);
      EXPECT_OK(kiln_decode(s, &slot, &token, 1));
    }
    return out;
  };
  EXPECT_EQ(run(session), run(other));
  kiln_session_destroy(other);
}

TEST_F(CApiTest, TheArtifactOutlivesItsHandle) {
  openTiny();
  kiln_artifact_close(artifact);
  artifact = nullptr;
  uint32_t slot = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  const std::vector<int32_t> tokens = {6, 2, 8};
  ASSERT_OK(kiln_prefill(session, slot, tokens.data(), tokens.size()));
  expectNear(lastLogits(session), test::tinyReference(tokens));
}

/// The distinct memfds of loaded CPU code in this process.
size_t loadedCodeCopies() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> inodes;
  std::string line;
  while (std::getline(maps, line))
    if (line.find("/memfd:kiln-cpu-code") != std::string::npos) {
      // address perms offset dev inode path
      std::istringstream fields(line);
      std::string address, perms, offset, device, inode;
      fields >> address >> perms >> offset >> device >> inode;
      inodes.insert(inode);
    }
  return inodes.size();
}

TEST_F(CApiTest, SessionsOfOneArtifactShareItsCode) {
  openTiny();
  EXPECT_EQ(loadedCodeCopies(), 1u);
  kiln_session_t second = nullptr, third = nullptr;
  ASSERT_OK(kiln_session_create(artifact, nullptr, &second));
  ASSERT_OK(kiln_session_create(artifact, nullptr, &third));
  EXPECT_EQ(loadedCodeCopies(), 1u);
  // Each has its own KV cache and sequences.
  uint32_t a = 0, b = 0;
  ASSERT_OK(kiln_sequence_add(session, &a));
  ASSERT_OK(kiln_sequence_add(second, &b));
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 0u);
  const std::vector<int32_t> x = {1, 2, 3}, y = {15, 14};
  ASSERT_OK(kiln_prefill(session, a, x.data(), x.size()));
  ASSERT_OK(kiln_prefill(second, b, y.data(), y.size()));
  expectNear(lastLogits(session), test::tinyReference(x));
  expectNear(lastLogits(second), test::tinyReference(y));
  kiln_session_destroy(second);
  kiln_session_destroy(third);
  // Another artifact (a second open of the same file) is another copy.
  kiln_artifact_t again = nullptr;
  kiln_session_t fourth = nullptr;
  ASSERT_OK(kiln_artifact_open(path.c_str(), &again));
  ASSERT_OK(kiln_session_create(again, nullptr, &fourth));
  EXPECT_EQ(loadedCodeCopies(), 2u);
  kiln_session_destroy(fourth);
  kiln_artifact_close(again);
  // (The mappings stay after dlclose here: test_kernels.c's module is linked NODELETE.)
}

// --- Errors: each one status with its code and one line naming the problem. ---

TEST_F(CApiTest, NullHandlesAndPointers) {
  openTiny();
  uint32_t value = 0, slot = 0;
  int32_t token = 0;
  const float *data = nullptr;
  kiln_artifact_t a = nullptr;
  kiln_session_t s = nullptr;
  EXPECT_EQ(take(kiln_artifact_open(nullptr, &a)),
            "INVALID_ARGUMENT: kiln_artifact_open: path is NULL");
  EXPECT_EQ(take(kiln_artifact_open(path.c_str(), nullptr)),
            "INVALID_ARGUMENT: kiln_artifact_open: artifact is NULL");
  EXPECT_EQ(take(kiln_artifact_vocab_size(nullptr, &value)),
            "INVALID_ARGUMENT: kiln_artifact_vocab_size: artifact is NULL");
  EXPECT_EQ(take(kiln_artifact_vocab_size(artifact, nullptr)),
            "INVALID_ARGUMENT: kiln_artifact_vocab_size: vocab_size is NULL");
  EXPECT_EQ(take(kiln_artifact_max_seq_len(nullptr, &value)),
            "INVALID_ARGUMENT: kiln_artifact_max_seq_len: artifact is NULL");
  EXPECT_EQ(take(kiln_artifact_max_batch(nullptr, &value)),
            "INVALID_ARGUMENT: kiln_artifact_max_batch: artifact is NULL");
  EXPECT_EQ(take(kiln_session_create(nullptr, nullptr, &s)),
            "INVALID_ARGUMENT: kiln_session_create: artifact is NULL");
  EXPECT_EQ(take(kiln_session_create(artifact, nullptr, nullptr)),
            "INVALID_ARGUMENT: kiln_session_create: session is NULL");
  EXPECT_EQ(s, nullptr);
  for (auto query : {kiln_session_max_prefill_tokens, kiln_session_max_decode_batch,
                     kiln_session_vocab_size, kiln_session_max_seq_len, kiln_session_max_batch,
                     kiln_session_threads}) {
    EXPECT_EQ(take(query(nullptr, &value)).find("INVALID_ARGUMENT: kiln_session_"), 0u);
    EXPECT_NE(take(query(session, nullptr)).find(": the result pointer is NULL"),
              std::string::npos);
  }
  EXPECT_EQ(take(kiln_session_threads(nullptr, &value)),
            "INVALID_ARGUMENT: kiln_session_threads: session is NULL");
  EXPECT_EQ(take(kiln_sequence_add(nullptr, &slot)),
            "INVALID_ARGUMENT: kiln_sequence_add: session is NULL");
  EXPECT_EQ(take(kiln_sequence_add(session, nullptr)),
            "INVALID_ARGUMENT: kiln_sequence_add: slot is NULL");
  EXPECT_EQ(take(kiln_sequence_remove(nullptr, 0)),
            "INVALID_ARGUMENT: kiln_sequence_remove: session is NULL");
  EXPECT_EQ(take(kiln_sequence_length(nullptr, 0, &value)),
            "INVALID_ARGUMENT: kiln_sequence_length: session is NULL");
  ASSERT_OK(kiln_sequence_add(session, &slot));
  EXPECT_EQ(take(kiln_sequence_length(session, slot, nullptr)),
            "INVALID_ARGUMENT: kiln_sequence_length: length is NULL");
  EXPECT_EQ(take(kiln_prefill(nullptr, 0, &token, 1)),
            "INVALID_ARGUMENT: kiln_prefill: session is NULL");
  EXPECT_EQ(take(kiln_prefill(session, slot, nullptr, 1)),
            "INVALID_ARGUMENT: kiln_prefill: tokens is NULL");
  EXPECT_EQ(take(kiln_decode(nullptr, &slot, &token, 1)),
            "INVALID_ARGUMENT: kiln_decode: session is NULL");
  EXPECT_EQ(take(kiln_decode(session, nullptr, &token, 1)),
            "INVALID_ARGUMENT: kiln_decode: slots is NULL");
  EXPECT_EQ(take(kiln_decode(session, &slot, nullptr, 1)),
            "INVALID_ARGUMENT: kiln_decode: tokens is NULL");
  EXPECT_EQ(take(kiln_logits(nullptr, &data, &value, &value)),
            "INVALID_ARGUMENT: kiln_logits: session is NULL");
  EXPECT_EQ(take(kiln_logits(session, nullptr, &value, &value)),
            "INVALID_ARGUMENT: kiln_logits: logits is NULL");
  EXPECT_EQ(take(kiln_sample(nullptr, 0, nullptr, &token)),
            "INVALID_ARGUMENT: kiln_sample: session is NULL");
  EXPECT_EQ(take(kiln_sample(session, 0, nullptr, nullptr)),
            "INVALID_ARGUMENT: kiln_sample: token is NULL");
  // The void functions take NULL.
  kiln_artifact_close(nullptr);
  kiln_session_destroy(nullptr);
  kiln_session_options_init(nullptr);
  kiln_sampling_params_init(nullptr);
}

TEST_F(CApiTest, OpenErrorsNameTheFile) {
  const std::string missing = dir.file("missing.kiln");
  kiln_artifact_t a = nullptr;
  kiln_status_t status = kiln_artifact_open(missing.c_str(), &a);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_NOT_FOUND);
  EXPECT_EQ(std::string(kiln_status_message(status)).rfind(missing + ": ", 0), 0u)
      << kiln_status_message(status);
  kiln_status_free(status);
  EXPECT_EQ(a, nullptr);

  test::ArtifactDesc unknown = test::tinyModel(KILN_TEST_KERNELS);
  unknown.features.push_back("moe-v9");
  const std::string broken = write(unknown, "broken.kiln");
  EXPECT_EQ(take(kiln_artifact_open(broken.c_str(), &a)),
            "UNIMPLEMENTED: " + broken +
                ": requires feature 'moe-v9', which this runtime does not know; update the "
                "runtime");
  EXPECT_EQ(a, nullptr);
}

TEST_F(CApiTest, SessionErrors) {
  test::ArtifactDesc gpuOnly = test::tinyModel(KILN_TEST_KERNELS);
  gpuOnly.targets[0].name = "sm_90a";
  const std::string gpuPath = write(gpuOnly, "gpu.kiln");
  kiln_artifact_t gpu = nullptr;
  ASSERT_OK(kiln_artifact_open(gpuPath.c_str(), &gpu)); // opening reads no code
  kiln_session_t s = nullptr;
  EXPECT_EQ(take(kiln_session_create(gpu, nullptr, &s)),
            "NOT_FOUND: " + gpuPath +
                ": the artifact carries no CPU code (targets: sm_90a); compile it with --target "
                "cpu");
  EXPECT_EQ(s, nullptr);
  kiln_artifact_close(gpu);

  openTiny();
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  EXPECT_STREQ(options.device, "cpu");
  EXPECT_EQ(options.threads, 0u);
  options.device = "cuda:1";
  EXPECT_EQ(take(kiln_session_create(artifact, &options, &s)),
            "UNIMPLEMENTED: kiln_session_create: device 'cuda:1': the C API runs sessions on the "
            "CPU only for now; use \"cpu\"");
  options.device = "tpu";
  EXPECT_EQ(take(kiln_session_create(artifact, &options, &s)),
            "INVALID_ARGUMENT: kiln_session_create: unknown device 'tpu' (expected \"cpu\")");
  options.device = nullptr; // the CPU
  options.threads = 5000;
  EXPECT_EQ(take(kiln_session_create(artifact, &options, &s)),
            "INVALID_ARGUMENT: threads: 5000 is more than 1024");
  EXPECT_EQ(s, nullptr);
  options.threads = 1;
  ASSERT_OK(kiln_session_create(artifact, &options, &s));
  kiln_session_destroy(s);
}

TEST_F(CApiTest, UnknownSlotsAndTooManySequences) {
  openTiny();
  uint32_t slot = 0, length = 0;
  const int32_t token = 1;
  EXPECT_EQ(problem(kiln_prefill(session, 0, &token, 1)),
            "NOT_FOUND: no sequence in slot 0 (kiln_sequence_add starts one)");
  EXPECT_EQ(problem(kiln_decode(session, &slot, &token, 1)),
            "NOT_FOUND: no sequence in slot 0 (kiln_sequence_add starts one)");
  EXPECT_EQ(problem(kiln_sequence_remove(session, 2)),
            "NOT_FOUND: no sequence in slot 2 (kiln_sequence_add starts one)");
  EXPECT_EQ(problem(kiln_sequence_length(session, 70, &length)),
            "NOT_FOUND: no sequence in slot 70 (kiln_sequence_add starts one)");
  for (int i = 0; i < 4; ++i)
    ASSERT_OK(kiln_sequence_add(session, &slot));
  slot = 99;
  EXPECT_EQ(problem(kiln_sequence_add(session, &slot)),
            "RESOURCE_EXHAUSTED: too many sequences: all 4 slots (max_batch 4) hold one; remove "
            "a sequence first, or recompile with kiln-compile --max-batch N (larger)");
  EXPECT_EQ(slot, 99u); // untouched
  ASSERT_OK(kiln_sequence_remove(session, 2));
  EXPECT_EQ(problem(kiln_sequence_remove(session, 2)),
            "NOT_FOUND: no sequence in slot 2 (kiln_sequence_add starts one)");
  ASSERT_OK(kiln_sequence_add(session, &slot));
  EXPECT_EQ(slot, 2u);
}

TEST_F(CApiTest, RequestsOutsideTheLimitsChangeNothing) {
  openTiny();
  uint32_t slot = 0, other = 0, length = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  ASSERT_OK(kiln_sequence_add(session, &other));
  const std::vector<int32_t> tokens = {3, 1, 4};
  ASSERT_OK(kiln_prefill(session, slot, tokens.data(), tokens.size()));
  const std::vector<float> before = lastLogits(session);

  const int32_t outside[] = {2, 16};
  EXPECT_EQ(problem(kiln_prefill(session, slot, outside, 2)),
            "INVALID_ARGUMENT: token id 16 at position 4 is outside the vocabulary (16 tokens)");
  const int32_t negative = -3;
  EXPECT_EQ(problem(kiln_decode(session, &slot, &negative, 1)),
            "INVALID_ARGUMENT: token id -3 at position 3 is outside the vocabulary (16 tokens)");
  const std::vector<int32_t> nine(9, 1);
  EXPECT_EQ(problem(kiln_prefill(session, slot, nine.data(), 9)),
            "INVALID_ARGUMENT: prefill of 9 tokens is more than the plan's 8; send it in chunks");
  EXPECT_EQ(problem(kiln_prefill(session, slot, nine.data(), 0)),
            "INVALID_ARGUMENT: prefill of no tokens");
  EXPECT_EQ(problem(kiln_decode(session, &slot, nine.data(), 0)),
            "INVALID_ARGUMENT: decode of no tokens");
  const uint32_t twice[] = {slot, slot};
  EXPECT_EQ(problem(kiln_decode(session, twice, nine.data(), 2)),
            "INVALID_ARGUMENT: decode carries two tokens of slot 0 (one token per sequence and "
            "step)");
  // Nothing changed: the length, the logits.
  EXPECT_OK(kiln_sequence_length(session, slot, &length));
  EXPECT_EQ(length, 3u);
  EXPECT_EQ(lastLogits(session), before);

  // Past max_seq_len: fill the sequence to 32, then one more.
  for (uint32_t at = 3; at < kMaxSeqLen; at += 8)
    ASSERT_OK(kiln_prefill(session, slot, nine.data(), std::min(8u, kMaxSeqLen - at)));
  EXPECT_OK(kiln_sequence_length(session, slot, &length));
  EXPECT_EQ(length, kMaxSeqLen);
  EXPECT_EQ(problem(kiln_prefill(session, slot, nine.data(), 1)),
            "INVALID_ARGUMENT: position 32 of slot 0 is past the artifact's max_seq_len of 32 tokens"
            "; recompile with kiln-compile --max-seq-len N (larger)");
  EXPECT_EQ(problem(kiln_decode(session, &slot, nine.data(), 1)),
            "INVALID_ARGUMENT: position 32 of slot 0 is past the artifact's max_seq_len of 32 tokens"
            "; recompile with kiln-compile --max-seq-len N (larger)");
  // The other sequence is unaffected: 6 + 8 positions fit.
  ASSERT_OK(kiln_prefill(session, other, nine.data(), 6));
  ASSERT_OK(kiln_prefill(session, other, nine.data(), 8));
  EXPECT_OK(kiln_sequence_length(session, other, &length));
  EXPECT_EQ(length, 14u);
}

TEST_F(CApiTest, AFullCacheIsAnError) {
  openTiny(/*numBlocks=*/4); // 16 positions in all
  uint32_t a = 0, b = 0;
  ASSERT_OK(kiln_sequence_add(session, &a));
  ASSERT_OK(kiln_sequence_add(session, &b));
  const std::vector<int32_t> eight(8, 2);
  ASSERT_OK(kiln_prefill(session, a, eight.data(), 8));
  ASSERT_OK(kiln_prefill(session, a, eight.data(), 8));
  EXPECT_EQ(problem(kiln_prefill(session, b, eight.data(), 1)),
            "RESOURCE_EXHAUSTED: the KV cache is full: slot 1 needs blocks up to position 0, 0 "
            "of 4 blocks are free; end a sequence, or recompile with kiln-compile --max-batch N (larger: the pool holds max_batch sequences of max_seq_len tokens)");
  ASSERT_OK(kiln_sequence_remove(session, a)); // its blocks come back
  ASSERT_OK(kiln_prefill(session, b, eight.data(), 8));
}

TEST_F(CApiTest, ASequenceReachingMaxSeqLenInDecodeIsAnError) {
  openTiny();
  uint32_t slot = 0, length = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  const std::vector<int32_t> eight(8, 2);
  for (uint32_t at = 0; at + 8 < kMaxSeqLen; at += 8)
    ASSERT_OK(kiln_prefill(session, slot, eight.data(), 8));
  // Decode up to max_seq_len, one token at a time; the next step is refused.
  const int32_t token = 5;
  while (true) {
    ASSERT_OK(kiln_sequence_length(session, slot, &length));
    if (length == kMaxSeqLen)
      break;
    ASSERT_OK(kiln_decode(session, &slot, &token, 1));
  }
  const std::vector<float> before = lastLogits(session);
  EXPECT_EQ(problem(kiln_decode(session, &slot, &token, 1)),
            "INVALID_ARGUMENT: position 32 of slot 0 is past the artifact's max_seq_len of 32 "
            "tokens; recompile with kiln-compile --max-seq-len N (larger)");
  EXPECT_OK(kiln_sequence_length(session, slot, &length));
  EXPECT_EQ(length, kMaxSeqLen);
  EXPECT_EQ(lastLogits(session), before);
}

TEST_F(CApiTest, AnAllocationFailureNamesWhatToChange) {
  path = write(test::tinyModel(KILN_TEST_KERNELS));
  ASSERT_OK(kiln_artifact_open(path.c_str(), &artifact));
  ::setenv("KILN_TEST_FAIL_ALLOC", "kv", 1);
  kiln_status_t status = kiln_session_create(artifact, nullptr, &session);
  ::unsetenv("KILN_TEST_FAIL_ALLOC");
  std::string message = problem(status);
  EXPECT_EQ(session, nullptr);
  EXPECT_EQ(message.rfind("RESOURCE_EXHAUSTED: KV pool of layer 0: cannot allocate ", 0), 0u)
      << message;
  EXPECT_NE(message.find("recompile with a smaller kiln-compile --max-batch or --max-seq-len"),
            std::string::npos)
      << message;
  ASSERT_OK(kiln_session_create(artifact, nullptr, &session));
}

TEST_F(CApiTest, LogitsAndSamplingErrors) {
  openTiny();
  const float *data = nullptr;
  uint32_t rows = 0, slot = 0, other = 0;
  int32_t token = -1;
  EXPECT_EQ(problem(kiln_logits(session, &data, &rows, nullptr)),
            "FAILED_PRECONDITION: no logits yet: run kiln_prefill or kiln_decode first");
  EXPECT_EQ(problem(kiln_sample(session, 0, nullptr, &token)),
            "FAILED_PRECONDITION: no logits yet: run kiln_prefill or kiln_decode first");
  ASSERT_OK(kiln_sequence_add(session, &slot));
  ASSERT_OK(kiln_sequence_add(session, &other));
  const int32_t prompt[] = {1, 2, 3};
  // A failed first step still leaves no logits.
  const int32_t bad = 99;
  EXPECT_NE(take(kiln_prefill(session, slot, &bad, 1)), "OK");
  EXPECT_EQ(problem(kiln_logits(session, &data, &rows, nullptr)),
            "FAILED_PRECONDITION: no logits yet: run kiln_prefill or kiln_decode first");
  ASSERT_OK(kiln_prefill(session, slot, prompt, 3));
  EXPECT_EQ(problem(kiln_sample(session, 3, nullptr, &token)),
            "INVALID_ARGUMENT: logits row 3 is out of range (the last call gave 3 rows)");
  kiln_sampling_params_t params;
  kiln_sampling_params_init(&params);
  params.top_p = 0;
  EXPECT_EQ(take(kiln_sample(session, 0, &params, &token)),
            "INVALID_ARGUMENT: kiln_sample: top_p must be in (0, 1]");
  kiln_sampling_params_init(&params);
  params.repetition_penalty = -1;
  EXPECT_EQ(take(kiln_sample(session, 0, &params, &token)),
            "INVALID_ARGUMENT: kiln_sample: repetition_penalty must be > 0");
  kiln_sampling_params_init(&params);
  params.temperature = std::nan("");
  EXPECT_EQ(take(kiln_sample(session, 0, &params, &token)),
            "INVALID_ARGUMENT: kiln_sample: temperature must be a number");
  EXPECT_EQ(token, -1);
  // Rows of a sequence removed since (even when its slot holds a new one).
  ASSERT_OK(kiln_sequence_remove(session, slot));
  EXPECT_EQ(problem(kiln_sample(session, 2, nullptr, &token)),
            "FAILED_PRECONDITION: logits row 2 belongs to the sequence of slot 0, removed since");
  ASSERT_OK(kiln_sequence_add(session, &slot));
  EXPECT_EQ(slot, 0u);
  EXPECT_EQ(problem(kiln_sample(session, 2, nullptr, &token)),
            "FAILED_PRECONDITION: logits row 2 belongs to the sequence of slot 0, removed since");
  // The logits themselves are still readable until the next step.
  EXPECT_OK(kiln_logits(session, &data, &rows, nullptr));
  EXPECT_EQ(rows, 3u);
}

TEST_F(CApiTest, StatusCodeNames) {
  EXPECT_STREQ(kiln_status_code_name(KILN_STATUS_FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_STREQ(kiln_status_code_name(KILN_STATUS_NOT_FOUND), "NOT_FOUND");
}

TEST_F(CApiTest, FromC) {
  // The same calls from a C90 translation unit (CApiFromC.c): greedy generation.
  openTiny();
  const int32_t prompt[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3}; // more than one prefill chunk
  int32_t out[12];
  ASSERT_OK(kiln_test_c_generate(path.c_str(), prompt, 10, 12, out));
  // The reference: greedy over tinyReference.
  std::vector<int32_t> tokens(prompt, prompt + 10);
  for (int i = 0; i < 12; ++i) {
    std::vector<float> logits = test::tinyReference(tokens);
    int32_t next = argmax(logits.data() + (tokens.size() - 1) * kVocab);
    EXPECT_EQ(out[i], next) << "token " << i;
    tokens.push_back(next);
  }
  EXPECT_EQ(take(kiln_test_c_generate(dir.file("none.kiln").c_str(), prompt, 10, 1, out))
                .rfind("NOT_FOUND: " + dir.file("none.kiln"), 0),
            0u);
}

// --- Threads: sessions of one artifact on several threads at once. ---

/// A long, varied run of one session: sequences added and removed, prefill chunks, batched
/// decode steps, sampled tokens fed back. Returns every logit and token, or "" and an error.
std::vector<float> drive(kiln_artifact_t artifact, uint64_t seed, int steps, std::string *error) {
  std::vector<float> transcript;
  auto fail = [&](kiln_status_t status) {
    if (!status)
      return false;
    if (error->empty())
      *error = kiln_status_message(status);
    kiln_status_free(status);
    return true;
  };
  kiln_session_t session = nullptr;
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.threads = 2;
  if (fail(kiln_session_create(artifact, &options, &session)))
    return {};
  kiln_sampling_params_t params;
  kiln_sampling_params_init(&params);
  params.temperature = 0.9;
  params.top_k = 8;
  params.top_p = 0.9;
  params.repetition_penalty = 1.2;
  params.seed = seed;
  std::vector<uint32_t> slots(3);
  std::vector<int32_t> next(4, 0);
  for (uint32_t &slot : slots)
    if (fail(kiln_sequence_add(session, &slot)))
      return {};
  uint64_t lcg = seed;
  auto random = [&]() {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(lcg >> 33);
  };
  for (int step = 0; step < steps && error->empty(); ++step) {
    // A sequence that is full, or now and then one at random, starts over.
    for (uint32_t &slot : slots) {
      uint32_t length = 0;
      if (fail(kiln_sequence_length(session, slot, &length)))
        break;
      if (length == kMaxSeqLen || random() % 23 == 0) {
        if (fail(kiln_sequence_remove(session, slot)) || fail(kiln_sequence_add(session, &slot)))
          break;
      }
    }
    // One empty sequence gets a prompt; otherwise every sequence takes a decode step.
    bool prefilled = false;
    for (uint32_t slot : slots) {
      uint32_t length = 0;
      if (fail(kiln_sequence_length(session, slot, &length)) || length != 0)
        continue;
      std::vector<int32_t> prompt(1 + random() % 8);
      for (int32_t &token : prompt)
        token = static_cast<int32_t>(random() % kVocab);
      if (fail(kiln_prefill(session, slot, prompt.data(), prompt.size())) ||
          fail(kiln_sample(session, static_cast<uint32_t>(prompt.size() - 1), &params,
                           &next[slot])))
        break;
      prefilled = true;
      break;
    }
    if (!prefilled) {
      std::vector<int32_t> tokens;
      for (uint32_t slot : slots)
        tokens.push_back(next[slot]);
      if (fail(kiln_decode(session, slots.data(), tokens.data(), slots.size())))
        break;
      for (uint32_t row = 0; row < slots.size(); ++row)
        if (fail(kiln_sample(session, row, &params, &next[slots[row]])))
          break;
    }
    const float *data = nullptr;
    uint32_t rows = 0, vocab = 0;
    if (fail(kiln_logits(session, &data, &rows, &vocab)))
      break;
    transcript.insert(transcript.end(), data, data + size_t{rows} * vocab);
    for (uint32_t slot : slots)
      transcript.push_back(static_cast<float>(next[slot]));
  }
  kiln_session_destroy(session);
  return transcript;
}

TEST_F(CApiTest, SessionsOfOneArtifactOnTwoThreadsGiveTheSingleThreadedResults) {
  // 32 blocks: three sequences of up to 32 positions fit.
  path = write(test::tinyModel(KILN_TEST_KERNELS, 32));
  ASSERT_OK(kiln_artifact_open(path.c_str(), &artifact));
  constexpr int kSteps = 400;
  std::string error;
  const std::vector<float> expectedA = drive(artifact, 11, kSteps, &error);
  const std::vector<float> expectedB = drive(artifact, 22, kSteps, &error);
  ASSERT_EQ(error, "");
  ASSERT_GT(expectedA.size(), size_t{kSteps} * kVocab);
  ASSERT_NE(expectedA, expectedB);

  for (int round = 0; round < 3; ++round) {
    std::vector<float> gotA, gotB;
    std::string errorA, errorB;
    std::thread a([&] { gotA = drive(artifact, 11, kSteps, &errorA); });
    std::thread b([&] { gotB = drive(artifact, 22, kSteps, &errorB); });
    a.join();
    b.join();
    ASSERT_EQ(errorA, "");
    ASSERT_EQ(errorB, "");
    EXPECT_TRUE(gotA == expectedA) << "round " << round << ": thread A differs";
    EXPECT_TRUE(gotB == expectedB) << "round " << round << ": thread B differs";
  }
}

TEST_F(CApiTest, SessionsCreatedOnSeveralThreadsAtOnce) {
  // The first sessions of a fresh artifact race to load its code and hash its sections.
  path = write(test::tinyModel(KILN_TEST_KERNELS));
  for (int round = 0; round < 5; ++round) {
    kiln_artifact_t fresh = nullptr;
    ASSERT_OK(kiln_artifact_open(path.c_str(), &fresh));
    std::vector<std::thread> threads;
    std::vector<std::string> results(4);
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        kiln_session_t s = nullptr;
        kiln_session_options_t options;
        kiln_session_options_init(&options);
        options.threads = 1;
        std::string result = take(kiln_session_create(fresh, &options, &s));
        uint32_t slot = 0;
        const int32_t tokens[] = {t, t + 1};
        if (result == "OK")
          result = take(kiln_sequence_add(s, &slot));
        if (result == "OK")
          result = take(kiln_prefill(s, slot, tokens, 2));
        if (result == "OK") {
          const float *data = nullptr;
          uint32_t rows = 0;
          result = take(kiln_logits(s, &data, &rows, nullptr));
          std::vector<float> expected = test::tinyReference({t, t + 1});
          auto close = [](float x, float y) {
            return std::fabs(x - y) <= 1e-4f * std::max(1.f, std::fabs(x));
          };
          if (result == "OK" && (rows != 2 || !std::equal(expected.begin(), expected.end(),
                                                          data, close)))
            result = "logits differ from the reference";
        }
        kiln_session_destroy(s);
        results[t] = result;
      });
    for (std::thread &thread : threads)
      thread.join();
    kiln_artifact_close(fresh);
    for (int t = 0; t < 4; ++t)
      EXPECT_EQ(results[t], "OK") << "thread " << t;
  }
}

} // namespace
