// CudaDevice.h - one GPU, initialized, with its primary context current on this thread.
#ifndef KILN_RUNTIME_CUDA_CUDADEVICE_H
#define KILN_RUNTIME_CUDA_CUDADEVICE_H

#include "CudaDriver.h"

#include <memory>
#include <string>

namespace kiln::cuda {

class CudaDevice {
public:
  // Calls cuInit, picks device `ordinal`, retains its primary context and makes it current.
  // UNAVAILABLE when the driver cannot initialize (no GPU, the toolkit's stub library, a
  // driver/kernel-module mismatch) or finds no device; INVALID_ARGUMENT for an ordinal past
  // the last device. `driver` must outlive the device.
  static kiln_status_t open(const CudaDriver &driver, int ordinal,
                            std::unique_ptr<CudaDevice> *device);

  ~CudaDevice();
  CudaDevice(const CudaDevice &) = delete;
  CudaDevice &operator=(const CudaDevice &) = delete;

  const CudaDriver &driver() const { return driver_; }
  int ordinal() const { return ordinal_; }
  const std::string &name() const { return name_; }
  int computeMajor() const { return computeMajor_; }
  int computeMinor() const { return computeMinor_; }
  int multiprocessorCount() const { return multiprocessors_; }
  size_t totalMemoryBytes() const { return totalMemory_; }
  // As cuDriverGetVersion reports it: 1000 * major + 10 * minor (12040 is CUDA 12.4).
  int driverVersion() const { return driverVersion_; }
  // One line: "NVIDIA H100 80GB HBM3 (device 0, sm_90, 132 SMs, 79.1 GiB, driver CUDA 12.4)".
  std::string summary() const;

private:
  CudaDevice(const CudaDriver &driver, int ordinal) : driver_(driver), ordinal_(ordinal) {}

  const CudaDriver &driver_;
  int ordinal_;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  std::string name_;
  int computeMajor_ = 0, computeMinor_ = 0, multiprocessors_ = 0, driverVersion_ = 0;
  size_t totalMemory_ = 0;
};

} // namespace kiln::cuda

#endif // KILN_RUNTIME_CUDA_CUDADEVICE_H
