// TokenizerJson.cpp - builds a Tokenizer from tokenizer.json, checking that every component
// is one Kiln implements exactly; anything else is refused by name rather than approximated.
#include "ByteLevel.h"
#include "ReadFile.h"
#include "Tokenizer.h"
#include "TokenizerJsonSax.h"

#include <nlohmann/json.hpp>

namespace kiln::tokenizer {

namespace {

using Json = nlohmann::json;

// Thrown inside the loader only; load() turns it into a status.
struct LoadError {
  kiln_status_code_t code;
  std::string message;
};

[[noreturn]] void unsupported(const std::string &what) {
  throw LoadError{KILN_STATUS_UNIMPLEMENTED, what + " is not supported (Kiln implements "
                                             "byte-level BPE as DeepSeek's tokenizers use it)"};
}
[[noreturn]] void malformed(const std::string &what) {
  throw LoadError{KILN_STATUS_INVALID_ARGUMENT, what};
}

std::string typeOf(const Json &node) {
  if (!node.is_object() || !node.contains("type") || !node["type"].is_string()) return "";
  return node["type"].get<std::string>();
}

bool isNullOrEmptyString(const Json &node, const char *key) {
  return !node.contains(key) || node[key].is_null() ||
         (node[key].is_string() && node[key].get<std::string>().empty());
}

// Only the identity: null, or (nested) Sequences with no normalizer in them.
void checkNormalizer(const Json &node) {
  if (node.is_null()) return;
  if (typeOf(node) != "Sequence") unsupported("normalizer " + typeOf(node));
  for (const Json &inner : node.at("normalizers")) checkNormalizer(inner);
}

std::string escapeLiteral(const std::string &text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}-/").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

void addSplit(PreTokenizer &pre, const Json &node) {
  std::string behavior = node.value("behavior", "");
  if (behavior != "Isolated") unsupported("Split behavior '" + behavior + "'");
  if (node.value("invert", false)) unsupported("Split with invert=true");
  const Json &pattern = node.at("pattern");
  std::string regex;
  if (pattern.contains("Regex")) regex = pattern["Regex"].get<std::string>();
  else if (pattern.contains("String")) regex = escapeLiteral(pattern["String"].get<std::string>());
  else malformed("pre_tokenizer Split has no Regex or String pattern");
  std::string error;
  if (!pre.addSplit(regex, &error)) malformed("pre_tokenizer pattern /" + regex + "/: " + error);
}

// Split steps, then ByteLevel last (required: the vocabulary is spelled in its characters).
void buildPreTokenizer(PreTokenizer &pre, const Json &node) {
  std::vector<Json> steps;
  if (typeOf(node) == "Sequence") steps.assign(node.at("pretokenizers").begin(), node.at("pretokenizers").end());
  else if (!node.is_null()) steps.push_back(node);
  if (steps.empty() || typeOf(steps.back()) != "ByteLevel")
    unsupported("a pre_tokenizer that does not end in ByteLevel");
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    if (typeOf(steps[i]) != "Split") unsupported("pre_tokenizer " + typeOf(steps[i]));
    addSplit(pre, steps[i]);
  }
  const Json &byteLevel = steps.back();
  if (byteLevel.value("add_prefix_space", false)) unsupported("ByteLevel add_prefix_space=true");
  std::string error;
  if (byteLevel.value("use_regex", true) && !pre.addSplit(kGpt2SplitPattern, &error))
    malformed("GPT-2 split pattern: " + error);
}

PairMap buildMerges(const std::vector<std::pair<std::string, std::string>> &merges,
                    const StringIdMap &vocab) {
  PairMap map;
  map.reserve(merges.size());
  std::string joined;
  auto idOf = [&](const std::string &token, size_t line) {
    int32_t id = vocab.find(token);
    if (id < 0)
      malformed("model.merges[" + std::to_string(line) + "] names '" + token +
                "', which is not in model.vocab");
    return id;
  };
  for (size_t i = 0; i < merges.size(); ++i) {
    const auto &[left, right] = merges[i];
    int32_t leftId = idOf(left, i), rightId = idOf(right, i);
    joined.assign(left).append(right);
    int32_t merged = vocab.find(joined);
    if (merged < 0)
      malformed("model.merges[" + std::to_string(i) + "]: the merged token '" + joined + "' is not in model.vocab");
    map.insert(leftId, rightId, Merge{static_cast<uint32_t>(i), merged});
  }
  return map;
}

} // namespace

