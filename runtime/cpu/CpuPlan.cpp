// CpuPlan.cpp - bind a plan's arguments to addresses; replay its launches.
#include "CpuPlan.h"

#include "ArtifactReader.h"
#include "ThreadPool.h"
#include "artifact_generated.h"

#include <string>

namespace kiln::cpu {

namespace {

/// Hashes section `index` unless it has been already.
kiln_status_t verifyOnce(const runtime::ArtifactReader &reader, uint32_t index,
                         std::vector<bool> *verified) {
  if ((*verified)[index])
    return nullptr;
  if (kiln_status_t status = reader.verifySection(index))
    return status;
  (*verified)[index] = true;
  return nullptr;
}

} // namespace

kiln_status_t CpuPlan::bind(const runtime::ArtifactReader &reader, const artifact::Plan &plan,
                            const CpuCode &code, const KvMemory &kv,
                            std::vector<bool> *verified, std::unique_ptr<CpuPlan> *out) {
  const artifact::Artifact &header = reader.header();
  const std::string label = reader.path() + ": plan '" + plan.name()->str() + "'";
  std::unique_ptr<CpuPlan> bound(new CpuPlan());
  bound->maxTokens_ = plan.max_tokens();
  if (kiln_status_t status =
          HostBuffer::allocate(plan.arena_bytes(), label + " arena", &bound->arena_))
    return status;
  for (uint32_t i = 0; i < kPlanInputCount; ++i)
    if (kiln_status_t status = HostBuffer::allocate(uint64_t{plan.max_tokens()} * 4,
                                                    label + " inputs", &bound->inputs_[i]))
      return status;

  auto resolve = [&](const artifact::BufferRef &ref, void **address) -> kiln_status_t {
    switch (ref.kind()) {
    case artifact::BufferKind::Arena:
      *address = bound->arena_.data() + ref.offset();
      return nullptr;
    case artifact::BufferKind::Weight: {
      uint32_t section = header.weights()->Get(ref.index())->section();
      if (kiln_status_t status = verifyOnce(reader, section, verified))
        return status;
      *address = const_cast<char *>(reader.sectionBytes(section).data());
      return nullptr;
    }
    case artifact::BufferKind::Constant:
      if (kiln_status_t status = verifyOnce(reader, ref.index(), verified))
        return status;
      *address = const_cast<char *>(reader.sectionBytes(ref.index()).data());
      return nullptr;
    case artifact::BufferKind::Input:
      *address = bound->inputs_[ref.index()].data();
      return nullptr;
    case artifact::BufferKind::KvPool:
      *address = kv.pools[ref.index()];
      return nullptr;
    case artifact::BufferKind::BlockTable:
      *address = kv.blockTable;
      return nullptr;
    }
    return kiln_status_make(KILN_STATUS_INTERNAL, (label + ": unknown buffer kind").c_str());
  };

  if (const auto *launches = plan.launches())
    for (const artifact::Launch *launch : *launches) {
      Launch bound_launch{code.kernel(launch->kernel()), launch->grid(), {}};
      if (const auto *args = launch->args())
        for (const artifact::BufferRef *arg : *args) {
          void *address = nullptr;
          if (kiln_status_t status = resolve(*arg, &address))
            return status;
          bound_launch.args.push_back(address);
        }
      bound->launches_.push_back(std::move(bound_launch));
    }
  bound->logits_ = reinterpret_cast<const float *>(bound->arena_.data() + plan.logits()->offset());
  *out = std::move(bound);
  return nullptr;
}

void CpuPlan::run(uint32_t numTokens, ThreadPool &pool) const {
  for (const Launch &launch : launches_) {
    const int64_t workgroups = launch.grid;
    pool.parallelFor(launch.grid, [&](uint32_t workgroup) {
      launch.kernel(launch.args.data(), numTokens, workgroup, workgroups);
    });
  }
}

} // namespace kiln::cpu
