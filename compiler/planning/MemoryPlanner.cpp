//===- MemoryPlanner.cpp - static arena offsets for an entry point's buffers ----===//

#include "compiler/planning/MemoryPlanner.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace kiln::planning {

namespace {

bool liveTogether(const BufferRequest &a, const BufferRequest &b) {
  return a.firstUse <= b.lastUse && b.firstUse <= a.lastUse;
}

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

} // namespace

MemoryPlan planMemory(const std::vector<BufferRequest> &requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);

  // The peak of live bytes, by sweeping lifetime events.
  std::map<int64_t, int64_t> delta;
  for (const BufferRequest &r : requests) {
    delta[r.firstUse] += r.size;
    delta[r.lastUse + 1] -= r.size;
  }
  int64_t live = 0;
  for (const auto &[step, change] : delta) {
    live += change;
    plan.peakLiveBytes = std::max(plan.peakLiveBytes, live);
  }

  // Largest first; ties by earlier start, then by index, so the plan is deterministic.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].size != requests[b].size)
      return requests[a].size > requests[b].size;
    return requests[a].firstUse < requests[b].firstUse;
  });

  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest &request = requests[index];
    // The placed buffers it coexists with, by offset: take the first gap that fits.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed)
      if (liveTogether(request, requests[other]))
        busy.emplace_back(plan.offsets[other], plan.offsets[other] + requests[other].size);
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto &[begin, end] : busy) {
      if (alignUp(offset, request.alignment) + request.size <= begin)
        break;
      offset = std::max(offset, end);
    }
    offset = alignUp(offset, request.alignment);
    plan.offsets[index] = offset;
    plan.arenaSize = std::max(plan.arenaSize, offset + request.size);
    placed.push_back(index);
  }
  return plan;
}

std::string verifyMemoryPlan(const std::vector<BufferRequest> &requests, const MemoryPlan &plan) {
  if (plan.offsets.size() != requests.size())
    return "the plan has " + std::to_string(plan.offsets.size()) + " offsets for " +
           std::to_string(requests.size()) + " buffers";
  for (size_t i = 0; i < requests.size(); ++i) {
    const BufferRequest &a = requests[i];
    int64_t offset = plan.offsets[i];
    if (offset < 0 || offset % a.alignment != 0)
      return "buffer " + std::to_string(i) + " at " + std::to_string(offset) +
             " is not aligned to " + std::to_string(a.alignment);
    if (offset + a.size > plan.arenaSize)
      return "buffer " + std::to_string(i) + " ends past the arena";
    for (size_t j = i + 1; j < requests.size(); ++j) {
      const BufferRequest &b = requests[j];
      bool overlapInMemory = offset < plan.offsets[j] + b.size && plan.offsets[j] < offset + a.size;
      if (a.size > 0 && b.size > 0 && liveTogether(a, b) && overlapInMemory)
        return "buffers " + std::to_string(i) + " and " + std::to_string(j) +
               " are live together and overlap";
    }
  }
  return "";
}

} // namespace kiln::planning
