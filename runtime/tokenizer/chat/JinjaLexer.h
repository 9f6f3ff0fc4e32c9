// JinjaLexer.h - a template's source as tokens, with Jinja2's whitespace handling as
// transformers configures it: newlines normalized to \n and one trailing newline dropped;
// `{%-`/`-%}` (and the same on `{{ }}`, `{# #}`) strip whitespace; trim_blocks drops the newline
// after a block or comment tag; lstrip_blocks drops the spaces before one on its line (unless
// `{%+`). The rules follow jinja2/lexer.py line for line.
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJALEXER_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJALEXER_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::jinja {

struct Token {
  enum class Kind { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };
  Kind kind;
  std::string text; // Text, Name, String (unescaped), Op
  int64_t intValue = 0;
  double floatValue = 0;
  int line = 1;
};

struct LexOptions {
  bool trimBlocks = true;
  bool lstripBlocks = true;
  bool keepTrailingNewline = false;
};

// Throws TemplateError ("line N: ...") for an unterminated tag, comment or string.
std::vector<Token> lexTemplate(const std::string &source, const LexOptions &options = {});

// Python's str.isspace for one UTF-8 character at `s[i]`; sets `length`.
bool isPythonSpace(const std::string &s, size_t i, size_t *length);

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJALEXER_H
