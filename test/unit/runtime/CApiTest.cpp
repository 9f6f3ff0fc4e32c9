// The runtime's C API (kiln_runtime.h) through the shared library, as an embedder links it, over
// the hand-made artifact (TestArtifact.h): queries, prefill and decode against the reference,
// batched decode, sequences and slots, and sampling against the sampler itself.
// CApiErrorTest.cpp has the errors, CApiSharingTest.cpp several sessions and threads.
#include "CApiTestSupport.h"

using namespace kiln;
using namespace kiln::capitest;

namespace {

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
  expectLogitsNear(got, test::tinyReference(tokens));
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
    expectLogitsNear(got[s], test::tinyReference(seen));
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
  expectLogitsNear(lastLogits(session), test::tinyReference(fresh));
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

} // namespace
