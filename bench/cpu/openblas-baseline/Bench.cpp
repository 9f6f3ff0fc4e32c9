// Bench.cpp - kiln-bench-openblas --bench.
#include "Bench.h"

#include "BaselineError.h"
#include "Blas.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

namespace kiln::baseline {

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

void writeJson(const BenchOptions &options, const BenchContext &context, double prefillTps,
               double decodeTps) {
  nlohmann::json doc = {{"checkpoint", context.checkpoint},
                        {"threads", context.threads},
                        {"batch", 1},
                        {"prompt_len", options.promptLen},
                        {"gen_len", options.genLen},
                        {"prefill_chunk", options.prefillChunk},
                        {"repeats", options.repeats},
                        {"prefill_tokens_per_s", prefillTps},
                        {"decode_tokens_per_s", decodeTps},
                        {"weights", "f32"},
                        {"weight_bytes", context.weightBytes},
                        {"load_s", context.loadSeconds},
                        {"openblas", blasConfig()},
                        {"openblas_core", blasCore()}};
  std::ofstream out(options.json);
  out << doc.dump() << "\n";
  if (!out)
    throw BaselineError{options.json + ": cannot write"};
}

} // namespace

void bench(Model &model, int64_t vocab, const BenchOptions &options, const BenchContext &context) {
  if (options.promptLen < 1 || options.promptLen + options.genLen > model.maxPositions())
    throw BaselineError{"--prompt-len + --gen-len must be between 1 and the cache's " +
                        std::to_string(model.maxPositions()) + " positions"};
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<int32_t>(state % static_cast<uint32_t>(vocab));
  };
  std::vector<int32_t> prompt;
  for (unsigned i = 0; i < options.promptLen; ++i)
    prompt.push_back(next());
  std::vector<float> logits(static_cast<size_t>(std::min(options.prefillChunk, options.promptLen)) *
                            static_cast<size_t>(vocab));

  double bestPrefill = 1e30, bestDecode = 1e30;
  for (unsigned r = 0; r < options.repeats; ++r) {
    auto start = Clock::now();
    for (unsigned at = 0; at < options.promptLen; at += options.prefillChunk) {
      unsigned count = std::min(options.prefillChunk, options.promptLen - at);
      model.prefill(prompt.data() + at, count, at, logits.data());
    }
    auto prefilled = Clock::now();
    for (unsigned step = 0; step < options.genLen; ++step)
      model.decode(next(), options.promptLen + step, logits.data());
    auto done = Clock::now();
    bestPrefill = std::min(bestPrefill, seconds(start, prefilled));
    bestDecode = std::min(bestDecode, seconds(prefilled, done));
  }
  double prefillTps = options.promptLen / bestPrefill;
  double decodeTps = options.genLen > 0 ? options.genLen / bestDecode : 0;
  std::printf("prefill: 1 x %u tokens in %.1f ms: %.1f tokens/s\n", options.promptLen,
              1e3 * bestPrefill, prefillTps);
  std::printf("decode: %u steps of batch 1 in %.1f ms: %.1f tokens/s (%.2f ms per step)\n",
              options.genLen, 1e3 * bestDecode, decodeTps,
              options.genLen ? 1e3 * bestDecode / options.genLen : 0.0);
  std::printf("threads: %u, best of %u runs; OpenBLAS %s (%s), f32 weights %.2f GiB loaded in "
              "%.1f s\n",
              context.threads, options.repeats, blasConfig(), blasCore(),
              context.weightBytes / double(1ull << 30), context.loadSeconds);
  if (!options.json.empty())
    writeJson(options, context, prefillTps, decodeTps);
}

} // namespace kiln::baseline
