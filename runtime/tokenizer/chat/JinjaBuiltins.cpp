// JinjaBuiltins.cpp - filters, tests, attribute/item access, globals, operators (see
// JinjaBuiltins.h).
#include "JinjaBuiltins.h"

#include "JinjaInterpreter.h"
#include "JinjaStrings.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace kiln::jinja {

size_t codePointCount(const std::string &s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

List iterate(const Value &value) {
  switch (value.type()) {
  case Value::Type::Undefined: return {};
  case Value::Type::List: return value.list();
  case Value::Type::Dict: {
    List keys;
    for (const auto &item : value.dictRef().items) keys.push_back(item.first);
    return keys;
  }
  case Value::Type::String: {
    List chars;
    for (auto &c : characters(value.asString())) chars.push_back(Value(c));
    return chars;
  }
  default: throw TemplateError("'" + value.typeName() + "' object is not iterable");
  }
}

namespace {

int64_t length(const Value &v) {
  switch (v.type()) {
  case Value::Type::Undefined: return 0;
  case Value::Type::String: return static_cast<int64_t>(codePointCount(v.asString()));
  case Value::Type::List: return static_cast<int64_t>(v.list().size());
  case Value::Type::Dict: return static_cast<int64_t>(v.dictRef().items.size());
  default: throw TemplateError("object of type '" + v.typeName() + "' has no len()");
  }
}

Value dictMethod(const Value &self, const std::string &name) {
  if (name == "get")
    return Value::function(name, [self](CallArgs &a) {
      const Value *found = self.dictRef().find(a.get(0, "key"));
      return found ? *found : a.get(1, "default", Value::none());
    });
  if (name == "items" || name == "keys" || name == "values")
    return Value::function(name, [self, name](CallArgs &) {
      List out;
      for (const auto &[key, value] : self.dictRef().items)
        out.push_back(name == "items" ? Value::tuple(List{key, value}) : name == "keys" ? key : value);
      return Value(out);
    });
  return Value::undefined(name);
}

// Python's int(x) for the int filter; `fallback` when it does not convert.
Value toInt(const Value &v, const Value &fallback) {
  if (v.type() == Value::Type::Float) return Value(static_cast<int64_t>(std::trunc(v.asFloat())));
  if (v.isNumber()) return Value(v.asInt());
  if (v.isString()) {
    std::string s = stripString(v.asString(), Value::none(), true, true);
    try {
      size_t used = 0;
      long long parsed = std::stoll(s, &used, 10);
      if (used == s.size()) return Value(static_cast<int64_t>(parsed));
      double f = std::stod(s, &used); // Jinja's int filter also accepts "3.5"
      if (used == s.size()) return Value(static_cast<int64_t>(std::trunc(f)));
    } catch (const std::exception &) {
    }
  }
  return fallback;
}

Value sorted(const Value &input, const CallArgs &args) {
  List items = iterate(input);
  bool reverse = args.get(0, "reverse", Value(false)).truthy();
  bool caseSensitive = args.get(1, "case_sensitive", Value(false)).truthy();
  Value attribute = args.get(2, "attribute");
  auto key = [&](const Value &v) {
    Value k = attribute.isUndefined() || attribute.isNone() ? v : getItem(v, attribute);
    return !caseSensitive && k.isString() ? Value(lowerString(k.asString())) : k;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value &a, const Value &b) {
    return reverse ? key(b).less(key(a)) : key(a).less(key(b));
  });
  return Value(items);
}

// select/reject/selectattr/rejectattr: args[first] names the test, the rest are its arguments.
Value selectItems(const Value &input, CallArgs &args, bool keep, bool byAttribute) {
  size_t first = byAttribute ? 1 : 0;
  std::string attribute = byAttribute ? args.get(0, "attribute").str() : "";
  std::string test = args.positional.size() > first ? args.positional[first].str() : "";
  CallArgs testArgs;
  for (size_t i = first + 1; i < args.positional.size(); ++i) testArgs.positional.push_back(args.positional[i]);
  List out;
  for (const Value &item : iterate(input)) {
    Value subject = byAttribute ? getAttribute(item, attribute) : item;
    bool passed = test.empty() ? subject.truthy() : applyTest(test, subject, testArgs);
    if (passed == keep) out.push_back(item);
  }
  return Value(out);
}

} // namespace

