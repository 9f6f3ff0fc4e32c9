//===- RopeTable.h - the cos/sin table of a kiln_plan.rope_table ----------===//
//
// Computed by the compiler while writing the artifact (the IR stays declarative).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_LOWERING_ROPETABLE_H
#define KILN_COMPILER_LOWERING_ROPETABLE_H

#include <cstdint>
#include <vector>

namespace kiln::lowering {

struct RopeParams {
  int64_t dim = 64;
  int64_t positions = 0;
  double theta = 10000.0;
  /// YaRN: factor 1 (or original 0) means plain RoPE.
  double factor = 1.0;
  int64_t original = 0;
  double betaFast = 32.0, betaSlow = 1.0;
  double attentionFactor = 1.0;
};

/// f32 [positions, dim/2, 2] = (cos, sin) of pos * f'_i, with f'_i the YaRN-blended
/// frequencies of ../shared/reference/deepseek-model.md 2.5; the frequencies and the angle are
/// rounded to f32 as transformers computes them.
std::vector<float> computeRopeTable(const RopeParams &p);

} // namespace kiln::lowering

#endif // KILN_COMPILER_LOWERING_ROPETABLE_H
