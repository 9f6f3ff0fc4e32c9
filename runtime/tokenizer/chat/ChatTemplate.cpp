// ChatTemplate.cpp - conversation JSON in, rendered prompt out (see ChatTemplate.h).
#include "ChatTemplate.h"

#include "JinjaInterpreter.h"
#include "JinjaParser.h"

#include <nlohmann/json.hpp>

namespace kiln::tokenizer {

using jinja::Dict;
using jinja::List;
using jinja::Value;
using Json = nlohmann::ordered_json; // keeps key order, as Python's dict

struct ChatTemplate::Impl {
  std::string origin;
  jinja::Body body;
  std::map<std::string, std::string> specialTokens;
};

ChatTemplate::ChatTemplate() : impl_(std::make_unique<Impl>()) {}
ChatTemplate::~ChatTemplate() = default;

kiln_status_t ChatTemplate::compile(const std::string &source, const std::string &origin,
                                    const std::map<std::string, std::string> &specialTokens,
                                    std::unique_ptr<ChatTemplate> *chatTemplate) {
  std::unique_ptr<ChatTemplate> t(new ChatTemplate);
  t->impl_->origin = origin;
  t->impl_->specialTokens = specialTokens;
  try {
    t->impl_->body = jinja::parseTemplate(jinja::lexTemplate(source));
  } catch (const std::exception &error) {
    std::string message = origin + ": chat template " + error.what();
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  }
  *chatTemplate = std::move(t);
  return nullptr;
}

namespace {

Value fromJson(const Json &j) {
  switch (j.type()) {
  case Json::value_t::null: return Value::none();
  case Json::value_t::boolean: return Value(j.get<bool>());
  case Json::value_t::number_integer: return Value(j.get<int64_t>());
  case Json::value_t::number_unsigned: return Value(static_cast<int64_t>(j.get<uint64_t>()));
  case Json::value_t::number_float: return Value(j.get<double>());
  case Json::value_t::string: return Value(j.get<std::string>());
  case Json::value_t::array: {
    List list;
    for (const Json &item : j) list.push_back(fromJson(item));
    return Value(std::move(list));
  }
  case Json::value_t::object: {
    Dict dict;
    for (const auto &[key, value] : j.items()) dict.set(Value(key), fromJson(value));
    return Value::dict(std::move(dict));
  }
  default: return Value::none();
  }
}

// transformers' _alias_reasoning_fields: {"thinking": r, **message, "reasoning_content": r}.
Value aliasReasoning(const Value &message) {
  if (!message.isDict()) return message;
  const Dict &original = message.dictRef();
  const Value *reasoning = nullptr;
  for (const char *key : {"reasoning_content", "thinking", "reasoning"}) {
    const Value *found = original.find(Value(key));
    if (found && !found->isNone()) { reasoning = found; break; }
  }
  if (!reasoning) return message;
  Dict aliased;
  aliased.set(Value("thinking"), *reasoning);
  for (const auto &[key, value] : original.items) aliased.set(key, value);
  aliased.set(Value("reasoning_content"), *reasoning);
  return Value::dict(std::move(aliased));
}

} // namespace

kiln_status_t ChatTemplate::render(std::string_view conversation, const std::string &name,
                                   GenerationPrompt prompt, std::string *text) const {
  Json root;
  try {
    root = Json::parse(conversation.begin(), conversation.end());
  } catch (const Json::exception &error) {
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (name + ": not JSON: " + error.what()).c_str());
  }
  Json messages = root.is_object() && root.contains("messages") ? root["messages"] : root;
  if (!messages.is_array())
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT,
                            (name + ": expected a list of messages or an object with \"messages\"").c_str());
  if (messages.empty())
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (name + ": the conversation has no messages").c_str());
  List chat;
  for (const Json &message : messages) {
    if (!message.is_object())
      return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (name + ": a message is not an object: " + message.dump()).c_str());
    // transformers drops the keys whose value is null ("content": null reads as undefined).
    Dict fields;
    for (const auto &[key, value] : message.items())
      if (!value.is_null()) fields.set(Value(key), fromJson(value));
    chat.push_back(aliasReasoning(Value::dict(std::move(fields))));
  }

  Dict context;
  for (const auto &[key, value] : impl_->specialTokens) context.set(Value(key), Value(value));
  if (root.is_object())
    for (const auto &[key, value] : root.items())
      if (key != "messages") context.set(Value(key), fromJson(value));
  bool generationPrompt;
  if (prompt == GenerationPrompt::Auto) {
    const Value *given = context.find(Value("add_generation_prompt"));
    std::string lastRole = messages.empty() ? "" : messages.back().value("role", "");
    generationPrompt = given ? given->truthy() : lastRole != "assistant";
  } else {
    generationPrompt = prompt == GenerationPrompt::On;
  }
  context.set(Value("messages"), Value(std::move(chat)));
  if (!context.find(Value("tools"))) context.set(Value("tools"), Value::none());
  if (!context.find(Value("documents"))) context.set(Value("documents"), Value::none());
  context.set(Value("add_generation_prompt"), Value(generationPrompt));

  try {
    jinja::Interpreter interpreter(context);
    *text = interpreter.render(impl_->body);
  } catch (const jinja::RaisedError &error) {
    std::string message = impl_->origin + ": the chat template refused " + name + ": " + error.what();
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  } catch (const std::exception &error) {
    std::string message = impl_->origin + ": chat template " + error.what() + " (rendering " + name + ")";
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  }
  return nullptr;
}

kiln_status_t ChatTemplate::renderWith(std::string_view variables, std::string *text) const {
  Dict context;
  try {
    Json root = Json::parse(variables.begin(), variables.end());
    if (!root.is_object()) return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, "template variables: not a JSON object");
    for (const auto &[key, value] : root.items()) context.set(Value(key), fromJson(value));
    jinja::Interpreter interpreter(context);
    *text = interpreter.render(impl_->body);
  } catch (const jinja::RaisedError &error) {
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (impl_->origin + ": raised: " + error.what()).c_str());
  } catch (const std::exception &error) {
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (impl_->origin + ": chat template " + error.what()).c_str());
  }
  return nullptr;
}

kiln_status_t ChatTemplate::renderUserTurn(const std::string &message, std::string *text) const {
  Json conversation = Json::array({Json{{"role", "user"}, {"content", message}}});
  // Invalid UTF-8 in `message` would make dump() throw: the caller sanitizes first.
  std::string json;
  try {
    json = conversation.dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const Json::exception &error) {
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, error.what());
  }
  return render(json, "the user message", GenerationPrompt::On, text);
}

} // namespace kiln::tokenizer
