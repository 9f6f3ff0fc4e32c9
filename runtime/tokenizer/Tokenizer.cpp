// Tokenizer.cpp - encode and decode (loading is in TokenizerJson.cpp).
#include "Tokenizer.h"

#include "Utf8.h"

namespace kiln::tokenizer {

kiln_status_t Tokenizer::encode(std::string_view text, std::vector<int32_t> *ids,
                                EncodeContext *context) const {
  std::unique_ptr<EncodeContext> temporary;
  if (!context) {
    temporary = std::make_unique<EncodeContext>();
    context = temporary.get();
  }
  ids->clear();
  if (!isValidUtf8(text)) {
    context->sanitized = sanitizeUtf8(text);
    text = context->sanitized;
  }
  added_.split(text, &context->segments);
  std::string error;
  for (const TextSegment &segment : context->segments) {
    if (segment.id >= 0) {
      ids->push_back(segment.id);
      continue;
    }
    if (!preTokenizer_.split(segment.text, context->preTokenizer, &context->words, &error))
      return kiln_status_make(KILN_STATUS_INTERNAL, (source_ + ": " + error).c_str());
    for (std::string_view word : context->words) bpe_->encodeWord(word, context->bpe, ids);
  }
  return nullptr;
}

kiln_status_t Tokenizer::decode(const std::vector<int32_t> &ids, bool skipSpecial,
                                std::string *text) const {
  for (int32_t id : ids) {
    if (!decoder_->known(id)) {
      std::string message = "id " + std::to_string(id) + " is not in the vocabulary of " +
                            source_ + " (ids 0.." + std::to_string(vocabSize() - 1) + ")";
      return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
    }
  }
  std::string bytes;
  decoder_->appendBytes(ids.data(), ids.size(), skipSpecial, &bytes);
  *text = sanitizeUtf8(bytes);
  return nullptr;
}

int32_t Tokenizer::tokenId(std::string_view token) const {
  auto added = addedIds_.find(std::string(token));
  if (added != addedIds_.end()) return added->second;
  return bpe_->vocab().find(token);
}

} // namespace kiln::tokenizer
