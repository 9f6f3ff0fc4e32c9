// JinjaParser.cpp - recursive descent over the lexer's tokens (see JinjaParser.h).
#include "JinjaParser.h"

#include <set>

namespace kiln::jinja {

namespace {

using K = Token::Kind;

class Parser {
public:
  explicit Parser(const std::vector<Token> &tokens) : t_(tokens) {}

  Body parseAll() {
    Body body = parseBody({});
    if (peek().kind != K::Eof) fail("unexpected tag");
    return body;
  }

private:
  const Token &peek(size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
  const Token &next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
  bool isOp(const char *op, size_t ahead = 0) const { return peek(ahead).kind == K::Op && peek(ahead).text == op; }
  bool isName(const char *name, size_t ahead = 0) const { return peek(ahead).kind == K::Name && peek(ahead).text == name; }
  bool skipOp(const char *op) { if (!isOp(op)) return false; ++i_; return true; }
  bool skipName(const char *name) { if (!isName(name)) return false; ++i_; return true; }

  [[noreturn]] void fail(const std::string &message) const {
    const Token &token = peek();
    std::string near = token.kind == K::Eof ? "end of template" : token.text.empty() ? "a tag delimiter" : "'" + token.text + "'";
    throw TemplateError("line " + std::to_string(token.line) + ": " + message + " (at " + near + ")");
  }
  void expectOp(const char *op) { if (!skipOp(op)) fail(std::string("expected '") + op + "'"); }
  std::string expectName() {
    if (peek().kind != K::Name) fail("expected a name");
    return next().text;
  }
  void expectBlockEnd() { if (next().kind != K::BlockEnd) { --i_; fail("expected the end of the tag"); } }

  // Statements until a block tag whose keyword is in `ends` (left unconsumed: the caller reads it).
  Body parseBody(const std::set<std::string> &ends) {
    Body body;
    for (;;) {
      const Token &token = peek();
      if (token.kind == K::Eof) {
        if (!ends.empty()) {
          std::string closing = *ends.begin();
          for (const std::string &end : ends)
            if (end.rfind("end", 0) == 0) closing = end;
          fail("unexpected end of template, expected '" + closing + "'");
        }
        return body;
      }
      if (token.kind == K::Text) {
        auto stmt = make(Stmt::Kind::Text);
        stmt->text = next().text;
        body.push_back(std::move(stmt));
      } else if (token.kind == K::VarBegin) {
        next();
        auto stmt = make(Stmt::Kind::Output);
        stmt->expr = parseTuple();
        if (next().kind != K::VarEnd) { --i_; fail("expected '}}'"); }
        body.push_back(std::move(stmt));
      } else if (token.kind == K::BlockBegin) {
        if (peek(1).kind == K::Name && ends.count(peek(1).text)) return body;
        next();
        body.push_back(parseStatement());
      } else {
        fail("unexpected token");
      }
    }
  }

  StmtPtr make(Stmt::Kind kind) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = kind;
    stmt->line = peek().line;
    return stmt;
  }

  // Consumes "{% name" of the closing/continuing tag found by parseBody.
  std::string enterTag() { next(); return expectName(); }

  StmtPtr parseStatement() {
    std::string keyword = expectName();
    if (keyword == "if") return parseIf();
    if (keyword == "for") return parseFor();
    if (keyword == "set") return parseSet();
    if (keyword == "macro") return parseMacro();
    if (keyword == "break" || keyword == "continue") {
      auto stmt = make(keyword == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue);
      expectBlockEnd();
      return stmt;
    }
    if (keyword == "generation" || keyword == "filter") {
      auto stmt = make(Stmt::Kind::Scope);
      if (keyword == "filter") stmt->text = expectName();
      expectBlockEnd();
      std::string end = "end" + keyword;
      stmt->body = parseBody({end});
      enterTag();
      expectBlockEnd();
      return stmt;
    }
    --i_;
    fail("tag '" + keyword + "' is not supported by Kiln's template engine");
  }

