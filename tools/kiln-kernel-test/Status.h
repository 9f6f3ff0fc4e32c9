// Status.h - owning kiln_status_t values inside the tool.
#ifndef KILN_TOOLS_KERNEL_TEST_STATUS_H
#define KILN_TOOLS_KERNEL_TEST_STATUS_H

#include "kiln_runtime.h"

#include <memory>
#include <string>

namespace kiln::kerneltest {

// Frees the status on every path out of a scope; the runtime's C API hands out raw ones.
struct StatusDeleter {
  void operator()(kiln_status_t status) const { kiln_status_free(status); }
};
using Status = std::unique_ptr<kiln_status_s, StatusDeleter>;

inline kiln_status_t makeStatus(kiln_status_code_t code, const std::string &message) {
  return kiln_status_make(code, message.c_str());
}

} // namespace kiln::kerneltest

#endif // KILN_TOOLS_KERNEL_TEST_STATUS_H
