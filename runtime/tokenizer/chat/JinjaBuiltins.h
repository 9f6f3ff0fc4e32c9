// JinjaBuiltins.h - what templates call: filters, tests, the methods of str/dict, the
// globals transformers provides, and Python's operators on values. Strings are UTF-8 and are
// indexed, sliced and measured in code points, as Python's str.
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJABUILTINS_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJABUILTINS_H

#include "JinjaValue.h"

#include <optional>
#include <string>

namespace kiln::jinja {

class Interpreter;

// Throws TemplateError for an unknown filter or test, or bad arguments.
Value applyFilter(const std::string &name, const Value &input, CallArgs &args, Interpreter &interp);
bool applyTest(const std::string &name, const Value &input, const CallArgs &args);

// obj.name: a method of str/dict, a dict key, a namespace attribute; Undefined when missing.
Value getAttribute(const Value &object, const std::string &name);
// obj[key]: a dict key, a list/str index (negative from the end); Undefined when missing.
Value getItem(const Value &object, const Value &key);
// obj[start:stop:step] on lists and strings.
Value getSlice(const Value &object, const Value &start, const Value &stop, const Value &step);

// namespace, raise_exception, range, dict, strftime_now.
void addGlobals(Dict &globals);

// Python's binary operators + - * / // % ** and `in` (`op` as written; "in" for membership).
Value binaryOperator(const std::string &op, const Value &left, const Value &right);

// Items to iterate: a list's elements, a dict's keys, a string's characters; nothing for
// undefined; TemplateError for what is not iterable.
List iterate(const Value &value);

// The number of code points of a UTF-8 string.
size_t codePointCount(const std::string &s);

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJABUILTINS_H
