// JinjaParser.h - tokens to a statement tree, with Jinja2's grammar and operator precedence
// (jinja2/parser.py): conditional < or < and < not < comparisons < + - < ~ < * / // % < ** <
// unary - + < postfix (. [] ()) and filters/tests (| and is).
//
// Tags: if/elif/else, for (targets, `if` filter, else), set (also `ns.attr` and block set),
// macro, break/continue (the loopcontrols extension transformers enables), generation (what
// transformers' AssistantTracker adds; rendered in place) and filter blocks. Others (include,
// extends, raw, call, ...) are a TemplateError naming the tag.
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_JINJAPARSER_H
#define KILN_RUNTIME_TOKENIZER_CHAT_JINJAPARSER_H

#include "JinjaAst.h"
#include "JinjaLexer.h"

namespace kiln::jinja {

// Throws TemplateError ("line N: ...") on a syntax error.
Body parseTemplate(const std::vector<Token> &tokens);

} // namespace kiln::jinja

#endif // KILN_RUNTIME_TOKENIZER_CHAT_JINJAPARSER_H
