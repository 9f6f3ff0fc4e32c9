// CpuPlan.h - a plan (prefill or decode) bound to host memory and the loaded kernels.
//
// Binding resolves every launch argument (artifact.fbs, BufferRef) to a base address once:
// the plan's arena and its three input arrays are allocated here, weights and constants point
// into the mmapped artifact (read-only), KV pools and the block table are the session's. A run
// is then only kernel calls: each launch calls its kernel once per workgroup over the thread
// pool, with a barrier before the next launch. The reader has already checked every index and
// that every argument's size fits what it points at.
#ifndef KILN_RUNTIME_CPU_CPUPLAN_H
#define KILN_RUNTIME_CPU_CPUPLAN_H

#include "CpuCode.h"
#include "HostBuffer.h"
#include "kiln_runtime.h"

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace kiln::artifact {
struct Plan;
} // namespace kiln::artifact

namespace kiln::cpu {

class ThreadPool;

/// The per-call inputs (BufferKind::Input), int32 each, max_tokens entries.
enum PlanInput : uint32_t { kInputTokens = 0, kInputPositions = 1, kInputSlots = 2 };
inline constexpr uint32_t kPlanInputCount = 3;

/// The memory KvPool and BlockTable arguments resolve to, owned by the session.
struct KvMemory {
  std::vector<unsigned char *> pools; // one per layer
  int32_t *blockTable = nullptr;      // [max_batch, blocks_per_seq]
};

class CpuPlan {
public:
  /// Binds `plan`. `verified` (one flag per section) records the weight and constant sections
  /// already hashed, so a section two plans share is hashed once; the others are hashed here,
  /// before any kernel can read them.
  static kiln_status_t bind(const runtime::ArtifactReader &reader, const artifact::Plan &plan,
                            const CpuCode &code, const KvMemory &kv, std::vector<bool> *verified,
                            std::unique_ptr<CpuPlan> *out);

  uint32_t maxTokens() const { return maxTokens_; }
  /// Input array `which` (PlanInput), maxTokens() entries; fill before run().
  int32_t *input(uint32_t which) const {
    return reinterpret_cast<int32_t *>(inputs_[which].data());
  }
  /// Runs every launch for `numTokens` (<= maxTokens()) tokens.
  void run(uint32_t numTokens, ThreadPool &pool) const;
  /// float32 [numTokens, vocab] after run(), in the arena.
  const float *logits() const { return logits_; }

private:
  CpuPlan() = default;
  struct Launch {
    KernelFn kernel;
    uint32_t grid;
    std::vector<void *> args;
  };
  uint32_t maxTokens_ = 0;
  HostBuffer arena_;
  std::array<HostBuffer, kPlanInputCount> inputs_;
  std::vector<Launch> launches_;
  const float *logits_ = nullptr;
};

} // namespace kiln::cpu

#endif // KILN_RUNTIME_CPU_CPUPLAN_H
