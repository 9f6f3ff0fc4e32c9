// Rope.h - MLA's rotary embedding: YaRN-blended frequencies, applied to interleaved pairs
// (x[2i], x[2i+1]) as DeepSeek's checkpoints store them (../shared/reference/deepseek-model.md
// §2.5).
#ifndef KILN_BENCH_OPENBLAS_ROPE_H
#define KILN_BENCH_OPENBLAS_ROPE_H

#include "BaselineConfig.h"

#include <cstdint>
#include <vector>

namespace kiln::baseline {

class RopeTable {
public:
  /// cos and sin of every position in [0, positions) and pair, times YaRN's attention factor.
  RopeTable(const BaselineConfig &config, int64_t positions);

  int64_t positions() const { return positions_; }
  /// Rotates x[0 .. dim) in place for `position`.
  void rotate(float *x, int64_t position) const;

private:
  int64_t half_ = 0, positions_ = 0;
  std::vector<float> cosSin_; // [positions, dim/2, 2]
};

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_ROPE_H
