// KernelLauncher.h - device buffers, launches and event timing for one numerics check.
#ifndef KILN_TOOLS_KERNEL_TEST_KERNELLAUNCHER_H
#define KILN_TOOLS_KERNEL_TEST_KERNELLAUNCHER_H

#include "CudaDriver.h"

#include <vector>

namespace kiln::kerneltest {

using cuda::CUdeviceptr;
using cuda::CUfunction;

struct LaunchShape {
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  unsigned sharedBytes = 0; // dynamic shared memory; over 48 KiB raises the function's limit
};

// Owns what one check allocates and frees it all at the end, so a failing check leaks nothing
// into the next. Launches go to the legacy default stream.
//
// Every wait for the GPU has a deadline. A kernel that deadlocks (an mbarrier phase nobody
// completes, a setmaxnreg.inc the register pool can never supply) would block
// cuCtxSynchronize for ever and take a GPU machine's whole time slot with it; instead the
// wait fails after `timeoutSeconds` and the launcher reports hung(). Nothing more may be done
// with the device then, freeing memory included: the caller reports and exits.
class KernelLauncher {
public:
  KernelLauncher(const cuda::CudaDriver &driver, double timeoutSeconds)
      : driver_(driver), timeoutSeconds_(timeoutSeconds) {}
  ~KernelLauncher();
  KernelLauncher(const KernelLauncher &) = delete;
  KernelLauncher &operator=(const KernelLauncher &) = delete;

  kiln_status_t allocate(size_t bytes, CUdeviceptr *pointer);
  // Allocates a buffer the size of `host` and copies it there.
  kiln_status_t upload(const std::vector<float> &host, CUdeviceptr *pointer);
  kiln_status_t upload(const void *host, size_t bytes, CUdeviceptr *pointer);
  kiln_status_t download(CUdeviceptr pointer, std::vector<float> *host);
  // A 2-D TMA descriptor (cuTensorMapEncodeTiled) of the row-major matrix at `global`
  // ([rows][cols] elements of `type`: bytes or bf16), box boxRows x boxCols, 128-byte swizzle,
  // copied to device memory: the kernel takes `*deviceMap` as a pointer argument.
  kiln_status_t tensorMap2D(CUdeviceptr global, size_t rows, size_t cols, unsigned boxRows,
                            unsigned boxCols, CUdeviceptr *deviceMap,
                            cuda::CUtensorMapDataType type = cuda::CU_TENSOR_MAP_DATA_TYPE_UINT8);

  // One launch, then waits for it: errors inside the kernel surface here.
  kiln_status_t launch(CUfunction function, const LaunchShape &shape, void **arguments);
  // The mean time of `iterations` back-to-back launches, measured with CUDA events.
  kiln_status_t time(CUfunction function, const LaunchShape &shape, void **arguments,
                     int iterations, double *microseconds);

  // A wait outlived the deadline: the GPU is still running (or stuck in) a kernel. The
  // destructor then leaves the buffers alone (cuMemFree would wait for the kernel).
  bool hung() const { return hung_; }

private:
  kiln_status_t setSharedBytes(CUfunction function, const LaunchShape &shape);
  kiln_status_t launchOnce(CUfunction function, const LaunchShape &shape, void **arguments);
  // Polls `event` until the work recorded before it is done, failed, or past the deadline.
  kiln_status_t waitFor(cuda::CUevent event, const std::string &what);

  const cuda::CudaDriver &driver_;
  double timeoutSeconds_;
  bool hung_ = false;
  std::vector<CUdeviceptr> buffers_;
};

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_KERNELLAUNCHER_H
