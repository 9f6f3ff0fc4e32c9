// Bench.cpp - kiln-run --bench.
#include "Bench.h"

#include "Failure.h"
#include "Session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

namespace kiln::run {

using Clock = std::chrono::steady_clock;

int bench(const std::string &artifact, const BenchOptions &options) {
  engine::SessionOptions sessionOptions;
  sessionOptions.threads = options.threads;
  std::unique_ptr<engine::Session> session;
  check(engine::Session::open(artifact, sessionOptions, &session));
  if (options.batch < 1 || options.batch > session->maxBatch())
    throw Failure{"--batch: must be between 1 and the artifact's max_batch of " +
                  std::to_string(session->maxBatch())};
  if (options.promptLen < 1 || options.promptLen + options.genLen > session->maxSeqLen())
    throw Failure{"--prompt-len + --gen-len must be between 1 and the artifact's max_seq_len of " +
                  std::to_string(session->maxSeqLen())};
  // Deterministic tokens spread over the vocabulary (a 32-bit LCG).
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return static_cast<int32_t>(state % session->vocabSize());
  };
  std::vector<std::vector<int32_t>> prompts(options.batch);
  for (auto &p : prompts)
    for (unsigned i = 0; i < options.promptLen; ++i)
      p.push_back(next());

  double bestPrefill = 1e30, bestDecode = 1e30;
  engine::LogitsView logits;
  for (unsigned r = 0; r < options.repeats; ++r) {
    for (unsigned s = 0; s < options.batch; ++s)
      check(session->reset(s));
    auto start = Clock::now();
    for (unsigned s = 0; s < options.batch; ++s)
      for (unsigned at = 0; at < options.promptLen; at += session->maxPrefillTokens()) {
        unsigned count = std::min(session->maxPrefillTokens(), options.promptLen - at);
        check(session->prefill(s, prompts[s].data() + at, count, at, &logits));
      }
    auto prefilled = Clock::now();
    for (unsigned step = 0; step < options.genLen; ++step) {
      std::vector<engine::DecodeToken> batch;
      for (unsigned s = 0; s < options.batch; ++s)
        batch.push_back({s, next(), options.promptLen + step});
      check(session->decode(batch, &logits));
    }
    auto done = Clock::now();
    bestPrefill = std::min(bestPrefill, std::chrono::duration<double>(prefilled - start).count());
    bestDecode = std::min(bestDecode, std::chrono::duration<double>(done - prefilled).count());
  }
  double prefillTps = options.batch * options.promptLen / bestPrefill;
  double decodeTps = options.genLen > 0 ? options.batch * options.genLen / bestDecode : 0;
  std::printf("prefill: %u x %u tokens in %.1f ms: %.1f tokens/s\n", options.batch,
              options.promptLen, 1e3 * bestPrefill, prefillTps);
  std::printf("decode: %u steps of batch %u in %.1f ms: %.1f tokens/s (%.2f ms per step)\n",
              options.genLen, options.batch, 1e3 * bestDecode, decodeTps,
              options.genLen ? 1e3 * bestDecode / options.genLen : 0.0);
  std::printf("threads: %u, best of %u runs\n", session->threads(), options.repeats);
  if (!options.json.empty()) {
    std::ofstream out(options.json);
    out << "{\"artifact\": \"" << artifact << "\", \"threads\": " << session->threads()
        << ", \"batch\": " << options.batch << ", \"prompt_len\": " << options.promptLen
        << ", \"gen_len\": " << options.genLen << ", \"prefill_tokens_per_s\": " << prefillTps
        << ", \"decode_tokens_per_s\": " << decodeTps << "}\n";
    if (!out)
      throw Failure{options.json + ": cannot write"};
  }
  return 0;
}

} // namespace kiln::run
