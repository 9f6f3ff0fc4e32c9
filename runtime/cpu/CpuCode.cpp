// CpuCode.cpp - load a CPU target's shared object from the artifact, in memory.
#include "CpuCode.h"

#include "ArtifactReader.h"
#include "artifact_generated.h"

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace kiln::cpu {

namespace {

#if defined(__x86_64__)
constexpr uint16_t kHostMachine = EM_X86_64;
constexpr const char *kHostMachineName = "x86-64";
#elif defined(__aarch64__)
constexpr uint16_t kHostMachine = EM_AARCH64;
constexpr const char *kHostMachineName = "aarch64";
#else
#error "the CPU device knows the ELF machine of x86-64 and aarch64 hosts only"
#endif

kiln_status_t fail(kiln_status_code_t code, const runtime::ArtifactReader &reader,
                   const std::string &problem) {
  return kiln_status_make(code, (reader.path() + ": " + problem).c_str());
}

/// Whether this CPU runs code generated for `arch` (an x86-64 micro-architecture level);
/// names it does not know are left to the dynamic loader and the kernels.
bool hostRuns(const std::string &arch) {
#if defined(__x86_64__)
  if (arch == "x86-64-v2")
    return __builtin_cpu_supports("x86-64-v2");
  if (arch == "x86-64-v3")
    return __builtin_cpu_supports("x86-64-v3");
  if (arch == "x86-64-v4")
    return __builtin_cpu_supports("x86-64-v4");
#endif
  (void)arch;
  return true;
}

} // namespace

kiln_status_t CpuCode::load(const runtime::ArtifactReader &reader,
                            const artifact::Target &target, std::unique_ptr<CpuCode> *out) {
  const std::string targetName = target.name()->str();
  if (target.code_section() < 0)
    return fail(KILN_STATUS_NOT_FOUND, reader,
                "target '" + targetName + "' carries no code section");
  const auto section = static_cast<uint32_t>(target.code_section());
  if (kiln_status_t status = reader.verifySection(section))
    return status;
  const std::string arch = target.arch() ? target.arch()->str() : "";
  if (!hostRuns(arch))
    return fail(KILN_STATUS_UNAVAILABLE, reader,
                "the CPU code was generated for " + arch +
                    ", which this processor does not support; compile for a lower level");

  std::string_view bytes = reader.sectionBytes(section);
  Elf64_Ehdr elf;
  if (bytes.size() < sizeof(elf))
    return fail(KILN_STATUS_INVALID_ARGUMENT, reader, "the CPU code section is not an ELF file");
  std::memcpy(&elf, bytes.data(), sizeof(elf));
  if (std::memcmp(elf.e_ident, ELFMAG, SELFMAG) != 0 || elf.e_ident[EI_CLASS] != ELFCLASS64 ||
      elf.e_type != ET_DYN)
    return fail(KILN_STATUS_INVALID_ARGUMENT, reader,
                "the CPU code section is not a 64-bit ELF shared object");
  if (elf.e_machine != kHostMachine)
    return fail(KILN_STATUS_UNAVAILABLE, reader,
                "the CPU code is for ELF machine " + std::to_string(elf.e_machine) +
                    ", this host is " + kHostMachineName);

  std::unique_ptr<CpuCode> code(new CpuCode());
  code->fd_ = ::memfd_create("kiln-cpu-code", MFD_CLOEXEC);
  if (code->fd_ < 0)
    return fail(KILN_STATUS_UNAVAILABLE, reader,
                std::string("cannot create an in-memory file for the CPU code: ") +
                    std::strerror(errno));
  for (size_t done = 0; done < bytes.size();) {
    ssize_t wrote = ::write(code->fd_, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR)
      continue;
    if (wrote <= 0)
      return fail(KILN_STATUS_RESOURCE_EXHAUSTED, reader,
                  std::string("cannot copy the CPU code into memory: ") + std::strerror(errno));
    done += static_cast<size_t>(wrote);
  }
  // The dynamic loader finds an already-loaded object by its name before it opens the file.
  // A module that stayed loaded after its dlclose (linked NODELETE, or holding thread_local
  // destructors) under this /proc/self/fd/N name, from an earlier artifact whose descriptor
  // N has been closed and reused, would come back instead of this code. So the code moves to
  // a descriptor number no loaded object is named after.
  std::string name = "/proc/self/fd/" + std::to_string(code->fd_);
  while (void *stale = ::dlopen(name.c_str(), RTLD_NOW | RTLD_NOLOAD)) {
    ::dlclose(stale); // RTLD_NOLOAD took a reference
    int next = ::fcntl(code->fd_, F_DUPFD_CLOEXEC, code->fd_ + 1);
    if (next < 0)
      return fail(KILN_STATUS_RESOURCE_EXHAUSTED, reader,
                  std::string("cannot duplicate the CPU code's in-memory file: ") +
                      std::strerror(errno));
    ::close(code->fd_);
    code->fd_ = next;
    name = "/proc/self/fd/" + std::to_string(code->fd_);
  }
  code->handle_ = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!code->handle_) {
    const char *error = ::dlerror();
    return fail(KILN_STATUS_INVALID_ARGUMENT, reader,
                std::string("cannot load the CPU code: ") + (error ? error : "dlopen failed"));
  }

  const auto *kernels = target.kernels();
  for (uint32_t i = 0; kernels && i < kernels->size(); ++i) {
    const std::string symbol = kernels->Get(i)->symbol()->str();
    ::dlerror();
    void *address = ::dlsym(code->handle_, symbol.c_str());
    if (!address)
      return fail(KILN_STATUS_NOT_FOUND, reader,
                  "the CPU code has no symbol '" + symbol + "' (kernel " + std::to_string(i) +
                      " of target '" + targetName + "')");
    code->kernels_.push_back(reinterpret_cast<KernelFn>(address));
  }
  *out = std::move(code);
  return nullptr;
}

CpuCode::~CpuCode() {
  if (handle_)
    ::dlclose(handle_);
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace kiln::cpu
