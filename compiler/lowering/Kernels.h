//===- Kernels.h - kernel IR: one function per fused group, over memrefs ---===//
//
// Each builder creates (or finds, deduplicated by name, which encodes every shape and type)
// a `func.func` marked `kiln.kernel` whose arguments are its buffers (memrefs with static shapes;
// activations are f32 [T, D] with T the largest token count of any entry point) followed by
// three `index` values: the token count of this call, the workgroup id and the workgroup count.
// The body is scf/arith/math/memref and partitions its outer loop by workgroup, so the CPU runs
// workgroups on a thread pool and a GPU target can run the same plan.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_LOWERING_KERNELS_H
#define KILN_COMPILER_LOWERING_KERNELS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>

namespace kiln::lowering {

/// How a linear layer reads its weight.
enum class GemmMode {
  /// Weights of a float type (bf16, f16, f32), f32 activations.
  Float,
  /// FP8 weights dequantised per 128x128 block, f32 activations.
  Dequant,
  /// FP8 weights times activations quantised per token per 128 channels (`act_quant` first).
  ActQuant,
};

/// The activation-quantisation rounding of `act-quant` (scale_fmt).
enum class ScaleRounding { None, UE8M0 };

/// A weight as a kernel sees it: its memref type and, for block FP8, its scales' type.
struct WeightView {
  mlir::MemRefType type;
  mlir::MemRefType scaleType; // null unless block FP8
};

class KernelLibrary {
public:
  KernelLibrary(mlir::ModuleOp module, int64_t maxTokens);

  int64_t maxTokens() const { return maxTokens_; }
  /// f32 [maxTokens, dim].
  mlir::MemRefType activation(int64_t dim) const;
  mlir::MemRefType activation3(int64_t k, int64_t dim) const;
  mlir::MemRefType tokenVector(mlir::Type element) const;

  // Each returns the kernel's symbol name. Argument order is documented at each builder.
  std::string embed(const WeightView &table);                          // ids, table, out
  std::string rmsNorm(int64_t dim, const WeightView &w, float eps);    // x, w, out
  std::string addRmsNorm(int64_t dim, const WeightView &w, float eps); // a, b, w, sum, out
  std::string linear(int64_t k, int64_t o, const WeightView &w, GemmMode mode); // x[,xs], w[, ws], out
  std::string actQuant(int64_t k, ScaleRounding rounding);            // x, q, scales
  /// RMSNorm, then activation quantisation of the normalised row (kiln.rms_norm_quant; with
  /// `residual`, kiln.add_rms_norm_quant): [a, b,] w, [sum,] out, q, scales.
  std::string rmsNormQuant(int64_t dim, const WeightView &w, float eps, bool residual,
                           ScaleRounding rounding);
  std::string swiglu(int64_t dim);                                     // gate, up, out
  std::string swigluQuant(int64_t dim, ScaleRounding rounding);        // gate, up, q, scales
  std::string add(int64_t dim);                                        // a, b, out
  std::string routeScore(int64_t experts, bool sigmoid);               // logits, out
  std::string routeBiasAdd(int64_t experts, const WeightView &bias);   // x, bias, out
  std::string routeGroupScore(int64_t experts, int64_t groups, bool top2Sum); // x, out
  std::string routeGroupMask(int64_t experts, int64_t groups, int64_t keep);   // x, g, out
  std::string routeTopK(int64_t experts, int64_t k);                   // sel, w, outW, outIdx
  std::string routeNormalize(int64_t k, float eps);                    // w, out
  std::string routeScale(int64_t k, float factor);                     // w, out
  /// The fused router (kiln.moe.router): logits[, bias], out weights, out indices.
  std::string moeRouter(int64_t experts, bool sigmoid, const WeightView *bias, int64_t groups,
                        int64_t keep, bool top2Sum, int64_t k, bool normalize, float eps,
                        float factor);
  /// x, idx, gate[, gate scales], up[, up scales], down[, down scales], out [T, k, H]
  std::string moeExperts(int64_t hidden, int64_t inter, int64_t k, const WeightView &gate,
                         const WeightView &up, const WeightView &down, GemmMode mode,
                         ScaleRounding rounding);
  std::string moeCombine(int64_t k, int64_t dim);                      // y, w, out
  /// kv_a [T, L+R], norm weight, positions, slots, block table, rope table, pool
  std::string mlaCacheWrite(int64_t latent, int64_t rope, const WeightView &norm, float eps,
                            mlir::MemRefType blockTable, mlir::MemRefType ropeTable,
                            mlir::MemRefType pool);
  /// q [T, H*(D+R)], kv_b[, kv_b scales], positions, slots, block table, rope table, pool,
  /// out [T, H*V]
  std::string mlaAttention(int64_t heads, int64_t nope, int64_t rope, int64_t v, int64_t latent,
                           const WeightView &kvB, float softmaxScale, mlir::MemRefType blockTable,
                           mlir::MemRefType ropeTable, mlir::MemRefType pool);

  /// Naive (prefill) MLA over one sequence: the cached latents of positions 0..positions[T-1]
  /// of `slots[0]` expanded by kv_b into per-head keys and values once each, causal attention of
  /// every query row. Same arguments as mlaAttention.
  std::string mlaNaive(int64_t heads, int64_t nope, int64_t rope, int64_t v, int64_t latent,
                       const WeightView &kvB, float softmaxScale, mlir::MemRefType blockTable,
                       mlir::MemRefType ropeTable, mlir::MemRefType pool);

private:
  /// Returns `name`, creating the kernel and building its body with `body(Body &, Emitter &)`
  /// the first time (kernels are deduplicated by name).
  template <typename F>
  std::string define(const std::string &name, llvm::ArrayRef<mlir::Type> buffers, F &&body);
  mlir::func::FuncOp declare(const std::string &name, llvm::ArrayRef<mlir::Type> buffers,
                             bool &created);
  mutable mlir::ModuleOp module_;
  int64_t maxTokens_;
};

/// Marks kernel functions.
inline constexpr const char *kKernelAttr = "kiln_plan.kernel";

} // namespace kiln::lowering

#endif // KILN_COMPILER_LOWERING_KERNELS_H
