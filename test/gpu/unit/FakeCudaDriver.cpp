// FakeCudaDriver.cpp - a stand-in libcuda.so.1 for testing the loader on machines without GPUs.
//
// It exports every entry point of runtime/cuda/CudaDriverSymbols.def under its versioned name
// and cuGetProcAddress_v2, and behaves as KILN_FAKE_CUDA says, read at each call:
//   ok            one device, "Kiln Fake GPU", sm_90, 132 SMs, 80 GiB, driver CUDA 12.4; modules,
//                 memory and launches answer CUDA_ERROR_NOT_SUPPORTED
//   no-device     cuInit answers CUDA_ERROR_NO_DEVICE
//   zero-devices  cuInit succeeds, cuDeviceGetCount answers 0
//   legacy        as ok, but cuGetProcAddress_v2 finds nothing (a pre-CUDA-12 driver), so the
//                 loader must fall back to dlsym
//   modules       as ok, but modules load and their kernels are found, so a check runs up to
//                 its first allocation: what the checks reject before touching the GPU shows
//   hang          as modules, and memory (host memory behind fake device pointers), tensor
//                 maps and launches succeed, but no launch ever finishes: cuEventQuery answers
//                 CUDA_ERROR_NOT_READY for ever, as for a kernel that deadlocks
//   trace         as hang, but launches finish at once (computing nothing) and each launch
//                 and tensor map is printed to stderr ("fake-cuda: launch grid (...) ..."),
//                 so tests see the grid, block, shared memory and TMA boxes a check asks for
// Its cuGetProcAddress_v2 answers only requests for the exact version of each entry and the
// legacy-stream flag, so the tests see the loader pass them.
#include "CudaDriverTypes.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace kiln::cuda;

namespace {

constexpr CUresult kNotSupported = 801;
constexpr CUresult kNotFound = 500;

std::string mode() {
  const char *value = std::getenv("KILN_FAKE_CUDA");
  return value ? value : "ok";
}

// Modes whose memory, tensor maps and launches succeed.
bool launches() { return mode() == "hang" || mode() == "trace"; }
bool modulesLoad() { return mode() == "modules" || launches(); }
CUresult launchesOr(CUresult otherwise) { return launches() ? CUDA_SUCCESS : otherwise; }
bool tracing() { return mode() == "trace"; }

} // namespace

#define EXPORT extern "C" __attribute__((visibility("default")))

EXPORT CUresult cuInit(unsigned int) {
  return mode() == "no-device" ? CUDA_ERROR_NO_DEVICE : CUDA_SUCCESS;
}
EXPORT CUresult cuDriverGetVersion(int *version) {
  *version = 12040;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = mode() == "zero-devices" ? 0 : 1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}
EXPORT CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  std::strncpy(name, "Kiln Fake GPU", length);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute, CUdevice) {
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = 9;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = 0;
    return CUDA_SUCCESS;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = 132;
    return CUDA_SUCCESS;
  }
  return kNotSupported;
}
EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice) {
  *bytes = size_t(80) << 30;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  static int primary;
  *context = reinterpret_cast<CUcontext>(&primary);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice) { return CUDA_SUCCESS; }
