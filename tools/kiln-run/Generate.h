// Generate.h - kiln-run's text mode: prompt in, streamed text out (DESIGN.md's contract).
//
//   kiln-run model.kiln --prompt TEXT [--max-tokens N] [--temperature T] [--top-p P] [--top-k K]
//            [--repetition-penalty R] [--seed S] [--stop STR]... [--chat] [--threads N]
//
// The prompt is encoded with the tokenizer the artifact carries (tokenizer.json and
// tokenizer_config.json sections, hash-checked): a plain prompt gets BOS in front when
// tokenizer_config.json's add_bos_token says so (and it is not already there); with --chat the
// stored chat template renders one user turn with the generation prompt, and its ids are used as
// they are (the template writes the one BOS, as transformers' apply_chat_template(tokenize=True)).
// The prompt goes through prefill in chunks of the plan's max_tokens, then one token at a time
// through decode, each picked by the Sampler (greedy at temperature 0, the default). Text is
// written to stdout as it comes, flushed after every token, through the tokenizer's streaming
// decoder (never part of a UTF-8 character; special tokens not shown) and the stop strings'
// hold-back (never part of a stop string). Generation ends at an EOS id (the model facts'
// eos_token_id and tokenizer_config.json's eos_token), a stop string, --max-tokens, or the
// artifact's max_seq_len. One statistics line then goes to stderr (wrapped here):
//
//   kiln-run: load 190.2 ms; prompt 11 tokens, prefill 107.0 ms (103 tok/s); first token
//   107.2 ms; generated 48 tokens, decode 516.7 ms (91 tok/s); stop: max-tokens
//
// load: artifact, tokenizer and session; first token: from the start of prefill; decode: from
// the first token to the last (generated - 1 tokens); stop: eos, stop-string, max-tokens or
// max-seq-len. Errors are Failures (one line, exit 1).
#ifndef KILN_TOOLS_KILN_RUN_GENERATE_H
#define KILN_TOOLS_KILN_RUN_GENERATE_H

#include "Sampler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::run {

struct GenerateOptions {
  std::string prompt;
  bool chat = false;
  int64_t maxTokens = 64;
  sampling::SamplingConfig sampling = greedy();
  std::vector<std::string> stops;
  unsigned threads = 0; // 0: $KILN_NUM_THREADS or every hardware thread

  static sampling::SamplingConfig greedy() {
    sampling::SamplingConfig config;
    config.temperature = 0.0;
    return config;
  }
};

/// Generates and streams; returns the exit status (0). Throws Failure.
int generate(const std::string &artifact, const GenerateOptions &options);

/// Option values as text, checked here so every bad value is one line naming the option:
/// "--top-p: must be in (0, 1], not '1.5'". Each throws Failure.
int64_t parseCount(const std::string &option, const std::string &text);       // >= 0
double parseNonNegative(const std::string &option, const std::string &text);  // finite, >= 0
double parsePositive(const std::string &option, const std::string &text);     // finite, > 0
double parseProbability(const std::string &option, const std::string &text);  // (0, 1]
uint64_t parseSeed(const std::string &option, const std::string &text);       // 0 .. 2^64-1

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_GENERATE_H
