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

kiln_status_t KernelLauncher::launch(CUfunction function, const LaunchShape &shape,
                                     void **arguments) {
  if (kiln_status_t status =
          driver_.check(driver_.cuLaunchKernel(function, shape.grid[0], shape.grid[1],
                                               shape.grid[2], shape.block[0], shape.block[1],
                                               shape.block[2], 0, nullptr, arguments, nullptr),
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
                                                  shape.block[2], 0, nullptr, arguments, nullptr),
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
