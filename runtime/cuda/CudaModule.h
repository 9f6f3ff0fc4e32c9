// CudaModule.h - a loaded cubin or PTX image and the kernels in it.
#ifndef KILN_RUNTIME_CUDA_CUDAMODULE_H
#define KILN_RUNTIME_CUDA_CUDAMODULE_H

#include "CudaDriver.h"

#include <memory>
#include <string>

namespace kiln::cuda {

class CudaModule {
public:
  // Loads `image` into the current context with cuModuleLoadData: a cubin (ELF), or PTX text,
  // which must end in a NUL byte and which the driver compiles for the device (JIT).
  // `label` (a file name) prefixes every error. `driver` must outlive the module.
  static kiln_status_t load(const CudaDriver &driver, const void *image, std::string label,
                            std::unique_ptr<CudaModule> *module);

  ~CudaModule();
  CudaModule(const CudaModule &) = delete;
  CudaModule &operator=(const CudaModule &) = delete;

  // The kernel `name` (its symbol in the image); NOT_FOUND naming the file when absent.
  kiln_status_t function(const std::string &name, CUfunction *function) const;

private:
  CudaModule(const CudaDriver &driver, CUmodule module, std::string label);

  const CudaDriver &driver_;
  CUmodule module_;
  std::string label_;
};

} // namespace kiln::cuda

#endif // KILN_RUNTIME_CUDA_CUDAMODULE_H
