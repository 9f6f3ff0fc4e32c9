// Generate.cpp - kiln-run --prompt (see Generate.h).
#include "Generate.h"

#include "ArtifactReader.h"
#include "ChatTemplate.h"
#include "Failure.h"
#include "Session.h"
#include "StopCondition.h"
#include "Tokenizer.h"
#include "TokenizerConfig.h"
#include "Utf8.h"
#include "artifact_generated.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sys/stat.h>

namespace kiln::run {

using engine::DecodeToken;
using engine::LogitsView;
using engine::Session;
using tokenizer::ChatTemplate;
using tokenizer::StreamDecoder;
using tokenizer::Tokenizer;
using tokenizer::TokenizerConfig;
using Clock = std::chrono::steady_clock;

//===----------------------------------------------------------------------===//
// Option values
//===----------------------------------------------------------------------===//

namespace {

[[noreturn]] void bad(const std::string &option, const std::string &what, const std::string &text) {
  throw Failure{option + ": must be " + what + ", not '" + text + "'"};
}

bool parseDouble(const std::string &text, double *value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  char *end = nullptr;
  errno = 0;
  *value = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && std::isfinite(*value);
}

bool parseUnsigned(const std::string &text, uint64_t *value) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long parsed = std::strtoull(text.c_str(), &end, 10);
  *value = parsed;
  return *end == '\0' && errno != ERANGE;
}

} // namespace

int64_t parseCount(const std::string &option, const std::string &text) {
  uint64_t value = 0;
  if (!parseUnsigned(text, &value) || value > static_cast<uint64_t>(INT64_MAX))
    bad(option, "a whole number >= 0", text);
  return static_cast<int64_t>(value);
}

double parseNonNegative(const std::string &option, const std::string &text) {
  double value = 0;
  if (!parseDouble(text, &value) || value < 0)
    bad(option, "a number >= 0", text);
  return value;
}

double parsePositive(const std::string &option, const std::string &text) {
  double value = 0;
  if (!parseDouble(text, &value) || !(value > 0))
    bad(option, "a number > 0", text);
  return value;
}

double parseProbability(const std::string &option, const std::string &text) {
  double value = 0;
  if (!parseDouble(text, &value) || !(value > 0 && value <= 1))
    bad(option, "a number in (0, 1]", text);
  return value;
}

uint64_t parseSeed(const std::string &option, const std::string &text) {
  uint64_t value = 0;
  if (!parseUnsigned(text, &value))
    bad(option, "a whole number from 0 to 18446744073709551615", text);
  return value;
}

//===----------------------------------------------------------------------===//
// The artifact's tokenizer
//===----------------------------------------------------------------------===//

