// Bench.h - kiln-run --bench: prefill and decode throughput of an artifact.
#ifndef KILN_TOOLS_KILN_RUN_BENCH_H
#define KILN_TOOLS_KILN_RUN_BENCH_H

#include <string>

namespace kiln::run {

struct BenchOptions {
  unsigned threads = 0;
  unsigned batch = 1;
  unsigned promptLen = 128;
  unsigned genLen = 32;
  unsigned repeats = 3;
  std::string json; // write the results here too, when set
};

/// Prefills `batch` sequences of `promptLen` deterministic pseudo-random tokens (chunked by the
/// prefill plan), then runs `genLen` batched decode steps; the best of `repeats` runs of each
/// phase. Prints one line per phase to stdout. Throws Failure.
int bench(const std::string &artifact, const BenchOptions &options);

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_BENCH_H
