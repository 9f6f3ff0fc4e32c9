// kiln-bench-openblas - the CPU path's baseline: DeepSeek V2 / V2-Lite's forward pass in f32
// with OpenBLAS for every matrix product (Model.h), read straight from a Hugging Face checkpoint.
//
//   kiln-bench-openblas CHECKPOINT_DIR --bench [--threads T] [--prompt-len P] [--gen-len G]
//                       [--repeats R] [--prefill-chunk C] [--json FILE] [--prefill-attention F]
//   kiln-bench-openblas CHECKPOINT_DIR --input-ids 1,2,3 [--prefill-len P] --logits-out F.npy
//                       [--threads T] [--prefill-attention F]
//
// --prefill-attention naive (default, as kiln-compile's default pipeline) or absorbed (as
// `kiln-cpu-pipeline{mla-prefill=absorbed}`): the form of MLA in prefill; decode is absorbed.
// --bench: prefill and decode tokens/s by kiln-run --bench's protocol (Bench.h).
// --input-ids: the float32 logits of every position as .npy [S, vocab], written as kiln-run
// writes them (the first P tokens through one prefill, the rest one by one through decode), so
// the baseline's numerics are checked against transformers the way Kiln's are.
//
// Weights are converted to f32 when loaded: decode then reads twice the bytes Kiln's bf16
// kernels read. Threads: --threads, else OpenBLAS's default ($OPENBLAS_NUM_THREADS or every
// core). Errors: one line "kiln-bench-openblas: <file or option>: <problem>", exit status 1.
#include "BaselineError.h"
#include "Bench.h"
#include "Blas.h"
#include "Checkpoint.h"
#include "Model.h"
#include "Weights.h"
#include "tools/kiln-run/InputIds.h"
#include "tools/kiln-run/NpyWriter.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <new>
#include <string>
#include <vector>

using namespace kiln::baseline;

