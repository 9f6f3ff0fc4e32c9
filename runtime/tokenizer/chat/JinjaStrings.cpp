// JinjaStrings.cpp - Python str methods (see JinjaStrings.h).
#include "JinjaStrings.h"

#include "JinjaLexer.h"
#include "Utf8.h"

#include <algorithm>

namespace kiln::jinja {

std::vector<std::string> characters(const std::string &s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = tokenizer::decodeUtf8Step(std::string_view(s).substr(i)).length;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

namespace {
bool isSpaceChar(const std::string &c) {
  size_t length;
  return isPythonSpace(c, 0, &length);
}
} // namespace

std::string stripString(const std::string &s, const Value &chars, bool left, bool right) {
  std::vector<std::string> cs = characters(s);
  std::vector<std::string> set;
  bool whitespace = chars.isNone() || chars.isUndefined();
  if (!whitespace) set = characters(chars.str());
  auto strip = [&](const std::string &c) {
    return whitespace ? isSpaceChar(c) : std::find(set.begin(), set.end(), c) != set.end();
  };
  size_t begin = 0, end = cs.size();
  if (left) while (begin < end && strip(cs[begin])) ++begin;
  if (right) while (end > begin && strip(cs[end - 1])) --end;
  std::string out;
  for (size_t i = begin; i < end; ++i) out += cs[i];
  return out;
}

List splitString(const std::string &s, const Value &sep, int64_t maxsplit, bool fromRight) {
  List parts;
  if (sep.isNone() || sep.isUndefined()) {
    // Runs of whitespace separate; leading and trailing whitespace gives no empty parts.
    std::vector<std::string> cs = characters(s);
    std::vector<std::string> words;
    std::vector<std::pair<size_t, size_t>> spans; // [begin, end) in characters
    size_t i = 0;
    while (i < cs.size()) {
      while (i < cs.size() && isSpaceChar(cs[i])) ++i;
      if (i >= cs.size()) break;
      size_t begin = i;
      while (i < cs.size() && !isSpaceChar(cs[i])) ++i;
      spans.emplace_back(begin, i);
    }
    auto join = [&](size_t a, size_t b) { std::string w; for (size_t k = a; k < b; ++k) w += cs[k]; return w; };
    if (maxsplit < 0 || static_cast<size_t>(maxsplit) + 1 >= spans.size()) {
      for (auto [a, b] : spans) parts.push_back(Value(join(a, b)));
      return parts;
    }
    size_t m = static_cast<size_t>(maxsplit);
    if (!fromRight) {
      for (size_t k = 0; k < m; ++k) parts.push_back(Value(join(spans[k].first, spans[k].second)));
      parts.push_back(Value(join(spans[m].first, cs.size()))); // the rest keeps its trailing space
    } else {
      size_t first = spans.size() - m;
      parts.push_back(Value(join(0, spans[first - 1].second)));
      for (size_t k = first; k < spans.size(); ++k) parts.push_back(Value(join(spans[k].first, spans[k].second)));
    }
    return parts;
  }
  std::string separator = sep.str();
  if (separator.empty()) throw TemplateError("empty separator");
  std::vector<std::string> pieces;
  if (!fromRight) {
    size_t start = 0, found;
    while ((maxsplit < 0 || static_cast<int64_t>(pieces.size()) < maxsplit) &&
           (found = s.find(separator, start)) != std::string::npos) {
      pieces.push_back(s.substr(start, found - start));
      start = found + separator.size();
    }
    pieces.push_back(s.substr(start));
  } else {
    size_t end = s.size();
    std::vector<std::string> reversed;
    while (maxsplit < 0 || static_cast<int64_t>(reversed.size()) < maxsplit) {
      if (end < separator.size()) break;
      size_t found = s.rfind(separator, end - separator.size());
      if (found == std::string::npos) break;
      reversed.push_back(s.substr(found + separator.size(), end - found - separator.size()));
      end = found;
    }
    pieces.push_back(s.substr(0, end));
    pieces.insert(pieces.end(), reversed.rbegin(), reversed.rend());
  }
  for (auto &piece : pieces) parts.push_back(Value(piece));
  return parts;
}

std::string replaceString(const std::string &s, const std::string &from, const std::string &to, int64_t count) {
  if (from.empty()) {
    // Python inserts `to` between characters (and at both ends).
    std::vector<std::string> cs = characters(s);
    std::string out;
    int64_t done = 0;
    for (const auto &c : cs) {
      if (count < 0 || done < count) { out += to; ++done; }
      out += c;
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  std::string out;
  size_t start = 0, found;
  int64_t done = 0;
  while ((count < 0 || done < count) && (found = s.find(from, start)) != std::string::npos) {
    out += s.substr(start, found - start) + to;
    start = found + from.size();
    ++done;
  }
  return out + s.substr(start);
}

std::string upperString(std::string s) {
  for (char &c : s) if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}
std::string lowerString(std::string s) {
  for (char &c : s) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}
std::string titleString(const std::string &s) {
  std::string out = s;
  bool previousCased = false;
  for (char &c : out) {
    bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
    if (lower && !previousCased) c = static_cast<char>(c - 32);
    else if (upper && previousCased) c = static_cast<char>(c + 32);
    previousCased = lower || upper;
  }
  return out;
}
std::string capitalizeString(const std::string &s) {
  std::string out = lowerString(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

namespace {

bool affix(const std::string &self, const Value &candidates, bool prefix) {
  List options = candidates.isList() ? candidates.list() : List{candidates};
  for (const Value &option : options) {
    if (!option.isString()) throw TemplateError(std::string(prefix ? "startswith" : "endswith") + " first arg must be str or a tuple of str");
    const std::string &o = option.asString();
    if (o.size() <= self.size() &&
        self.compare(prefix ? 0 : self.size() - o.size(), o.size(), o) == 0)
      return true;
  }
  return false;
}

int64_t codePointIndex(const std::string &s, size_t byteOffset) {
  int64_t n = 0;
  for (size_t i = 0; i < byteOffset; ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

} // namespace

Value stringMethod(const std::string &self, const std::string &name) {
  auto method = [&](Function f) { return Value::function(name, std::move(f)); };
  if (name == "strip" || name == "lstrip" || name == "rstrip")
    return method([self, name](CallArgs &a) {
      return Value(stripString(self, a.get(0, "chars", Value::none()), name != "rstrip", name != "lstrip"));
    });
  if (name == "split" || name == "rsplit")
    return method([self, name](CallArgs &a) {
      return Value(splitString(self, a.get(0, "sep", Value::none()), a.get(1, "maxsplit", Value(-1)).asInt(), name == "rsplit"));
    });
  if (name == "startswith" || name == "endswith")
    return method([self, name](CallArgs &a) { return Value(affix(self, a.get(0, "prefix"), name == "startswith")); });
  if (name == "replace")
    return method([self](CallArgs &a) {
      return Value(replaceString(self, a.get(0, "old").str(), a.get(1, "new").str(), a.get(2, "count", Value(-1)).asInt()));
    });
  if (name == "upper") return method([self](CallArgs &) { return Value(upperString(self)); });
  if (name == "lower") return method([self](CallArgs &) { return Value(lowerString(self)); });
  if (name == "title") return method([self](CallArgs &) { return Value(titleString(self)); });
  if (name == "capitalize") return method([self](CallArgs &) { return Value(capitalizeString(self)); });
  if (name == "find" || name == "index" || name == "rfind")
    return method([self, name](CallArgs &a) {
      std::string needle = a.get(0, "sub").str();
      size_t at = name == "rfind" ? self.rfind(needle) : self.find(needle);
      if (at == std::string::npos) {
        if (name == "index") throw TemplateError("substring not found");
        return Value(-1);
      }
      return Value(codePointIndex(self, at));
    });
  if (name == "count")
    return method([self](CallArgs &a) {
      std::string needle = a.get(0, "sub").str();
      if (needle.empty()) return Value(static_cast<int64_t>(characters(self).size()) + 1);
      int64_t n = 0;
      for (size_t at = self.find(needle); at != std::string::npos; at = self.find(needle, at + needle.size())) ++n;
      return Value(n);
    });
  if (name == "join")
    return method([self](CallArgs &a) {
      std::string out;
      List items = a.get(0, "iterable").isList() ? a.get(0, "iterable").list() : List{};
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].isString()) throw TemplateError("sequence item " + std::to_string(i) + ": expected str instance, " + items[i].typeName() + " found");
        out += (i ? self : "") + items[i].asString();
      }
      return Value(out);
    });
  if (name == "splitlines")
    return method([self](CallArgs &) {
      List lines;
      size_t start = 0;
      for (size_t i = 0; i < self.size(); ++i) {
        if (self[i] != '\n' && self[i] != '\r') continue;
        lines.push_back(Value(self.substr(start, i - start)));
        if (self[i] == '\r' && i + 1 < self.size() && self[i + 1] == '\n') ++i;
        start = i + 1;
      }
      if (start < self.size()) lines.push_back(Value(self.substr(start)));
      return Value(lines);
    });
  if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum")
    return method([self, name](CallArgs &) {
      if (self.empty()) return Value(false);
      for (const std::string &c : characters(self)) {
        unsigned char b = static_cast<unsigned char>(c[0]);
        bool ok = name == "isspace" ? isSpaceChar(c)
                  : c.size() > 1 ? name != "isdigit" // non-ASCII: taken as letters
                  : name == "isdigit" ? std::isdigit(b) != 0
                  : name == "isalpha" ? std::isalpha(b) != 0 : std::isalnum(b) != 0;
        if (!ok) return Value(false);
      }
      return Value(true);
    });
  return Value::undefined(name);
}

} // namespace kiln::jinja