Value getAttribute(const Value &object, const std::string &name) {
  switch (object.type()) {
  case Value::Type::Dict: {
    Value method = dictMethod(object, name);
    if (!method.isUndefined()) return method;
    const Value *found = object.dictRef().find(Value(name));
    return found ? *found : Value::undefined(name);
  }
  case Value::Type::Namespace: {
    const Value *found = object.dictRef().find(Value(name));
    return found ? *found : Value::undefined(name);
  }
  case Value::Type::String: return stringMethod(object.asString(), name);
  default: return Value::undefined(name);
  }
}

Value getItem(const Value &object, const Value &key) {
  if (object.isDict() || object.isNamespace()) {
    const Value *found = object.dictRef().find(key);
    if (found) return *found;
    return key.isString() && object.isDict() ? dictMethod(object, key.asString()) : Value::undefined(key.str());
  }
  if ((object.isList() || object.isString()) && key.isNumber() && key.type() != Value::Type::Float) {
    List items = object.isList() ? object.list() : iterate(object);
    int64_t n = static_cast<int64_t>(items.size()), i = key.asInt();
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value::undefined(key.str());
    return items[static_cast<size_t>(i)];
  }
  return key.isString() ? getAttribute(object, key.asString()) : Value::undefined(key.str());
}

Value getSlice(const Value &object, const Value &startV, const Value &stopV, const Value &stepV) {
  if (!object.isList() && !object.isString()) throw TemplateError("'" + object.typeName() + "' object is not subscriptable");
  List items = iterate(object);
  int64_t n = static_cast<int64_t>(items.size());
  int64_t step = stepV.isNone() ? 1 : stepV.asInt();
  if (step == 0) throw TemplateError("slice step cannot be zero");
  auto clamp = [&](const Value &v, int64_t fallback) {
    if (v.isNone()) return fallback;
    int64_t i = v.asInt();
    if (i < 0) i += n;
    return step > 0 ? std::clamp<int64_t>(i, 0, n) : std::clamp<int64_t>(i, -1, n - 1);
  };
  int64_t start = clamp(startV, step > 0 ? 0 : n - 1), stop = clamp(stopV, step > 0 ? n : -1);
  List out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(items[static_cast<size_t>(i)]);
  if (object.isList()) return Value(out);
  std::string s;
  for (const Value &c : out) s += c.asString();
  return Value(s);
}

