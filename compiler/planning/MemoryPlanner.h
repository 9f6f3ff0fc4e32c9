//===- MemoryPlanner.h - static arena offsets for an entry point's buffers ------===//
//
// Every intermediate buffer of an entry point gets a fixed offset in one arena, decided at
// compile time: buffers whose lifetimes overlap never share bytes, buffers whose lifetimes do
// not may. The plan is greedy by size (largest first, each at the lowest aligned offset that
// fits among the already placed buffers it coexists with), the approach of TFLite's arena
// planner: simple, deterministic and close to the peak of live bytes on the chain-shaped
// lifetimes of a transformer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_PLANNING_MEMORYPLANNER_H
#define KILN_COMPILER_PLANNING_MEMORYPLANNER_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::planning {

struct BufferRequest {
  int64_t size = 0;
  /// A power of two.
  int64_t alignment = 64;
  /// The first and last step (inclusive) at which the buffer is live.
  int64_t firstUse = 0;
  int64_t lastUse = 0;
};

struct MemoryPlan {
  /// One per request, in request order.
  std::vector<int64_t> offsets;
  /// Bytes the arena needs.
  int64_t arenaSize = 0;
  /// The most bytes live at any one step: no plan can use less.
  int64_t peakLiveBytes = 0;
};

/// Plans `requests` into one arena. Deterministic: equal inputs give equal plans.
MemoryPlan planMemory(const std::vector<BufferRequest> &requests);

/// Checks a plan: offsets aligned, buffers inside the arena, and no two buffers live at the
/// same step overlapping. Returns "" when it holds, else what is wrong.
std::string verifyMemoryPlan(const std::vector<BufferRequest> &requests, const MemoryPlan &plan);

} // namespace kiln::planning

#endif // KILN_COMPILER_PLANNING_MEMORYPLANNER_H
