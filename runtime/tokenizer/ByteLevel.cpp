// ByteLevel.cpp - GPT-2's byte-to-character table (see ByteLevel.h).
#include "ByteLevel.h"

#include "Utf8.h"

namespace kiln::tokenizer {

ByteLevel::ByteLevel() {
  charToByte_.fill(-1);
  auto printable = [](int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  };
  uint32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    uint32_t c = printable(b) ? static_cast<uint32_t>(b) : next++;
    byteToChar_[b] = c;
    charToByte_[c] = static_cast<int16_t>(b);
    appendUtf8(byteToUtf8_[b], c);
  }
}

const ByteLevel &ByteLevel::instance() {
  static const ByteLevel table;
  return table;
}

std::string ByteLevel::tokenBytes(std::string_view token) const {
  std::string out;
  out.reserve(token.size());
  size_t i = 0;
  while (i < token.size()) {
    Utf8Step step = decodeUtf8Step(token.substr(i));
    if (step.codepoint < 0 || step.codepoint >= 512 || charToByte_[step.codepoint] < 0)
      return std::string(token);
    out += static_cast<char>(charToByte_[step.codepoint]);
    i += step.length;
  }
  return out;
}

std::string ByteLevel::encode(std::string_view bytes) const {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += byteToUtf8_[b];
  return out;
}

} // namespace kiln::tokenizer
