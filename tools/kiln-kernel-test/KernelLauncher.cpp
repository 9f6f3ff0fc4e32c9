// KernelLauncher.cpp - cuMemAlloc/cuMemcpy/cuLaunchKernel/cuEvent* for the checks, and the
// deadline on every wait for the GPU.
#include "KernelLauncher.h"
#include "Status.h"

#include <chrono>
#include <cstdio>
#include <thread>

namespace kiln::kerneltest {

KernelLauncher::~KernelLauncher() {
  if (hung_)
    return;
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
                                          CUdeviceptr *deviceMap, cuda::CUtensorMapDataType type) {
  cuda::CUtensorMap map{};
  const size_t elementBytes = type == cuda::CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 ? 2 : 1;
  const cuda::cuuint64_t dims[2] = {cols, rows}, strides[1] = {cols * elementBytes};
  const cuda::cuuint32_t box[2] = {boxCols, boxRows}, elementStrides[2] = {1, 1};
  if (kiln_status_t status = driver_.check(
          driver_.cuTensorMapEncodeTiled(
              &map, type, 2, reinterpret_cast<void *>(global), dims,
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

kiln_status_t KernelLauncher::launchOnce(CUfunction function, const LaunchShape &shape,
                                         void **arguments) {
  return driver_.check(driver_.cuLaunchKernel(function, shape.grid[0], shape.grid[1],
                                              shape.grid[2], shape.block[0], shape.block[1],
                                              shape.block[2], shape.sharedBytes, nullptr,
                                              arguments, nullptr),
                       "cuLaunchKernel");
}

kiln_status_t KernelLauncher::waitFor(cuda::CUevent event, const std::string &what) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(timeoutSeconds_));
  for (;;) {
    cuda::CUresult result = driver_.cuEventQuery(event);
    if (result != cuda::CUDA_ERROR_NOT_READY)
      return driver_.check(result, what);
    if (Clock::now() >= deadline) {
      hung_ = true;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", timeoutSeconds_);
      return makeStatus(KILN_STATUS_UNAVAILABLE,
                        what + " did not finish within " + seconds +
                            " s (--timeout): the kernel hangs (deadlock?) or is far too slow");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

namespace {

// Events created for one wait or one timing, destroyed on every path out (unless the GPU hung:
// then nothing more is asked of the driver).
class Events {
public:
  Events(const cuda::CudaDriver &driver, const bool &hung) : driver_(driver), hung_(hung) {}
  ~Events() {
    if (!hung_)
      for (cuda::CUevent event : events_)
        driver_.cuEventDestroy(event);
  }
  kiln_status_t create(cuda::CUevent *event) {
    *event = nullptr;
    if (kiln_status_t status =
            driver_.check(driver_.cuEventCreate(event, cuda::CU_EVENT_DEFAULT), "cuEventCreate"))
      return status;
    events_.push_back(*event);
    return nullptr;
  }

private:
  const cuda::CudaDriver &driver_;
  const bool &hung_;
  std::vector<cuda::CUevent> events_;
};

} // namespace

kiln_status_t KernelLauncher::launch(CUfunction function, const LaunchShape &shape,
                                     void **arguments) {
  if (kiln_status_t status = setSharedBytes(function, shape))
    return status;
  Events events(driver_, hung_);
  cuda::CUevent done = nullptr;
  if (kiln_status_t status = events.create(&done))
    return status;
  if (kiln_status_t status = launchOnce(function, shape, arguments))
    return status;
  if (kiln_status_t status = driver_.check(driver_.cuEventRecord(done, nullptr), "cuEventRecord"))
    return status;
  if (kiln_status_t status = waitFor(done, "the kernel"))
    return status;
  return driver_.check(driver_.cuCtxSynchronize(), "the kernel (cuCtxSynchronize)");
}

kiln_status_t KernelLauncher::time(CUfunction function, const LaunchShape &shape, void **arguments,
                                   int iterations, double *microseconds) {
  *microseconds = 0;
  Events events(driver_, hung_);
  cuda::CUevent start = nullptr, end = nullptr;
  kiln_status_t status = events.create(&start);
  if (!status)
    status = events.create(&end);
  if (!status)
    status = driver_.check(driver_.cuEventRecord(start, nullptr), "cuEventRecord");
  for (int i = 0; !status && i < iterations; ++i)
    status = launchOnce(function, shape, arguments);
  if (!status)
    status = driver_.check(driver_.cuEventRecord(end, nullptr), "cuEventRecord");
  if (!status)
    status = waitFor(end, "the timed launches");
  float milliseconds = 0;
  if (!status)
    status =
        driver_.check(driver_.cuEventElapsedTime(&milliseconds, start, end), "cuEventElapsedTime");
  if (!status)
    *microseconds = 1000.0 * milliseconds / iterations;
  return status;
}

} // namespace kiln::kerneltest
