// CpuPlan.cpp - bind a plan's arguments to addresses; replay its launches.
#include "CpuPlan.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <string>

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

namespace {

/// KILN_PROFILE=1: wall time per kernel, summed over every launch, printed to stderr at exit
/// (slowest first). Names come from the code's dynamic symbols.
class KernelProfile {
public:
  static KernelProfile *get() {
    static KernelProfile *profile = std::getenv("KILN_PROFILE") ? new KernelProfile : nullptr;
    return profile;
  }
  void add(KernelFn kernel, double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry &e = entries_[reinterpret_cast<void *>(kernel)];
    if (e.name.empty()) {
      Dl_info info{};
      e.name = dladdr(reinterpret_cast<void *>(kernel), &info) && info.dli_sname ? info.dli_sname
                                                                                 : "?";
    }
    e.seconds += seconds;
    ++e.launches;
    total_ += seconds;
  }

private:
  struct Entry {
    std::string name;
    double seconds = 0;
    uint64_t launches = 0;
  };
  KernelProfile() { std::atexit([] { get()->print(); }); }
  void print() {
    std::vector<const Entry *> sorted;
    for (auto &[key, e] : entries_)
      sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(),
              [](const Entry *a, const Entry *b) { return a->seconds > b->seconds; });
    std::fprintf(stderr, "kiln profile: %.3f s in kernels\n", total_);
    for (const Entry *e : sorted)
      std::fprintf(stderr, "  %6.2f%% %9.3f ms %6llu launches  %s\n", 100 * e->seconds / total_,
                   1e3 * e->seconds, static_cast<unsigned long long>(e->launches),
                   e->name.c_str());
  }
  std::mutex mutex_;
  std::map<void *, Entry> entries_;
  double total_ = 0;
};

} // namespace

void CpuPlan::run(uint32_t numTokens, ThreadPool &pool) const {
  KernelProfile *profile = KernelProfile::get();
  for (const Launch &launch : launches_) {
    const int64_t workgroups = launch.grid;
    auto start = std::chrono::steady_clock::now();
    pool.parallelFor(launch.grid, [&](uint32_t workgroup) {
      launch.kernel(launch.args.data(), numTokens, workgroup, workgroups);
    });
    if (profile)
      profile->add(launch.kernel, std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                                start)
                                      .count());
  }
}

} // namespace kiln::cpu
