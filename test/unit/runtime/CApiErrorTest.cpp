// The C API's errors: null handles and pointers, open and session errors naming the file,
// requests outside the limits changing nothing, a full cache, allocation failures, and a C90
// caller (CApiFromC.c).
#include "CApiTestSupport.h"

extern "C" kiln_status_t kiln_test_c_generate(const char *path, const int32_t *prompt,
                                              size_t promptLength, size_t count, int32_t *out);

using namespace kiln;
using namespace kiln::capitest;

namespace {

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

} // namespace
