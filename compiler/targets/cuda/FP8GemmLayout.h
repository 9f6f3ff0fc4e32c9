//===- FP8GemmLayout.h - how a GEMM's rows map to its weights ---------------===//
//
// The layouts Kiln's FP8 GEMM kernels take, on every target (FP8GemmSm90.h, FP8GemmMma.h):
// a dense linear, and the two grouped layouts of a MoE layer's routed experts.
//
// The kernels trust the groups array, as the kernels of DeepGEMM do: its writer (the routing
// that sorts tokens by expert) keeps each entry a group below G, or -1 for padding, and each
// count between 0 and M. A group past G would read past B; a negative count reads as a huge
// unsigned one, clamped to M.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TARGETS_CUDA_FP8GEMMLAYOUT_H
#define KILN_COMPILER_TARGETS_CUDA_FP8GEMMLAYOUT_H

namespace kiln::cuda {

/// How A's rows map to B's: one weight, or one per group (the routed experts of a MoE layer).
enum class FP8GemmLayout {
  /// C[M, N] = A[M, K] . B[N, K]^T.
  Dense,
  /// Grouped, contiguous (prefill): A's rows come in blocks of BM rows (the
  /// kernel's M tile: 64 or 128 on sm_90a, 64 on sm_89 and sm_80), each block belonging to
  /// one group; groups[i] (i32) is the group of rows [i BM, (i + 1) BM), or -1 for a block
  /// of padding (skipped: no loads, no stores). B is [G, N, K] with scales [G, ceil(N/128),
  /// ceil(K/128)]; C is [M, N].
  GroupedContiguous,
  /// Grouped, masked (decode): A is [G, M, K] with M = `m` rows per group of which only the
  /// first groups[g] are valid; B as above; C is [G, M, N], written only in valid rows.
  GroupedMasked,
};

/// "dense", "grouped-contiguous" or "grouped-masked" (the manifest's words).
inline const char *fp8GemmLayoutName(FP8GemmLayout layout) {
  return layout == FP8GemmLayout::Dense               ? "dense"
         : layout == FP8GemmLayout::GroupedContiguous ? "grouped-contiguous"
                                                      : "grouped-masked";
}

/// "", "_grouped" or "_masked": what a kernel's name says about its layout.
inline const char *fp8GemmLayoutSuffix(FP8GemmLayout layout) {
  return layout == FP8GemmLayout::Dense               ? ""
         : layout == FP8GemmLayout::GroupedContiguous ? "_grouped"
                                                      : "_masked";
}

} // namespace kiln::cuda

#endif // KILN_COMPILER_TARGETS_CUDA_FP8GEMMLAYOUT_H
