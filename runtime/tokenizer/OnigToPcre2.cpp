// OnigToPcre2.cpp - Oniguruma pattern to PCRE2 pattern (see OnigToPcre2.h).
#include "OnigToPcre2.h"

#include <cstdio>
#include <map>
#include <vector>

namespace kiln::tokenizer {

namespace {

struct Range {
  unsigned first, last;
};

const std::map<std::string, std::vector<Range>> &extraRanges() {
  static const std::map<std::string, std::vector<Range>> table = [] {
    std::map<std::string, std::vector<Range>> t;
#define KILN_ONIG_EXTRA(cls, a, b) t[#cls].push_back({a, b});
#define KILN_ONIG_SPACE(a, b) t["space"].push_back({a, b});
#include "OnigUnicodeTables.inc"
#undef KILN_ONIG_EXTRA
#undef KILN_ONIG_SPACE
    return t;
  }();
  return table;
}

std::string hex(unsigned c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", c);
  return buf;
}

// The ranges as bracket-class items ("\x{A}-\x{B}...").
std::string classItems(const std::vector<Range> &ranges) {
  std::string out;
  for (const Range &r : ranges) {
    out += hex(r.first);
    if (r.last != r.first) out += "-" + hex(r.last);
  }
  return out;
}

// The general category a property name stands for, when the tables cover it ("" otherwise).
std::string category(const std::string &name) {
  static const std::map<std::string, std::string> names = {
      {"L", "L"}, {"Letter", "L"}, {"M", "M"}, {"Mark", "M"}, {"Combining_Mark", "M"},
      {"N", "N"}, {"Number", "N"}, {"P", "P"}, {"Punctuation", "P"}, {"S", "S"},
      {"Symbol", "S"}};
  auto it = names.find(name);
  return it == names.end() ? "" : it->second;
}

} // namespace

std::string onigToPcre2(std::string_view p) {
  const auto &extra = extraRanges();
  const std::string space = classItems(extra.at("space"));
  std::string out;
  int classDepth = 0;
  size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '[') {
      ++classDepth;
      out += c;
      ++i;
      if (i < p.size() && p[i] == '^') out += p[i++];
      continue;
    }
    if (c == ']' && classDepth > 0) {
      --classDepth;
      out += c;
      ++i;
      continue;
    }
    if (c != '\\' || i + 1 >= p.size()) {
      out += c;
      ++i;
      continue;
    }
    char e = p[i + 1];
    bool inClass = classDepth > 0;
    if ((e == 'p' || e == 'P') && i + 2 < p.size() && p[i + 2] == '{') {
      size_t close = p.find('}', i + 3);
      if (close == std::string_view::npos) { out += p.substr(i); break; }
      std::string name(p.substr(i + 3, close - i - 3));
      bool negated = e == 'P';
      if (!name.empty() && name[0] == '^') { negated = !negated; name.erase(0, 1); }
      std::string cat = category(name);
      std::string original(p.substr(i, close + 1 - i));
      i = close + 1;
      auto it = extra.find(cat);
      if (cat.empty() || it == extra.end() || (negated && inClass)) { out += original; continue; }
      std::string items = "\\p{" + cat + "}" + classItems(it->second);
      if (inClass) out += items;
      else out += (negated ? "[^" : "[") + items + "]";
      continue;
    }
    if (e == 's' || (e == 'S' && !inClass)) {
      out += inClass ? space : (e == 's' ? "[" : "[^") + space + "]";
      i += 2;
      continue;
    }
    if (e == 'h' || (e == 'H' && !inClass)) {
      out += inClass ? "0-9a-fA-F" : e == 'h' ? "[0-9a-fA-F]" : "[^0-9a-fA-F]";
      i += 2;
      continue;
    }
    if (e == 'u' && i + 6 <= p.size()) {
      out += "\\x{" + std::string(p.substr(i + 2, 4)) + "}";
      i += 6;
      continue;
    }
    out += p.substr(i, 2); // any other escape means the same in both
    i += 2;
  }
  return out;
}

} // namespace kiln::tokenizer
