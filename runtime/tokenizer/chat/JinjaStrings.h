// JinjaStrings.h - Python's str methods on UTF-8 strings, measured in code points.
//
// Case mapping (upper, lower, title, capitalize) covers ASCII only; other characters pass
// through unchanged (Python maps all of Unicode: a template that upper-cases non-ASCII text
// would differ, none of the DeepSeek templates does).
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJASTRINGS_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJASTRINGS_H

#include "JinjaValue.h"

#include <string>
#include <vector>

namespace kiln::jinja {

// The code points of `s` as UTF-8 pieces.
std::vector<std::string> characters(const std::string &s);

// str.strip/lstrip/rstrip: `chars` none strips whitespace, else any of its characters.
std::string stripString(const std::string &s, const Value &chars, bool left, bool right);
// str.split(sep=None, maxsplit=-1) and str.rsplit.
List splitString(const std::string &s, const Value &sep, int64_t maxsplit, bool fromRight);
// str.replace(old, new, count=-1).
std::string replaceString(const std::string &s, const std::string &from, const std::string &to, int64_t count);
std::string upperString(std::string s);
std::string lowerString(std::string s);
std::string titleString(const std::string &s);
std::string capitalizeString(const std::string &s);

// A bound method of a string (`name` among Python's str methods), or Undefined.
Value stringMethod(const std::string &self, const std::string &name);

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJASTRINGS_H
