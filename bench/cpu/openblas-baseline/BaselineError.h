// BaselineError.h - how kiln-bench-openblas reports an error: thrown, caught in main, printed as
// one line "kiln-bench-openblas: <message>" (the message names the file or option), exit 1.
#ifndef KILN_BENCH_OPENBLAS_BASELINEERROR_H
#define KILN_BENCH_OPENBLAS_BASELINEERROR_H

#include <string>

namespace kiln::baseline {

struct BaselineError {
  std::string message;
};

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_BASELINEERROR_H
