// CudaDriver.cpp - dlopen libcuda.so.1 and resolve the symbol table.
#include "CudaDriver.h"

#include <dlfcn.h>

#include <cstring>
#include <utility>

namespace kiln::cuda {
namespace {

using GetProcAddressFn = CUresult (*)(const char *symbol, void **function, int cudaVersion,
                                      cuuint64_t flags,
                                      CUdriverProcAddressQueryResult *symbolStatus);

kiln_status_t unavailable(const std::string &message) {
  return kiln_status_make(KILN_STATUS_UNAVAILABLE, message.c_str());
}

// Names of the results Kiln tells apart, for drivers (the toolkit's stub) whose cuGetErrorName
// does not answer.
const char *knownResultName(CUresult result) {
  switch (result) {
  case CUDA_SUCCESS:
    return "CUDA_SUCCESS";
  case CUDA_ERROR_OUT_OF_MEMORY:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case CUDA_ERROR_NOT_INITIALIZED:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case CUDA_ERROR_STUB_LIBRARY:
    return "CUDA_ERROR_STUB_LIBRARY";
  case CUDA_ERROR_INSUFFICIENT_DRIVER:
    return "CUDA_ERROR_INSUFFICIENT_DRIVER";
  case CUDA_ERROR_NO_DEVICE:
    return "CUDA_ERROR_NO_DEVICE";
  case CUDA_ERROR_INVALID_DEVICE:
    return "CUDA_ERROR_INVALID_DEVICE";
  case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH:
    return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
  case CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE:
    return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
  }
  return nullptr;
}

kiln_status_code_t codeFor(CUresult result) {
  switch (result) {
  case CUDA_ERROR_OUT_OF_MEMORY:
    return KILN_STATUS_RESOURCE_EXHAUSTED;
  case CUDA_ERROR_STUB_LIBRARY:
  case CUDA_ERROR_INSUFFICIENT_DRIVER:
  case CUDA_ERROR_NO_DEVICE:
  case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH:
  case CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE:
    return KILN_STATUS_UNAVAILABLE;
  default:
    return KILN_STATUS_INTERNAL;
  }
}

} // namespace

CudaDriver::CudaDriver(void *handle, std::string library)
    : handle_(handle), library_(std::move(library)) {}

CudaDriver::~CudaDriver() {
  if (handle_)
    dlclose(handle_);
}

kiln_status_t CudaDriver::load(const char *library, std::unique_ptr<CudaDriver> *driver) {
  driver->reset();
  if (!library || !*library)
    library = kDefaultLibrary;
  // RTLD_LOCAL: the driver's symbols stay out of the global namespace, so a second copy of
  // CUDA in the process (a framework, say) cannot bind to ours or we to theirs.
  void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *error = dlerror();
    std::string reason = error ? error : "";
    if (reason.empty() || reason.find("No such file") != std::string::npos)
      return unavailable(std::string("CUDA unavailable: ") + library +
                         " not found (install the NVIDIA driver)");
    return unavailable(std::string("CUDA unavailable: cannot load ") + library + ": " + reason +
                       " (reinstall the NVIDIA driver)");
  }
  std::unique_ptr<CudaDriver> loaded(new CudaDriver(handle, library));
  if (kiln_status_t status = loaded->resolveSymbols())
    return status;
  *driver = std::move(loaded);
  return nullptr;
}

kiln_status_t CudaDriver::resolveSymbols() {
  // cuGetProcAddress_v2 exists from CUDA 12.0 on; older drivers export the versioned names.
  auto getProcAddress = reinterpret_cast<GetProcAddressFn>(dlsym(handle_, "cuGetProcAddress_v2"));
  int fromGetProcAddress = 0, total = 0;
  auto resolve = [&](const char *name, const char *versionedName, int cudaVersion) -> void * {
    ++total;
    void *function = nullptr;
    if (getProcAddress) {
      CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
      if (getProcAddress(name, &function, cudaVersion, CU_GET_PROC_ADDRESS_LEGACY_STREAM, &found) ==
              CUDA_SUCCESS &&
          found == CU_GET_PROC_ADDRESS_SUCCESS && function) {
        ++fromGetProcAddress;
        return function;
      }
    }
    return dlsym(handle_, versionedName);
  };

#define KILN_CUDA_SYMBOL(name, versionedName, cudaVersion, parameters)                             \
  name = reinterpret_cast<decltype(name)>(resolve(#name, #versionedName, cudaVersion));            \
  if (!name)                                                                                       \
    return unavailable("CUDA unavailable: " + library_ +                                           \
                       " has no " #versionedName " (update the NVIDIA driver)");
#include "CudaDriverSymbols.def"
#undef KILN_CUDA_SYMBOL

  resolvedWithGetProcAddress_ = fromGetProcAddress == total;
  return nullptr;
}

std::string CudaDriver::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName && cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (cuGetErrorString && cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = nullptr;
  if (!name)
    name = knownResultName(result);
  std::string description = name ? name : "CUDA error " + std::to_string(result);
  if (text && *text)
    description += std::string(" (") + text + ")";
  return description;
}

kiln_status_t CudaDriver::check(CUresult result, const std::string &what) const {
  if (result == CUDA_SUCCESS)
    return nullptr;
  std::string message = what + ": " + describe(result);
  return kiln_status_make(codeFor(result), message.c_str());
}

} // namespace kiln::cuda
