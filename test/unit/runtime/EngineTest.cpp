// The engine on the CPU device, end to end over hand-made artifacts (TestArtifact.h) whose code
// is test_kernels.c: prefill, continued prefill, decode, batched decode, paged KV blocks, the
// thread pool, and the errors of opening and running.
#include "LogitsNear.h"
#include "Session.h"
#include "TestArtifact.h"
#include "TestModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace kiln;
using engine::DecodeToken;
using engine::LogitsView;
using engine::Session;

namespace {

constexpr uint32_t kVocab = KILN_TEST_VOCAB;

std::string take(kiln_status_t status) {
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  return message;
}

std::vector<float> rows(const LogitsView &logits) {
  return {logits.data, logits.data + size_t{logits.rows} * logits.vocab};
}

using test::expectLogitsNear;

class EngineTest : public ::testing::Test {
protected:
  std::string write(const test::ArtifactDesc &desc, const std::string &name = "model.kiln",
                    test::Placement *placement = nullptr) {
    std::string path = dir.file(name);
    EXPECT_EQ(test::writeArtifact(desc, path, placement), "");
    return path;
  }
  std::unique_ptr<Session> open(const std::string &path, unsigned threads = 2) {
    std::unique_ptr<Session> session;
    if (kiln_status_t status = Session::open(path, {threads}, &session))
      ADD_FAILURE() << take(status);
    return session;
  }
  /// The error opening `desc` gives.
  std::string openError(const test::ArtifactDesc &desc) {
    std::unique_ptr<Session> session;
    kiln_status_t status = Session::open(write(desc, "broken.kiln"), {2}, &session);
    EXPECT_NE(status, nullptr);
    EXPECT_EQ(session, nullptr);
    return take(status);
  }
  /// Prefill of all of `tokens` in plan-sized chunks, rows appended.
  std::vector<float> prefillAll(Session &session, uint32_t slot,
                                const std::vector<int32_t> &tokens, size_t count) {
    std::vector<float> out;
    for (size_t start = 0; start < count; start += session.maxPrefillTokens()) {
      size_t n = std::min<size_t>(session.maxPrefillTokens(), count - start);
      LogitsView logits;
      kiln_status_t status = session.prefill(slot, tokens.data() + start, n,
                                             static_cast<uint32_t>(start), &logits);
      EXPECT_EQ(status, nullptr) << take(status);
      std::vector<float> chunk = rows(logits);
      out.insert(out.end(), chunk.begin(), chunk.end());
    }
    return out;
  }

