// AddedVocabulary.cpp - added/special token matching (see AddedVocabulary.h).
#include "AddedVocabulary.h"

namespace kiln::tokenizer {

void AddedVocabulary::Trie::insert(std::string_view content, int32_t id) {
  if (content.empty()) return; // `tokenizers` never matches an empty token
  firstByte[static_cast<unsigned char>(content[0])] = true;
  int32_t node = 0;
  for (unsigned char byte : content) {
    int32_t next = -1;
    for (auto &[b, child] : nodes[node].children)
      if (b == byte) next = child;
    if (next < 0) {
      next = static_cast<int32_t>(nodes.size());
      nodes[node].children.emplace_back(byte, next);
      nodes.emplace_back();
    }
    node = next;
  }
  // The same content twice: the last one added wins, as in `tokenizers`' map.
  nodes[node].tokenId = id;
}

size_t AddedVocabulary::Trie::longestAt(std::string_view text, size_t pos, int32_t *id) const {
  size_t best = 0;
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(text[i]);
    int32_t next = -1;
    for (const auto &[b, child] : nodes[node].children)
      if (b == byte) { next = child; break; }
    if (next < 0) break;
    node = next;
    if (nodes[node].tokenId >= 0) {
      best = i + 1 - pos;
      *id = nodes[node].tokenId;
    }
  }
  return best;
}

void AddedVocabulary::add(const AddedToken &token) {
  tokens_.push_back(token);
  (token.normalized ? normalized_ : raw_).insert(token.content, token.id);
}

void AddedVocabulary::splitPass(const Trie &trie, std::vector<TextSegment> *segments) {
  if (trie.empty()) return;
  std::vector<TextSegment> out;
  out.reserve(segments->size());
  for (const TextSegment &segment : *segments) {
    if (segment.id >= 0) { out.push_back(segment); continue; }
    std::string_view text = segment.text;
    size_t done = 0, pos = 0;
    while (pos < text.size()) {
      if (!trie.firstByte[static_cast<unsigned char>(text[pos])]) { ++pos; continue; }
      int32_t id = -1;
      size_t length = trie.longestAt(text, pos, &id);
      if (length == 0) { ++pos; continue; }
      if (pos > done) out.push_back({text.substr(done, pos - done), -1});
      out.push_back({text.substr(pos, length), id});
      pos += length;
      done = pos;
    }
    if (done < text.size()) out.push_back({text.substr(done), -1});
  }
  segments->swap(out);
}

void AddedVocabulary::split(std::string_view text, std::vector<TextSegment> *segments) const {
  segments->clear();
  if (text.empty()) return;
  segments->push_back({text, -1});
  splitPass(raw_, segments);
  splitPass(normalized_, segments);
}

} // namespace kiln::tokenizer
