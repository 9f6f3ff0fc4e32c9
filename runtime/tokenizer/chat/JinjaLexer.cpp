// JinjaLexer.cpp - template source to tokens (see JinjaLexer.h).
#include "JinjaLexer.h"

#include "JinjaValue.h"
#include "Utf8.h"

#include <cstring>

namespace kiln::jinja {

bool isPythonSpace(const std::string &s, size_t i, size_t *length) {
  auto step = tokenizer::decodeUtf8Step(std::string_view(s).substr(i));
  *length = step.length;
  int32_t c = step.codepoint;
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

namespace {

// The position after the whitespace starting at `i`.
size_t skipSpace(const std::string &s, size_t i) {
  size_t length;
  while (i < s.size() && isPythonSpace(s, i, &length)) i += length;
  return i;
}

// `text` without trailing whitespace (Python's str.rstrip()).
std::string rstripPython(const std::string &text) {
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t length;
    if (!isPythonSpace(text, start, &length) || start + length != end) break;
    end = start;
  }
  return text.substr(0, end);
}

// Jinja2: newlines (\r\n, \r, \n) become \n; a final newline is dropped unless kept.
std::string normalizeNewlines(const std::string &source, bool keepTrailing) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!keepTrailing && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Python's unicode-escape of a string literal's body.
std::string unescape(const std::string &body, int line) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 >= body.size()) { out += body[i]; continue; }
    char e = body[++i];
    switch (e) {
    case 'n': out += '\n'; break;
    case 't': out += '\t'; break;
    case 'r': out += '\r'; break;
    case 'f': out += '\f'; break;
    case 'v': out += '\v'; break;
    case 'a': out += '\a'; break;
    case 'b': out += '\b'; break;
    case '0': out += '\0'; break;
    case '\\': out += '\\'; break;
    case '\'': out += '\''; break;
    case '"': out += '"'; break;
    case '\n': break; // a backslash-newline continues the line
    case 'x': case 'u': case 'U': {
      size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (i + digits >= body.size())
        throw TemplateError("line " + std::to_string(line) + ": truncated \\" + e + " escape");
      uint32_t cp = static_cast<uint32_t>(std::stoul(body.substr(i + 1, digits), nullptr, 16));
      tokenizer::appendUtf8(out, cp);
      i += digits;
      break;
    }
    default: out += '\\'; out += e; break; // unknown escapes stay, as in Python
    }
  }
  return out;
}

class Lexer {
public:
  Lexer(const std::string &source, const LexOptions &options)
      : s_(normalizeNewlines(source, options.keepTrailingNewline)), options_(options) {}

  std::vector<Token> run() {
    size_t pos = 0;
    bool lineStarting = true;
    while (pos < s_.size()) {
      size_t start = findTagStart(pos);
      if (start == std::string::npos) { text(s_.substr(pos)); break; }
      std::string data = s_.substr(pos, start - pos);
      char kind = s_[start + 1]; // '{', '%' or '#'
      char sign = start + 2 < s_.size() && (s_[start + 2] == '-' || s_[start + 2] == '+') ? s_[start + 2] : 0;
      if (sign == '-') {
        data = rstripPython(data);
      } else if (sign != '+' && options_.lstripBlocks && kind != '{') {
        size_t lineStart = data.rfind('\n');
        lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
        if ((lineStart > 0 || lineStarting) && lineStart < data.size() &&
            skipSpace(data, lineStart) == data.size())
          data.erase(lineStart);
      }
      text(data);
      line_ += countLines(s_, pos, start);
      pos = start + 2 + (sign ? 1 : 0);
      if (kind == '#') pos = comment(pos, &lineStarting);
      else pos = tag(pos, kind == '{', &lineStarting);
    }
    tokens_.push_back({Token::Kind::Eof, "", 0, 0, line_});
    return std::move(tokens_);
  }

private:
  static int countLines(const std::string &s, size_t from, size_t to) {
    int n = 0;
    for (size_t i = from; i < to && i < s.size(); ++i) n += s[i] == '\n';
    return n;
  }

  size_t findTagStart(size_t pos) const {
    for (size_t i = s_.find('{', pos); i != std::string::npos; i = s_.find('{', i + 1))
      if (i + 1 < s_.size() && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) return i;
    return std::string::npos;
  }

  void text(const std::string &data) {
    if (!data.empty()) tokens_.push_back({Token::Kind::Text, data, 0, 0, line_});
  }

  [[noreturn]] void fail(const std::string &message) const {
    throw TemplateError("line " + std::to_string(line_) + ": " + message);
  }