  test::TempDir dir;
  const test::ArtifactDesc tiny = test::tinyModel(KILN_TEST_KERNELS);
};

TEST_F(EngineTest, PrefillMatchesTheReference) {
  auto session = open(write(tiny));
  ASSERT_TRUE(session);
  EXPECT_EQ(session->vocabSize(), kVocab);
  EXPECT_EQ(session->maxPrefillTokens(), 8u);
  EXPECT_EQ(session->maxDecodeBatch(), 4u);
  EXPECT_EQ(session->maxSeqLen(), 32u);
  const std::vector<int32_t> tokens = {3, 1, 4, 1, 5, 9, 2, 6};
  LogitsView logits;
  ASSERT_EQ(session->prefill(0, tokens.data(), tokens.size(), 0, &logits), nullptr);
  EXPECT_EQ(logits.rows, 8u);
  EXPECT_EQ(logits.vocab, kVocab);
  expectLogitsNear(rows(logits), test::tinyReference(tokens));
}

TEST_F(EngineTest, PrefillContinuesFromAStartPosition) {
  auto session = open(write(tiny));
  ASSERT_TRUE(session);
  std::vector<int32_t> tokens;
  for (int i = 0; i < 21; ++i)
    tokens.push_back((i * 5 + 3) % kVocab);
  // Chunks of 8, 8, 5 at start positions 0, 8, 16.
  expectLogitsNear(prefillAll(*session, 1, tokens, tokens.size()), test::tinyReference(tokens));
}

TEST_F(EngineTest, DecodeGivesWhatPrefillGives) {
  auto session = open(write(tiny));
  ASSERT_TRUE(session);
  const std::vector<int32_t> tokens = {7, 7, 0, 15, 2, 11, 4, 8, 1, 13};
  const std::vector<float> allPrefill = prefillAll(*session, 0, tokens, tokens.size());
  ASSERT_EQ(session->reset(0), nullptr);
  for (size_t prefillLen : {size_t{1}, size_t{3}, size_t{8}}) {
    std::vector<float> mixed = prefillAll(*session, 2, tokens, prefillLen);
    for (size_t position = prefillLen; position < tokens.size(); ++position) {
      LogitsView logits;
      ASSERT_EQ(session->decode({{2, tokens[position], static_cast<uint32_t>(position)}}, &logits),
                nullptr);
      ASSERT_EQ(logits.rows, 1u);
      mixed.insert(mixed.end(), logits.row(0), logits.row(0) + kVocab);
    }
    EXPECT_EQ(mixed, allPrefill) << "prefill " << prefillLen; // the same arithmetic: bitwise
    ASSERT_EQ(session->reset(2), nullptr);
  }
  expectLogitsNear(allPrefill, test::tinyReference(tokens));
}

TEST_F(EngineTest, BatchedDecodeEqualsOneSequenceAtATime) {
  const std::vector<std::vector<int32_t>> sequences = {
      {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {12, 13, 14, 15, 0, 1}, {5, 5, 5, 6, 6, 6, 7, 7, 7}};
  const std::vector<size_t> prefillLens = {3, 2, 5};
  const std::string path = write(tiny);

  // Together: each sequence prefilled in its own slot, then decode steps over all of them.
  auto together = open(path);
  ASSERT_TRUE(together);
  std::vector<std::vector<float>> batched(sequences.size());
  for (size_t s = 0; s < sequences.size(); ++s)
    batched[s] = prefillAll(*together, static_cast<uint32_t>(s), sequences[s], prefillLens[s]);
  for (uint32_t position = 2; position < 11; ++position) {
    std::vector<DecodeToken> batch;
    std::vector<size_t> owner;
    for (size_t s = 0; s < sequences.size(); ++s)
      if (position >= prefillLens[s] && position < sequences[s].size()) {
        batch.push_back({static_cast<uint32_t>(s), sequences[s][position], position});
        owner.push_back(s);
      }
    LogitsView logits;
    ASSERT_EQ(together->decode(batch, &logits), nullptr);
    ASSERT_EQ(logits.rows, batch.size());
    for (size_t i = 0; i < batch.size(); ++i)
      batched[owner[i]].insert(batched[owner[i]].end(), logits.row(i), logits.row(i) + kVocab);
  }
  // Interleaved growth leaves sequence 0's blocks apart in the pools: the kernels found its
  // entries through the block table.
  EXPECT_EQ(together->kvCache().blocksHeld(0), 3u);
  EXPECT_NE(together->kvCache().physicalBlock(0, 1), together->kvCache().physicalBlock(0, 0) + 1);

  // Alone: one sequence at a time, in slot 3, decode batches of one.
  auto alone = open(path);
  ASSERT_TRUE(alone);
  for (size_t s = 0; s < sequences.size(); ++s) {
    std::vector<float> single = prefillAll(*alone, 3, sequences[s], prefillLens[s]);
    for (size_t position = prefillLens[s]; position < sequences[s].size(); ++position) {
      LogitsView logits;
      ASSERT_EQ(alone->decode({{3, sequences[s][position], static_cast<uint32_t>(position)}},
                              &logits),
                nullptr);
      single.insert(single.end(), logits.row(0), logits.row(0) + kVocab);
    }
    EXPECT_EQ(batched[s], single) << "sequence " << s;
    expectLogitsNear(single, test::tinyReference(sequences[s]));
    ASSERT_EQ(alone->reset(3), nullptr);
  }
}

TEST_F(EngineTest, EveryThreadCountGivesTheSameLogits) {
  // Grids are 7 and 9 (prefill), 5 and 7 (decode): more workgroups than threads, and fewer.
  const std::string path = write(tiny);
  const std::vector<int32_t> tokens = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14};
  std::vector<float> expected;
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    auto session = open(path, threads);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->threads(), threads);
    std::vector<float> got = prefillAll(*session, 0, tokens, 5);
    for (uint32_t position = 5; position < tokens.size(); ++position) {
      LogitsView logits;
      ASSERT_EQ(session->decode({{0, tokens[position], position}}, &logits), nullptr);
      got.insert(got.end(), logits.row(0), logits.row(0) + kVocab);
    }
    if (expected.empty())
      expected = got;
    EXPECT_EQ(got, expected) << threads << " threads";
  }
  expectLogitsNear(expected, test::tinyReference(tokens));
}

