// CudaDriver.h - the CUDA driver API, loaded with dlopen.
//
// Why dlopen: one runtime binary must run on hosts with and without GPUs and build where CUDA
// is not installed, so nothing links libcuda. Every entry point comes from the symbol table
// CudaDriverSymbols.def, resolved through cuGetProcAddress_v2 where the driver has it (CUDA
// 12+: it picks the ABI version we were written against) and through dlsym of the versioned
// name otherwise.
#ifndef KILN_RUNTIME_CUDA_CUDADRIVER_H
#define KILN_RUNTIME_CUDA_CUDADRIVER_H

#include "CudaDriverTypes.h"
#include "kiln_runtime.h"

#include <memory>
#include <string>

namespace kiln::cuda {

class CudaDriver {
public:
  // The driver's soname; what the NVIDIA driver installs (the toolkit's libcuda.so is a stub).
  static constexpr const char *kDefaultLibrary = "libcuda.so.1";

  // Loads `library` (a soname or a path; tests pass one that does not exist) and resolves every
  // entry point. UNAVAILABLE, with what is missing and how to fix it, when the library or an
  // entry point is missing. Does not call cuInit: CudaDevice does.
  static kiln_status_t load(const char *library, std::unique_ptr<CudaDriver> *driver);

  ~CudaDriver();
  CudaDriver(const CudaDriver &) = delete;
  CudaDriver &operator=(const CudaDriver &) = delete;

  // NULL for CUDA_SUCCESS; otherwise "<what>: CUDA_ERROR_NAME (description)" with a code that
  // says what kind of failure it is (UNAVAILABLE, RESOURCE_EXHAUSTED, INTERNAL, ...).
  kiln_status_t check(CUresult result, const std::string &what) const;
  // "CUDA_ERROR_NAME (description)", from the driver when it can say, else from Kiln's table.
  std::string describe(CUresult result) const;

  const std::string &library() const { return library_; }
  // Whether the entry points came from cuGetProcAddress_v2 (else from dlsym).
  bool resolvedWithGetProcAddress() const { return resolvedWithGetProcAddress_; }

  // One function pointer per entry point, named as in the CUDA API: driver.cuInit(0).
#define KILN_CUDA_SYMBOL(name, versionedName, cudaVersion, parameters)                             \
  CUresult(*name) parameters = nullptr;
#include "CudaDriverSymbols.def"
#undef KILN_CUDA_SYMBOL

private:
  CudaDriver(void *handle, std::string library);
  kiln_status_t resolveSymbols();

  void *handle_;
  std::string library_;
  bool resolvedWithGetProcAddress_ = false;
};

} // namespace kiln::cuda

#endif // KILN_RUNTIME_CUDA_CUDADRIVER_H
