// Blas.cpp - cblas calls (cblas.h from libopenblas-dev).
#include "Blas.h"

#include <cblas.h>

namespace kiln::baseline {

void matmul(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
            int64_t ldb, BLayout layout, float *c, int64_t ldc, float beta) {
  const bool transposed = layout == BLayout::RowsAreOutputs;
  if (m == 1) {
    // c = op(B) a: a [n, k] weight multiplies a as is; a [k, n] matrix is read transposed.
    if (transposed)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, b, ldb, a, 1, beta, c, 1);
    else
      cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, b, ldb, a, 1, beta, c, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transposed ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
              a, lda, b, ldb, beta, c, ldc);
}

void setBlasThreads(int threads) { openblas_set_num_threads(threads); }
int blasThreads() { return openblas_get_num_threads(); }
const char *blasConfig() { return openblas_get_config(); }
const char *blasCore() { return openblas_get_corename(); }

} // namespace kiln::baseline
