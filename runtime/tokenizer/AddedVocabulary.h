// AddedVocabulary.h - added and special tokens, found in the text before anything else.
//
// As `tokenizers` does it: the tokens with normalized=false are matched first on the raw
// text, then the tokens with normalized=true in the pieces that remain (after normalization,
// which Kiln only supports as the identity). Each pass finds matches left to right; at a
// position where several tokens match, the longest wins (Aho-Corasick, leftmost-longest).
#ifndef KILN_RUNTIME_TOKENIZER_ADDEDVOCABULARY_H
#define KILN_RUNTIME_TOKENIZER_ADDEDVOCABULARY_H

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::tokenizer {

struct AddedToken {
  int32_t id = -1;
  std::string content;
  bool special = false;
  bool normalized = false;
};

// A piece of the input: either text still to be tokenized (id < 0) or one added token.
struct TextSegment {
  std::string_view text;
  int32_t id = -1;
};

class AddedVocabulary {
public:
  void add(const AddedToken &token);
  const std::vector<AddedToken> &tokens() const { return tokens_; }

  // Splits `text` into segments covering it in order; empty text pieces are dropped.
  void split(std::string_view text, std::vector<TextSegment> *segments) const;

private:
  // A byte trie of one pass's tokens.
  struct Trie {
    struct Node {
      std::vector<std::pair<unsigned char, int32_t>> children;
      int32_t tokenId = -1;
    };
    std::vector<Node> nodes{Node{}};
    std::array<bool, 256> firstByte{};
    void insert(std::string_view content, int32_t id);
    // The longest token starting at `pos`: its length, 0 when none (its id in `id`).
    size_t longestAt(std::string_view text, size_t pos, int32_t *id) const;
    bool empty() const { return nodes.size() == 1; }
  };
  static void splitPass(const Trie &trie, std::vector<TextSegment> *segments);

  std::vector<AddedToken> tokens_;
  Trie raw_, normalized_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_ADDEDVOCABULARY_H
