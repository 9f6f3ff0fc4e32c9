// kiln-run - run a .kiln artifact (DESIGN.md's command-line contract).
//
//   kiln-run model.kiln --prompt TEXT [--max-tokens N] [--temperature T] [--top-p P] [--top-k K]
//            [--repetition-penalty R] [--seed S] [--stop STR]... [--chat] [--threads N]
//   kiln-run model.kiln --input-ids 1,2,3 [--prefill-len P] --logits-out out.npy [--threads N]
//
// --prompt: text in, text out, streamed to stdout, statistics to stderr (Generate.h).
//
// --input-ids: writes the float32 logits of every input position as .npy [S, vocab], no
// sampling: the numerics interface of the end-to-end tests. Without --prefill-len all tokens go
// through the prefill plan (in chunks of the plan's max_tokens); with P the first P go through
// prefill and the rest one by one through decode (teacher forcing). Several sequences, separated
// by ';', each get a sequence slot and are prefilled separately (P clamped to each one's length);
// the rest of all of them then goes through batched decode steps, one token of every sequence
// still running per step. The .npy holds sequence 0's rows, then sequence 1's, ...
//
// Threads: --threads, else $KILN_NUM_THREADS, else every hardware thread. Errors: one line
// "kiln-run: <file>: <problem>" (or "kiln-run: --option: <problem>"), exit status 1; the .npy
// is written to a temporary file and renamed, so a failure leaves nothing.
#include "Bench.h"
#include "Failure.h"
#include "Generate.h"
#include "InputIds.h"
#include "NpyWriter.h"
#include "Session.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <new>
#include <string>
#include <vector>

using kiln::engine::DecodeToken;
using kiln::engine::LogitsView;
using kiln::engine::Session;
using kiln::run::check;
using kiln::run::Failure;

