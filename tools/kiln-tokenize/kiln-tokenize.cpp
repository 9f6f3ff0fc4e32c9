// kiln-tokenize - the runtime's tokenizer on the command line (DESIGN.md's contract).
//
//   kiln-tokenize <tokenizer.json | model dir | file.kiln> [--jsonl] [--decode] [--chat]
//                 [--messages FILE] [--chat-template FILE] [--render] [--generation-prompt M]
//                 [--skip-special-tokens] [--stats]
//
// Reads stdin line by line and prints one line per input line: a JSON array of ids, equal to
// Hugging Face tokenizers' encode(line, add_special_tokens=False). --jsonl: each input line is
// a JSON string (lines may then hold newlines and any text). --decode: each line is a JSON
// array of ids; prints the decoded text as a JSON string. --chat: each line is one user
// message, rendered with the model's chat template and the generation prompt, then encoded
// (what transformers' apply_chat_template(tokenize=True) returns, BOS once, from the
// template). --messages FILE: a whole conversation (a JSON list of messages, or an object with
// "messages" and other template variables) instead of stdin. --render prints the rendered
// prompt as a JSON string instead of ids.
//
// tokenizer_config.json (template, special tokens) is read from beside tokenizer.json. Errors:
// one line naming the file (or <stdin>:LINE) and the problem, exit status 1.
#include "ArtifactReader.h"
#include "artifact_generated.h"
#include "ChatTemplate.h"
#include "LineIO.h"
#include "ReadFile.h"
#include "Tokenizer.h"
#include "TokenizerConfig.h"
#include "Utf8.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <sys/stat.h>

using namespace kiln;
using namespace kiln::tokenizer;
using namespace kiln::tokenize;
using Json = nlohmann::json;

namespace {

struct Options {
  std::string tokenizer;
  bool jsonl = false, decode = false, chat = false, render = false, skipSpecial = false, stats = false;
  std::string messages, chatTemplate, generationPrompt = "auto";
};

struct Failure {
  std::string message;
};

void check(kiln_status_t status) {
  if (!status) return;
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  throw Failure{message};
}

bool isDirectory(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string jsonString(const std::string &text) {
  return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string idArray(const std::vector<int32_t> &ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]\n";
}

class Tool {
public:
  explicit Tool(const Options &options) : o_(options) {}

  int run() {
    auto started = std::chrono::steady_clock::now();
    std::string path = o_.tokenizer;
    if (isDirectory(path)) path += "/tokenizer.json";
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".kiln") == 0) {
      loadFromArtifact(path);
    } else {
      check(Tokenizer::loadFile(path, &tokenizer_));
      if (o_.chat || !o_.messages.empty()) loadTemplate(path);
    }
    loadSeconds_ = seconds(started);

    if (!o_.messages.empty()) return messagesFile();
    std::string line;
    LineReader reader(0, out_);
    auto loopStart = std::chrono::steady_clock::now();
    while (reader.next(&line)) {
      where_ = "<stdin>:" + std::to_string(reader.lineNumber());
      bytes_ += line.size();
      ++lines_;
      if (o_.decode) decodeLine(line);
      else out_.write(o_.render ? jsonString(renderText(input(line))) + "\n" : idArray(encodeLine(line)));
    }
    if (reader.failed()) throw Failure{"<stdin>: read error"};
    out_.flush();
    if (o_.stats) printStats(seconds(loopStart));
    return 0;
  }

private:
  static double seconds(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  }

  /// tokenizer.json and tokenizer_config.json from the artifact's sections, hash-checked first.
  void loadFromArtifact(const std::string &path) {
    std::unique_ptr<runtime::ArtifactReader> artifact;
    check(runtime::ArtifactReader::open(path, &artifact));
    int32_t index = artifact->header().tokenizer_section();
    if (index < 0)
      throw Failure{path + ": the artifact carries no tokenizer (its checkpoint had no "
                           "tokenizer.json)"};
    check(artifact->verifySection(static_cast<uint32_t>(index)));
    check(Tokenizer::loadJson(artifact->sectionBytes(static_cast<uint32_t>(index)),
                              path + ":tokenizer.json", &tokenizer_));
    if (!o_.chat && o_.messages.empty())
      return;
    int64_t config = artifact->findSection("tokenizer_config.json");
    if (config < 0)
      throw Failure{path + ": the artifact carries no tokenizer_config.json (--chat and "
                           "--messages need its chat template)"};
    check(artifact->verifySection(static_cast<uint32_t>(config)));
    setTemplate(artifact->sectionBytes(static_cast<uint32_t>(config)),
                path + ":tokenizer_config.json");
  }

  void loadTemplate(const std::string &tokenizerPath) {
    std::string configPath = configPathBeside(tokenizerPath);
    TokenizerConfig config;
    if (kiln_status_t status = TokenizerConfig::loadFile(configPath, &config)) {
      std::string message = kiln_status_message(status);
      kiln_status_free(status);
      throw Failure{message + " (--chat and --messages read the chat template and special tokens from "
                              "tokenizer_config.json beside tokenizer.json)"};
    }
    compileTemplate(config, configPath);
  }

  void setTemplate(std::string_view json, const std::string &configSource) {
    TokenizerConfig config;
    check(TokenizerConfig::loadJson(json, configSource, &config));
    compileTemplate(config, configSource);
  }

  void compileTemplate(const TokenizerConfig &config, const std::string &configPath) {
    std::string source = config.chatTemplate, origin = config.templateSource;
    if (!o_.chatTemplate.empty()) {
      check(readFileText(o_.chatTemplate, &source));
      origin = o_.chatTemplate;
    }
    if (source.empty()) throw Failure{configPath + ": has no chat_template (pass --chat-template FILE)"};
    check(ChatTemplate::compile(source, origin, config.specialTokens, &template_));
  }