Value binaryOperator(const std::string &op, const Value &l, const Value &r) {
  auto typeError = [&] {
    return TemplateError("unsupported operand type(s) for " + op + ": '" + l.typeName() + "' and '" + r.typeName() + "'");
  };
  if (op == "in") {
    if (r.isString()) {
      if (!l.isString()) throw TemplateError("'in <string>' requires string as left operand, not " + l.typeName());
      return Value(r.asString().find(l.asString()) != std::string::npos);
    }
    if (r.isDict() || r.isNamespace()) return Value(r.dictRef().find(l) != nullptr);
    for (const Value &item : iterate(r))
      if (item.equals(l)) return Value(true);
    return Value(false);
  }
  bool numbers = l.isNumber() && r.isNumber();
  bool floats = numbers && (l.type() == Value::Type::Float || r.type() == Value::Type::Float);
  if (op == "+") {
    if (numbers) return floats ? Value(l.asFloat() + r.asFloat()) : Value(l.asInt() + r.asInt());
    if (l.isString() && r.isString()) return Value(l.asString() + r.asString());
    if (l.isList() && r.isList()) {
      List out = l.list();
      out.insert(out.end(), r.list().begin(), r.list().end());
      return Value(out);
    }
    throw typeError();
  }
  if (op == "*" && !numbers) {
    const Value &seq = l.isNumber() ? r : l;
    const Value &times = l.isNumber() ? l : r;
    if (!times.isNumber() || times.type() == Value::Type::Float || !(seq.isString() || seq.isList())) throw typeError();
    if (seq.isString()) {
      std::string out;
      for (int64_t i = 0; i < times.asInt(); ++i) out += seq.asString();
      return Value(out);
    }
    List out;
    for (int64_t i = 0; i < times.asInt(); ++i) out.insert(out.end(), seq.list().begin(), seq.list().end());
    return Value(out);
  }
  if (!numbers) throw typeError();
  if (op == "-") return floats ? Value(l.asFloat() - r.asFloat()) : Value(l.asInt() - r.asInt());
  if (op == "*") return floats ? Value(l.asFloat() * r.asFloat()) : Value(l.asInt() * r.asInt());
  if (op == "/") {
    if (r.asFloat() == 0) throw TemplateError("division by zero");
    return Value(l.asFloat() / r.asFloat());
  }
  if (op == "//" || op == "%") {
    if (r.asFloat() == 0) throw TemplateError(op == "//" ? "integer division or modulo by zero" : "modulo by zero");
    if (floats) {
      double q = std::floor(l.asFloat() / r.asFloat());
      return op == "//" ? Value(q) : Value(l.asFloat() - q * r.asFloat());
    }
    int64_t a = l.asInt(), b = r.asInt(), q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q; // floor, as Python
    return op == "//" ? Value(q) : Value(a - q * b);
  }
  if (op == "**") {
    if (!floats && r.asInt() >= 0) {
      int64_t out = 1;
      for (int64_t i = 0; i < r.asInt(); ++i) out *= l.asInt();
      return Value(out);
    }
    return Value(std::pow(l.asFloat(), r.asFloat()));
  }
  throw typeError();
}

bool applyTest(const std::string &name, const Value &v, const CallArgs &args) {
  Value arg = args.get(0, "value");
  using T = Value::Type;
  if (name == "defined") return !v.isUndefined();
  if (name == "undefined") return v.isUndefined();
  if (name == "none") return v.isNone();
  if (name == "boolean") return v.type() == T::Bool;
  if (name == "true") return v.type() == T::Bool && v.asBool();
  if (name == "false") return v.type() == T::Bool && !v.asBool();
  if (name == "integer") return v.type() == T::Int;
  if (name == "float") return v.type() == T::Float;
  if (name == "number") return v.isNumber();
  if (name == "string") return v.isString();
  if (name == "mapping") return v.isDict();
  if (name == "sequence") return v.isList() || v.isString() || v.isDict();
  if (name == "iterable") return v.isList() || v.isString() || v.isDict() || v.isUndefined();
  if (name == "callable") return v.isFunction();
  if (name == "odd" || name == "even") {
    if (!v.isNumber()) throw TemplateError("test '" + name + "' needs a number");
    return (v.asInt() % 2 != 0) == (name == "odd");
  }
  if (name == "divisibleby") return arg.asInt() != 0 && v.asInt() % arg.asInt() == 0;
  if (name == "eq" || name == "equalto" || name == "==") return v.equals(arg);
  if (name == "ne" || name == "!=") return !v.equals(arg);
  if (name == "lt" || name == "lessthan" || name == "<") return v.less(arg);
  if (name == "gt" || name == "greaterthan" || name == ">") return arg.less(v);
  if (name == "le" || name == "<=") return !arg.less(v);
  if (name == "ge" || name == ">=") return !v.less(arg);
  if (name == "in") return binaryOperator("in", v, arg).truthy();
  if (name == "sameas") return v.type() == arg.type() && (v.isNone() || v.isUndefined() || v.equals(arg));
  if (name == "lower") return v.isString() && lowerString(v.asString()) == v.asString();
  if (name == "upper") return v.isString() && upperString(v.asString()) == v.asString();
  throw TemplateError("no test named '" + name + "'");
}

