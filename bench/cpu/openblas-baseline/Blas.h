// Blas.h - the baseline's only matrix-product entry: OpenBLAS's cblas_sgemm, or cblas_sgemv when
// there is one row (a decode step), where a GEMM would pack its operands for nothing.
#ifndef KILN_BENCH_OPENBLAS_BLAS_H
#define KILN_BENCH_OPENBLAS_BLAS_H

#include <cstdint>

namespace kiln::baseline {

enum class BLayout {
  RowsAreOutputs, // B is [n, k] (a weight [out, in]): C = A · Bᵀ
  RowsAreInputs,  // B is [k, n]: C = A · B
};

/// C[m, n] = A[m, k] · op(B) + beta · C, row-major f32 with leading dimensions lda, ldb, ldc.
void matmul(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
            int64_t ldb, BLayout layout, float *c, int64_t ldc, float beta = 0.0f);

/// y[rows, out] = x[rows, in] · Wᵀ for a weight W [out, in] (every matrix dense).
inline void linear(int64_t rows, int64_t in, int64_t out, const float *x, const float *w,
                   float *y) {
  matmul(rows, out, in, x, in, w, in, BLayout::RowsAreOutputs, y, out);
}

/// OpenBLAS's thread count (openblas_set_num_threads), and what it reports back.
void setBlasThreads(int threads);
int blasThreads();
/// OpenBLAS's build description (openblas_get_config) and the kernel it picked for this CPU.
const char *blasConfig();
const char *blasCore();

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_BLAS_H
