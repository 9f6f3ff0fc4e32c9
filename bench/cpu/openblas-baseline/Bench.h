// Bench.h - kiln-bench-openblas --bench: prefill and decode throughput, by kiln-run --bench's
// protocol (tools/kiln-run/Bench.cpp), so the two are comparable run for run.
#ifndef KILN_BENCH_OPENBLAS_BENCH_H
#define KILN_BENCH_OPENBLAS_BENCH_H

#include "Model.h"

#include <string>

namespace kiln::baseline {

struct BenchOptions {
  unsigned promptLen = 128;
  unsigned genLen = 32;
  unsigned repeats = 3;
  unsigned prefillChunk = 128; // as bench/cpu/README.md compiles the artifact
  std::string json;            // write the results here too, when set
};

/// What the JSON records besides the times.
struct BenchContext {
  std::string checkpoint;
  unsigned threads = 0;
  uint64_t weightBytes = 0;
  double loadSeconds = 0;
};

/// The same deterministic tokens as kiln-run --bench (a 32-bit LCG from 12345, modulo the
/// vocabulary): `promptLen` of them prefilled in chunks of `prefillChunk`, then `genLen` decode
/// steps of one token; the best of `repeats` runs of each phase. Prints one line per phase.
/// Throws BaselineError.
void bench(Model &model, int64_t vocab, const BenchOptions &options, const BenchContext &context);

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_BENCH_H