  // After an end delimiter: `-` strips the whitespace that follows; a block or comment end
  // without a sign drops one newline (trim_blocks).
  size_t afterEnd(size_t pos, char sign, bool isBlock, bool *lineStarting) {
    size_t end = pos;
    if (sign == '-') end = skipSpace(s_, pos);
    else if (sign != '+' && isBlock && options_.trimBlocks && pos < s_.size() && s_[pos] == '\n') end = pos + 1;
    *lineStarting = end > 0 && s_[end - 1] == '\n';
    line_ += countLines(s_, pos, end);
    return end;
  }

  size_t comment(size_t pos, bool *lineStarting) {
    size_t close = s_.find("#}", pos);
    if (close == std::string::npos) fail("missing end of comment tag");
    char sign = close > pos && (s_[close - 1] == '-' || s_[close - 1] == '+') ? s_[close - 1] : 0;
    line_ += countLines(s_, pos, close);
    size_t end = close + 2;
    *lineStarting = s_[end - 1] == '\n';
    return afterEnd(end, sign, true, lineStarting);
  }

  size_t tag(size_t pos, bool isVariable, bool *lineStarting) {
    tokens_.push_back({isVariable ? Token::Kind::VarBegin : Token::Kind::BlockBegin, "", 0, 0, line_});
    int depth = 0;
    for (;;) {
      size_t next = skipSpace(s_, pos);
      line_ += countLines(s_, pos, next);
      pos = next;
      if (pos >= s_.size()) fail(std::string("missing end of ") + (isVariable ? "variable" : "block") + " tag");
      const char *close = isVariable ? "}}" : "%}";
      if (depth == 0) {
        char sign = 0;
        size_t at = pos;
        if ((s_[pos] == '-' || (!isVariable && s_[pos] == '+')) && s_.compare(pos + 1, 2, close) == 0) sign = s_[at++];
        if (s_.compare(at, 2, close) == 0) {
          tokens_.push_back({isVariable ? Token::Kind::VarEnd : Token::Kind::BlockEnd, "", 0, 0, line_});
          *lineStarting = false;
          return afterEnd(at + 2, sign, !isVariable, lineStarting);
        }
      }
      pos = expressionToken(pos, &depth);
    }
  }

  size_t expressionToken(size_t pos, int *depth) {
    char c = s_[pos];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos;
      while (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) ++end;
      tokens_.push_back({Token::Kind::Name, s_.substr(pos, end - pos), 0, 0, line_});
      return end;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return number(pos);
    if (c == '\'' || c == '"') {
      size_t end = pos + 1;
      while (end < s_.size() && s_[end] != c) end += s_[end] == '\\' ? 2 : 1;
      if (end >= s_.size()) fail("unterminated string");
      std::string body = s_.substr(pos + 1, end - pos - 1);
      tokens_.push_back({Token::Kind::String, unescape(body, line_), 0, 0, line_});
      line_ += countLines(s_, pos, end);
      return end + 1;
    }
    static const char *const ops[] = {"**", "//", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~",
                                      "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"};
    for (const char *op : ops) {
      size_t n = std::strlen(op);
      if (s_.compare(pos, n, op) != 0) continue;
      if (n == 1 && std::strchr("([{", op[0])) ++*depth;
      if (n == 1 && std::strchr(")]}", op[0])) {
        if (*depth == 0) fail(std::string("unexpected '") + op + "'");
        --*depth;
      }
      tokens_.push_back({Token::Kind::Op, op, 0, 0, line_});
      return pos + n;
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  size_t number(size_t pos) {
    size_t end = pos;
    auto digits = [&] { while (end < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) ++end; };
    digits();
    bool isFloat = false;
    if (end + 1 < s_.size() && s_[end] == '.' && std::isdigit(static_cast<unsigned char>(s_[end + 1]))) {
      isFloat = true;
      ++end;
      digits();
    }
    if (end < s_.size() && (s_[end] == 'e' || s_[end] == 'E')) {
      size_t e = end + 1;
      if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
      if (e < s_.size() && std::isdigit(static_cast<unsigned char>(s_[e]))) { isFloat = true; end = e; digits(); }
    }
    std::string literal;
    for (size_t i = pos; i < end; ++i) if (s_[i] != '_') literal += s_[i];
    Token token{isFloat ? Token::Kind::Float : Token::Kind::Int, literal, 0, 0, line_};
    if (isFloat) token.floatValue = std::stod(literal);
    else token.intValue = std::stoll(literal);
    tokens_.push_back(token);
    return end;
  }

  std::string s_;
  LexOptions options_;
  std::vector<Token> tokens_;
  int line_ = 1;
};

} // namespace

std::vector<Token> lexTemplate(const std::string &source, const LexOptions &options) {
  return Lexer(source, options).run();
}

} // namespace kiln::jinja
