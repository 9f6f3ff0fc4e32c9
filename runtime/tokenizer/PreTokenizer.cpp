// PreTokenizer.cpp - Split steps over pieces (see PreTokenizer.h).
#include "PreTokenizer.h"

namespace kiln::tokenizer {

const char kGpt2SplitPattern[] =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

bool PreTokenizer::addSplit(const std::string &onigPattern, std::string *error) {
  std::unique_ptr<Regex> regex = Regex::compileOnig(onigPattern, error);
  if (!regex) return false;
  splits_.push_back(std::move(regex));
  return true;
}

bool PreTokenizer::split(std::string_view text, PreTokenizerScratch &scratch,
                         std::vector<std::string_view> *words, std::string *error) const {
  auto &pieces = scratch.pieces;
  auto &next = scratch.next;
  pieces.clear();
  if (!text.empty()) pieces.push_back(text);
  for (const auto &regex : splits_) {
    next.clear();
    for (std::string_view piece : pieces) {
      if (!regex->findAll(piece, scratch.regex, &scratch.matches, error)) return false;
      // Isolated: each match is a piece, and so is the text between matches.
      size_t done = 0;
      for (auto [begin, end] : scratch.matches) {
        if (begin == end) continue;
        if (begin > done) next.push_back(piece.substr(done, begin - done));
        next.push_back(piece.substr(begin, end - begin));
        done = end;
      }
      if (done < piece.size()) next.push_back(piece.substr(done));
    }
    pieces.swap(next);
  }
  words->assign(pieces.begin(), pieces.end());
  return true;
}

} // namespace kiln::tokenizer
