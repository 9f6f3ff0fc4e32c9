// TokenizerUnitTest.cpp - the tokenizer's parts on their own: UTF-8 replacement against
// Python's errors='replace', the byte table, the Oniguruma-to-PCRE2 translation, BPE's two merge
// paths, and streaming decode against whole decode over the corpus.
#include "ByteLevel.h"
#include "OnigToPcre2.h"
#include "TestData.h"
#include "Tokenizer.h"
#include "Utf8.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <random>

using namespace kiln::tokenizer;
using Json = nlohmann::json;

namespace {

std::string fromHex(const std::string &hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::unique_ptr<Tokenizer> loadShared() {
  std::unique_ptr<Tokenizer> tokenizer;
  kiln_status_t status = Tokenizer::loadFile(kiln::test::sharedTokenizerDir() + "/tokenizer.json", &tokenizer);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  return tokenizer;
}

} // namespace

TEST(Utf8, MaximalSubpartsAsPython) {
  EXPECT_EQ(sanitizeUtf8("\xE4\xB8" "A"), "\xEF\xBF\xBD" "A");
  EXPECT_EQ(sanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitizeUtf8("\xF0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(sanitizeUtf8("\xF0\x9F\x98"), "\xEF\xBF\xBD");
  EXPECT_EQ(sanitizeUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  // Every committed case: Python's bytes.decode('utf-8', errors='replace').
  size_t checked = 0;
  for (const std::string &line : kiln::test::readLines(kiln::test::goldenPath("invalid-utf8.jsonl"))) {
    Json row = Json::parse(line);
    std::string raw = fromHex(row["hex"].get<std::string>());
    EXPECT_EQ(sanitizeUtf8(raw), row["text"].get<std::string>()) << row["hex"];
    EXPECT_TRUE(isValidUtf8(sanitizeUtf8(raw)));
    ++checked;
  }
  EXPECT_GT(checked, 300u);
}

TEST(Utf8, IncompleteSuffix) {
  EXPECT_EQ(incompleteUtf8Suffix(""), 0u);
  EXPECT_EQ(incompleteUtf8Suffix("abc"), 0u);
  EXPECT_EQ(incompleteUtf8Suffix("a\xE4"), 1u);
  EXPECT_EQ(incompleteUtf8Suffix("a\xE4\xB8"), 2u);
  EXPECT_EQ(incompleteUtf8Suffix("a\xE4\xB8\xAD"), 0u);
  EXPECT_EQ(incompleteUtf8Suffix("\xF0\x9F\x98"), 3u);
  EXPECT_EQ(incompleteUtf8Suffix("\xF0\x80"), 0u); // can never complete
  EXPECT_EQ(incompleteUtf8Suffix("\x80\x80"), 0u);
}

TEST(ByteLevel, Gpt2Table) {
  const ByteLevel &table = ByteLevel::instance();
  EXPECT_EQ(table.charFor(' '), 0x120u);  // "Ġ"
  EXPECT_EQ(table.charFor('\n'), 0x10Au); // "Ċ"
  EXPECT_EQ(table.charFor('A'), static_cast<uint32_t>('A'));
  EXPECT_EQ(table.charFor(0xAD), 0x143u);
  for (int b = 0; b < 256; ++b)
    EXPECT_EQ(table.tokenBytes(table.utf8For(static_cast<uint8_t>(b))), std::string(1, static_cast<char>(b)));
  EXPECT_EQ(table.tokenBytes("<｜User｜>"), "<｜User｜>"); // not all in the table: raw UTF-8
}

TEST(OnigToPcre2, RewritesOnlyWhatDiffers) {
  EXPECT_EQ(onigToPcre2("[A-Za-z]+|\\d+"), "[A-Za-z]+|\\d+");
  std::string letters = onigToPcre2("\\p{L}+");
  EXPECT_EQ(letters.rfind("[\\p{L}\\x{1C89}-\\x{1C8A}", 0), 0u) << letters;
  std::string inClass = onigToPcre2("[^\\r\\n\\p{L}]");
  EXPECT_EQ(inClass.rfind("[^\\r\\n\\p{L}\\x{", 0), 0u) << inClass;
  EXPECT_EQ(onigToPcre2("\\s"), "[\\x{9}-\\x{D}\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
                                "\\x{2028}-\\x{2029}\\x{202F}\\x{205F}\\x{3000}]");
  EXPECT_EQ(onigToPcre2("\\S").rfind("[^\\x{9}", 0), 0u);
  EXPECT_EQ(onigToPcre2("\\h\\u00e9"), "[0-9a-fA-F]\\x{00e9}");
  EXPECT_EQ(onigToPcre2("\\p{Greek}"), "\\p{Greek}"); // not covered by the tables: as written
}

TEST(Bpe, LinearScanAndHeapAgree) {
  KILN_REQUIRE_SHARED_TOKENIZER();
  auto tokenizer = loadShared();
  ASSERT_TRUE(tokenizer);
  BpeScratch scratch;
  PreTokenizerScratch pre;
  std::vector<std::string_view> words;
  std::string error;
  size_t compared = 0;
  for (const std::string &line : kiln::test::readLines(kiln::test::testDir() + "/corpus.jsonl")) {
    std::string text = Json::parse(line).get<std::string>();
    ASSERT_TRUE(tokenizer->preTokenizer().split(text, pre, &words, &error)) << error;
    for (std::string_view word : words) {
      std::vector<int32_t> linear, heap;
      tokenizer->bpe().mergeWord(word, scratch, SIZE_MAX, &linear);
      tokenizer->bpe().mergeWord(word, scratch, 0, &heap);
      ASSERT_EQ(linear, heap) << std::string(word);
      ++compared;
    }
  }
  EXPECT_GT(compared, 10000u);
}

TEST(StreamDecoder, NeverSplitsACharacterAndEqualsDecode) {
  KILN_REQUIRE_SHARED_TOKENIZER();
  auto tokenizer = loadShared();
  ASSERT_TRUE(tokenizer);
  std::vector<std::vector<int32_t>> sequences;
  for (const std::string &line : kiln::test::readLines(kiln::test::goldenPath("corpus-ids.jsonl")))
    sequences.push_back(Json::parse(line).get<std::vector<int32_t>>());
  // Random ids too: byte tokens that never form valid UTF-8 must come out as U+FFFD, as decode.
  std::mt19937 random(5);
  for (int i = 0; i < 300; ++i) {
    std::vector<int32_t> ids;
    for (int k = 0; k < 20; ++k) ids.push_back(static_cast<int32_t>(random() % tokenizer->vocabSize()));
    sequences.push_back(ids);
  }
  for (bool skipSpecial : {false, true}) {
    for (const auto &ids : sequences) {
      StreamDecoder stream(tokenizer->decoder(), skipSpecial);
      std::string streamed;
      for (int32_t id : ids) {
        std::string piece = stream.push(id);
        ASSERT_TRUE(isValidUtf8(piece));
        streamed += piece;
      }
      streamed += stream.finish();
      std::string whole;
      kiln_status_t status = tokenizer->decode(ids, skipSpecial, &whole);
      ASSERT_EQ(status, nullptr);
      ASSERT_EQ(streamed, whole);
    }
  }
}

TEST(StreamDecoder, HoldsPartialCharacters) {
  KILN_REQUIRE_SHARED_TOKENIZER();
  auto tokenizer = loadShared();
  ASSERT_TRUE(tokenizer);
  // "😀" is F0 9F 98 80: fed as four byte tokens, it appears only with the last.
  std::vector<int32_t> bytes;
  for (unsigned char b : std::string("\xF0\x9F\x98\x80"))
    bytes.push_back(tokenizer->tokenId(ByteLevel::instance().utf8For(b)));
  StreamDecoder stream(tokenizer->decoder(), false);
  EXPECT_EQ(stream.push(bytes[0]), "");
  EXPECT_EQ(stream.push(bytes[1]), "");
  EXPECT_EQ(stream.push(bytes[2]), "");
  EXPECT_EQ(stream.push(bytes[3]), "\xF0\x9F\x98\x80");
  EXPECT_EQ(stream.push(bytes[0]), "");
  EXPECT_EQ(stream.finish(), "\xEF\xBF\xBD"); // an unfinished character at the end
}

TEST(Tokenizer, EncodeMatchesKnownIds) {
  KILN_REQUIRE_SHARED_TOKENIZER();
  auto tokenizer = loadShared();
  ASSERT_TRUE(tokenizer);
  std::vector<int32_t> ids;
  ASSERT_EQ(tokenizer->encode("Hello world<｜User｜>x  \n\n 123456 你好世界", &ids), nullptr);
  EXPECT_EQ(ids, (std::vector<int32_t>{19923, 2058, 128803, 90, 6776, 223, 6895, 18009, 223, 30594, 3427}));
  EXPECT_EQ(tokenizer->tokenId("<｜begin▁of▁sentence｜>"), 0);
  EXPECT_EQ(tokenizer->vocabSize(), 128815u);
  std::string text;
  kiln_status_t status = tokenizer->decode({5, 999999}, false, &text);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(std::string(kiln_status_message(status)).find("id 999999 is not in the vocabulary"), std::string::npos);
  kiln_status_free(status);
}
