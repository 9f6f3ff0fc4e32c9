// Regex.cpp - PCRE2 behind Regex.h.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "Regex.h"

#include "OnigToPcre2.h"

#include <pcre2.h>

namespace kiln::tokenizer {

namespace {
// Enough for any pattern of a tokenizer; PCRE2 grows match data when a pattern needs more.
constexpr uint32_t kOvectorPairs = 16;
constexpr size_t kJitStackStart = 32 * 1024, kJitStackMax = 16 * 1024 * 1024;

std::string pcre2Message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0) return "PCRE2 error " + std::to_string(code);
  return reinterpret_cast<char *>(buffer);
}
} // namespace

RegexScratch::RegexScratch() {
  matchData_ = pcre2_match_data_create(kOvectorPairs, nullptr);
  matchContext_ = pcre2_match_context_create(nullptr);
  jitStack_ = pcre2_jit_stack_create(kJitStackStart, kJitStackMax, nullptr);
  if (matchContext_ && jitStack_)
    pcre2_jit_stack_assign(static_cast<pcre2_match_context *>(matchContext_), nullptr, jitStack_);
}

RegexScratch::~RegexScratch() {
  pcre2_match_data_free(static_cast<pcre2_match_data *>(matchData_));
  pcre2_match_context_free(static_cast<pcre2_match_context *>(matchContext_));
  pcre2_jit_stack_free(static_cast<pcre2_jit_stack *>(jitStack_));
}

std::unique_ptr<Regex> Regex::compileOnig(const std::string &onigPattern, std::string *error) {
  std::unique_ptr<Regex> regex(new Regex);
  regex->pcre2Pattern_ = onigToPcre2(onigPattern);
  pcre2_compile_context *context = pcre2_compile_context_create(nullptr);
  // Oniguruma's Ruby syntax: lines end at \n only.
  pcre2_set_newline(context, PCRE2_NEWLINE_LF);
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code *compiled = pcre2_compile(
      reinterpret_cast<PCRE2_SPTR>(regex->pcre2Pattern_.data()), regex->pcre2Pattern_.size(),
      PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &code, &offset, context);
  pcre2_compile_context_free(context);
  if (!compiled) {
    *error = pcre2Message(code) + " at offset " + std::to_string(offset) + " of the PCRE2 form";
    return nullptr;
  }
  // JIT makes matching several times faster; where it is unavailable the interpreter is used.
  pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE);
  regex->code_ = compiled;
  return regex;
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code *>(code_)); }

bool Regex::findAll(std::string_view subject, RegexScratch &scratch,
                    std::vector<std::pair<size_t, size_t>> *matches, std::string *error) const {
  matches->clear();
  auto *code = static_cast<pcre2_code *>(code_);
  auto *data = static_cast<pcre2_match_data *>(scratch.matchData_);
  auto *context = static_cast<pcre2_match_context *>(scratch.matchContext_);
  auto *bytes = reinterpret_cast<PCRE2_SPTR>(subject.data());
  size_t start = 0;
  while (start <= subject.size()) {
    // The input was made valid UTF-8 before it got here: skip PCRE2's check of each call.
    int rc = pcre2_match(code, bytes, subject.size(), start, PCRE2_NO_UTF_CHECK, data, context);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      *error = "regex match failed: " + pcre2Message(rc);
      return false;
    }
    PCRE2_SIZE *ovector = pcre2_get_ovector_pointer(data);
    size_t begin = ovector[0], end = ovector[1];
    matches->emplace_back(begin, end);
    if (end > begin) {
      start = end;
    } else {
      // An empty match: go on after the next character.
      if (end >= subject.size()) break;
      start = end + 1;
      while (start < subject.size() && (static_cast<unsigned char>(subject[start]) & 0xC0) == 0x80)
        ++start;
    }
  }
  return true;
}

} // namespace kiln::tokenizer
