// TokenizerConfig.cpp - reads tokenizer_config.json (see TokenizerConfig.h).
#include "TokenizerConfig.h"

#include "ReadFile.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace kiln::tokenizer {

namespace {

using Json = nlohmann::json;

std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

bool fileExists(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

} // namespace

std::string configPathBeside(const std::string &tokenizerJsonPath) {
  return directoryOf(tokenizerJsonPath) + "/tokenizer_config.json";
}

std::string TokenizerConfig::token(const std::string &name) const {
  auto it = specialTokens.find(name);
  return it == specialTokens.end() ? "" : it->second;
}

kiln_status_t TokenizerConfig::loadJson(std::string_view text, const std::string &source,
                                        TokenizerConfig *config) {
  *config = TokenizerConfig{};
  try {
    Json root = Json::parse(text.begin(), text.end());
    if (!root.is_object())
      return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (source + ": the top level is not an object").c_str());
    for (const char *name : {"bos_token", "eos_token", "pad_token", "unk_token", "sep_token", "cls_token", "mask_token"}) {
      if (!root.contains(name) || root[name].is_null()) continue;
      const Json &token = root[name];
      if (token.is_string()) config->specialTokens[name] = token.get<std::string>();
      else if (token.is_object() && token.contains("content")) config->specialTokens[name] = token["content"].get<std::string>();
      else return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (source + ": " + name + " is neither a string nor a token object").c_str());
    }
    config->addBosToken = root.value("add_bos_token", false);
    if (root.contains("chat_template") && !root["chat_template"].is_null()) {
      const Json &chat = root["chat_template"];
      if (chat.is_string()) {
        config->chatTemplate = chat.get<std::string>();
      } else if (chat.is_array()) {
        for (const Json &entry : chat)
          if (entry.value("name", "") == "default") config->chatTemplate = entry.at("template").get<std::string>();
        if (config->chatTemplate.empty())
          return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (source + ": chat_template lists no template named \"default\"").c_str());
      } else {
        return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, (source + ": chat_template is neither a string nor a list").c_str());
      }
      config->templateSource = source;
    }
  } catch (const Json::exception &error) {
    std::string message = source + ": " + (dynamic_cast<const Json::parse_error *>(&error) ? "not JSON: " : "malformed: ") + error.what();
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  }
  return nullptr;
}

kiln_status_t TokenizerConfig::loadFile(const std::string &path, TokenizerConfig *config) {
  std::string text;
  if (kiln_status_t status = readFile(path, &text)) return status;
  if (kiln_status_t status = loadJson(text, path, config)) return status;
  std::string jinja = directoryOf(path) + "/chat_template.jinja";
  if (fileExists(jinja)) {
    if (kiln_status_t status = readFile(jinja, &config->chatTemplate)) return status;
    config->templateSource = jinja;
  }
  return nullptr;
}

} // namespace kiln::tokenizer