class TokenizerLoader {
public:
  static void build(ParsedTokenizerJson &parsed, Tokenizer &t) {
    const Json &root = parsed.root;
    if (!root.is_object()) malformed("not a tokenizer (the top level is not an object)");
    if (!root.contains("model")) malformed("not a tokenizer (no \"model\")");
    const Json &model = root["model"];
    std::string type = typeOf(model);
    if (type.empty() && model.contains("merges")) type = "BPE";
    if (type != "BPE") unsupported("model type '" + type + "'");
    if (model.contains("dropout") && !model["dropout"].is_null()) unsupported("BPE dropout");
    if (model.value("byte_fallback", false)) unsupported("BPE byte_fallback");
    if (!isNullOrEmptyString(model, "continuing_subword_prefix"))
      unsupported("BPE continuing_subword_prefix");
    if (!isNullOrEmptyString(model, "end_of_word_suffix")) unsupported("BPE end_of_word_suffix");
    checkNormalizer(root.value("normalizer", Json()));
    buildPreTokenizer(t.preTokenizer_, root.value("pre_tokenizer", Json()));
    const Json decoder = root.value("decoder", Json());
    if (typeOf(decoder) != "ByteLevel") unsupported("decoder '" + typeOf(decoder) + "'");

    if (!parsed.haveVocab) malformed("model.vocab is missing or not an object");
    if (!parsed.haveMerges) malformed("model.merges is missing or not a list");
    StringIdMap vocab;
    vocab.reserve(parsed.vocab.size());
    int32_t maxId = -1;
    for (auto &[token, id] : parsed.vocab) {
      if (id < 0 || id > INT32_MAX) malformed("model.vocab['" + token + "'] has the id " + std::to_string(id));
      vocab.insertOrAssign(token, static_cast<int32_t>(id)); // a repeated key: the last wins
      maxId = std::max(maxId, static_cast<int32_t>(id));
    }
    parsed.vocab.clear();
    PairMap merges = buildMerges(parsed.merges, vocab);
    std::array<int32_t, 256> byteIds;
    for (int b = 0; b < 256; ++b) {
      byteIds[b] = vocab.find(ByteLevel::instance().utf8For(static_cast<uint8_t>(b)));
    }

    std::vector<AddedToken> added;
    for (const Json &entry : root.value("added_tokens", Json::array())) {
      AddedToken token;
      token.id = entry.at("id").get<int32_t>();
      token.content = entry.at("content").get<std::string>();
      token.special = entry.value("special", false);
      token.normalized = entry.value("normalized", !token.special);
      if (token.id < 0) malformed("added token '" + token.content + "' has a negative id");
      for (const char *flag : {"lstrip", "rstrip", "single_word"})
        if (entry.value(flag, false))
          unsupported("added token '" + token.content + "' with " + flag + "=true");
      added.push_back(token);
      maxId = std::max(maxId, token.id);
    }

    std::vector<std::string> tokens(static_cast<size_t>(maxId) + 1);
    std::vector<bool> special(tokens.size(), false);
    vocab.forEach([&](std::string_view token, int32_t id) { tokens[id] = std::string(token); });
    for (const AddedToken &token : added) {
      tokens[token.id] = token.content; // an added token's content wins, as in `tokenizers`
      special[token.id] = token.special;
      t.added_.add(token);
      t.addedIds_[token.content] = token.id;
    }
    t.decoder_ = std::make_unique<Decoder>(tokens, std::move(special));
    t.bpe_ = std::make_unique<Bpe>(std::move(vocab), byteIds, std::move(merges),
                                   model.value("ignore_merges", false));
  }
};

kiln_status_t Tokenizer::loadJson(std::string_view json, const std::string &source,
                                  std::unique_ptr<Tokenizer> *tokenizer) {
  std::unique_ptr<Tokenizer> t(new Tokenizer);
  t->source_ = source;
  try {
    ParsedTokenizerJson parsed;
    parseTokenizerJson(json, &parsed);
    if (!parsed.syntaxError.empty()) malformed("not JSON: " + parsed.syntaxError);
    if (!parsed.error.empty()) malformed(parsed.error);
    TokenizerLoader::build(parsed, *t);
  } catch (const LoadError &error) {
    return kiln_status_make(error.code, (source + ": " + error.message).c_str());
  } catch (const Json::parse_error &error) {
    std::string message = source + ": not JSON: " + error.what();
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  } catch (const Json::exception &error) {
    std::string message = source + ": not a valid tokenizer.json: " + error.what();
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  } catch (const std::bad_alloc &) {
    return kiln_status_make(KILN_STATUS_RESOURCE_EXHAUSTED, (source + ": out of memory").c_str());
  }
  *tokenizer = std::move(t);
  return nullptr;
}

kiln_status_t Tokenizer::loadFile(const std::string &path, std::unique_ptr<Tokenizer> *tokenizer) {
  std::string text;
  if (kiln_status_t status = readFile(path, &text)) return status;
  return loadJson(text, path, tokenizer);
}

} // namespace kiln::tokenizer