namespace {

/// What the artifact says about text: the tokenizer, BOS/EOS, the chat template.
struct TextModel {
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<ChatTemplate> chatTemplate;
  bool addBos = false;
  int32_t bos = -1;
  std::vector<int32_t> eos;
};

/// The model facts (kiln.model): key -> fact.
std::map<std::string, const artifact::ModelFact *> modelFacts(const runtime::ArtifactReader &reader) {
  std::map<std::string, const artifact::ModelFact *> facts;
  if (const auto *model = reader.header().model())
    for (const artifact::ModelFact *fact : *model)
      facts[fact->key()->str()] = fact;
  return facts;
}

TextModel loadTextModel(const std::string &path, bool chat) {
  std::unique_ptr<runtime::ArtifactReader> reader;
  check(runtime::ArtifactReader::open(path, &reader));
  TextModel text;
  int32_t index = reader->header().tokenizer_section();
  if (index < 0)
    throw Failure{path + ": the artifact carries no tokenizer (its checkpoint had no "
                         "tokenizer.json); --prompt needs one (--input-ids does not)"};
  check(reader->verifySection(static_cast<uint32_t>(index)));
  check(Tokenizer::loadJson(reader->sectionBytes(static_cast<uint32_t>(index)),
                            path + ":tokenizer.json", &text.tokenizer));

  // tokenizer_config.json when the checkpoint had one; the model facts otherwise.
  auto facts = modelFacts(*reader);
  auto factString = [&](const char *key) -> std::string {
    auto it = facts.find(key);
    return it != facts.end() && it->second->kind() == artifact::FactKind::String &&
                   it->second->string_value()
               ? it->second->string_value()->str()
               : std::string();
  };
  auto factInt = [&](const char *key) -> int64_t {
    auto it = facts.find(key);
    return it != facts.end() && it->second->kind() == artifact::FactKind::Int
               ? it->second->int_value()
               : -1;
  };
  TokenizerConfig config;
  bool haveConfig = false;
  if (int64_t section = reader->findSection("tokenizer_config.json"); section >= 0) {
    check(reader->verifySection(static_cast<uint32_t>(section)));
    check(TokenizerConfig::loadJson(reader->sectionBytes(static_cast<uint32_t>(section)),
                                    path + ":tokenizer_config.json", &config));
    haveConfig = true;
  } else {
    for (const char *name : {"bos_token", "eos_token"})
      if (std::string token = factString(name); !token.empty())
        config.specialTokens[name] = token;
    auto addBos = facts.find("add_bos_token");
    config.addBosToken = addBos != facts.end() &&
                         addBos->second->kind() == artifact::FactKind::Bool &&
                         addBos->second->bool_value();
    config.chatTemplate = factString("chat_template");
    config.templateSource = path + ": chat_template";
  }
  text.addBos = config.addBosToken;

  // BOS: the config's token string, else the model's bos_token_id. EOS: both.
  int32_t vocab = static_cast<int32_t>(text.tokenizer->vocabSize());
  std::string bosToken = config.token("bos_token");
  text.bos = bosToken.empty() ? -1 : text.tokenizer->tokenId(bosToken);
  if (text.bos < 0 && factInt("bos_token_id") >= 0 && factInt("bos_token_id") < vocab)
    text.bos = static_cast<int32_t>(factInt("bos_token_id"));
  if (int64_t id = factInt("eos_token_id"); id >= 0 && id <= INT32_MAX)
    text.eos.push_back(static_cast<int32_t>(id));
  if (std::string eosToken = config.token("eos_token"); !eosToken.empty())
    if (int32_t id = text.tokenizer->tokenId(eosToken);
        id >= 0 && std::find(text.eos.begin(), text.eos.end(), id) == text.eos.end())
      text.eos.push_back(id);

  if (chat) {
    if (config.chatTemplate.empty())
      throw Failure{path + ": the artifact's tokenizer has no chat template" +
                    std::string(haveConfig ? " (tokenizer_config.json has no chat_template)"
                                           : " (no tokenizer_config.json)") +
                    "; --chat needs one"};
    check(ChatTemplate::compile(config.chatTemplate, config.templateSource,
                                config.specialTokens, &text.chatTemplate));
  }
  return text;
}

std::vector<int32_t> promptIds(const TextModel &text, const GenerateOptions &options) {
  std::vector<int32_t> ids;
  if (options.chat) {
    std::string rendered;
    check(text.chatTemplate->renderUserTurn(tokenizer::sanitizeUtf8(options.prompt), &rendered));
    // The template writes BOS itself: its ids are the prompt, BOS once.
    check(text.tokenizer->encode(rendered, &ids));
    return ids;
  }
  check(text.tokenizer->encode(options.prompt, &ids));
  if (text.addBos && text.bos >= 0 && (ids.empty() || ids.front() != text.bos))
    ids.insert(ids.begin(), text.bos);
  return ids;
}

//===----------------------------------------------------------------------===//
// Streaming
//===----------------------------------------------------------------------===//

class Output {
public:
  void write(const std::string &text) {
    if (text.empty())
      return;
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout))
      throw Failure{"<stdout>: write error"};
    lastNewline_ = text.back() == '\n';
    wrote_ = true;
  }
  /// Where stdout and stderr are one place (a terminal, 2>&1), the text's last line is ended so
  /// the statistics start on their own; stdout alone (a file, a pipe) gets exactly the text.
  void end() {
    struct stat out {}, err {};
    if (wrote_ && !lastNewline_ && ::fstat(1, &out) == 0 && ::fstat(2, &err) == 0 &&
        out.st_dev == err.st_dev && out.st_ino == err.st_ino)
      write("\n");
    std::fflush(stdout);
  }

private:
  bool wrote_ = false, lastNewline_ = false;
};

double milliseconds(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string tokens(size_t n) { return std::to_string(n) + (n == 1 ? " token" : " tokens"); }

std::string rate(double tokens, double ms) {
  return ms > 0 ? fixed(tokens * 1000.0 / ms, 0) + " tok/s" : "- tok/s";
}

} // namespace

