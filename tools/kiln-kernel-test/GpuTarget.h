// GpuTarget.h - a bundle's target names (sm_90a, sm_89, ...) and whether an image runs on a GPU.
#ifndef KILN_TOOLS_KERNEL_TEST_GPUTARGET_H
#define KILN_TOOLS_KERNEL_TEST_GPUTARGET_H

#include <string>

namespace kiln::kerneltest {

enum class ImageKind { Cubin, Ptx };

struct GpuTarget {
  int major = 0, minor = 0;
  bool archSpecific = false; // the "a" of sm_90a: features only that exact chip has
};

// Parses "sm_<major><minor>[a]" ("sm_90a" is 9.0 arch-specific, "sm_100a" 10.0); false if not.
bool parseGpuTarget(const std::string &text, GpuTarget *target);

// Why an image of `kind` built for `target` cannot run on a device of compute capability
// deviceMajor.deviceMinor, or "" when it can. Cubins run within their major version on the same
// or a later minor; PTX is compiled by the driver for any later device; an arch-specific target
// runs on that exact chip only.
std::string whyNotRunnable(const GpuTarget &target, ImageKind kind, int deviceMajor,
                           int deviceMinor);

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_GPUTARGET_H
