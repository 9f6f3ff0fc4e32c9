// JinjaAst.h - the parsed template: expressions and statements.
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJAAST_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJAAST_H

#include "JinjaValue.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kiln::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,     // value
    Name,        // name
    ListLit,     // args
    TupleLit,    // args (evaluates to a list)
    DictLit,     // args: key, value, key, value, ...
    Attribute,   // args[0] . name
    Item,        // args[0] [ args[1] ]
    Slice,       // args[0] [ args[1] : args[2] : args[3] ] (null parts omitted)
    Call,        // args[0] ( args[1..], kwargs )
    Filter,      // args[0] | name ( args[1..], kwargs )
    Test,        // args[0] is [not: negated] name ( args[1..] )
    Unary,       // name ("-", "+", "not") args[0]
    Binary,      // args[0] name args[1]: + - * / // % ** ~ and or in notin == != < <= > >=
    Conditional, // args[1] if args[0] else args[2] (args[2] may be null)
  };
  Kind kind;
  int line = 0;
  Value value;
  std::string name;
  bool negated = false;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
  enum class Kind {
    Text,     // text
    Output,   // {{ expr }}
    If,       // branches (condition null for else)
    For,      // targets in expr [if filter]: body [else elseBody]
    Set,      // targets (or target.attribute) = expr
    SetBlock, // {% set target %}body{% endset %}
    Macro,    // name(params) body
    Break,
    Continue,
    Scope,    // body rendered in place ({% generation %}, {% filter %} without a filter)
  };
  Kind kind;
  int line = 0;
  std::string text;
  ExprPtr expr, filter;
  std::vector<std::pair<ExprPtr, Body>> branches;
  std::vector<std::string> targets;
  std::string attribute;
  std::vector<std::pair<std::string, ExprPtr>> params; // macro parameters with defaults
  Body body, elseBody;
};

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJAAST_H