//===----------------------------------------------------------------------===//
// Generation
//===----------------------------------------------------------------------===//

int generate(const std::string &path, const GenerateOptions &options) {
  const Clock::time_point started = Clock::now();
  if (std::string problem = options.sampling.validate(); !problem.empty())
    throw Failure{"sampling: " + problem};
  TextModel text = loadTextModel(path, options.chat);
  std::vector<int32_t> prompt = promptIds(text, options);
  if (prompt.empty())
    throw Failure{"--prompt: the prompt is empty (no tokens), and the tokenizer adds no BOS"};

  engine::SessionOptions sessionOptions;
  sessionOptions.threads = options.threads;
  std::unique_ptr<Session> session;
  check(Session::open(path, sessionOptions, &session));
  if (prompt.size() > session->maxSeqLen())
    throw Failure{path + ": the prompt is " + std::to_string(prompt.size()) +
                  " tokens, more than the artifact's max_seq_len of " +
                  std::to_string(session->maxSeqLen()) +
                  "; recompile with kiln-compile --max-seq-len N (larger), or shorten it"};
  const Clock::time_point loaded = Clock::now();

  // Prefill, in chunks of the plan's max_tokens; the last row's logits give the first token.
  LogitsView logits;
  for (size_t start = 0; start < prompt.size(); start += session->maxPrefillTokens()) {
    size_t count = std::min<size_t>(session->maxPrefillTokens(), prompt.size() - start);
    check(session->prefill(0, prompt.data() + start, count, static_cast<uint32_t>(start),
                           &logits));
  }
  const Clock::time_point prefilled = Clock::now();

  sampling::Sampler sampler(options.sampling);
  sampling::StopCondition stop(text.eos, options.stops);
  StreamDecoder stream(text.tokenizer->decoder(), /*skipSpecial=*/true);
  Output out;
  std::vector<int32_t> history = prompt;
  const float *row = logits.row(logits.rows - 1);
  const size_t vocab = std::min<size_t>(session->vocabSize(), logits.vocab);
  uint32_t position = static_cast<uint32_t>(prompt.size());
  int64_t generated = 0;
  Clock::time_point firstToken = prefilled;
  std::string reason = "max-tokens";
  while (generated < options.maxTokens) {
    int32_t id = sampler.sample(row, vocab, history);
    ++generated;
    history.push_back(id);
    if (generated == 1)
      firstToken = Clock::now();
    if (stop.isEos(id)) {
      reason = "eos";
      break;
    }
    // Ids the tokenizer does not know (padding rows of the vocabulary) show nothing.
    if (text.tokenizer->decoder().known(id))
      out.write(stop.push(stream.push(id)));
    if (stop.stopped()) {
      reason = "stop-string";
      break;
    }
    if (generated == options.maxTokens)
      break;
    if (position >= session->maxSeqLen()) {
      reason = "max-seq-len";
      break;
    }
    check(session->decode({DecodeToken{0, id, position}}, &logits));
    ++position;
    row = logits.row(0);
  }
  if (!stop.stopped()) {
    out.write(stop.push(stream.finish()));
    out.write(stop.finish());
    if (stop.stopped())
      reason = "stop-string";
  }
  out.end();
  const Clock::time_point finished = Clock::now();

  double prefillMs = milliseconds(prefilled - loaded);
  double decodeMs = milliseconds(finished - firstToken);
  std::string line = "kiln-run: load " + fixed(milliseconds(loaded - started), 1) + " ms; prompt " +
                     tokens(prompt.size()) + ", prefill " + fixed(prefillMs, 1) +
                     " ms (" + rate(static_cast<double>(prompt.size()), prefillMs) + ")";
  if (generated > 0)
    line += "; first token " + fixed(milliseconds(firstToken - loaded), 1) + " ms";
  line += "; generated " + tokens(static_cast<size_t>(generated));
  if (generated > 1)
    line += ", decode " + fixed(decodeMs, 1) + " ms (" +
            rate(static_cast<double>(generated - 1), decodeMs) + ")";
  line += "; stop: " + reason + "\n";
  std::fputs(line.c_str(), stderr);
  return 0;
}

} // namespace kiln::run
