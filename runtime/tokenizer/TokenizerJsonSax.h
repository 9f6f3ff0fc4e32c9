// TokenizerJsonSax.h - parses tokenizer.json in one pass, storing model.vocab and model.merges
// (almost all of the file: 128k entries each for DeepSeek-V3) straight into flat containers and
// everything else as a JSON tree. Four times faster than building the whole tree, which made
// loading take most of a second.
#ifndef KILN_RUNTIME_TOKENIZER_TOKENIZERJSONSAX_H
#define KILN_RUNTIME_TOKENIZER_TOKENIZERJSONSAX_H

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace kiln::tokenizer {

struct ParsedTokenizerJson {
  nlohmann::json root; // model.vocab and model.merges are null here when captured below
  bool haveVocab = false, haveMerges = false;
  std::vector<std::pair<std::string, int64_t>> vocab;
  std::vector<std::pair<std::string, std::string>> merges;
  std::string error;       // a malformed vocab or merge entry, when parsing stopped for it
  std::string syntaxError; // the parser's message when the text is not JSON
};

void parseTokenizerJson(std::string_view text, ParsedTokenizerJson *parsed);

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_TOKENIZERJSONSAX_H