TEST_F(EngineTest, KilnNumThreadsSizesThePool) {
  const std::string path = write(tiny);
  ::setenv("KILN_NUM_THREADS", "3", 1);
  auto fromEnvironment = open(path, 0);
  ASSERT_TRUE(fromEnvironment);
  EXPECT_EQ(fromEnvironment->threads(), 3u);
  auto fromOption = open(path, 1); // the option wins
  ASSERT_TRUE(fromOption);
  EXPECT_EQ(fromOption->threads(), 1u);
  ::setenv("KILN_NUM_THREADS", "many", 1);
  std::unique_ptr<Session> session;
  EXPECT_EQ(take(Session::open(path, {0}, &session)),
            "KILN_NUM_THREADS: 'many' is not a number of threads (1 to 1024)");
  ::unsetenv("KILN_NUM_THREADS");
  auto automatic = open(path, 0);
  ASSERT_TRUE(automatic);
  EXPECT_GE(automatic->threads(), 1u);
}

TEST_F(EngineTest, BlocksAreTakenOnDemandAndReturnedOnReset) {
  auto session = open(write(tiny));
  ASSERT_TRUE(session);
  const engine::KvCache &kv = session->kvCache();
  const std::vector<int32_t> tokens = {1, 2, 3, 4, 5};
  LogitsView logits;
  ASSERT_EQ(session->prefill(2, tokens.data(), 5, 0, &logits), nullptr);
  EXPECT_EQ(kv.blocksHeld(2), 2u); // positions 0..4, blocks of 4
  EXPECT_EQ(kv.freeBlocks(), 14u);
  for (uint32_t position = 5; position < 8; ++position)
    ASSERT_EQ(session->decode({{2, 6, position}}, &logits), nullptr);
  EXPECT_EQ(kv.blocksHeld(2), 2u);
  ASSERT_EQ(session->decode({{2, 6, 8}}, &logits), nullptr);
  EXPECT_EQ(kv.blocksHeld(2), 3u);
  ASSERT_EQ(session->reset(2), nullptr);
  EXPECT_EQ(kv.blocksHeld(2), 0u);
  EXPECT_EQ(kv.freeBlocks(), 16u);
  // The slot starts over: a new sequence gives the reference, not the old one's history.
  const std::vector<int32_t> fresh = {15, 0, 15};
  ASSERT_EQ(session->prefill(2, fresh.data(), 3, 0, &logits), nullptr);
  expectLogitsNear(rows(logits), test::tinyReference(fresh));
}

TEST_F(EngineTest, AFullCacheIsAnErrorUntilASequenceEnds) {
  auto session = open(write(test::tinyModel(KILN_TEST_KERNELS, /*numBlocks=*/4)));
  ASSERT_TRUE(session);
  std::vector<int32_t> tokens(16, 3);
  prefillAll(*session, 0, tokens, 16); // all four blocks
  LogitsView logits;
  EXPECT_EQ(take(session->prefill(1, tokens.data(), 1, 0, &logits)),
            dir.file("model.kiln") +
                ": the KV cache is full: slot 1 needs blocks up to position 0, 0 of 4 blocks are "
                "free; end a sequence, or recompile with kiln-compile --max-batch N (larger: the pool holds max_batch sequences of max_seq_len tokens)");
  EXPECT_EQ(take(session->decode({{0, 3, 16}}, &logits)),
            dir.file("model.kiln") +
                ": the KV cache is full: slot 0 needs a block for position 16, 0 of 4 blocks are "
                "free; end a sequence, or recompile with kiln-compile --max-batch N (larger: the pool holds max_batch sequences of max_seq_len tokens)");
  ASSERT_EQ(session->reset(0), nullptr);
  ASSERT_EQ(session->prefill(1, tokens.data(), 8, 0, &logits), nullptr);
  expectLogitsNear(rows(logits), test::tinyReference(std::vector<int32_t>(8, 3)));
}

