// CpuCode.h - a CPU target's generated code: the shared object in the artifact, loaded.
//
// The code section (an ELF shared object the compiler linked) is hash-checked, copied into an
// anonymous memory file (memfd_create) and dlopen'ed through /proc/self/fd/N: nothing is
// written to disk and nothing is left behind. Every kernel symbol the target lists is looked up
// once, so a missing one fails the load, not a launch.
#ifndef KILN_RUNTIME_CPU_CPUCODE_H
#define KILN_RUNTIME_CPU_CPUCODE_H

#include "kiln_runtime.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace kiln::artifact {
struct Target;
} // namespace kiln::artifact

namespace kiln::runtime {
class ArtifactReader;
} // namespace kiln::runtime

namespace kiln::cpu {

/// The CPU kernel ABI (artifact.fbs, Kernel): args[i] is the base address of launch argument
/// i; the kernel does the share of the work that workgroup `workgroup` of `workgroups` owns.
using KernelFn = void (*)(void *const *args, int64_t numTokens, int64_t workgroup,
                          int64_t workgroups);

class CpuCode {
public:
  /// Loads `target`'s code section and resolves its kernels. Errors name the artifact.
  static kiln_status_t load(const runtime::ArtifactReader &reader,
                            const artifact::Target &target, std::unique_ptr<CpuCode> *out);
  ~CpuCode();
  CpuCode(const CpuCode &) = delete;
  CpuCode &operator=(const CpuCode &) = delete;

  /// Kernel `index` of the target (ArtifactReader has checked every launch's index).
  KernelFn kernel(uint32_t index) const { return kernels_[index]; }
  size_t kernelCount() const { return kernels_.size(); }

private:
  CpuCode() = default;
  void *handle_ = nullptr;
  // Held open while the code is loaded: the dynamic loader recognises an already-loaded object
  // by its path, so no other memfd may reuse this descriptor's number, and with it the name
  // "/proc/self/fd/N", before dlclose.
  int fd_ = -1;
  std::vector<KernelFn> kernels_;
};

} // namespace kiln::cpu

#endif // KILN_RUNTIME_CPU_CPUCODE_H
