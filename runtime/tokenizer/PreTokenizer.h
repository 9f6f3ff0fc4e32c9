// PreTokenizer.h - splits text into the words BPE sees: a sequence of Split steps, each
// applied to every piece the previous steps left (a regex never sees across a piece border),
// then ByteLevel (bytes spelled as characters; Bpe does that mapping itself).
//
// Supported, as DeepSeek's tokenizer.json uses them: Split with behavior "Isolated" (matches
// and the text between them each become a piece), invert=false, a Regex or String pattern;
// ByteLevel with add_prefix_space=false (use_regex=true adds GPT-2's split pattern first).
#ifndef KILN_RUNTIME_TOKENIZER_PRETOKENIZER_H
#define KILN_RUNTIME_TOKENIZER_PRETOKENIZER_H

#include "Regex.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::tokenizer {

struct PreTokenizerScratch {
  RegexScratch regex;
  std::vector<std::string_view> pieces, next;
  std::vector<std::pair<size_t, size_t>> matches;
};

class PreTokenizer {
public:
  // Adds a Split step; false with `error` set when the pattern does not compile.
  bool addSplit(const std::string &onigPattern, std::string *error);
  size_t steps() const { return splits_.size(); }

  // The words of `text` (valid UTF-8), in order, as views into it; empty pieces are dropped.
  bool split(std::string_view text, PreTokenizerScratch &scratch,
             std::vector<std::string_view> *words, std::string *error) const;

private:
  std::vector<std::unique_ptr<Regex>> splits_;
};

// GPT-2's pattern, which ByteLevel applies when use_regex is true.
extern const char kGpt2SplitPattern[];

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_PRETOKENIZER_H