  StmtPtr parseIf() {
    auto stmt = make(Stmt::Kind::If);
    ExprPtr condition = parseExpression();
    for (;;) {
      expectBlockEnd();
      Body body = parseBody({"elif", "else", "endif"});
      stmt->branches.emplace_back(std::move(condition), std::move(body));
      std::string tag = enterTag();
      if (tag == "endif") break;
      if (tag == "elif") { condition = parseExpression(); continue; }
      expectBlockEnd(); // else
      stmt->branches.emplace_back(nullptr, parseBody({"endif"}));
      enterTag();
      break;
    }
    expectBlockEnd();
    return stmt;
  }

  std::vector<std::string> parseTargets() {
    std::vector<std::string> targets;
    bool paren = skipOp("(");
    do targets.push_back(expectName());
    while (skipOp(","));
    if (paren) expectOp(")");
    return targets;
  }

  StmtPtr parseFor() {
    auto stmt = make(Stmt::Kind::For);
    stmt->targets = parseTargets();
    if (!skipName("in")) fail("expected 'in'");
    stmt->expr = parseTuple(/*conditional=*/false);
    if (skipName("if")) stmt->filter = parseExpression();
    if (isName("recursive")) fail("recursive loops are not supported");
    expectBlockEnd();
    stmt->body = parseBody({"else", "endfor"});
    if (enterTag() == "else") {
      expectBlockEnd();
      stmt->elseBody = parseBody({"endfor"});
      enterTag();
    }
    expectBlockEnd();
    return stmt;
  }

  StmtPtr parseSet() {
    auto stmt = make(Stmt::Kind::Set);
    if (peek().kind == K::Name && isOp(".", 1)) {
      stmt->targets.push_back(next().text);
      next();
      stmt->attribute = expectName();
    } else {
      stmt->targets = parseTargets();
    }
    if (skipOp("=")) {
      stmt->expr = parseTuple();
      expectBlockEnd();
      return stmt;
    }
    if (!stmt->attribute.empty() || stmt->targets.size() != 1) fail("expected '='");
    stmt->kind = Stmt::Kind::SetBlock;
    expectBlockEnd();
    stmt->body = parseBody({"endset"});
    enterTag();
    expectBlockEnd();
    return stmt;
  }

  StmtPtr parseMacro() {
    auto stmt = make(Stmt::Kind::Macro);
    stmt->text = expectName();
    expectOp("(");
    while (!skipOp(")")) {
      if (!stmt->params.empty()) expectOp(",");
      if (skipOp(")")) break;
      std::string name = expectName();
      ExprPtr fallback = skipOp("=") ? parseExpression() : nullptr;
      stmt->params.emplace_back(name, std::move(fallback));
    }
    expectBlockEnd();
    stmt->body = parseBody({"endmacro"});
    enterTag();
    expectBlockEnd();
    return stmt;
  }

  // ---- expressions ----

  ExprPtr node(Expr::Kind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }
  ExprPtr binary(const std::string &op, ExprPtr left, ExprPtr right) {
    auto e = node(Expr::Kind::Binary, left->line);
    e->name = op;
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return e;
  }

  // An expression or a comma-separated tuple of them.
  ExprPtr parseTuple(bool conditional = true) {
    int line = peek().line;
    ExprPtr first = conditional ? parseExpression() : parseOr();
    if (!isOp(",")) return first;
    auto tuple = node(Expr::Kind::TupleLit, line);
    tuple->args.push_back(std::move(first));
    while (skipOp(",")) {
      if (peek().kind == K::VarEnd || peek().kind == K::BlockEnd || isName("if")) break;
      tuple->args.push_back(conditional ? parseExpression() : parseOr());
    }
    return tuple;
  }

