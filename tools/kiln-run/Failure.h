// Failure.h - how kiln-run's code reports an error: thrown, caught in main, printed as one line
// "kiln-run: <message>", exit status 1.
#ifndef KILN_TOOLS_KILN_RUN_FAILURE_H
#define KILN_TOOLS_KILN_RUN_FAILURE_H

#include "kiln_runtime.h"

#include <string>

namespace kiln::run {

struct Failure {
  std::string message;
};

/// Throws a non-null status as a Failure (freeing it).
inline void check(kiln_status_t status) {
  if (!status)
    return;
  Failure failure{kiln_status_message(status)};
  kiln_status_free(status);
  throw failure;
}

} // namespace kiln::run

#endif // KILN_TOOLS_KILN_RUN_FAILURE_H
