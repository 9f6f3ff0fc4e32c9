// OnigToPcre2.h - a `tokenizers` regex (Oniguruma, Ruby syntax) as a PCRE2 pattern that matches
// the same strings.
//
// tokenizer.json's Split patterns are written for Oniguruma, which `tokenizers` compiles them
// with. PCRE2 reads the same syntax with three differences that change matches, and the
// translation rewrites exactly those, leaving everything else verbatim:
//   - Unicode version: \p{L} \p{M} \p{N} \p{P} \p{S} (and their long names) gain the code points
//     Oniguruma's newer tables assign and PCRE2's do not (OnigUnicodeTables.inc);
//   - \s and \S are Oniguruma's White_Space set, spelled out (PCRE2's \s adds U+180E);
//   - \h and \H are hex digits in Ruby syntax (horizontal space in PCRE2); \uHHHH is \x{HHHH}.
// Negated forms inside a bracket class (`[^...]` is fine; `[\P{L}]`, `[\S]`) cannot be
// expanded in place and stay as PCRE2 reads them; DeepSeek's patterns use none.
// Compile the result with PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE (Ruby's ^ and $ are per line).
#ifndef KILN_RUNTIME_TOKENIZER_ONIGTOPCRE2_H
#define KILN_RUNTIME_TOKENIZER_ONIGTOPCRE2_H

#include <string>
#include <string_view>

namespace kiln::tokenizer {

std::string onigToPcre2(std::string_view onigPattern);

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_ONIGTOPCRE2_H
