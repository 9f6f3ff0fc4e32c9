// CudaDriverTypes.h - the few CUDA driver API types the runtime uses, declared here.
//
// Why not cuda.h: the runtime must build on hosts where CUDA is not installed (a CPU-only box,
// CI) and finds the driver at run time with dlopen, so no CUDA header may be needed to compile
// it. These declarations copy the driver ABI from cuda.h; it has been stable for a decade
// (opaque handles, int results, 64-bit device pointers on 64-bit hosts).
#ifndef KILN_RUNTIME_CUDA_CUDADRIVERTYPES_H
#define KILN_RUNTIME_CUDA_CUDADRIVERTYPES_H

#include <cstddef>

namespace kiln::cuda {

using CUresult = int; // enum cudaError_enum in cuda.h
using CUdevice = int; // a device ordinal
using CUdeviceptr = unsigned long long;
using cuuint64_t = unsigned long long;
using cuuint32_t = unsigned int;

// Opaque handles; only the driver knows what they point to.
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

// The results the runtime tells apart (values from cuda.h); others are reported by name.
enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_STUB_LIBRARY = 34,
  CUDA_ERROR_INSUFFICIENT_DRIVER = 35,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_NOT_READY = 600, // cuEventQuery: the work before the event is still running
  CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
  CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804,
};

// CUdevice_attribute values the runtime reads.
enum CUdevice_attribute : int {
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

// cuGetProcAddress_v2 (CUDA 12.0+) reports why a lookup failed through this.
enum CUdriverProcAddressQueryResult : int {
  CU_GET_PROC_ADDRESS_SUCCESS = 0,
  CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND = 1,
  CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT = 2,
};
// Ask for the legacy default stream's entry points: stream 0 means the legacy stream here.
constexpr cuuint64_t CU_GET_PROC_ADDRESS_LEGACY_STREAM = 1;

// cuEventCreate flags.
constexpr unsigned CU_EVENT_DEFAULT = 0;

// cuFuncSetAttribute: the one attribute the runtime sets (dynamic shared memory over 48 KiB).
enum CUfunction_attribute : int {
  CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
};

// cuTensorMapEncodeTiled (CUDA 12.0+, sm_90): the TMA descriptor, 128 opaque bytes, 64-byte
// aligned, and the enum values Kiln's kernels use.
struct alignas(64) CUtensorMap {
  cuuint64_t opaque[16];
};
enum CUtensorMapDataType : int {
  CU_TENSOR_MAP_DATA_TYPE_UINT8 = 0,
  CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 = 9,
};
enum CUtensorMapInterleave : int { CU_TENSOR_MAP_INTERLEAVE_NONE = 0 };
enum CUtensorMapSwizzle : int { CU_TENSOR_MAP_SWIZZLE_NONE = 0, CU_TENSOR_MAP_SWIZZLE_128B = 3 };
enum CUtensorMapL2promotion : int {
  CU_TENSOR_MAP_L2_PROMOTION_NONE = 0,
  CU_TENSOR_MAP_L2_PROMOTION_L2_256B = 3,
};
enum CUtensorMapFloatOOBfill : int { CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE = 0 };

} // namespace kiln::cuda

#endif // KILN_RUNTIME_CUDA_CUDADRIVERTYPES_H