EXPORT CUresult cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }
EXPORT CUresult cuCtxSynchronize() { return CUDA_SUCCESS; }
EXPORT CUresult cuModuleLoadData(CUmodule *module, const void *) {
  static int loaded;
  if (!modulesLoad())
    return kNotSupported;
  *module = reinterpret_cast<CUmodule>(&loaded);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleUnload(CUmodule) {
  return modulesLoad() ? CUDA_SUCCESS : kNotSupported;
}
EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule, const char *) {
  static int found;
  if (!modulesLoad())
    return kNotSupported;
  *function = reinterpret_cast<CUfunction>(&found);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  if (!launches())
    return kNotSupported;
  *pointer = reinterpret_cast<CUdeviceptr>(std::malloc(bytes ? bytes : 1));
  return *pointer ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
  if (!launches())
    return kNotSupported;
  std::free(reinterpret_cast<void *>(pointer));
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source, size_t bytes) {
  if (!launches())
    return kNotSupported;
  std::memcpy(reinterpret_cast<void *>(destination), source, bytes);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source, size_t bytes) {
  if (!launches())
    return kNotSupported;
  std::memcpy(destination, reinterpret_cast<const void *>(source), bytes);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchKernel(CUfunction, unsigned gridX, unsigned gridY, unsigned gridZ,
                               unsigned blockX, unsigned blockY, unsigned blockZ,
                               unsigned sharedBytes, CUstream, void **, void **) {
  if (tracing())
    std::fprintf(stderr, "fake-cuda: launch grid (%u, %u, %u) block (%u, %u, %u) shared %u\n",
                 gridX, gridY, gridZ, blockX, blockY, blockZ, sharedBytes);
  return launchesOr(kNotSupported);
}
EXPORT CUresult cuFuncSetAttribute(CUfunction, CUfunction_attribute, int) {
  return launchesOr(kNotSupported);
}
EXPORT CUresult cuTensorMapEncodeTiled(CUtensorMap *, CUtensorMapDataType type, cuuint32_t rank,
                                       void *, const cuuint64_t *dims, const cuuint64_t *strides,
                                       const cuuint32_t *box, const cuuint32_t *,
                                       CUtensorMapInterleave, CUtensorMapSwizzle swizzle,
                                       CUtensorMapL2promotion, CUtensorMapFloatOOBfill) {
  if (tracing() && rank == 2)
    std::fprintf(stderr,
                 "fake-cuda: tensor map type %d dims {%llu, %llu} row stride %llu box {%u, %u} "
                 "swizzle %d\n",
                 static_cast<int>(type), static_cast<unsigned long long>(dims[0]),
                 static_cast<unsigned long long>(dims[1]),
                 static_cast<unsigned long long>(strides[0]), box[0], box[1],
                 static_cast<int>(swizzle));
  return launchesOr(kNotSupported);
}
EXPORT CUresult cuEventCreate(CUevent *event, unsigned int) {
  static int created;
  *event = reinterpret_cast<CUevent>(&created);
  return launchesOr(kNotSupported);
}
EXPORT CUresult cuEventRecord(CUevent, CUstream) { return launchesOr(kNotSupported); }
EXPORT CUresult cuEventSynchronize(CUevent) { return kNotSupported; }
EXPORT CUresult cuEventQuery(CUevent) {
  return mode() == "hang" ? CUDA_ERROR_NOT_READY : launchesOr(kNotSupported);
}
EXPORT CUresult cuEventElapsedTime(float *milliseconds, CUevent, CUevent) {
  *milliseconds = 1;
  return launchesOr(kNotSupported);
}
EXPORT CUresult cuEventDestroy_v2(CUevent) { return launchesOr(kNotSupported); }
EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case CUDA_ERROR_NO_DEVICE:
    *name = "CUDA_ERROR_NO_DEVICE";
    return CUDA_SUCCESS;
  case kNotSupported:
    *name = "CUDA_ERROR_NOT_SUPPORTED";
    return CUDA_SUCCESS;
  }
  *name = nullptr;
  return 1; // CUDA_ERROR_INVALID_VALUE, as the real driver answers for unknown codes
}
EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
  switch (error) {
  case CUDA_ERROR_NO_DEVICE:
    *text = "no CUDA-capable device is detected";
    return CUDA_SUCCESS;
  case kNotSupported:
    *text = "operation not supported";
    return CUDA_SUCCESS;
  }
  *text = nullptr;
  return 1;
}

EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **function, int cudaVersion,
                                    cuuint64_t flags, CUdriverProcAddressQueryResult *status) {
  *function = nullptr;
  *status = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  if (mode() == "legacy")
    return kNotFound;
  struct Entry {
    const char *name;
    void *function;
    int version;
  } entries[] = {
#define KILN_CUDA_SYMBOL(name, versionedName, version, parameters)                                 \
  {#name, reinterpret_cast<void *>(&versionedName), version},
#include "CudaDriverSymbols.def"
#undef KILN_CUDA_SYMBOL
  };
  for (const Entry &entry : entries)
    if (std::strcmp(entry.name, symbol) == 0) {
      if (cudaVersion != entry.version || flags != CU_GET_PROC_ADDRESS_LEGACY_STREAM) {
        *status = CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT;
        return kNotFound;
      }
      *function = entry.function;
      *status = CU_GET_PROC_ADDRESS_SUCCESS;
      return CUDA_SUCCESS;
    }
  return kNotFound;
}
