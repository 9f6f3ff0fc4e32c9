// Tokenizer.h - a Hugging Face byte-level BPE tokenizer (tokenizer.json), with the ids
// `tokenizers` gives for encode(text, add_special_tokens=False) and decode(ids).
//
// encode: the input is made valid UTF-8 (each ill-formed maximal subpart becomes U+FFFD, as
// Python's errors='replace'), added/special tokens are split out (AddedVocabulary), every
// other piece goes through the pre-tokenizer (PreTokenizer) and byte-level BPE (Bpe).
// decode: Decoder. No special tokens are added: BOS comes from the chat template or the
// caller (tokenizer_config.json says whether, see TokenizerConfig).
//
// Errors cross as kiln_status_t (one line naming the file and the problem); exceptions from
// the JSON parser stay inside the loader.
#ifndef KILN_RUNTIME_TOKENIZER_TOKENIZER_H
#define KILN_RUNTIME_TOKENIZER_TOKENIZER_H

#include "AddedVocabulary.h"
#include "Bpe.h"
#include "Decoder.h"
#include "PreTokenizer.h"
#include "kiln_runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kiln::tokenizer {

// Buffers and caches one thread reuses across encode() calls; never shared between threads.
struct EncodeContext {
  PreTokenizerScratch preTokenizer;
  BpeScratch bpe;
  std::vector<TextSegment> segments;
  std::vector<std::string_view> words;
  std::string sanitized;
};

class Tokenizer {
public:
  // Reads tokenizer.json. NOT_FOUND when it cannot be read; INVALID_ARGUMENT when it is not
  // JSON or not a tokenizer; UNIMPLEMENTED for a tokenizer kind Kiln does not support (named).
  static kiln_status_t loadFile(const std::string &path, std::unique_ptr<Tokenizer> *tokenizer);
  // The same from the file's text (an artifact stores it); `source` names it in messages.
  static kiln_status_t loadJson(std::string_view json, const std::string &source,
                                std::unique_ptr<Tokenizer> *tokenizer);

  // Replaces `ids` with the ids of `text` (any bytes). Thread-safe for distinct contexts;
  // a null context uses a temporary one (no cache carried between calls).
  kiln_status_t encode(std::string_view text, std::vector<int32_t> *ids,
                       EncodeContext *context = nullptr) const;

  // The text of `ids`; INVALID_ARGUMENT naming the first id outside the vocabulary.
  kiln_status_t decode(const std::vector<int32_t> &ids, bool skipSpecial, std::string *text) const;

  // The id of a token (an added token's content or a byte-level spelled vocabulary entry),
  // -1 when there is none.
  int32_t tokenId(std::string_view token) const;
  // One more than the largest id.
  size_t vocabSize() const { return decoder_->size(); }
  const Decoder &decoder() const { return *decoder_; }
  const AddedVocabulary &addedVocabulary() const { return added_; }
  const PreTokenizer &preTokenizer() const { return preTokenizer_; }
  const Bpe &bpe() const { return *bpe_; }
  const std::string &source() const { return source_; }

private:
  Tokenizer() = default;
  friend class TokenizerLoader;

  std::string source_;
  AddedVocabulary added_;
  PreTokenizer preTokenizer_;
  std::unique_ptr<Bpe> bpe_;
  std::unique_ptr<Decoder> decoder_;
  std::unordered_map<std::string, int32_t> addedIds_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_TOKENIZER_H
