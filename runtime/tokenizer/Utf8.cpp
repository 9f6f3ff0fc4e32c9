// Utf8.cpp - UTF-8 decoding with maximal-subpart replacement (see Utf8.h).
#include "Utf8.h"

namespace kiln::tokenizer {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// The valid range of the second byte after each lead byte (Unicode Table 3-7); later
// continuation bytes are always 80..BF.
bool secondByteValid(unsigned char lead, unsigned char second) {
  switch (lead) {
  case 0xE0: return second >= 0xA0 && second <= 0xBF; // no overlongs
  case 0xED: return second >= 0x80 && second <= 0x9F; // no surrogates
  case 0xF0: return second >= 0x90 && second <= 0xBF; // no overlongs
  case 0xF4: return second >= 0x80 && second <= 0x8F; // nothing past U+10FFFF
  default: return second >= 0x80 && second <= 0xBF;
  }
}

// The total length of a character starting with `lead`, or 0 when it starts nothing.
size_t sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

} // namespace

Utf8Step decodeUtf8Step(std::string_view bytes) {
  const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
  unsigned char lead = p[0];
  size_t need = sequenceLength(lead);
  if (need == 1) return {lead, 1, false};
  if (need == 0) return {-1, 1, false};
  // Take continuation bytes while they are valid for this lead; stop at the first that is not.
  size_t have = 1;
  while (have < need) {
    if (have >= bytes.size()) return {-1, have, true};
    unsigned char c = p[have];
    bool ok = have == 1 ? secondByteValid(lead, c) : (c >= 0x80 && c <= 0xBF);
    if (!ok) return {-1, have, false};
    ++have;
  }
  uint32_t cp = lead & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < need; ++i) cp = (cp << 6) | (p[i] & 0x3F);
  return {static_cast<int32_t>(cp), need, false};
}

bool isValidUtf8(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    // ASCII fast path, eight bytes at a time.
    while (i + 8 <= bytes.size()) {
      uint64_t word;
      __builtin_memcpy(&word, bytes.data() + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= bytes.size()) break;
    if (static_cast<unsigned char>(bytes[i]) < 0x80) { ++i; continue; }
    Utf8Step step = decodeUtf8Step(bytes.substr(i));
    if (step.codepoint < 0) return false;
    i += step.length;
  }
  return true;
}

std::string sanitizeUtf8(std::string_view bytes) {
  if (isValidUtf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  size_t i = 0;
  while (i < bytes.size()) {
    Utf8Step step = decodeUtf8Step(bytes.substr(i));
    if (step.codepoint < 0) out += kReplacement;
    else out.append(bytes.data() + i, step.length);
    i += step.length;
  }
  return out;
}

size_t incompleteUtf8Suffix(std::string_view bytes) {
  // A character is at most 4 bytes: its lead byte is within the last 3 bytes if incomplete.
  size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    unsigned char c = static_cast<unsigned char>(bytes[n - back]);
    if (c >= 0x80 && c <= 0xBF) continue; // a continuation byte: look further back
    Utf8Step step = decodeUtf8Step(bytes.substr(n - back));
    return step.incomplete && step.length == back ? back : 0;
  }
  return 0;
}

void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

} // namespace kiln::tokenizer