Value applyFilter(const std::string &name, const Value &v, CallArgs &args, Interpreter &interp) {
  if (name == "length" || name == "count") return Value(length(v));
  if (name == "string") return Value(v.str());
  if (name == "safe") return v;
  if (name == "trim") return Value(stripString(v.str(), args.get(0, "chars", Value::none()), true, true));
  if (name == "upper") return Value(upperString(v.str()));
  if (name == "lower") return Value(lowerString(v.str()));
  if (name == "title") return Value(titleString(v.str()));
  if (name == "capitalize") return Value(capitalizeString(v.str()));
  if (name == "default" || name == "d") {
    bool boolean = args.get(1, "boolean", Value(false)).truthy();
    bool useDefault = v.isUndefined() || (boolean && !v.truthy());
    return useDefault ? args.get(0, "default_value", Value("")) : v;
  }
  if (name == "tojson") {
    Value indent = args.get(1, "indent", Value::none());
    Value separators = args.get(2, "separators", Value::none());
    std::string itemSep = indent.isNone() ? ", " : ",", keySep = ": ";
    if (separators.isList() && separators.list().size() == 2) {
      itemSep = separators.list()[0].str();
      keySep = separators.list()[1].str();
    }
    return Value(toJson(v, args.get(0, "ensure_ascii", Value(false)).truthy(),
                        indent.isNone() ? -1 : static_cast<int>(indent.asInt()), itemSep, keySep,
                        args.get(3, "sort_keys", Value(false)).truthy()));
  }
  if (name == "int") return toInt(v, args.get(0, "default", Value(0)));
  if (name == "float") {
    if (v.isNumber()) return Value(v.asFloat());
    try { return Value(std::stod(v.str())); } catch (const std::exception &) { return args.get(0, "default", Value(0.0)); }
  }
  if (name == "abs") {
    if (!v.isNumber()) throw TemplateError("bad operand type for abs(): '" + v.typeName() + "'");
    return v.type() == Value::Type::Float ? Value(std::fabs(v.asFloat())) : Value(v.asInt() < 0 ? -v.asInt() : v.asInt());
  }
  if (name == "round") {
    double scale = std::pow(10.0, static_cast<double>(args.get(0, "precision", Value(0)).asInt()));
    std::string method = args.get(1, "method", Value("common")).str();
    double x = v.asFloat() * scale;
    x = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::round(x);
    return Value(x / scale);
  }
  if (name == "join") {
    std::string sep = args.get(0, "d", Value("")).str(), out;
    Value attribute = args.get(1, "attribute", Value::none());
    List items = iterate(v);
    for (size_t i = 0; i < items.size(); ++i)
      out += (i ? sep : "") + (attribute.isNone() ? items[i] : getItem(items[i], attribute)).str();
    return Value(out);
  }
  if (name == "first" || name == "last") {
    List items = iterate(v);
    if (items.empty()) return Value::undefined(name);
    return name == "first" ? items.front() : items.back();
  }
  if (name == "list") return Value(iterate(v));
  if (name == "items") {
    if (v.isUndefined()) return Value(List{});
    if (!v.isDict()) throw TemplateError("can only get item pairs from a mapping");
    List out;
    for (const auto &[key, value] : v.dictRef().items) out.push_back(Value::tuple(List{key, value}));
    return Value(out);
  }
  if (name == "reverse") {
    if (v.isString()) { List cs = iterate(v); std::string out; for (auto it = cs.rbegin(); it != cs.rend(); ++it) out += it->asString(); return Value(out); }
    List items = iterate(v);
    std::reverse(items.begin(), items.end());
    return Value(items);
  }
  if (name == "replace")
    return Value(replaceString(v.str(), args.get(0, "old").str(), args.get(1, "new").str(), args.get(2, "count", Value(-1)).asInt()));
  if (name == "sort") return sorted(v, args);
  if (name == "unique") {
    List out;
    for (const Value &item : iterate(v))
      if (std::none_of(out.begin(), out.end(), [&](const Value &o) { return o.equals(item); })) out.push_back(item);
    return Value(out);
  }
  if (name == "sum") {
    Value total = args.get(1, "start", Value(0));
    for (const Value &item : iterate(v)) total = binaryOperator("+", total, item);
    return total;
  }
  if (name == "min" || name == "max") {
    List items = iterate(v);
    if (items.empty()) return Value::undefined(name);
    Value best = items[0];
    for (const Value &item : items) if (name == "min" ? item.less(best) : best.less(item)) best = item;
    return best;
  }
  if (name == "select" || name == "reject") return selectItems(v, args, name == "select", false);
  if (name == "selectattr" || name == "rejectattr") return selectItems(v, args, name == "selectattr", true);
  if (name == "map") {
    List out;
    Value attribute = args.get(99, "attribute");
    for (const Value &item : iterate(v)) {
      if (!attribute.isUndefined()) {
        Value got = getItem(item, attribute);
        out.push_back(got.isUndefined() ? args.get(99, "default") : got);
        continue;
      }
      CallArgs rest;
      rest.positional.assign(args.positional.begin() + (args.positional.empty() ? 0 : 1), args.positional.end());
      out.push_back(applyFilter(args.get(0, "filter").str(), item, rest, interp));
    }
    return Value(out);
  }
  if (name == "indent") {
    int64_t width = args.get(0, "width", Value(4)).asInt();
    bool first = args.get(1, "first", Value(false)).truthy(), blank = args.get(2, "blank", Value(false)).truthy();
    std::string pad(static_cast<size_t>(std::max<int64_t>(width, 0)), ' '), out, s = v.str();
    size_t start = 0;
    bool firstLine = true;
    while (start <= s.size()) {
      size_t end = s.find('\n', start);
      std::string line = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
      if ((!firstLine || first) && (blank || !line.empty())) out += pad;
      out += line;
      if (end == std::string::npos) break;
      out += '\n';
      start = end + 1;
      firstLine = false;
    }
    return Value(out);
  }
  throw TemplateError("no filter named '" + name + "'");
}

