// KernelLauncher.cpp - cuMemAlloc/cuMemcpy/cuLaunchKernel/cuEvent* for the checks.
#include "KernelLauncher.h"

namespace kiln::kerneltest {

KernelLauncher::~KernelLauncher() {
  for (CUdeviceptr pointer : buffers_)
    driver_.cuMemFree(pointer);
}

kiln_status_t KernelLauncher::allocate(size_t bytes, CUdeviceptr *pointer) {
  *pointer = 0;
  if (kiln_status_t status = driver_.check(driver_.cuMemAlloc(pointer, bytes),
                                           "cuMemAlloc(" + std::to_string(bytes) + " bytes)"))
    return status;
  buffers_.push_back(*pointer);
  return nullptr;
}

kiln_status_t KernelLauncher::upload(const std::vector<float> &host, CUdeviceptr *pointer) {
  return upload(host.data(), host.size() * sizeof(float), pointer);
}

kiln_status_t KernelLauncher::upload(const void *host, size_t bytes, CUdeviceptr *pointer) {
  if (kiln_status_t status = allocate(bytes, pointer))
    return status;
  return driver_.check(driver_.cuMemcpyHtoD(*pointer, host, bytes), "cuMemcpyHtoD");
}

kiln_status_t KernelLauncher::download(CUdeviceptr pointer, std::vector<float> *host) {
  return driver_.check(driver_.cuMemcpyDtoH(host->data(), pointer, host->size() * sizeof(float)),
                       "cuMemcpyDtoH");
}

kiln_status_t KernelLauncher::tensorMap2D(CUdeviceptr global, size_t rows, size_t cols,
                                          unsigned boxRows, unsigned boxCols,
                                          CUdeviceptr *deviceMap) {
  cuda::CUtensorMap map{};
  const cuda::cuuint64_t dims[2] = {cols, rows}, strides[1] = {cols};
  const cuda::cuuint32_t box[2] = {boxCols, boxRows}, elementStrides[2] = {1, 1};
  if (kiln_status_t status = driver_.check(
          driver_.cuTensorMapEncodeTiled(
              &map, cuda::CU_TENSOR_MAP_DATA_TYPE_UINT8, 2, reinterpret_cast<void *>(global), dims,
              strides, box, elementStrides, cuda::CU_TENSOR_MAP_INTERLEAVE_NONE,
              cuda::CU_TENSOR_MAP_SWIZZLE_128B, cuda::CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
              cuda::CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
          "cuTensorMapEncodeTiled"))
    return status;
  return upload(&map, sizeof map, deviceMap);
}

kiln_status_t KernelLauncher::setSharedBytes(CUfunction function, const LaunchShape &shape) {
  if (shape.sharedBytes <= 48 * 1024)
    return nullptr;
  return driver_.check(
      driver_.cuFuncSetAttribute(function, cuda::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                 static_cast<int>(shape.sharedBytes)),
      "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
}

kiln_status_t KernelLauncher::launch(CUfunction function, const LaunchShape &shape,
                                     void **arguments) {
  if (kiln_status_t status = setSharedBytes(function, shape))
    return status;
  if (kiln_status_t status =
          driver_.check(driver_.cuLaunchKernel(function, shape.grid[0], shape.grid[1],
                                               shape.grid[2], shape.block[0], shape.block[1],
                                               shape.block[2], shape.sharedBytes, nullptr, arguments,
                                               nullptr),
                        "cuLaunchKernel"))
    return status;
  return driver_.check(driver_.cuCtxSynchronize(), "the kernel (cuCtxSynchronize)");
}

kiln_status_t KernelLauncher::time(CUfunction function, const LaunchShape &shape, void **arguments,
                                   int iterations, double *microseconds) {
  *microseconds = 0;
  cuda::CUevent start = nullptr, end = nullptr;
  kiln_status_t status =
      driver_.check(driver_.cuEventCreate(&start, cuda::CU_EVENT_DEFAULT), "cuEventCreate");
  if (!status)
    status = driver_.check(driver_.cuEventCreate(&end, cuda::CU_EVENT_DEFAULT), "cuEventCreate");
  if (!status)
    status = driver_.check(driver_.cuEventRecord(start, nullptr), "cuEventRecord");
  for (int i = 0; !status && i < iterations; ++i)
    status = driver_.check(driver_.cuLaunchKernel(function, shape.grid[0], shape.grid[1],
                                                  shape.grid[2], shape.block[0], shape.block[1],
                                                  shape.block[2], shape.sharedBytes, nullptr,
                                                  arguments, nullptr),
                           "cuLaunchKernel");
  if (!status)
    status = driver_.check(driver_.cuEventRecord(end, nullptr), "cuEventRecord");
  if (!status)
    status = driver_.check(driver_.cuEventSynchronize(end), "cuEventSynchronize");
  float milliseconds = 0;
  if (!status)
    status =
        driver_.check(driver_.cuEventElapsedTime(&milliseconds, start, end), "cuEventElapsedTime");
  if (!status)
    *microseconds = 1000.0 * milliseconds / iterations;
  if (start)
    driver_.cuEventDestroy(start);
  if (end)
    driver_.cuEventDestroy(end);
  return status;
}

} // namespace kiln::kerneltest