TEST_F(EngineTest, RequestsOutsideTheArtifactsLimits) {
  const std::string path = write(tiny);
  auto session = open(path);
  ASSERT_TRUE(session);
  LogitsView logits;
  const std::vector<int32_t> tokens(9, 1);
  auto error = [&](kiln_status_t status) { return take(status).substr(path.size() + 2); };
  EXPECT_EQ(error(session->prefill(0, tokens.data(), 3, 30, &logits)),
            "position 32 of slot 0 is past the artifact's max_seq_len of 32 tokens"
            "; recompile with kiln-compile --max-seq-len N (larger)");
  EXPECT_EQ(error(session->decode({{1, 1, 32}}, &logits)),
            "position 32 of slot 1 is past the artifact's max_seq_len of 32 tokens"
            "; recompile with kiln-compile --max-seq-len N (larger)");
  EXPECT_EQ(error(session->prefill(4, tokens.data(), 1, 0, &logits)),
            "sequence slot 4 is out of range (max_batch 4); recompile with kiln-compile --max-batch N (larger)");
  EXPECT_EQ(error(session->decode({{7, 1, 0}}, &logits)),
            "sequence slot 7 is out of range (max_batch 4); recompile with kiln-compile --max-batch N (larger)");
  EXPECT_EQ(error(session->reset(4)), "sequence slot 4 is out of range (max_batch 4)");
  const int32_t outside[] = {1, 16};
  EXPECT_EQ(error(session->prefill(0, outside, 2, 0, &logits)),
            "token id 16 at position 1 is outside the vocabulary (16 tokens)");
  EXPECT_EQ(error(session->decode({{0, -1, 0}}, &logits)),
            "token id -1 at position 0 is outside the vocabulary (16 tokens)");
  EXPECT_EQ(error(session->prefill(0, tokens.data(), 9, 0, &logits)),
            "prefill of 9 tokens is more than the plan's 8; send it in chunks");
  EXPECT_EQ(error(session->prefill(0, tokens.data(), 0, 0, &logits)), "prefill of no tokens");
  EXPECT_EQ(error(session->decode({}, &logits)), "decode of no tokens");
  EXPECT_EQ(error(session->decode({{0, 1, 0}, {1, 1, 0}, {2, 1, 0}, {3, 1, 0}, {0, 1, 1}},
                                  &logits)),
            "decode of 5 sequences is more than the plan's batch of 4; recompile with kiln-compile --max-batch N (larger)");
  EXPECT_EQ(error(session->decode({{1, 1, 0}, {1, 2, 1}}, &logits)),
            "decode carries two tokens of slot 1 (one token per sequence and step)");
  // Nothing was taken from the cache by the refused calls.
  EXPECT_EQ(session->kvCache().freeBlocks(), 16u);
}

TEST_F(EngineTest, AllocationFailuresNameWhatToChange) {
  // Larger than any address space: the allocations really fail, and say what to recompile.
  test::ArtifactDesc arena = tiny;
  arena.targets[0].plans[0].arenaBytes = uint64_t{1} << 60;
  std::string message = openError(arena);
  EXPECT_NE(message.find(": plan 'prefill' arena: cannot allocate 1152921504606846976 bytes: "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("; the plans' arenas grow with kiln-compile --prefill-chunk and "
                         "--max-batch: recompile with smaller values, or free memory"),
            std::string::npos)
      << message;

  test::ArtifactDesc pool = tiny;
  pool.kv->bytesPerToken = uint64_t{1} << 50;
  message = openError(pool);
  EXPECT_NE(message.find(": KV pool of layer 0: cannot allocate "), std::string::npos) << message;
  EXPECT_NE(message.find("; the KV cache holds max_batch x max_seq_len tokens per layer: "
                         "recompile with a smaller kiln-compile --max-batch or --max-seq-len, or "
                         "free memory"),
            std::string::npos)
      << message;

  // The test hook gives the same errors for the artifact's real sizes.
  for (const char *what : {"kv", "arena"}) {
    ::setenv("KILN_TEST_FAIL_ALLOC", what, 1);
    message = openError(tiny);
    ::unsetenv("KILN_TEST_FAIL_ALLOC");
    EXPECT_NE(message.find("Cannot allocate memory (KILN_TEST_FAIL_ALLOC); "), std::string::npos)
        << message;
    EXPECT_NE(message.find(std::string(what) == "kv" ? "KV pool of layer 0" : "arena"),
              std::string::npos)
        << message;
  }
  EXPECT_TRUE(open(write(tiny))); // and without it, the artifact opens
}

TEST_F(EngineTest, CodeIsLoadedFromMemory) {
  auto session = open(write(tiny));
  ASSERT_TRUE(session);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  bool mapped = false;
  while (std::getline(maps, line))
    mapped = mapped || line.find("/memfd:kiln-cpu-code") != std::string::npos;
  EXPECT_TRUE(mapped) << "no mapping of the memfd in /proc/self/maps";
  // Nothing beside the artifact.
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path()))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(EngineTest, TwoSessionsOfDifferentArtifactsAtOnce) {
  test::ArtifactDesc doubled = tiny;
  const float scale = 2 * test::kTinyScale; // section 3: the scale
  doubled.sections[3].bytes = std::string(reinterpret_cast<const char *>(&scale), 4);
  auto first = open(write(tiny, "first.kiln"));
  auto second = open(write(doubled, "second.kiln"));
  ASSERT_TRUE(first && second);
  const std::vector<int32_t> tokens = {4, 2};
  LogitsView a, b;
  ASSERT_EQ(first->prefill(0, tokens.data(), 2, 0, &a), nullptr);
  std::vector<float> firstRows = rows(a);
  ASSERT_EQ(second->prefill(0, tokens.data(), 2, 0, &b), nullptr);
  std::vector<float> expected = test::tinyReference(tokens);
  expectLogitsNear(firstRows, expected);
  for (float &value : expected)
    value *= 2;
  expectLogitsNear(rows(b), expected);
}

