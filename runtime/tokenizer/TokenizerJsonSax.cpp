// TokenizerJsonSax.cpp - see TokenizerJsonSax.h.
#include "TokenizerJsonSax.h"

namespace kiln::tokenizer {

namespace {

using Json = nlohmann::json;

// Forwards every event to nlohmann's tree builder except those of model.vocab and
// model.merges, which it keeps itself (the tree gets a null in their place).
class Handler : public nlohmann::json_sax<Json> {
public:
  explicit Handler(ParsedTokenizerJson &out) : out_(out), tree_(out.root, true) {}

  bool null() override { return capture() ? fail("a null") : tree_.null(); }
  bool boolean(bool v) override { return capture() ? fail("a boolean") : tree_.boolean(v); }
  bool number_integer(number_integer_t v) override {
    if (mode_ == Mode::Vocab) return addVocab(v);
    return capture() ? fail("a number") : tree_.number_integer(v);
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (mode_ == Mode::Vocab) return addVocab(static_cast<int64_t>(v));
    return capture() ? fail("a number") : tree_.number_unsigned(v);
  }
  bool number_float(number_float_t v, const string_t &s) override {
    return capture() ? fail("a number") : tree_.number_float(v, s);
  }
  bool binary(binary_t &v) override { return capture() ? fail("binary data") : tree_.binary(v); }
  bool string(string_t &v) override {
    if (mode_ == Mode::Merges) return addMergeLine(v);
    if (mode_ == Mode::MergePair) {
      pair_.push_back(std::move(v));
      return true;
    }
    return capture() ? fail("a string") : tree_.string(v);
  }
  bool key(string_t &v) override {
    if (mode_ == Mode::Vocab) {
      token_ = std::move(v);
      return true;
    }
    if (capture()) return fail("an object");
    key_ = v;
    return tree_.key(v);
  }
  bool start_object(std::size_t n) override {
    if (capture()) return fail("an object");
    if (atModelMember("vocab")) {
      mode_ = Mode::Vocab;
      out_.haveVocab = true;
      return tree_.null();
    }
    path_.push_back(key_);
    return tree_.start_object(n);
  }
  bool end_object() override {
    if (mode_ == Mode::Vocab) {
      mode_ = Mode::None;
      return true;
    }
    path_.pop_back();
    return tree_.end_object();
  }
  bool start_array(std::size_t n) override {
    if (mode_ == Mode::Merges) {
      mode_ = Mode::MergePair;
      pair_.clear();
      return true;
    }
    if (capture()) return fail("an array");
    if (atModelMember("merges")) {
      mode_ = Mode::Merges;
      out_.haveMerges = true;
      return tree_.null();
    }
    path_.push_back(key_);
    return tree_.start_array(n);
  }
  bool end_array() override {
    if (mode_ == Mode::MergePair) {
      if (pair_.size() != 2) return failMerge("is not a pair of tokens");
      out_.merges.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
      mode_ = Mode::Merges;
      return true;
    }
    if (mode_ == Mode::Merges) {
      mode_ = Mode::None;
      return true;
    }
    path_.pop_back();
    return tree_.end_array();
  }
  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &e) override {
    out_.syntaxError = e.what();
    return false;
  }

private:
  enum class Mode { None, Vocab, Merges, MergePair };
  bool capture() const { return mode_ != Mode::None; }
  // The value about to start is root.model.<name>.
  bool atModelMember(const char *name) const {
    return path_.size() == 2 && path_[1] == "model" && key_ == name;
  }
  bool fail(const std::string &what) {
    out_.error = mode_ == Mode::Vocab ? "model.vocab['" + token_ + "'] is " + what + ", not an id"
                                      : "model.merges[" + std::to_string(out_.merges.size()) + "] holds " + what;
    return false;
  }
  bool failMerge(const std::string &what) {
    out_.error = "model.merges[" + std::to_string(out_.merges.size()) + "] " + what;
    return false;
  }
  bool addVocab(int64_t id) {
    out_.vocab.emplace_back(std::move(token_), id);
    return true;
  }
  bool addMergeLine(const std::string &line) {
    size_t space = line.find(' ');
    if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
      return failMerge("is not two tokens: '" + line + "'");
    out_.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
    return true;
  }

  ParsedTokenizerJson &out_;
  nlohmann::detail::json_sax_dom_parser<Json> tree_;
  std::vector<std::string> path_{}; // the key each open container was entered by ("" in arrays)
  std::string key_, token_;
  std::vector<std::string> pair_;
  Mode mode_ = Mode::None;
};

} // namespace

void parseTokenizerJson(std::string_view text, ParsedTokenizerJson *parsed) {
  Handler handler(*parsed);
  Json::sax_parse(text.begin(), text.end(), &handler);
}

} // namespace kiln::tokenizer