namespace {

struct Options {
  std::string artifact, inputIds, logitsOut;
  int64_t prefillLen = 0; // 0: every token through prefill
  int64_t threads = 0;    // 0: $KILN_NUM_THREADS or every hardware thread
};

void appendRows(const LogitsView &logits, uint32_t first, uint32_t count,
                std::vector<float> *rows) {
  rows->insert(rows->end(), logits.row(first), logits.row(first + count));
}

/// Refuses what the artifact cannot run before anything runs, naming the sequence.
void checkSequences(const Session &session, const std::vector<std::vector<int32_t>> &sequences) {
  const std::string &file = session.path();
  if (sequences.size() > session.maxBatch())
    throw Failure{file + ": " + std::to_string(sequences.size()) +
                  " sequences, more than the artifact's max_batch of " +
                  std::to_string(session.maxBatch()) +
                  "; recompile with kiln-compile --max-batch N (larger)"};
  for (size_t s = 0; s < sequences.size(); ++s) {
    const std::string which = sequences.size() > 1 ? "sequence " + std::to_string(s) + " "
                                                   : "the sequence ";
    if (sequences[s].size() > session.maxSeqLen())
      throw Failure{file + ": " + which + "has " + std::to_string(sequences[s].size()) +
                    " tokens, more than the artifact's max_seq_len of " +
                    std::to_string(session.maxSeqLen()) +
                    "; recompile with kiln-compile --max-seq-len N (larger)"};
    for (size_t i = 0; i < sequences[s].size(); ++i)
      if (sequences[s][i] < 0 || static_cast<uint32_t>(sequences[s][i]) >= session.vocabSize())
        throw Failure{file + ": token id " + std::to_string(sequences[s][i]) + " (" + which +
                      "position " + std::to_string(i) + ") is outside the vocabulary (" +
                      std::to_string(session.vocabSize()) + " tokens)"};
  }
}

/// Logits of every position of every sequence: prefill of each sequence's first
/// `prefillLens[s]` tokens, then batched decode steps over the rest.
std::vector<std::vector<float>> teacherForce(Session &session,
                                             const std::vector<std::vector<int32_t>> &sequences,
                                             const std::vector<size_t> &prefillLens) {
  std::vector<std::vector<float>> rows(sequences.size());
  LogitsView logits;
  for (size_t s = 0; s < sequences.size(); ++s) {
    const auto slot = static_cast<uint32_t>(s);
    for (size_t start = 0; start < prefillLens[s]; start += session.maxPrefillTokens()) {
      size_t count = std::min<size_t>(session.maxPrefillTokens(), prefillLens[s] - start);
      check(session.prefill(slot, sequences[s].data() + start, count,
                            static_cast<uint32_t>(start), &logits));
      appendRows(logits, 0, logits.rows, &rows[s]);
    }
  }
  size_t longest = 0;
  for (const auto &sequence : sequences)
    longest = std::max(longest, sequence.size());
  for (size_t position = 0; position < longest; ++position) {
    // One token of every sequence that is past its prefill and not finished.
    std::vector<std::pair<size_t, DecodeToken>> step;
    for (size_t s = 0; s < sequences.size(); ++s)
      if (position >= prefillLens[s] && position < sequences[s].size())
        step.push_back({s, DecodeToken{static_cast<uint32_t>(s), sequences[s][position],
                                       static_cast<uint32_t>(position)}});
    for (size_t first = 0; first < step.size(); first += session.maxDecodeBatch()) {
      size_t count = std::min<size_t>(session.maxDecodeBatch(), step.size() - first);
      std::vector<DecodeToken> batch;
      for (size_t i = first; i < first + count; ++i)
        batch.push_back(step[i].second);
      check(session.decode(batch, &logits));
      for (size_t i = 0; i < count; ++i)
        appendRows(logits, static_cast<uint32_t>(i), 1, &rows[step[first + i].first]);
    }
  }
  return rows;
}

int run(const Options &options) {
  std::vector<std::vector<int32_t>> sequences;
  std::string problem;
  if (!kiln::run::parseInputIds(options.inputIds, &sequences, &problem))
    throw Failure{"--input-ids: " + problem};
  size_t longest = 0;
  for (const auto &sequence : sequences)
    longest = std::max(longest, sequence.size());
  if (options.threads < 0 || options.threads > kiln::engine::kMaxThreads)
    throw Failure{"--threads: must be between 1 and " +
                  std::to_string(kiln::engine::kMaxThreads)};
  std::vector<size_t> prefillLens;
  for (const auto &sequence : sequences)
    prefillLens.push_back(options.prefillLen > 0
                              ? std::min<size_t>(sequence.size(),
                                                 static_cast<size_t>(options.prefillLen))
                              : sequence.size());
  if (options.prefillLen > 0 && static_cast<size_t>(options.prefillLen) > longest)
    throw Failure{"--prefill-len: " + std::to_string(options.prefillLen) +
                  " is longer than the longest sequence (" + std::to_string(longest) +
                  " tokens)"};

  kiln::engine::SessionOptions sessionOptions;
  sessionOptions.threads = static_cast<unsigned>(options.threads);
  std::unique_ptr<Session> session;
  check(Session::open(options.artifact, sessionOptions, &session));
  checkSequences(*session, sequences);
  std::vector<std::vector<float>> rows = teacherForce(*session, sequences, prefillLens);
  if (!kiln::run::writeNpyAtomically(options.logitsOut, rows, session->vocabSize(), &problem))
    throw Failure{problem};
  return 0;
}

/// The text-mode options as given (checked after parsing, so each error names its option).
struct TextOptions {
  std::string prompt, maxTokens, temperature, topP, topK, repetitionPenalty, seed;
  std::vector<std::string> stops;
  bool chat = false;
};

kiln::run::GenerateOptions generateOptions(const TextOptions &text, int64_t threads) {
  using namespace kiln::run;
  GenerateOptions options;
  options.prompt = text.prompt;
  options.chat = text.chat;
  options.stops = text.stops;
  options.threads = static_cast<unsigned>(threads);
  if (!text.maxTokens.empty())
    options.maxTokens = parseCount("--max-tokens", text.maxTokens);
  if (!text.temperature.empty())
    options.sampling.temperature = parseNonNegative("--temperature", text.temperature);
  if (!text.topP.empty())
    options.sampling.topP = parseProbability("--top-p", text.topP);
  if (!text.topK.empty())
    options.sampling.topK = parseCount("--top-k", text.topK);
  if (!text.repetitionPenalty.empty())
    options.sampling.repetitionPenalty =
        parsePositive("--repetition-penalty", text.repetitionPenalty);
  if (!text.seed.empty())
    options.sampling.seed = parseSeed("--seed", text.seed);
  return options;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"kiln-run: run a Kiln artifact on the CPU"};
  Options options;
  TextOptions text;
  bool prefillLenGiven = false;
  app.add_option("artifact", options.artifact, "the .kiln file")->required();
  auto *prompt = app.add_option("--prompt", text.prompt,
                                "generate text from this prompt, streamed to stdout "
                                "(statistics to stderr)");
  std::vector<CLI::Option *> textOnly = {
      app.add_option("--max-tokens", text.maxTokens, "with --prompt: most tokens to generate "
                                                     "(default 64)")
          ->type_name("N"),
      app.add_option("--temperature", text.temperature,
                     "with --prompt: sampling temperature; 0 is greedy (default 0)")
          ->type_name("T"),
      app.add_option("--top-p", text.topP, "with --prompt: nucleus sampling, in (0, 1] "
                                           "(default 1: off)")
          ->type_name("P"),
      app.add_option("--top-k", text.topK, "with --prompt: keep the k most likely tokens "
                                           "(default 0: off)")
          ->type_name("K"),
      app.add_option("--repetition-penalty", text.repetitionPenalty,
                     "with --prompt: > 0, 1 is off (default 1)")
          ->type_name("R"),
      app.add_option("--seed", text.seed, "with --prompt: the sampler's seed (default 0)")
          ->type_name("S"),
      app.add_option("--stop", text.stops, "with --prompt: stop at this text (repeatable)")
          ->type_name("STR")
          ->expected(1)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll),
      app.add_flag("--chat", text.chat,
                   "with --prompt: render it as one user turn with the artifact's chat template"),
  };
  auto *inputIds = app.add_option("--input-ids", options.inputIds,
                                  "token ids, comma separated; several sequences separated by ';'");
  auto *prefillLen = app.add_option("--prefill-len", options.prefillLen,
                                    "tokens of each sequence that go through prefill; the rest "
                                    "go one by one through decode (default: all)");
  auto *logitsOut = app.add_option(
      "--logits-out", options.logitsOut,
      "with --input-ids: write the float32 logits of every position here (.npy [tokens, vocab])");
  auto *threads = app.add_option("--threads", options.threads,
                                 "CPU threads (default: $KILN_NUM_THREADS, else every core)");
  kiln::run::BenchOptions benchOptions;
  auto *bench = app.add_flag("--bench", "print prefill and decode tokens/s (random tokens)");
  std::vector<CLI::Option *> benchOnly = {
      app.add_option("--batch", benchOptions.batch, "with --bench: sequences (default 1)"),
      app.add_option("--prompt-len", benchOptions.promptLen,
                     "with --bench: prompt tokens per sequence (default 128)"),
      app.add_option("--gen-len", benchOptions.genLen,
                     "with --bench: decode steps (default 32)"),
      app.add_option("--repeats", benchOptions.repeats,
                     "with --bench: runs, the best is reported (default 3)"),
      app.add_option("--json", benchOptions.json, "with --bench: also write the results here"),
  };
  try {
    app.parse(argc, argv);
    if (threads->count() > 0 && (options.threads < 1 || options.threads > kiln::engine::kMaxThreads))
      throw Failure{"--threads: must be between 1 and " +
                    std::to_string(kiln::engine::kMaxThreads)};
    if (bench->count() > 0) {
      for (CLI::Option *option : {prompt, inputIds, prefillLen, logitsOut})
        if (option->count() > 0)
          throw Failure{"--bench and " + option->get_name() + " do not combine"};
      benchOptions.threads = static_cast<unsigned>(options.threads);
      return kiln::run::bench(options.artifact, benchOptions);
    }
    for (CLI::Option *option : benchOnly)
      if (option->count() > 0)
        throw Failure{option->get_name() + " needs --bench"};
    if (prompt->count() > 0) {
      for (CLI::Option *option : {inputIds, prefillLen, logitsOut})
        if (option->count() > 0)
          throw Failure{"--prompt and " + option->get_name() +
                        " do not combine (--prompt generates text; --input-ids [--prefill-len] "
                        "--logits-out writes logits)"};
      return kiln::run::generate(options.artifact, generateOptions(text, options.threads));
    }
    for (CLI::Option *option : textOnly)
      if (option->count() > 0)
        throw Failure{option->get_name() + " needs --prompt"};
    if (inputIds->count() == 0)
      throw Failure{logitsOut->count() > 0 || prefillLen->count() > 0
                        ? "--input-ids is required"
                        : "--prompt TEXT (generate text) or --input-ids IDS --logits-out FILE "
                          "(write logits) is required"};
    if (logitsOut->count() == 0)
      throw Failure{"--logits-out is required"};
    prefillLenGiven = prefillLen->count() > 0;
    if (prefillLenGiven && options.prefillLen < 1)
      throw Failure{"--prefill-len: must be at least 1"};
    return run(options);
  } catch (const CLI::ParseError &error) {
    if (error.get_exit_code() == 0)
      return app.exit(error);
    std::fprintf(stderr, "kiln-run: %s\n", error.what());
    return 1;
  } catch (const Failure &failure) {
    std::fflush(stdout);
    std::fprintf(stderr, "kiln-run: %s\n", failure.message.c_str());
    return 1;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "kiln-run: out of memory\n");
    return 1;
  }
}
