// JinjaValue.cpp - Python semantics for template values (see JinjaValue.h).
#include "JinjaValue.h"

#include "Utf8.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace kiln::jinja {

Value::Value(List list) : type_(Type::List), list_(std::make_shared<const List>(std::move(list))) {}

Value Value::tuple(List items) {
  Value v(std::move(items));
  v.tuple_ = true;
  return v;
}

Value Value::dict(Dict dict) {
  Value v;
  v.type_ = Type::Dict;
  v.dict_ = std::make_shared<Dict>(std::move(dict));
  return v;
}
Value Value::dict() { return dict(Dict{}); }

Value Value::namespaceObject(Dict attributes) {
  Value v = dict(std::move(attributes));
  v.type_ = Type::Namespace;
  return v;
}

Value Value::function(std::string name, Function function) {
  Value v;
  v.type_ = Type::Function;
  v.text_ = std::move(name);
  v.function_ = std::make_shared<const Function>(std::move(function));
  return v;
}

bool Value::truthy() const {
  switch (type_) {
  case Type::Undefined: case Type::None: return false;
  case Type::Bool: case Type::Int: return int_ != 0;
  case Type::Float: return float_ != 0;
  case Type::String: return !text_.empty();
  case Type::List: return !list_->empty();
  case Type::Dict: return !dict_->items.empty();
  case Type::Namespace: case Type::Function: return true;
  }
  return false;
}

std::string pythonFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, result.ptr);
  // "-d.ddde+XX": the shortest digits and the decimal exponent.
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exponent < -4 || exponent >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  } else if (exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    size_t intDigits = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= intDigits) out = digits + std::string(intDigits - digits.size(), '0') + ".0";
    else out = digits.substr(0, intDigits) + "." + digits.substr(intDigits);
  }
  return negative ? "-" + out : out;
}

namespace {

std::string reprString(const std::string &s) {
  bool single = s.find('\'') != std::string::npos, dbl = s.find('"') != std::string::npos;
  char quote = single && !dbl ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == quote || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + quote;
}

} // namespace

std::string Value::str() const {
  switch (type_) {
  case Type::Undefined: return "";
  case Type::String: return text_;
  default: return repr();
  }
}

std::string Value::repr() const {
  switch (type_) {
  case Type::Undefined: return "";
  case Type::None: return "None";
  case Type::Bool: return int_ ? "True" : "False";
  case Type::Int: return std::to_string(int_);
  case Type::Float: return pythonFloat(float_);
  case Type::String: return reprString(text_);
  case Type::List: {
    std::string out = tuple_ ? "(" : "[";
    for (size_t i = 0; i < list_->size(); ++i) out += (i ? ", " : "") + (*list_)[i].repr();
    if (tuple_) return out + (list_->size() == 1 ? ",)" : ")");
    return out + "]";
  }
  case Type::Dict: {
    std::string out = "{";
    for (size_t i = 0; i < dict_->items.size(); ++i)
      out += (i ? ", " : "") + dict_->items[i].first.repr() + ": " + dict_->items[i].second.repr();
    return out + "}";
  }
  case Type::Namespace: return "<Namespace>";
  case Type::Function: return "<function " + text_ + ">";
  }
  return "";
}

bool Value::equals(const Value &o) const {
  if (isNumber() && o.isNumber()) {
    if (type_ == Type::Float || o.type_ == Type::Float) return asFloat() == o.asFloat();
    return int_ == o.int_;
  }
  if (type_ != o.type_) return false;
  switch (type_) {
  case Type::Undefined: case Type::None: return true;
  case Type::String: return text_ == o.text_;
  case Type::List:
    if (tuple_ != o.tuple_ || list_->size() != o.list_->size()) return false;
    for (size_t i = 0; i < list_->size(); ++i)
      if (!(*list_)[i].equals((*o.list_)[i])) return false;
    return true;
  case Type::Dict:
    if (dict_->items.size() != o.dict_->items.size()) return false;
    for (const auto &[key, value] : dict_->items) {
      const Value *other = o.dict_->find(key);
      if (!other || !value.equals(*other)) return false;
    }
    return true;
  default: return dict_ == o.dict_ && function_ == o.function_;
  }
}

bool Value::less(const Value &o) const {
  if (isNumber() && o.isNumber()) {
    if (type_ == Type::Float || o.type_ == Type::Float) return asFloat() < o.asFloat();
    return int_ < o.int_;
  }
  if (type_ == Type::String && o.type_ == Type::String) return text_ < o.text_; // code point order
  if (type_ == Type::List && o.type_ == Type::List) {
    size_t n = std::min(list_->size(), o.list_->size());
    for (size_t i = 0; i < n; ++i)
      if (!(*list_)[i].equals((*o.list_)[i])) return (*list_)[i].less((*o.list_)[i]);
    return list_->size() < o.list_->size();
  }
  throw TemplateError("'<' not supported between instances of '" + typeName() + "' and '" +
                      o.typeName() + "'");
}

