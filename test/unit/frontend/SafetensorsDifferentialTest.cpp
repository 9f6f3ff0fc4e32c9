// Kiln's safetensors header reader accepts exactly the files the `safetensors` library accepts:
// test/fixtures/safetensors-corpus/expected.json holds the library's verdict on every corpus
// file (recorded by test/tools/make-safetensors-corpus.py --record with the pinned version).
#include "compiler/frontend/SafetensorsHeader.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <string>

using namespace kiln::frontend;

namespace {

TEST(SafetensorsDifferential, MatchesTheLibraryOnTheCorpus) {
  std::string corpus = KILN_SAFETENSORS_CORPUS;
  auto buffer = llvm::MemoryBuffer::getFile(corpus + "/expected.json");
  ASSERT_TRUE(buffer) << "cannot read " << corpus << "/expected.json";
  llvm::Expected<llvm::json::Value> expected = llvm::json::parse((*buffer)->getBuffer());
  ASSERT_TRUE(bool(expected)) << llvm::toString(expected.takeError());
  const llvm::json::Object *files = expected->getAsObject()->getObject("files");
  ASSERT_NE(files, nullptr);
  int accepted = 0, rejected = 0;
  for (const auto &[file, verdict] : *files) {
    std::string path = corpus + "/" + file.str();
    llvm::Expected<SafetensorsHeader> header = readSafetensorsHeader(path, file.str());
    bool libraryAccepts = *verdict.getAsString() == "accept";
    std::string message = header ? "" : llvm::toString(header.takeError());
    EXPECT_EQ(message.empty(), libraryAccepts)
        << file.str() << ": safetensors " << (libraryAccepts ? "accepts" : "rejects")
        << " it, Kiln " << (message.empty() ? "accepts it" : "says: " + message);
    if (!message.empty()) {
      // One line, naming the file.
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      EXPECT_EQ(message.rfind(file.str() + ": ", 0), 0u) << message;
    }
    (libraryAccepts ? accepted : rejected)++;
  }
  EXPECT_GE(accepted, 10);
  EXPECT_GE(rejected, 25);
}

TEST(SafetensorsHeader, ReportsAbsoluteDataOffsets) {
  // {"a": F32 [2] at [0, 8]} padded to 8 bytes: data starts at 8 + 56.
  std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  header.resize((header.size() + 7) / 8 * 8, ' ');
  llvm::Expected<SafetensorsHeader> parsed =
      parseSafetensorsHeader(header, 8 + header.size() + 8, "x.safetensors");
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  ASSERT_EQ(parsed->tensors.size(), 1u);
  EXPECT_EQ(parsed->tensors[0].offset, 8 + header.size());
  EXPECT_EQ(parsed->tensors[0].size, 8u);
  EXPECT_EQ(parsed->tensors[0].shape, std::vector<int64_t>({2}));
}

TEST(SafetensorsHeader, DtypeTable) {
  EXPECT_EQ(dtypeBits(Dtype::F4), 4);
  EXPECT_EQ(dtypeBits(Dtype::BF16), 16);
  EXPECT_EQ(parseDtype("F8_E4M3"), Dtype::F8_E4M3);
  EXPECT_EQ(parseDtype("f8_e4m3"), std::nullopt);
  EXPECT_EQ(dtypeName(Dtype::F8_E8M0), "F8_E8M0");
}

} // namespace
