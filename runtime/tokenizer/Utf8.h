// Utf8.h - UTF-8 decoding with U+FFFD replacement, as Python's errors='replace' and Rust's
// String::from_utf8_lossy do it.
//
// Both replace each *maximal subpart* of an ill-formed sequence with one U+FFFD (the Unicode
// Standard's recommended practice, chapter 3 "U+FFFD Substitution of Maximal Subparts"): a lead
// byte followed by as many continuation bytes as are still valid for it becomes one U+FFFD; a
// byte that can start nothing (80..BF alone, C0, C1, F5..FF) becomes one U+FFFD by itself.
// "E4 B8 41" is U+FFFD 'A'; "ED A0 80" (a surrogate) is three U+FFFD; "F0 80" is two.
#ifndef KILN_RUNTIME_TOKENIZER_UTF8_H
#define KILN_RUNTIME_TOKENIZER_UTF8_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kiln::tokenizer {

// How one step of decoding went: `length` bytes were consumed; `codepoint` is the character,
// or -1 for an ill-formed maximal subpart (to be replaced by U+FFFD). `incomplete` is set when
// the bytes are a valid prefix of a character that the input ends before completing (then
// `codepoint` is -1 too).
struct Utf8Step {
  int32_t codepoint;
  size_t length;
  bool incomplete;
};

// Decodes one character (or one maximal ill-formed subpart) at the start of `bytes`, which
// must not be empty.
Utf8Step decodeUtf8Step(std::string_view bytes);

// True when `bytes` is well-formed UTF-8 (no surrogates, no overlongs, nothing past U+10FFFF).
bool isValidUtf8(std::string_view bytes);

// `bytes` decoded with replacement and encoded again: valid UTF-8 where every maximal
// ill-formed subpart became U+FFFD (EF BF BD). Returns `bytes` unchanged when it is valid.
std::string sanitizeUtf8(std::string_view bytes);

// The length of the longest suffix of `bytes` that is an incomplete but still valid prefix of
// one character (0 to 3 bytes): what a streaming decoder must hold back.
size_t incompleteUtf8Suffix(std::string_view bytes);

// Appends `codepoint` (<= U+10FFFF, not a surrogate) encoded as UTF-8.
void appendUtf8(std::string &out, uint32_t codepoint);

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_UTF8_H