// --- Errors at open: one message naming the artifact and the problem. ---

TEST_F(EngineTest, UnknownRequiredFeature) {
  test::ArtifactDesc desc = tiny;
  desc.features.push_back("moe-v9");
  EXPECT_EQ(openError(desc), dir.file("broken.kiln") +
                                 ": requires feature 'moe-v9', which this runtime does not "
                                 "know; update the runtime");
}

TEST_F(EngineTest, NewerMajorFormat) {
  test::ArtifactDesc desc = tiny;
  desc.formatMajor = 9;
  EXPECT_NE(openError(desc).find("artifact format 9."), std::string::npos);
}

TEST_F(EngineTest, MissingKernelSymbol) {
  test::ArtifactDesc desc = tiny;
  desc.targets[0].kernels[1].symbol = "kiln_test_missing";
  EXPECT_EQ(openError(desc), dir.file("broken.kiln") +
                                 ": the CPU code has no symbol 'kiln_test_missing' (kernel 1 "
                                 "of target 'cpu')");
}

TEST_F(EngineTest, NoCpuTarget) {
  test::ArtifactDesc desc = tiny;
  desc.targets[0].name = "sm_90a";
  EXPECT_EQ(openError(desc), dir.file("broken.kiln") +
                                 ": the artifact carries no CPU code (targets: sm_90a); compile "
                                 "it with --target cpu");
  desc.targets.clear();
  EXPECT_EQ(openError(desc), dir.file("broken.kiln") +
                                 ": the artifact carries no CPU code (targets: none); compile "
                                 "it with --target cpu");
}

TEST_F(EngineTest, NoDecodePlan) {
  test::ArtifactDesc desc = tiny;
  desc.targets[0].plans.pop_back();
  EXPECT_EQ(openError(desc),
            dir.file("broken.kiln") + ": target 'cpu' has no 'decode' plan for rank 0");
}

TEST_F(EngineTest, NoCodeSection) {
  test::ArtifactDesc desc = tiny;
  desc.targets[0].codeSection = -1;
  EXPECT_EQ(openError(desc),
            dir.file("broken.kiln") + ": target 'cpu' carries no code section");
}

TEST_F(EngineTest, CodeThatIsNotASharedObject) {
  test::ArtifactDesc desc = tiny;
  desc.sections[0].bytes = std::string(4096, 'x');
  EXPECT_EQ(openError(desc), dir.file("broken.kiln") +
                                 ": the CPU code section is not a 64-bit ELF shared object");
}

TEST_F(EngineTest, FlippedBytesInCodeAndWeightSections) {
  test::Placement placement;
  const std::string path = write(tiny, "model.kiln", &placement);
  const std::string good = test::readFile(path);
  const std::pair<uint32_t, const char *> damaged[] = {
      {0, "section 'cpu.code' (rank 0, layout raw) is corrupt (hash mismatch)"},
      {2, "section 'lm_head.weight' (rank 0, layout raw) is corrupt (hash mismatch)"},
      {5, "section 'const.coefficient.1' (rank 0, layout raw) is corrupt (hash mismatch)"}};
  for (auto [section, problem] : damaged) {
    std::string bytes = good;
    bytes[placement.sectionOffsets[section] + 1] ^= 0x20;
    const std::string broken = dir.file("flipped.kiln");
    std::ofstream(broken, std::ios::binary | std::ios::trunc) << bytes;
    std::unique_ptr<Session> session;
    EXPECT_EQ(take(Session::open(broken, {2}, &session)), broken + ": " + problem);
  }
}

} // namespace
