// ChatTemplate.h - renders a conversation with a model's Jinja chat template, as transformers'
// apply_chat_template(tokenize=False) does: the template sees `messages` (a message's keys
// whose value is null left out, as transformers 5 does), `tools` and
// `documents` (none), `add_generation_prompt`, the special token strings (bos_token, ...) and
// any other variables the conversation file gives. Messages carrying their reasoning under one
// of reasoning_content/thinking/reasoning get it under the others too (transformers 5 does).
//
// The engine interprets the stored template (JinjaLexer/Parser/Interpreter): nothing about
// DeepSeek's format is written here.
#ifndef KILN_RUNTIME_TOKENIZER_CHAT_CHATTEMPLATE_H
#define KILN_RUNTIME_TOKENIZER_CHAT_CHATTEMPLATE_H

#include "kiln_runtime.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace kiln::tokenizer {

class ChatTemplate {
public:
  // INVALID_ARGUMENT ("SOURCE: chat template line N: ...") when the template does not parse.
  // `specialTokens` maps names (bos_token) to strings, as TokenizerConfig reads them.
  static kiln_status_t compile(const std::string &source, const std::string &origin,
                               const std::map<std::string, std::string> &specialTokens,
                               std::unique_ptr<ChatTemplate> *chatTemplate);
  ~ChatTemplate();

  enum class GenerationPrompt { Auto, On, Off };

  // `conversation` is JSON: a list of messages, or an object with "messages" and other
  // template variables (e.g. "add_generation_prompt", "tools"). Auto adds the generation prompt
  // unless the last message is the assistant's (an "add_generation_prompt" in the object
  // decides first). `name` names the conversation in messages. A template's
  // raise_exception() is INVALID_ARGUMENT with its message.
  kiln_status_t render(std::string_view conversation, const std::string &name,
                       GenerationPrompt prompt, std::string *text) const;
  // Renders with exactly the variables of `variables` (a JSON object), nothing added: for
  // tests of the engine and for callers that build the context themselves.
  kiln_status_t renderWith(std::string_view variables, std::string *text) const;
  // One user message, with the generation prompt.
  kiln_status_t renderUserTurn(const std::string &message, std::string *text) const;

private:
  ChatTemplate();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_CHAT_CHATTEMPLATE_H
