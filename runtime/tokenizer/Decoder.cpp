// Decoder.cpp - ByteLevel decoding and its streaming form (see Decoder.h).
#include "Decoder.h"

#include "ByteLevel.h"
#include "Utf8.h"

namespace kiln::tokenizer {

Decoder::Decoder(const std::vector<std::string> &tokens, std::vector<bool> special)
    : bytes_(tokens.size()), present_(tokens.size(), false), special_(std::move(special)) {
  special_.resize(tokens.size(), false);
  const ByteLevel &table = ByteLevel::instance();
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (tokens[id].empty()) continue;
    bytes_[id] = table.tokenBytes(tokens[id]);
    present_[id] = true;
  }
}

void Decoder::appendBytes(const int32_t *ids, size_t count, bool skipSpecial,
                          std::string *out) const {
  for (size_t i = 0; i < count; ++i) {
    if (skipSpecial && special_[ids[i]]) continue;
    out->append(bytes_[ids[i]]);
  }
}

std::string StreamDecoder::push(int32_t id) {
  decoder_.appendBytes(&id, 1, skipSpecial_, &pending_);
  size_t hold = incompleteUtf8Suffix(pending_);
  if (hold == pending_.size()) return {};
  std::string text = sanitizeUtf8(std::string_view(pending_).substr(0, pending_.size() - hold));
  pending_.erase(0, pending_.size() - hold);
  return text;
}

std::string StreamDecoder::finish() {
  std::string text = sanitizeUtf8(pending_);
  pending_.clear();
  return text;
}

} // namespace kiln::tokenizer
