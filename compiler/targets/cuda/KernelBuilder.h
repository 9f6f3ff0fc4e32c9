//===- KernelBuilder.h - arithmetic and pointer steps for GPU kernel builders ===//
//
// Internal to compiler/targets/cuda: what FP8GemmSm90Kernel.cpp and FP8GemmMmaKernel.cpp write ops with.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TARGETS_CUDA_KERNELBUILDER_H
#define KILN_COMPILER_TARGETS_CUDA_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace kiln::cuda {

using mlir::ImplicitLocOpBuilder;
using mlir::OpBuilder;
using mlir::Type;
using mlir::Value;
using mlir::ValueRange;
namespace arith = mlir::arith;
namespace scf = mlir::scf;
namespace LLVM = mlir::LLVM;

/// The dynamic shared memory every kernel of the module addresses: one
/// `llvm.mlir.global external` of `!llvm.array<0 x i8>` in address space 3
/// (buildSm90DynamicSharedMemory declares it).
constexpr llvm::StringLiteral kDynamicSharedMemory = "kiln_fp8_dsmem";

/// Index, i32 and i64 arithmetic on an ImplicitLocOpBuilder, and the llvm pointer steps.
struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  Type idx, i32, i64, f32, globalPtr, smemPtr, clusterPtr, ptr;

  explicit KernelBuilder(ImplicitLocOpBuilder &b)
      : b(b), idx(b.getIndexType()), i32(b.getI32Type()), i64(b.getI64Type()),
        f32(b.getF32Type()), globalPtr(LLVM::LLVMPointerType::get(b.getContext(), 1)),
        smemPtr(LLVM::LLVMPointerType::get(b.getContext(), 3)),
        clusterPtr(LLVM::LLVMPointerType::get(b.getContext(), 7)),
        ptr(LLVM::LLVMPointerType::get(b.getContext())) {}

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value c32(int64_t v) { return arith::ConstantIntOp::create(b, i32, v); }
  Value c64(int64_t v) { return arith::ConstantIntOp::create(b, i64, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, x, y); }
  Value xori(Value x, Value y) { return arith::XOrIOp::create(b, x, y); }
  Value shr(Value x, Value y) { return arith::ShRUIOp::create(b, x, y); }
  Value minu(Value x, Value y) { return arith::MinUIOp::create(b, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) { return arith::CmpIOp::create(b, p, x, y); }
  Value cast(Type to, Value v) { return arith::IndexCastOp::create(b, to, v); }
  /// `base` (any address space) plus `bytes` (i64).
  Value byteOffset(Value base, Value bytes) {
    return LLVM::GEPOp::create(b, base.getType(), b.getI8Type(), base, ValueRange{bytes});
  }
  /// Element `index` (index) of the f32 array at `base`.
  Value f32Element(Value base, Value index) {
    return LLVM::GEPOp::create(b, ptr, f32, base, ValueRange{cast(i64, index)});
  }

  /// Element `index` (index) of the i32 array at `base`, loaded.
  Value loadI32(Value base, Value index) {
    Value at = LLVM::GEPOp::create(b, ptr, i32, base, ValueRange{cast(i64, index)});
    return LLVM::LoadOp::create(b, i32, at);
  }

  /// Runs `body` inside `scf.if cond` (no results, no else).
  template <typename Fn> void ifThen(Value cond, Fn body) {
    auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    body();
  }
};

} // namespace kiln::cuda

#endif // KILN_COMPILER_TARGETS_CUDA_KERNELBUILDER_H
