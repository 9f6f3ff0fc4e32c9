// One artifact, several sessions: the artifact outlives its handle, sessions share its loaded
// code, and sessions on several threads give the single-threaded results.
#include "CApiTestSupport.h"

using namespace kiln;
using namespace kiln::capitest;

namespace {

TEST_F(CApiTest, TheArtifactOutlivesItsHandle) {
  openTiny();
  kiln_artifact_close(artifact);
  artifact = nullptr;
  uint32_t slot = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  const std::vector<int32_t> tokens = {6, 2, 8};
  ASSERT_OK(kiln_prefill(session, slot, tokens.data(), tokens.size()));
  expectLogitsNear(lastLogits(session), test::tinyReference(tokens));
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
  // Counted from what earlier tests left mapped (test_kernels.c's module is linked NODELETE,
  // so their copies stay after dlclose; ReopenedCodeIsLoadedAgain covers what that means).
  const size_t before = loadedCodeCopies();
  openTiny();
  EXPECT_EQ(loadedCodeCopies(), before + 1);
  kiln_session_t second = nullptr, third = nullptr;
  ASSERT_OK(kiln_session_create(artifact, nullptr, &second));
  ASSERT_OK(kiln_session_create(artifact, nullptr, &third));
  EXPECT_EQ(loadedCodeCopies(), before + 1);
  // Each has its own KV cache and sequences.
  uint32_t a = 0, b = 0;
  ASSERT_OK(kiln_sequence_add(session, &a));
  ASSERT_OK(kiln_sequence_add(second, &b));
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 0u);
  const std::vector<int32_t> x = {1, 2, 3}, y = {15, 14};
  ASSERT_OK(kiln_prefill(session, a, x.data(), x.size()));
  ASSERT_OK(kiln_prefill(second, b, y.data(), y.size()));
  expectLogitsNear(lastLogits(session), test::tinyReference(x));
  expectLogitsNear(lastLogits(second), test::tinyReference(y));
  kiln_session_destroy(second);
  kiln_session_destroy(third);
  // Another artifact (a second open of the same file) is another copy.
  kiln_artifact_t again = nullptr;
  kiln_session_t fourth = nullptr;
  ASSERT_OK(kiln_artifact_open(path.c_str(), &again));
  ASSERT_OK(kiln_session_create(again, nullptr, &fourth));
  EXPECT_EQ(loadedCodeCopies(), before + 2);
  kiln_session_destroy(fourth);
  kiln_artifact_close(again);
}

// --- Errors: each one status with its code and one line naming the problem. ---

// A module that stays loaded after dlclose (test_kernels.c is linked NODELETE) keeps its
// /proc/self/fd/N name while N is closed and handed out again. The next artifact's code must
// not be mistaken for it: the loader matches names first, so the runtime moves the code to a
// descriptor no loaded module is named after (CpuCode.cpp), and the new code is mapped anew.
TEST_F(CApiTest, ReopenedCodeIsLoadedAgain) {
  openTiny();
  kiln_session_destroy(session);
  kiln_artifact_close(artifact);
  session = nullptr;
  artifact = nullptr;
  const size_t before = loadedCodeCopies();
  ASSERT_OK(kiln_artifact_open(path.c_str(), &artifact));
  ASSERT_OK(kiln_session_create(artifact, nullptr, &session));
  EXPECT_EQ(loadedCodeCopies(), before + 1);
  uint32_t slot = 0;
  ASSERT_OK(kiln_sequence_add(session, &slot));
  const std::vector<int32_t> tokens = {4, 9};
  ASSERT_OK(kiln_prefill(session, slot, tokens.data(), tokens.size()));
  expectLogitsNear(lastLogits(session), test::tinyReference(tokens));
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