  ExprPtr parseExpression() {
    ExprPtr value = parseOr();
    while (skipName("if")) {
      auto e = node(Expr::Kind::Conditional, value->line);
      e->args.push_back(parseOr());
      e->args.push_back(std::move(value));
      e->args.push_back(skipName("else") ? parseExpression() : nullptr);
      value = std::move(e);
    }
    return value;
  }
  ExprPtr parseOr() {
    ExprPtr left = parseAnd();
    while (skipName("or")) left = binary("or", std::move(left), parseAnd());
    return left;
  }
  ExprPtr parseAnd() {
    ExprPtr left = parseNot();
    while (skipName("and")) left = binary("and", std::move(left), parseNot());
    return left;
  }
  ExprPtr parseNot() {
    if (isName("not")) {
      auto e = node(Expr::Kind::Unary, next().line);
      e->name = "not";
      e->args.push_back(parseNot());
      return e;
    }
    return parseCompare();
  }
  ExprPtr parseCompare() {
    ExprPtr left = parseMath1();
    ExprPtr result;
    for (;;) {
      std::string op;
      if (peek().kind == K::Op && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                   peek().text == "<=" || peek().text == ">" || peek().text == ">="))
        op = next().text;
      else if (skipName("in")) op = "in";
      else if (isName("not") && isName("in", 1)) { i_ += 2; op = "notin"; }
      else break;
      // Chained: a < b < c is (a < b) and (b < c); operands are side-effect free here.
      ExprPtr right = parseMath1();
      ExprPtr rightCopy = clone(*right);
      ExprPtr comparison = binary(op, std::move(left), std::move(right));
      result = result ? binary("and", std::move(result), std::move(comparison)) : std::move(comparison);
      left = std::move(rightCopy);
    }
    return result ? std::move(result) : std::move(left);
  }
  ExprPtr parseMath1() {
    ExprPtr left = parseConcat();
    while (isOp("+") || isOp("-")) {
      std::string op = next().text;
      left = binary(op, std::move(left), parseConcat());
    }
    return left;
  }
  ExprPtr parseConcat() {
    ExprPtr left = parseMath2();
    while (skipOp("~")) left = binary("~", std::move(left), parseMath2());
    return left;
  }
  ExprPtr parseMath2() {
    ExprPtr left = parsePow();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      std::string op = next().text;
      left = binary(op, std::move(left), parsePow());
    }
    return left;
  }
  ExprPtr parsePow() {
    ExprPtr left = parseUnary(true);
    while (skipOp("**")) left = binary("**", std::move(left), parseUnary(true));
    return left;
  }
  ExprPtr parseUnary(bool withFilter) {
    ExprPtr e;
    if (isOp("-") || isOp("+")) {
      e = node(Expr::Kind::Unary, peek().line);
      e->name = next().text;
      e->args.push_back(parseUnary(false));
    } else {
      e = parsePrimary();
    }
    e = parsePostfix(std::move(e));
    return withFilter ? parseFilters(std::move(e)) : std::move(e);
  }

  ExprPtr parsePrimary() {
    const Token &token = peek();
    int line = token.line;
    if (token.kind == K::Name) {
      std::string name = next().text;
      auto e = node(Expr::Kind::Literal, line);
      if (name == "true" || name == "True") e->value = Value(true);
      else if (name == "false" || name == "False") e->value = Value(false);
      else if (name == "none" || name == "None") e->value = Value::none();
      else { e->kind = Expr::Kind::Name; e->name = name; }
      return e;
    }
    if (token.kind == K::String) {
      std::string text;
      while (peek().kind == K::String) text += next().text; // adjacent literals concatenate
      auto e = node(Expr::Kind::Literal, line);
      e->value = Value(std::move(text));
      return e;
    }
    if (token.kind == K::Int || token.kind == K::Float) {
      auto e = node(Expr::Kind::Literal, line);
      e->value = token.kind == K::Int ? Value(token.intValue) : Value(token.floatValue);
      next();
      return e;
    }
    if (skipOp("(")) {
      if (skipOp(")")) return node(Expr::Kind::TupleLit, line);
      ExprPtr inner = parseExpression();
      if (isOp(",")) {
        auto tuple = node(Expr::Kind::TupleLit, line);
        tuple->args.push_back(std::move(inner));
        while (skipOp(",") && !isOp(")")) tuple->args.push_back(parseExpression());
        inner = std::move(tuple);
      }
      expectOp(")");
      return inner;
    }
    if (skipOp("[")) {
      auto e = node(Expr::Kind::ListLit, line);
      while (!skipOp("]")) {
        if (!e->args.empty()) expectOp(",");
        if (skipOp("]")) break;
        e->args.push_back(parseExpression());
      }
      return e;
    }
    if (skipOp("{")) {
      auto e = node(Expr::Kind::DictLit, line);
      while (!skipOp("}")) {
        if (!e->args.empty()) expectOp(",");
        if (skipOp("}")) break;
        e->args.push_back(parseExpression());
        expectOp(":");
        e->args.push_back(parseExpression());
      }
      return e;
    }
    fail("unexpected token in an expression");
  }

