// JinjaValue.h - the values a chat template computes with, with Python's semantics (what
// Jinja2 inherits): truthiness, ==, <, str() and repr(), and json.dumps for tojson.
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJAVALUE_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJAVALUE_H

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln::jinja {

// A template error: raised by the interpreter, caught at the ChatTemplate boundary.
struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Value;
using List = std::vector<Value>;
struct Dict;
struct CallArgs;
using Function = std::function<Value(CallArgs &)>;

class Value {
public:
  enum class Type { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };

  Value() = default; // undefined
  static Value undefined(std::string name = "") { Value v; v.text_ = std::move(name); return v; }
  static Value none() { Value v; v.type_ = Type::None; return v; }
  Value(bool b) : type_(Type::Bool), int_(b) {}
  Value(int i) : type_(Type::Int), int_(i) {}
  Value(int64_t i) : type_(Type::Int), int_(i) {}
  Value(double f) : type_(Type::Float), float_(f) {}
  Value(std::string s) : type_(Type::String), text_(std::move(s)) {}
  Value(const char *s) : type_(Type::String), text_(s) {}
  Value(List list);
  // A Python tuple: a list that prints as (a, b) and never equals a list.
  static Value tuple(List items);
  static Value dict(Dict dict);
  static Value dict();
  static Value namespaceObject(Dict attributes);
  static Value function(std::string name, Function function);

  Type type() const { return type_; }
  bool isUndefined() const { return type_ == Type::Undefined; }
  bool isNone() const { return type_ == Type::None; }
  bool isString() const { return type_ == Type::String; }
  bool isNumber() const { return type_ == Type::Int || type_ == Type::Float || type_ == Type::Bool; }
  bool isList() const { return type_ == Type::List; }
  bool isTuple() const { return type_ == Type::List && tuple_; }
  bool isDict() const { return type_ == Type::Dict; }
  bool isNamespace() const { return type_ == Type::Namespace; }
  bool isFunction() const { return type_ == Type::Function; }

  bool asBool() const { return int_ != 0; }
  int64_t asInt() const { return type_ == Type::Float ? static_cast<int64_t>(float_) : int_; }
  double asFloat() const { return type_ == Type::Float ? float_ : static_cast<double>(int_); }
  const std::string &asString() const { return text_; }
  // The name an undefined value was looked up as ("" when unknown).
  const std::string &undefinedName() const { return text_; }
  const List &list() const { return *list_; }
  const Dict &dictRef() const { return *dict_; }
  Dict &mutableDict() const { return *dict_; } // namespaces are mutable (set ns.x = ...)
  const Function &callable() const { return *function_; }
  const std::string &functionName() const { return text_; }

  bool truthy() const;
  // Python's str(): what {{ value }} prints ("" for undefined).
  std::string str() const;
  // Python's repr().
  std::string repr() const;
  // Python's ==.
  bool equals(const Value &other) const;
  // Python's <; throws TemplateError for types that do not order.
  bool less(const Value &other) const;
  // The Python type name, for messages ("str", "dict", "NoneType", "Undefined").
  std::string typeName() const;

private:
  Type type_ = Type::Undefined;
  bool tuple_ = false;
  int64_t int_ = 0;
  double float_ = 0;
  std::string text_;
  std::shared_ptr<const List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<const Function> function_;
};

// Insertion-ordered, as Python's dict; keys compare with Python's ==.
struct Dict {
  std::vector<std::pair<Value, Value>> items;
  const Value *find(const Value &key) const;
  void set(const Value &key, Value value);
};

// The arguments of a call: positional, then keyword.
struct CallArgs {
  List positional;
  std::vector<std::pair<std::string, Value>> keyword;
  // Positional `index` or keyword `name`, else `fallback`.
  Value get(size_t index, const std::string &name, Value fallback = Value()) const;
};

// Python's float repr (shortest round-trip: "1.0", "0.1", "1e-05", "1e+16").
std::string pythonFloat(double value);
// Python's json.dumps(value, ensure_ascii, indent, separators, sort_keys) as transformers'
// tojson filter calls it. `indent` < 0 means None; `itemSep`/`keySep` default like Python's.
std::string toJson(const Value &value, bool ensureAscii, int indent, const std::string &itemSep,
                   const std::string &keySep, bool sortKeys);

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJAVALUE_H
