// JinjaInterpreter.h - renders a parsed template against a context, with Jinja2's semantics
// in the sandbox transformers uses: scopes (a for loop's body is its own scope, so `set` inside
// it does not leak out: templates use namespace() for that), the loop variable, Python
// operators and truthiness, the default Undefined (prints as "", is falsy, iterates as empty,
// raises when used in arithmetic or when an attribute of it is read).
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJAINTERPRETER_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJAINTERPRETER_H

#include "JinjaAst.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::jinja {

// raise_exception(message) from a template: reported as the template's own message.
struct RaisedError : TemplateError {
  using TemplateError::TemplateError;
};

class Interpreter {
public:
  // `context` holds the variables the template sees (messages, bos_token, ...); the globals
  // (namespace, raise_exception, range, dict, strftime_now) are added beneath them.
  explicit Interpreter(const Dict &context);

  // Throws TemplateError ("line N: ...") or RaisedError.
  std::string render(const Body &body);

  // Calls a template or builtin function (filters such as map use it).
  Value call(const Value &function, CallArgs &args);

private:
  enum class Flow { Normal, Break, Continue };
  using Scope = std::unordered_map<std::string, Value>;

  Flow exec(const Body &body, std::string &out);
  Flow execStmt(const Stmt &stmt, std::string &out);
  Flow execFor(const Stmt &stmt, std::string &out);
  void assignTargets(const std::vector<std::string> &targets, const Value &value, int line);
  Value defineMacro(const Stmt &stmt);
  Value eval(const Expr &e);
  Value evalBinary(const Expr &e);
  CallArgs evalArgs(const Expr &e, size_t firstArg);
  Value lookup(const std::string &name) const;

  std::vector<Scope> scopes_;
};

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJAINTERPRETER_H