void addGlobals(Dict &globals) {
  globals.set(Value("namespace"), Value::function("namespace", [](CallArgs &args) {
    Dict attributes;
    if (!args.positional.empty() && args.positional[0].isDict()) attributes = args.positional[0].dictRef();
    for (const auto &[key, value] : args.keyword) attributes.set(Value(key), value);
    return Value::namespaceObject(std::move(attributes));
  }));
  globals.set(Value("raise_exception"), Value::function("raise_exception", [](CallArgs &args) -> Value {
    throw RaisedError(args.get(0, "message").str());
  }));
  globals.set(Value("range"), Value::function("range", [](CallArgs &args) {
    int64_t start = 0, stop, step = 1;
    if (args.positional.size() == 1) stop = args.positional[0].asInt();
    else if (args.positional.size() >= 2) {
      start = args.positional[0].asInt();
      stop = args.positional[1].asInt();
      if (args.positional.size() > 2) step = args.positional[2].asInt();
    } else throw TemplateError("range expected at least 1 argument, got 0");
    if (step == 0) throw TemplateError("range() arg 3 must not be zero");
    List out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(Value(i));
    return Value(out);
  }));
  globals.set(Value("dict"), Value::function("dict", [](CallArgs &args) {
    Dict dict;
    if (!args.positional.empty() && args.positional[0].isDict()) dict = args.positional[0].dictRef();
    for (const auto &[key, value] : args.keyword) dict.set(Value(key), value);
    return Value::dict(std::move(dict));
  }));
  globals.set(Value("strftime_now"), Value::function("strftime_now", [](CallArgs &args) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buffer[256];
    size_t n = std::strftime(buffer, sizeof buffer, args.get(0, "format").str().c_str(), &local);
    return Value(std::string(buffer, n));
  }));
}

} // namespace kiln::jinja
