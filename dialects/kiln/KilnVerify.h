//===- KilnVerify.h - checks the kiln op verifiers share --------------------===//
//
// Shapes are compared "compatibly": a dynamic dimension on either side matches anything, so the
// same verifier serves the prefill (dynamic token count) and decode (static batch) forms.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECTS_KILN_KILNVERIFY_H
#define KILN_DIALECTS_KILN_KILNVERIFY_H

#include "dialects/kiln/KilnOps.h"

#include <string>

namespace kiln {

/// A dimension the check does not constrain.
inline constexpr int64_t kAnyDim = mlir::ShapedType::kDynamic;

/// Whether two dimensions can be equal.
inline bool dimsCompatible(int64_t a, int64_t b) {
  return mlir::ShapedType::isDynamic(a) || mlir::ShapedType::isDynamic(b) || a == b;
}

/// Dimension `index` of a shaped value.
inline int64_t dim(mlir::Value value, unsigned index) {
  return mlir::cast<mlir::ShapedType>(value.getType()).getDimSize(index);
}

/// `ceil(a / b)`, kept dynamic when `a` is.
int64_t ceilDivDim(int64_t a, int64_t b);

/// Prints a dimension: its value, or `?` when dynamic.
std::string formatDim(int64_t dim);

/// Prints a shape as `[4, ?, 16]`.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Checks `type`'s shape against `expected` (same rank, compatible dimensions). On mismatch:
/// "<what> has shape [..], expected [..]".
mlir::LogicalResult verifyShape(mlir::Operation *op, llvm::StringRef what, mlir::Type type,
                                llvm::ArrayRef<int64_t> expected);

/// Row (token) counts agree: "<what> has N rows, input has M".
mlir::LogicalResult verifyRows(mlir::Operation *op, llvm::StringRef what, mlir::Value value,
                               mlir::Value input);

/// Finds the kiln.weight `ref` names. Otherwise: "references unknown weight @x".
mlir::FailureOr<WeightOp> lookupWeight(mlir::Operation *op,
                                       mlir::SymbolTableCollection &symbolTable,
                                       mlir::FlatSymbolRefAttr ref);

/// What a weight may hold.
enum class WeightKind {
  /// Any supported dtype, FP8 included (linear layers).
  AnyDtype,
  /// Kept in floating point by every checkpoint (embeddings, norms, lm_head, router gate).
  NotFP8,
  /// f32 only (the router's e_score_correction_bias).
  F32Only,
};

/// Looks up `ref` and checks its shape against `expected` and its dtype against `kind`:
/// "weight @x (role) has shape [..], expected [..]", "weight @x (role) must not be FP8",
/// "weight @x (role) must be f32, got T".
mlir::FailureOr<WeightOp> verifyWeight(mlir::Operation *op,
                                       mlir::SymbolTableCollection &symbolTable,
                                       mlir::FlatSymbolRefAttr ref, llvm::StringRef role,
                                       llvm::ArrayRef<int64_t> expected,
                                       WeightKind kind = WeightKind::AnyDtype);

/// The checks a router's configuration must pass, for kiln.moe.router and the route.* chain
/// alike. `experts` may be dynamic, in which case only what can be checked is.
mlir::LogicalResult verifyRoutingConfig(mlir::Operation *op, int64_t experts, int64_t groups,
                                        int64_t keep, int64_t k, GroupReduce reduce);

/// `layer` indexes `cache`: "layer L is out of range for a cache of N layers".
mlir::LogicalResult verifyCacheLayer(mlir::Operation *op, KVCacheType cache, int64_t layer);

/// The cache holds what `shape` attends over: its latent and rope widths.
mlir::LogicalResult verifyCacheMatchesShape(mlir::Operation *op, KVCacheType cache,
                                            MLAShapeAttr shape);

/// A strictly positive float attribute: "<what> must be positive".
mlir::LogicalResult verifyPositive(mlir::Operation *op, llvm::StringRef what, double value);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_KILNVERIFY_H
