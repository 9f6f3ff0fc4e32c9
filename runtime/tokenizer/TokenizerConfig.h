// TokenizerConfig.h - what tokenizer_config.json adds to tokenizer.json: the special token
// strings a chat template sees (bos_token, eos_token, ...), whether BOS is added to plain
// prompts (add_bos_token), and the chat template itself.
//
// As transformers reads it: a token is a string or an AddedToken object ({"content": ...});
// chat_template is a string or a list of {"name", "template"} (the one named "default" is
// used); a chat_template.jinja file beside tokenizer_config.json replaces it.
#ifndef KILN_RUNTIME_TOKENIZER_TOKENIZERCONFIG_H
#define KILN_RUNTIME_TOKENIZER_TOKENIZERCONFIG_H

#include "kiln_runtime.h"

#include <map>
#include <string>
#include <string_view>

namespace kiln::tokenizer {

struct TokenizerConfig {
  // bos_token, eos_token, pad_token, unk_token, sep_token, cls_token, mask_token: those set.
  std::map<std::string, std::string> specialTokens;
  bool addBosToken = false;
  std::string chatTemplate;   // empty when there is none
  std::string templateSource; // the file the template came from, for messages

  // NOT_FOUND when the file is missing; INVALID_ARGUMENT when it is malformed.
  static kiln_status_t loadFile(const std::string &path, TokenizerConfig *config);
  static kiln_status_t loadJson(std::string_view json, const std::string &source, TokenizerConfig *config);
  // The special token `name` ("bos_token"), or "" when unset.
  std::string token(const std::string &name) const;
};

// tokenizer_config.json in the directory of `tokenizerJsonPath`.
std::string configPathBeside(const std::string &tokenizerJsonPath);

} // namespace kiln::tokenizer

#endif // KILN_RUNTIME_TOKENIZER_TOKENIZERCONFIG_H