  ExprPtr parsePostfix(ExprPtr e) {
    for (;;) {
      if (skipOp(".")) {
        auto attr = node(Expr::Kind::Attribute, e->line);
        if (peek().kind == K::Int) { // x.0 is x[0]
          attr->kind = Expr::Kind::Item;
          attr->args.push_back(std::move(e));
          auto index = node(Expr::Kind::Literal, peek().line);
          index->value = Value(next().intValue);
          attr->args.push_back(std::move(index));
        } else {
          attr->name = expectName();
          attr->args.push_back(std::move(e));
        }
        e = std::move(attr);
      } else if (skipOp("[")) {
        e = parseSubscript(std::move(e));
      } else if (isOp("(")) {
        auto call = node(Expr::Kind::Call, e->line);
        call->args.push_back(std::move(e));
        parseCallArgs(*call);
        e = std::move(call);
      } else {
        return e;
      }
    }
  }

  ExprPtr parseSubscript(ExprPtr target) {
    int line = target->line;
    ExprPtr parts[3];
    int part = 0;
    bool slice = false;
    while (!skipOp("]")) {
      if (skipOp(":")) { slice = true; if (++part > 2) fail("too many ':' in a slice"); continue; }
      if (parts[part]) fail("expected ':' or ']'");
      parts[part] = parseExpression();
    }
    auto e = node(slice ? Expr::Kind::Slice : Expr::Kind::Item, line);
    e->args.push_back(std::move(target));
    if (!slice && !parts[0]) fail("empty subscript");
    for (int k = 0; k < (slice ? 3 : 1); ++k) e->args.push_back(std::move(parts[k]));
    return e;
  }

  // "(" positional..., name=value... ")" appended to e->args / e->kwargs.
  void parseCallArgs(Expr &e) {
    expectOp("(");
    bool first = true;
    while (!skipOp(")")) {
      if (!first) expectOp(",");
      first = false;
      if (skipOp(")")) break;
      if (peek().kind == K::Name && isOp("=", 1)) {
        std::string name = next().text;
        next();
        e.kwargs.emplace_back(name, parseExpression());
      } else {
        e.args.push_back(parseExpression());
      }
    }
  }

  ExprPtr parseFilters(ExprPtr e) {
    for (;;) {
      if (skipOp("|")) {
        auto f = node(Expr::Kind::Filter, e->line);
        f->name = expectName();
        f->args.push_back(std::move(e));
        if (isOp("(")) parseCallArgs(*f);
        e = std::move(f);
      } else if (skipName("is")) {
        auto t = node(Expr::Kind::Test, e->line);
        t->negated = skipName("not");
        t->name = expectName();
        t->args.push_back(std::move(e));
        const Token &arg = peek();
        if (isOp("(")) {
          parseCallArgs(*t);
        } else if ((arg.kind == K::Name || arg.kind == K::String || arg.kind == K::Int ||
                    arg.kind == K::Float || isOp("[") || isOp("{")) &&
                   !isName("else") && !isName("or") && !isName("and")) {
          if (isName("is")) fail("You cannot chain multiple tests with is");
          t->args.push_back(parsePostfix(parsePrimary()));
        }
        e = std::move(t);
      } else {
        return e;
      }
    }
  }

  static ExprPtr clone(const Expr &e) {
    auto copy = std::make_unique<Expr>();
    copy->kind = e.kind;
    copy->line = e.line;
    copy->value = e.value;
    copy->name = e.name;
    copy->negated = e.negated;
    for (const auto &arg : e.args) copy->args.push_back(arg ? clone(*arg) : nullptr);
    for (const auto &[name, arg] : e.kwargs) copy->kwargs.emplace_back(name, clone(*arg));
    return copy;
  }

  const std::vector<Token> &t_;
  size_t i_ = 0;
};

} // namespace

Body parseTemplate(const std::vector<Token> &tokens) { return Parser(tokens).parseAll(); }

} // namespace kiln::jinja
