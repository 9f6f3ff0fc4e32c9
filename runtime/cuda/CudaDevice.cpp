// CudaDevice.cpp - cuInit, device discovery and the primary context.
#include "CudaDevice.h"

#include <cstdio>

namespace kiln::cuda {

kiln_status_t CudaDevice::open(const CudaDriver &driver, int ordinal,
                               std::unique_ptr<CudaDevice> *device) {
  device->reset();
  // cuInit is where a host without a usable GPU shows itself (CUDA_ERROR_NO_DEVICE, the
  // toolkit's stub library, a driver older than the kernel module): that is "unavailable",
  // not an internal error.
  if (CUresult result = driver.cuInit(0)) {
    std::string message = "CUDA unavailable: cuInit failed with " + driver.describe(result) +
                          " (check the GPU and the NVIDIA driver with nvidia-smi)";
    return kiln_status_make(KILN_STATUS_UNAVAILABLE, message.c_str());
  }
  int count = 0;
  if (kiln_status_t status = driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return status;
  if (count == 0)
    return kiln_status_make(KILN_STATUS_UNAVAILABLE,
                            "CUDA unavailable: the NVIDIA driver reports no CUDA devices "
                            "(check the GPU with nvidia-smi)");
  if (ordinal < 0 || ordinal >= count) {
    std::string message =
        "CUDA device " + std::to_string(ordinal) + " requested, but there " +
        (count == 1 ? "is 1 device" : "are " + std::to_string(count) + " devices");
    return kiln_status_make(KILN_STATUS_INVALID_ARGUMENT, message.c_str());
  }

  std::unique_ptr<CudaDevice> opened(new CudaDevice(driver, ordinal));
  CudaDevice &d = *opened;
  if (kiln_status_t status = driver.check(driver.cuDeviceGet(&d.device_, ordinal), "cuDeviceGet"))
    return status;
  // The primary context is the one the CUDA runtime API uses too, so libraries that share the
  // process (NCCL later) see the same allocations.
  if (kiln_status_t status = driver.check(driver.cuDevicePrimaryCtxRetain(&d.context_, d.device_),
                                          "cuDevicePrimaryCtxRetain"))
    return status;
  if (kiln_status_t status = driver.check(driver.cuCtxSetCurrent(d.context_), "cuCtxSetCurrent"))
    return status;

  char name[256] = {};
  if (kiln_status_t status =
          driver.check(driver.cuDeviceGetName(name, sizeof name - 1, d.device_), "cuDeviceGetName"))
    return status;
  d.name_ = name;
  struct {
    int *value;
    CUdevice_attribute attribute;
    const char *what;
  } attributes[] = {
      {&d.computeMajor_, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "compute capability"},
      {&d.computeMinor_, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "compute capability"},
      {&d.multiprocessors_, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "multiprocessor count"},
  };
  for (auto &a : attributes)
    if (kiln_status_t status =
            driver.check(driver.cuDeviceGetAttribute(a.value, a.attribute, d.device_),
                         std::string("cuDeviceGetAttribute(") + a.what + ")"))
      return status;
  if (kiln_status_t status =
          driver.check(driver.cuDeviceTotalMem(&d.totalMemory_, d.device_), "cuDeviceTotalMem"))
    return status;
  if (kiln_status_t status =
          driver.check(driver.cuDriverGetVersion(&d.driverVersion_), "cuDriverGetVersion"))
    return status;
  *device = std::move(opened);
  return nullptr;
}

CudaDevice::~CudaDevice() {
  if (context_)
    driver_.cuDevicePrimaryCtxRelease(device_);
}

std::string CudaDevice::summary() const {
  char line[512];
  std::snprintf(line, sizeof line, "%s (device %d, sm_%d%d, %d SMs, %.1f GiB, driver CUDA %d.%d)",
                name_.c_str(), ordinal_, computeMajor_, computeMinor_, multiprocessors_,
                static_cast<double>(totalMemory_) / (1024.0 * 1024.0 * 1024.0),
                driverVersion_ / 1000, driverVersion_ % 1000 / 10);
  return line;
}

} // namespace kiln::cuda