  static kiln_status_t readFileText(const std::string &path, std::string *text) {
    return readFile(path, text);
  }

  // The line's text: itself, or the JSON string it holds (--jsonl).
  std::string input(const std::string &line) {
    if (!o_.jsonl) return sanitizeUtf8(line);
    Json value;
    try {
      value = Json::parse(line);
    } catch (const Json::exception &error) {
      throw Failure{where_ + ": not a JSON string (--jsonl): " + error.what()};
    }
    if (!value.is_string()) throw Failure{where_ + ": not a JSON string (--jsonl): " + line.substr(0, 60)};
    return value.get<std::string>();
  }

  std::string renderText(const std::string &message) {
    std::string text;
    if (kiln_status_t status = template_->renderUserTurn(message, &text)) {
      std::string error = kiln_status_message(status);
      kiln_status_free(status);
      throw Failure{where_ + ": " + error};
    }
    return text;
  }

  std::vector<int32_t> encode(const std::string &text) {
    std::vector<int32_t> ids;
    check(tokenizer_->encode(text, &ids, &context_));
    tokens_ += ids.size();
    return ids;
  }

  std::vector<int32_t> encodeLine(const std::string &line) {
    if (o_.chat) return encode(renderText(input(line)));
    if (o_.jsonl) return encode(input(line));
    return encode(line); // raw bytes: the tokenizer replaces invalid UTF-8 itself
  }

  void decodeLine(const std::string &line) {
    std::vector<int32_t> ids;
    try {
      Json value = Json::parse(line);
      if (!value.is_array()) throw Failure{where_ + ": not a JSON array of ids (--decode)"};
      for (const Json &id : value) {
        if (!id.is_number_integer()) throw Failure{where_ + ": not a JSON array of ids (--decode): " + id.dump()};
        int64_t v = id.get<int64_t>();
        if (v < 0 || v > INT32_MAX) throw Failure{where_ + ": id " + std::to_string(v) + " is not in the vocabulary"};
        ids.push_back(static_cast<int32_t>(v));
      }
    } catch (const Json::exception &error) {
      throw Failure{where_ + ": not a JSON array of ids (--decode): " + error.what()};
    }
    std::string text;
    if (kiln_status_t status = tokenizer_->decode(ids, o_.skipSpecial, &text)) {
      std::string error = kiln_status_message(status);
      kiln_status_free(status);
      throw Failure{where_ + ": " + error};
    }
    tokens_ += ids.size();
    out_.write(jsonString(text) + "\n");
  }

  int messagesFile() {
    std::string conversation, text;
    check(readFileText(o_.messages, &conversation));
    auto mode = o_.generationPrompt == "on" ? ChatTemplate::GenerationPrompt::On
                : o_.generationPrompt == "off" ? ChatTemplate::GenerationPrompt::Off
                                               : ChatTemplate::GenerationPrompt::Auto;
    check(template_->render(conversation, o_.messages, mode, &text));
    out_.write(o_.render ? jsonString(text) + "\n" : idArray(encode(text)));
    out_.flush();
    return 0;
  }

  void printStats(double loopSeconds) const {
    double mb = static_cast<double>(bytes_) / 1e6;
    std::fprintf(stderr,
                 "kiln-tokenize: loaded in %.3f s; %zu lines, %zu bytes, %zu tokens in %.3f s "
                 "(%.2f MB/s)\n",
                 loadSeconds_, lines_, bytes_, tokens_, loopSeconds, loopSeconds > 0 ? mb / loopSeconds : 0.0);
  }

  const Options &o_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<ChatTemplate> template_;
  EncodeContext context_;
  Output out_;
  std::string where_;
  size_t lines_ = 0, bytes_ = 0, tokens_ = 0;
  double loadSeconds_ = 0;
};

} // namespace

int main(int argc, char **argv) {
  Options o;
  CLI::App app{"kiln-tokenize: Kiln's tokenizer (byte-level BPE, chat templates) on stdin lines"};
  app.add_option("tokenizer", o.tokenizer, "tokenizer.json, the directory holding it, or a .kiln artifact")->required();
  app.add_flag("--jsonl", o.jsonl, "each input line is a JSON string");
  app.add_flag("--decode", o.decode, "each input line is a JSON array of ids; print the text as a JSON string");
  app.add_flag("--skip-special-tokens", o.skipSpecial, "with --decode: leave special tokens out");
  app.add_flag("--chat", o.chat, "each input line is one user message, rendered with the chat template");
  app.add_option("--messages", o.messages, "a conversation (JSON) to render and encode, instead of stdin");
  app.add_option("--chat-template", o.chatTemplate, "a Jinja template file to use instead of the model's");
  app.add_flag("--render", o.render, "with --chat/--messages: print the rendered prompt, not ids");
  app.add_option("--generation-prompt", o.generationPrompt,
                 "with --messages: auto (unless the last message is the assistant's), on, off")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  app.add_flag("--stats", o.stats, "print load time and throughput to stderr");
  CLI11_PARSE(app, argc, argv);
  if (o.decode && (o.chat || !o.messages.empty() || o.render)) {
    std::fprintf(stderr, "kiln-tokenize: error: --decode does not combine with --chat, --messages or --render\n");
    return 1;
  }
  if (o.render && !o.chat && o.messages.empty()) {
    std::fprintf(stderr, "kiln-tokenize: error: --render needs --chat or --messages\n");
    return 1;
  }
  try {
    return Tool(o).run();
  } catch (const Failure &failure) {
    std::fprintf(stderr, "kiln-tokenize: error: %s\n", failure.message.c_str());
    return 1;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "kiln-tokenize: error: %s\n", error.what());
    return 1;
  }
}
