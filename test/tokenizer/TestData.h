// TestData.h - where the tokenizer tests find their data: the goldens beside them, and the
// real DeepSeek-V3 tokenizer in ../shared/data (tests that need it skip, saying so, without it).
#ifndef KILN_TEST_TOKENIZER_TESTDATA_H
#define KILN_TEST_TOKENIZER_TESTDATA_H

#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace kiln::test {

inline std::string testDir() { return KILN_TOKENIZER_TEST_DIR; }
inline std::string goldenPath(const std::string &name) { return testDir() + "/golden/" + name; }
inline std::string sharedTokenizerDir() { return KILN_SHARED_TOKENIZER_DIR; }
inline bool haveSharedTokenizer() {
  struct stat info;
  return stat((sharedTokenizerDir() + "/tokenizer.json").c_str(), &info) == 0;
}
inline std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}
inline std::vector<std::string> readLines(const std::string &path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

} // namespace kiln::test

#define KILN_REQUIRE_SHARED_TOKENIZER()                                                          \
  if (!kiln::test::haveSharedTokenizer())                                                      \
  GTEST_SKIP() << kiln::test::sharedTokenizerDir() << "/tokenizer.json not found (the DeepSeek-V3 " \
                                                      "tokenizer lives in ../shared/data)"

#endif // KILN_TEST_TOKENIZER_TESTDATA_H
