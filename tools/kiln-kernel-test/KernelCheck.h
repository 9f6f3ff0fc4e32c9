// KernelCheck.h - a kernel's numerics check: its launch ABI, inputs and float64 CPU reference.
//
// Each check knows the arguments its kernel takes. Kernels come from MLIR's gpu dialect lowered
// with convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}: a static memref argument is
// one device pointer, a scalar is passed by value (test/gpu/kernels/ pins that ABI with lit).
#ifndef KILN_TOOLS_KERNEL_TEST_KERNELCHECK_H
#define KILN_TOOLS_KERNEL_TEST_KERNELCHECK_H

#include "KernelLauncher.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kiln::kerneltest {

struct CheckInput {
  CUfunction function = nullptr;
  std::vector<int64_t> shape; // from the manifest; the kernel was compiled for it
  std::mt19937_64 *random = nullptr;
  int iterations = 1;
  // Where to write the check's inputs and output (--dump-dir; "" = nowhere), and a name for
  // the files (the kernel's).
  std::string dumpDirectory, label;
  int multiprocessors = 1; // of the device: the grid of persistent kernels
};

struct CheckResult {
  double maxAbsError = 0, maxRelError = 0;
  bool passed = false;
  std::string failure; // why it failed: the first element out of bounds
  double microseconds = 0;
  double flops = 0; // floating-point operations of one launch, when the check counts them
};

class KernelCheck {
public:
  virtual ~KernelCheck() = default;
  virtual const char *name() const = 0;
  // What the manifest's shape means, e.g. "N" or "ROWSxK"; its 'x'-count gives the rank.
  virtual const char *shapeSyntax() const = 0;
  size_t rank() const;
  // Fresh random inputs, one checked launch against the reference, then timed launches.
  // A status only for CUDA errors; numerics failures are results.
  virtual kiln_status_t run(KernelLauncher &launcher, const CheckInput &input,
                            CheckResult *result) const = 0;
};

// A rule a check's shape must keep, and whether this shape breaks it.
struct ShapeRule {
  bool broken;
  const char *text;
};
// INVALID_ARGUMENT "CHECK: shape AxBx...: RULE" for the first broken rule; nullptr (success)
// when none is.
kiln_status_t checkShapeRules(const KernelCheck &check, const std::vector<int64_t> &shape,
                              const std::vector<ShapeRule> &rules);

// The check named `name`, or nullptr.
const KernelCheck *findKernelCheck(const std::string &name);
// "row_dot, scale": for error messages.
std::string kernelCheckNames();

// The checks, one file each; a file with several variants of one kernel appends them all.
const KernelCheck &scaleCheck();
const KernelCheck &rowDotCheck();
void addFP8GemmChecks(std::vector<const KernelCheck *> *checks);
void addGroupedGemmChecks(std::vector<const KernelCheck *> *checks);

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_KERNELCHECK_H
