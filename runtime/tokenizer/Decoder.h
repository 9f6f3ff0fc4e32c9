// Decoder.h - ids back to text, as `tokenizers`' ByteLevel decoder: each token's characters
// mapped back to bytes (an added token whose characters are not all in the byte table gives
// its own UTF-8), the bytes concatenated, then decoded with U+FFFD replacement (Rust's
// from_utf8_lossy, the same maximal-subpart rule as Utf8.h).
//
// StreamDecoder turns ids into text one at a time for streaming: it never emits part of a
// character; bytes that may still complete one are held until the next id (or finish()), and
// what it emits, concatenated, equals decode() of all the ids.
#ifndef KILN_RUNTIME_TOKENIZER_DECODER_H
#define KILN_RUNTIME_TOKENIZER_DECODER_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::tokenizer {

class Decoder {
public:
  // `tokens[id]` is the token's string ("" for an id nothing uses); `special[id]` marks the
  // special added tokens (skipped when asked).
  Decoder(const std::vector<std::string> &tokens, std::vector<bool> special);

  size_t size() const { return bytes_.size(); }
  bool known(int32_t id) const { return id >= 0 && static_cast<size_t>(id) < bytes_.size() && present_[id]; }
  bool special(int32_t id) const { return special_[id]; }
  // The bytes `id` stands for (`id` must be known()).
  std::string_view bytes(int32_t id) const { return bytes_[id]; }

  // Appends the raw bytes of `ids` (all known()), skipping special tokens when asked.
  void appendBytes(const int32_t *ids, size_t count, bool skipSpecial, std::string *out) const;

private:
  std::vector<std::string> bytes_;
  std::vector<bool> present_, special_;
};

class StreamDecoder {
public:
  StreamDecoder(const Decoder &decoder, bool skipSpecial)
      : decoder_(decoder), skipSpecial_(skipSpecial) {}

  // Adds one id (must be known()) and returns the text now complete (often empty).
  std::string push(int32_t id);
  // The rest: held bytes that never completed a character become U+FFFD.
  std::string finish();

private:
  const Decoder &decoder_;
  bool skipSpecial_;
  std::string pending_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_DECODER_H
