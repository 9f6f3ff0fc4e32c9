// ArtifactReader's checks of the code targets: after open() succeeds, a device may trust every
// index and size in the plans. One case per message, each a tiny model with one thing broken.
#include "ArtifactReader.h"
#include "TestArtifact.h"

#include <gtest/gtest.h>

#include <functional>

using namespace kiln;
using K = artifact::BufferKind;

namespace {

class ArtifactValidationTest : public ::testing::Test {
protected:
  /// The reader's message for the tiny model after `edit`, without the "<path>: " prefix;
  /// "" when it opens.
  std::string problem(const std::function<void(test::ArtifactDesc &)> &edit) {
    test::ArtifactDesc desc = test::tinyModel(KILN_TEST_KERNELS);
    edit(desc);
    const std::string path = dir.file("model.kiln");
    EXPECT_EQ(test::writeArtifact(desc, path), "");
    std::unique_ptr<runtime::ArtifactReader> reader;
    kiln_status_t status = runtime::ArtifactReader::open(path, &reader);
    std::string message = kiln_status_message(status);
    if (message.find("malformed header") != std::string::npos) {
      EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
    }
    kiln_status_free(status);
    return message.empty() ? message : message.substr(path.size() + 2);
  }
  static test::PlanDesc &prefill(test::ArtifactDesc &desc) { return desc.targets[0].plans[0]; }

  test::TempDir dir;
};

const std::string kPrefill = "malformed header: target 'cpu' plan 'prefill' (rank 0) ";

TEST_F(ArtifactValidationTest, TheTinyModelIsWellFormed) {
  EXPECT_EQ(problem([](test::ArtifactDesc &) {}), "");
}

TEST_F(ArtifactValidationTest, KernelIndexOutOfRange) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[2].kernel = 3; }),
            kPrefill + "launch 2: kernel index 3 is out of range (3 kernels)");
}

TEST_F(ArtifactValidationTest, ArgumentCountDiffersFromTheKernels) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args.pop_back(); }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed'): 3 arguments, but the kernel "
                       "takes 4");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.targets[0].kernels[2].numArgs = 8; }),
            kPrefill + "launch 3 (kernel 'kiln_test_logits'): 7 arguments, but the kernel "
                       "takes 8");
}

TEST_F(ArtifactValidationTest, ZeroGrid) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[1].grid = 0; }),
            kPrefill + "launch 1 (kernel 'kiln_test_kv_write'): grid is 0");
}

TEST_F(ArtifactValidationTest, WeightIndexOutOfRange) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[1].index = 2; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 1: weight index 2 is out "
                       "of range (2 weights)");
}

TEST_F(ArtifactValidationTest, WeightArgumentLargerThanItsSection) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[1].size = 513; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 1: size 513 is more than "
                       "the 512 bytes of weight 'model.embed_tokens.weight'");
}

TEST_F(ArtifactValidationTest, WeightNamesAMissingSection) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.weights[1].section = 6; }),
            "malformed header: weight 'lm_head.weight' names section 6, but there are 6 "
            "sections");
}

TEST_F(ArtifactValidationTest, ConstantSectionOutOfRange) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[2].index = 6; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 2: constant section 6 is "
                       "out of range (6 sections)");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[2].size = 8; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 2: size 8 is more than the "
                       "4 bytes of section 'const.scale' (rank 0, layout raw)");
}

TEST_F(ArtifactValidationTest, ArenaArgumentsStayInTheArena) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[3].size += 1000; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 3: arena bytes [0, +1256) "
                       "pass the end of the plan's 768-byte arena");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) {
              prefill(d).launches[0].args[3].offset = UINT64_MAX - 63;
            }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 3: arena bytes "
                       "[18446744073709551552, +256) pass the end of the plan's 768-byte arena");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[3].offset = 32; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 3: arena offset 32 is not "
                       "64-byte aligned");
}

TEST_F(ArtifactValidationTest, OffsetsBelongToArenaArguments) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[1].offset = 64; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 1: offset 64 on a "
                       "non-arena argument (offsets are arena offsets)");
}

TEST_F(ArtifactValidationTest, InputsKvPoolsAndTheBlockTable) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[0].index = 3; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 0: input index 3 is out of "
                       "range (0 token ids, 1 positions, 2 sequence slots)");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[0].args[0].size = 36; }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 0: size 36 is more than the "
                       "32 bytes of input 0 (max_tokens int32)");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[1].args[4].index = 2; }),
            kPrefill + "launch 1 (kernel 'kiln_test_kv_write') argument 4: KV pool of layer 2, "
                       "but the KV layout has 2 layers");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[1].args[4].size = 2049; }),
            kPrefill + "launch 1 (kernel 'kiln_test_kv_write') argument 4: size 2049 is more "
                       "than the 2048 bytes of the KV pool of layer 0");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).launches[1].args[3].size = 129; }),
            kPrefill + "launch 1 (kernel 'kiln_test_kv_write') argument 3: size 129 is more "
                       "than the 128 bytes of the block table");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.kv.reset(); }),
            kPrefill + "launch 1 (kernel 'kiln_test_kv_write') argument 3: a block table "
                       "argument, but the artifact has no KV layout");
}

TEST_F(ArtifactValidationTest, UnknownBufferKind) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) {
              prefill(d).launches[0].args[0].kind = static_cast<K>(9);
            }),
            kPrefill + "launch 0 (kernel 'kiln_test_embed') argument 0: unknown buffer kind 9 "
                       "(written by a newer compiler?)");
}

TEST_F(ArtifactValidationTest, Logits) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).logits.reset(); }),
            kPrefill + "has no logits buffer");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).logits->kind = K::Weight; }),
            kPrefill + "logits: not in the arena");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).logits->size = 100; }),
            kPrefill + "logits: 100 bytes cannot hold max_tokens x vocab_size float32 (512 "
                       "bytes)");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.vocabSize = 0; }),
            kPrefill + "logits: the artifact's vocab_size is 0");
}

TEST_F(ArtifactValidationTest, PlansAndTargets) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.targets[0].plans[1].name = "prefill"; }),
            kPrefill + "appears twice");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).rank = 1; }),
            "malformed header: target 'cpu' plan 'prefill' (rank 1) is for rank 1, but the "
            "artifact has 1 ranks");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { prefill(d).maxTokens = 0; }),
            kPrefill + "has max_tokens 0");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.targets.push_back(d.targets[0]); }),
            "malformed header: target 'cpu' appears twice");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.targets[0].codeSection = 6; }),
            "malformed header: target 'cpu': code section 6 is out of range (6 sections)");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.targets[0].kernels[0].symbol = ""; }),
            "malformed header: target 'cpu': kernel 0 has an empty symbol");
}

TEST_F(ArtifactValidationTest, KvLayout) {
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.kv->blockSize = 0; }),
            "malformed header: KV layout: block_size is 0");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.kv->maxSeqLen = 33; }),
            "malformed header: KV layout: blocks_per_seq (8) x block_size (4) cannot hold "
            "max_seq_len 33");
  EXPECT_EQ(problem([](test::ArtifactDesc &d) { d.kv->bytesPerToken = 31; }),
            "malformed header: KV layout: bytes_per_token 31 cannot hold latent + rope + index "
            "= 8 f32 elements");
}

} // namespace