namespace {

struct Options {
  std::string checkpoint, inputIds, logitsOut;
  int64_t prefillLen = 0; // 0: every token through prefill
  int64_t threads = 0;    // 0: OpenBLAS's default
  MLAForm prefillForm = MLAForm::Naive;
};

std::vector<int32_t> parseIds(const std::string &text, int64_t vocab) {
  std::vector<std::vector<int32_t>> sequences;
  std::string problem;
  if (!kiln::run::parseInputIds(text, &sequences, &problem))
    throw BaselineError{"--input-ids: " + problem};
  if (sequences.size() != 1)
    throw BaselineError{"--input-ids: the baseline runs one sequence (no ';')"};
  for (int32_t id : sequences[0])
    if (id >= vocab)
      throw BaselineError{"--input-ids: token id " + std::to_string(id) +
                          " is outside the vocabulary (" + std::to_string(vocab) + " tokens)"};
  return sequences[0];
}

struct Loaded {
  BaselineConfig config;
  ModelWeights weights;
  double seconds = 0;
};

/// The config and the f32 weights; the checkpoint's files are unmapped again before anything
/// runs, so the timed phases and the peak RSS after loading hold only the f32 copy.
Loaded load(const std::string &directory) {
  auto start = std::chrono::steady_clock::now();
  Checkpoint checkpoint(directory);
  Loaded loaded{checkpoint.config(), loadWeights(checkpoint)};
  loaded.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return loaded;
}

/// Logits of every position: the first `prefillLen` through one prefill call, then one by one
/// through decode.
int writeLogits(const Options &options, const Loaded &loaded) {
  const int64_t vocab = loaded.config.vocab;
  std::vector<int32_t> ids = parseIds(options.inputIds, vocab);
  const int64_t total = static_cast<int64_t>(ids.size());
  if (options.prefillLen > total)
    throw BaselineError{"--prefill-len: " + std::to_string(options.prefillLen) +
                        " is longer than the sequence (" + std::to_string(total) + " tokens)"};
  const int64_t prefill = options.prefillLen > 0 ? options.prefillLen : total;
  Model model(loaded.config, loaded.weights, total, options.prefillForm);
  std::vector<std::vector<float>> rows(1, std::vector<float>(static_cast<size_t>(total * vocab)));
  float *logits = rows[0].data();
  model.prefill(ids.data(), prefill, 0, logits);
  for (int64_t pos = prefill; pos < total; ++pos)
    model.decode(ids[pos], pos, logits + pos * vocab);
  std::string problem;
  if (!kiln::run::writeNpyAtomically(options.logitsOut, rows, static_cast<uint64_t>(vocab),
                                     &problem))
    throw BaselineError{problem};
  return 0;
}

int run(const Options &options, bool benchMode, const BenchOptions &benchOptions) {
  if (options.threads > 0)
    setBlasThreads(static_cast<int>(options.threads));
  const Loaded loaded = load(options.checkpoint);
  if (!benchMode)
    return writeLogits(options, loaded);
  Model model(loaded.config, loaded.weights,
              int64_t{benchOptions.promptLen} + benchOptions.genLen, options.prefillForm);
  BenchContext context{options.checkpoint, static_cast<unsigned>(blasThreads()),
                       loaded.weights.bytes(), loaded.seconds};
  bench(model, loaded.config.vocab, benchOptions, context);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"kiln-bench-openblas: DeepSeek V2 / V2-Lite in f32 with OpenBLAS (Kiln's CPU "
               "baseline)"};
  Options options;
  BenchOptions benchOptions;
  app.add_option("checkpoint", options.checkpoint,
                 "a Hugging Face checkpoint directory (config.json, *.safetensors)")
      ->required();
  auto *bench = app.add_flag("--bench", "print prefill and decode tokens/s (random tokens)");
  auto *inputIds = app.add_option("--input-ids", options.inputIds, "token ids, comma separated");
  auto *prefillLen = app.add_option("--prefill-len", options.prefillLen,
                                    "with --input-ids: tokens that go through prefill; the rest "
                                    "go one by one through decode (default: all)");
  auto *logitsOut = app.add_option("--logits-out", options.logitsOut,
                                   "with --input-ids: write the float32 logits of every position "
                                   "here (.npy [tokens, vocab])");
  auto *threads = app.add_option("--threads", options.threads,
                                 "OpenBLAS threads (default: OpenBLAS's, every core)");
  std::string prefillForm = "naive";
  app.add_option("--prefill-attention", prefillForm,
                 "MLA's form in prefill: naive (default) or absorbed; decode is absorbed");
  std::vector<CLI::Option *> benchOnly = {
      app.add_option("--prompt-len", benchOptions.promptLen,
                     "with --bench: prompt tokens (default 128)"),
      app.add_option("--gen-len", benchOptions.genLen, "with --bench: decode steps (default 32)"),
      app.add_option("--repeats", benchOptions.repeats,
                     "with --bench: runs, the best is reported (default 3)"),
      app.add_option("--prefill-chunk", benchOptions.prefillChunk,
                     "with --bench: prompt tokens per prefill call, as kiln-compile "
                     "--prefill-chunk (default 128)"),
      app.add_option("--json", benchOptions.json, "with --bench: also write the results here"),
  };
  try {
    app.parse(argc, argv);
    if (threads->count() > 0 && (options.threads < 1 || options.threads > 1024))
      throw BaselineError{"--threads: must be between 1 and 1024"};
    if (prefillForm != "naive" && prefillForm != "absorbed")
      throw BaselineError{"--prefill-attention: must be naive or absorbed, not '" + prefillForm +
                          "'"};
    options.prefillForm = prefillForm == "naive" ? MLAForm::Naive : MLAForm::Absorbed;
    const bool benchMode = bench->count() > 0;
    if (benchMode) {
      for (CLI::Option *option : {inputIds, prefillLen, logitsOut})
        if (option->count() > 0)
          throw BaselineError{"--bench and " + option->get_name() + " do not combine"};
      if (benchOptions.repeats < 1 || benchOptions.prefillChunk < 1)
        throw BaselineError{"--repeats and --prefill-chunk must be at least 1"};
    } else {
      for (CLI::Option *option : benchOnly)
        if (option->count() > 0)
          throw BaselineError{option->get_name() + " needs --bench"};
      if (inputIds->count() == 0 || logitsOut->count() == 0)
        throw BaselineError{"--bench, or --input-ids IDS --logits-out FILE, is required"};
      if (prefillLen->count() > 0 && options.prefillLen < 1)
        throw BaselineError{"--prefill-len: must be at least 1"};
    }
    return run(options, benchMode, benchOptions);
  } catch (const CLI::ParseError &error) {
    if (error.get_exit_code() == 0)
      return app.exit(error);
    std::fprintf(stderr, "kiln-bench-openblas: %s\n", error.what());
    return 1;
  } catch (const BaselineError &error) {
    std::fflush(stdout);
    std::fprintf(stderr, "kiln-bench-openblas: %s\n", error.message.c_str());
    return 1;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "kiln-bench-openblas: out of memory\n");
    return 1;
  }
}
