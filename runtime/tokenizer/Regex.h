// Regex.h - a compiled PCRE2 pattern (UTF, Unicode properties, JIT) and find-all over a string.
#ifndef KILN_RUNTIME_TOKENIZER_REGEX_H
#define KILN_RUNTIME_TOKENIZER_REGEX_H

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln::tokenizer {

// Per-thread matching state (PCRE2 match data and JIT stack), reused across calls.
class RegexScratch {
public:
  RegexScratch();
  ~RegexScratch();
  RegexScratch(const RegexScratch &) = delete;
  RegexScratch &operator=(const RegexScratch &) = delete;

private:
  friend class Regex;
  void *matchData_ = nullptr;    // pcre2_match_data_8
  void *matchContext_ = nullptr; // pcre2_match_context_8
  void *jitStack_ = nullptr;     // pcre2_jit_stack_8
};

class Regex {
public:
  // Compiles an Oniguruma-syntax pattern from tokenizer.json (translated by onigToPcre2).
  // On failure returns null and sets `error` to PCRE2's message with its offset.
  static std::unique_ptr<Regex> compileOnig(const std::string &onigPattern, std::string *error);
  ~Regex();
  Regex(const Regex &) = delete;
  Regex &operator=(const Regex &) = delete;

  // Every non-overlapping match in `subject` (valid UTF-8), left to right, as byte ranges
  // [begin, end), searched as Oniguruma's find_iter does: after an empty match the search goes
  // on one character later. Returns false and sets `error` when PCRE2 fails (a resource
  // limit), which a well-formed pattern on valid input should never do.
  bool findAll(std::string_view subject, RegexScratch &scratch,
               std::vector<std::pair<size_t, size_t>> *matches, std::string *error) const;

  const std::string &pcre2Pattern() const { return pcre2Pattern_; }

private:
  Regex() = default;
  void *code_ = nullptr; // pcre2_code_8
  std::string pcre2Pattern_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_REGEX_H