std::string Value::typeName() const {
  switch (type_) {
  case Type::Undefined: return "Undefined";
  case Type::None: return "NoneType";
  case Type::Bool: return "bool";
  case Type::Int: return "int";
  case Type::Float: return "float";
  case Type::String: return "str";
  case Type::List: return "list";
  case Type::Dict: return "dict";
  case Type::Namespace: return "Namespace";
  case Type::Function: return "function";
  }
  return "object";
}

const Value *Dict::find(const Value &key) const {
  for (const auto &item : items)
    if (item.first.equals(key)) return &item.second;
  return nullptr;
}

void Dict::set(const Value &key, Value value) {
  for (auto &item : items)
    if (item.first.equals(key)) { item.second = std::move(value); return; }
  items.emplace_back(key, std::move(value));
}

Value CallArgs::get(size_t index, const std::string &name, Value fallback) const {
  for (const auto &[key, value] : keyword)
    if (key == name) return value;
  return index < positional.size() ? positional[index] : fallback;
}

namespace {

void jsonString(const std::string &s, bool ensureAscii, std::string &out) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    switch (c) {
    case '"': out += "\\\""; ++i; continue;
    case '\\': out += "\\\\"; ++i; continue;
    case '\n': out += "\\n"; ++i; continue;
    case '\r': out += "\\r"; ++i; continue;
    case '\t': out += "\\t"; ++i; continue;
    case '\b': out += "\\b"; ++i; continue;
    case '\f': out += "\\f"; ++i; continue;
    default: break;
    }
    if (c < 0x20 || (ensureAscii && c == 0x7F)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else if (c < 0x80 || !ensureAscii) {
      out += static_cast<char>(c);
      ++i;
    } else {
      auto step = tokenizer::decodeUtf8Step(std::string_view(s).substr(i));
      uint32_t cp = step.codepoint < 0 ? 0xFFFD : static_cast<uint32_t>(step.codepoint);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
      i += step.length;
    }
  }
  out += '"';
}

struct JsonWriter {
  bool ensureAscii;
  int indent;
  std::string itemSep, keySep;
  bool sortKeys;

  void newline(std::string &out, int level) const {
    out += '\n';
    out.append(static_cast<size_t>(indent * level), ' ');
  }

  void write(const Value &v, std::string &out, int level) const {
    switch (v.type()) {
    case Value::Type::None: out += "null"; return;
    case Value::Type::Bool: out += v.asBool() ? "true" : "false"; return;
    case Value::Type::Int: out += std::to_string(v.asInt()); return;
    case Value::Type::Float: {
      double f = v.asFloat();
      if (std::isnan(f)) out += "NaN";
      else if (std::isinf(f)) out += f < 0 ? "-Infinity" : "Infinity";
      else out += pythonFloat(f);
      return;
    }
    case Value::Type::String: jsonString(v.asString(), ensureAscii, out); return;
    case Value::Type::List: {
      const List &list = v.list();
      if (list.empty()) { out += "[]"; return; }
      out += '[';
      for (size_t i = 0; i < list.size(); ++i) {
        if (i) out += itemSep;
        if (indent >= 0) newline(out, level + 1);
        write(list[i], out, level + 1);
      }
      if (indent >= 0) newline(out, level);
      out += ']';
      return;
    }
    case Value::Type::Dict: {
      std::vector<std::pair<std::string, const Value *>> items;
      for (const auto &[key, value] : v.dictRef().items) {
        std::string k;
        if (key.isString()) k = key.asString();
        else if (key.isNone()) k = "null";
        else if (key.type() == Value::Type::Bool) k = key.asBool() ? "true" : "false";
        else if (key.isNumber()) k = key.str();
        else throw TemplateError("keys must be str, int, float, bool or None, not " + key.typeName());
        items.emplace_back(k, &value);
      }
      if (sortKeys)
        std::stable_sort(items.begin(), items.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
      if (items.empty()) { out += "{}"; return; }
      out += '{';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += itemSep;
        if (indent >= 0) newline(out, level + 1);
        jsonString(items[i].first, ensureAscii, out);
        out += keySep;
        write(*items[i].second, out, level + 1);
      }
      if (indent >= 0) newline(out, level);
      out += '}';
      return;
    }
    default:
      throw TemplateError("Object of type " + v.typeName() + " is not JSON serializable");
    }
  }
};

} // namespace

std::string toJson(const Value &value, bool ensureAscii, int indent, const std::string &itemSep,
                   const std::string &keySep, bool sortKeys) {
  std::string out;
  JsonWriter{ensureAscii, indent, itemSep, keySep, sortKeys}.write(value, out, 0);
  return out;
}

} // namespace kiln::jinja
