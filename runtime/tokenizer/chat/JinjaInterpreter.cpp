// JinjaInterpreter.cpp - executes the statement tree (see JinjaInterpreter.h).
#include "JinjaInterpreter.h"

#include "JinjaBuiltins.h"

namespace kiln::jinja {

namespace {

std::string undefinedMessage(const Value &v) {
  return v.undefinedName().empty() ? "value is undefined" : "'" + v.undefinedName() + "' is undefined";
}

// Adds "line N: " to errors that do not name a line yet.
[[noreturn]] void rethrowWithLine(const TemplateError &error, int line) {
  std::string message = error.what();
  if (message.rfind("line ", 0) == 0) throw;
  if (dynamic_cast<const RaisedError *>(&error)) throw;
  throw TemplateError("line " + std::to_string(line) + ": " + message);
}

} // namespace

Interpreter::Interpreter(const Dict &context) {
  Dict globals;
  addGlobals(globals);
  scopes_.emplace_back();
  for (const auto &[key, value] : globals.items) scopes_.back()[key.asString()] = value;
  for (const auto &[key, value] : context.items) scopes_.back()[key.str()] = value;
}

std::string Interpreter::render(const Body &body) {
  std::string out;
  exec(body, out);
  return out;
}

Value Interpreter::lookup(const std::string &name) const {
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    auto it = scope->find(name);
    if (it != scope->end()) return it->second;
  }
  return Value::undefined(name);
}

