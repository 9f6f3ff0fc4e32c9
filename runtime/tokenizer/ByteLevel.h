// ByteLevel.h - GPT-2's byte-to-character table, as `tokenizers`' ByteLevel uses it.
//
// Every byte maps to one printable character: the printable Latin-1 bytes ('!'..'~',
// U+00A1..U+00AC, U+00AE..U+00FF) to themselves, the other 68 bytes to U+0100.. in order. BPE
// vocabularies of byte-level tokenizers are spelled in these characters ("Ġ" is the space).
#ifndef KILN_RUNTIME_TOKENIZER_BYTELEVEL_H
#define KILN_RUNTIME_TOKENIZER_BYTELEVEL_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kiln::tokenizer {

class ByteLevel {
public:
  // The table (built once).
  static const ByteLevel &instance();

  // The character that stands for `byte`.
  uint32_t charFor(uint8_t byte) const { return byteToChar_[byte]; }
  // That character encoded as UTF-8.
  const std::string &utf8For(uint8_t byte) const { return byteToUtf8_[byte]; }

  // The bytes a vocabulary token spells: each character mapped back to its byte. When some
  // character is not in the table (an added token such as "<｜User｜>"), the token's own UTF-8
  // bytes, as the ByteLevel decoder does. `token` must be valid UTF-8.
  std::string tokenBytes(std::string_view token) const;

  // `bytes` spelled in table characters (what the ByteLevel pre-tokenizer produces).
  std::string encode(std::string_view bytes) const;

private:
  ByteLevel();
  std::array<uint32_t, 256> byteToChar_{};
  std::array<std::string, 256> byteToUtf8_;
  std::array<int16_t, 512> charToByte_{}; // -1 where the character is not in the table
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_BYTELEVEL_H