Interpreter::Flow Interpreter::exec(const Body &body, std::string &out) {
  for (const auto &stmt : body) {
    Flow flow;
    try {
      flow = execStmt(*stmt, out);
    } catch (const TemplateError &error) {
      rethrowWithLine(error, stmt->line);
    }
    if (flow != Flow::Normal) return flow;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::execStmt(const Stmt &stmt, std::string &out) {
  switch (stmt.kind) {
  case Stmt::Kind::Text: out += stmt.text; return Flow::Normal;
  case Stmt::Kind::Output: out += eval(*stmt.expr).str(); return Flow::Normal;
  case Stmt::Kind::If:
    for (const auto &[condition, body] : stmt.branches)
      if (!condition || eval(*condition).truthy()) return exec(body, out);
    return Flow::Normal;
  case Stmt::Kind::For: return execFor(stmt, out);
  case Stmt::Kind::Set:
    if (!stmt.attribute.empty()) {
      Value target = lookup(stmt.targets[0]);
      if (!target.isNamespace())
        throw TemplateError("cannot assign attribute on non-namespace object '" + stmt.targets[0] + "'");
      target.mutableDict().set(Value(stmt.attribute), eval(*stmt.expr));
    } else {
      assignTargets(stmt.targets, eval(*stmt.expr), stmt.line);
    }
    return Flow::Normal;
  case Stmt::Kind::SetBlock: {
    std::string captured;
    exec(stmt.body, captured);
    scopes_.back()[stmt.targets[0]] = Value(captured);
    return Flow::Normal;
  }
  case Stmt::Kind::Macro: scopes_.back()[stmt.text] = defineMacro(stmt); return Flow::Normal;
  case Stmt::Kind::Break: return Flow::Break;
  case Stmt::Kind::Continue: return Flow::Continue;
  case Stmt::Kind::Scope: {
    if (stmt.text.empty()) return exec(stmt.body, out);
    std::string captured;
    Flow flow = exec(stmt.body, captured);
    CallArgs none;
    out += applyFilter(stmt.text, Value(captured), none, *this).str();
    return flow;
  }
  }
  return Flow::Normal;
}

void Interpreter::assignTargets(const std::vector<std::string> &targets, const Value &value, int line) {
  if (targets.size() == 1) {
    scopes_.back()[targets[0]] = value;
    return;
  }
  List items = iterate(value);
  if (items.size() != targets.size())
    throw TemplateError("line " + std::to_string(line) + ": cannot unpack " +
                        std::to_string(items.size()) + " values into " +
                        std::to_string(targets.size()) + " names");
  for (size_t i = 0; i < targets.size(); ++i) scopes_.back()[targets[i]] = items[i];
}

Interpreter::Flow Interpreter::execFor(const Stmt &stmt, std::string &out) {
  List all = iterate(eval(*stmt.expr));
  // The `if` filter runs first, so loop.length and loop.last count only the kept items.
  List items;
  for (const Value &item : all) {
    if (stmt.filter) {
      scopes_.emplace_back();
      assignTargets(stmt.targets, item, stmt.line);
      bool keep = eval(*stmt.filter).truthy();
      scopes_.pop_back();
      if (!keep) continue;
    }
    items.push_back(item);
  }
  if (items.empty()) {
    exec(stmt.elseBody, out);
    return Flow::Normal;
  }
  size_t n = items.size();
  for (size_t i = 0; i < n; ++i) {
    scopes_.emplace_back();
    Dict loop;
    auto count = static_cast<int64_t>(n), index = static_cast<int64_t>(i);
    loop.set(Value("index"), Value(index + 1));
    loop.set(Value("index0"), Value(index));
    loop.set(Value("revindex"), Value(count - index));
    loop.set(Value("revindex0"), Value(count - index - 1));
    loop.set(Value("first"), Value(i == 0));
    loop.set(Value("last"), Value(i + 1 == n));
    loop.set(Value("length"), Value(count));
    loop.set(Value("depth"), Value(1));
    loop.set(Value("depth0"), Value(0));
    loop.set(Value("previtem"), i > 0 ? items[i - 1] : Value::undefined("previtem"));
    loop.set(Value("nextitem"), i + 1 < n ? items[i + 1] : Value::undefined("nextitem"));
    loop.set(Value("cycle"), Value::function("cycle", [i](CallArgs &args) {
      if (args.positional.empty()) throw TemplateError("no items for cycling given");
      return args.positional[i % args.positional.size()];
    }));
    scopes_.back()["loop"] = Value::dict(std::move(loop));
    assignTargets(stmt.targets, items[i], stmt.line);
    Flow flow = exec(stmt.body, out);
    scopes_.pop_back();
    if (flow == Flow::Break) break;
  }
  return Flow::Normal;
}

Value Interpreter::defineMacro(const Stmt &stmt) {
  const Stmt *macro = &stmt;
  return Value::function(stmt.text, [this, macro](CallArgs &args) {
    // A macro sees the template's top level and its own parameters, not the caller's locals.
    std::vector<Scope> saved = std::move(scopes_);
    scopes_ = {saved.front(), Scope{}};
    try {
      for (size_t p = 0; p < macro->params.size(); ++p) {
        const auto &[name, fallback] = macro->params[p];
        Value value = args.get(p, name, Value::undefined(name));
        if (value.isUndefined() && fallback) value = eval(*fallback);
        scopes_.back()[name] = value;
      }
      std::string out;
      exec(macro->body, out);
      scopes_ = std::move(saved);
      return Value(out);
    } catch (...) {
      scopes_ = std::move(saved);
      throw;
    }
  });
}

Value Interpreter::call(const Value &function, CallArgs &args) {
  if (function.isUndefined()) throw TemplateError(undefinedMessage(function));
  if (!function.isFunction()) throw TemplateError("'" + function.typeName() + "' object is not callable");
  return function.callable()(args);
}

CallArgs Interpreter::evalArgs(const Expr &e, size_t firstArg) {
  CallArgs args;
  for (size_t i = firstArg; i < e.args.size(); ++i) args.positional.push_back(eval(*e.args[i]));
  for (const auto &[name, arg] : e.kwargs) args.keyword.emplace_back(name, eval(*arg));
  return args;
}

Value Interpreter::eval(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Literal: return e.value;
  case Expr::Kind::Name: return lookup(e.name);
  case Expr::Kind::ListLit: case Expr::Kind::TupleLit: {
    List list;
    for (const auto &arg : e.args) list.push_back(eval(*arg));
    return e.kind == Expr::Kind::TupleLit ? Value::tuple(std::move(list)) : Value(std::move(list));
  }
  case Expr::Kind::DictLit: {
    Dict dict;
    for (size_t i = 0; i + 1 < e.args.size(); i += 2) dict.set(eval(*e.args[i]), eval(*e.args[i + 1]));
    return Value::dict(std::move(dict));
  }
  case Expr::Kind::Attribute: {
    Value object = eval(*e.args[0]);
    if (object.isUndefined()) throw TemplateError(undefinedMessage(object));
    return getAttribute(object, e.name);
  }
  case Expr::Kind::Item: {
    Value object = eval(*e.args[0]);
    if (object.isUndefined()) throw TemplateError(undefinedMessage(object));
    return getItem(object, eval(*e.args[1]));
  }
  case Expr::Kind::Slice: {
    Value object = eval(*e.args[0]);
    if (object.isUndefined()) throw TemplateError(undefinedMessage(object));
    auto part = [&](size_t i) { return e.args[i] ? eval(*e.args[i]) : Value::none(); };
    return getSlice(object, part(1), part(2), part(3));
  }
  case Expr::Kind::Call: {
    Value function = eval(*e.args[0]);
    CallArgs args = evalArgs(e, 1);
    return call(function, args);
  }
  case Expr::Kind::Filter: {
    Value input = eval(*e.args[0]);
    CallArgs args = evalArgs(e, 1);
    return applyFilter(e.name, input, args, *this);
  }
  case Expr::Kind::Test: {
    Value input = eval(*e.args[0]);
    CallArgs args = evalArgs(e, 1);
    return Value(applyTest(e.name, input, args) != e.negated);
  }
  case Expr::Kind::Unary: {
    Value operand = eval(*e.args[0]);
    if (e.name == "not") return Value(!operand.truthy());
    if (operand.isUndefined()) throw TemplateError(undefinedMessage(operand));
    if (!operand.isNumber()) throw TemplateError("bad operand type for unary " + e.name + ": '" + operand.typeName() + "'");
    if (e.name == "+") return operand.type() == Value::Type::Float ? operand : Value(operand.asInt());
    return operand.type() == Value::Type::Float ? Value(-operand.asFloat()) : Value(-operand.asInt());
  }
  case Expr::Kind::Binary: return evalBinary(e);
  case Expr::Kind::Conditional:
    if (eval(*e.args[0]).truthy()) return eval(*e.args[1]);
    return e.args[2] ? eval(*e.args[2]) : Value::undefined();
  }
  return Value();
}

Value Interpreter::evalBinary(const Expr &e) {
  const std::string &op = e.name;
  Value left = eval(*e.args[0]);
  // and/or return an operand, as in Python, and short-circuit.
  if (op == "and") return left.truthy() ? eval(*e.args[1]) : left;
  if (op == "or") return left.truthy() ? left : eval(*e.args[1]);
  Value right = eval(*e.args[1]);
  if (op == "~") return Value(left.str() + right.str());
  if (op == "==") return Value(left.equals(right));
  if (op == "!=") return Value(!left.equals(right));
  if (op == "<") return Value(left.less(right));
  if (op == ">") return Value(right.less(left));
  if (op == "<=") return Value(!right.less(left));
  if (op == ">=") return Value(!left.less(right));
  if (op == "notin") return Value(!binaryOperator("in", left, right).truthy());
  if (op != "in") {
    if (left.isUndefined()) throw TemplateError(undefinedMessage(left));
    if (right.isUndefined()) throw TemplateError(undefinedMessage(right));
  }
  return binaryOperator(op, left, right);
}

} // namespace kiln::jinja
