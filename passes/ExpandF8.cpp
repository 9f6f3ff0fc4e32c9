//===- ExpandF8.cpp - kiln-expand-f8 ------------------------------------------===//
//
// f8E4M3FN conversions as integer arithmetic (see Passes.td for the semantics). Works on
// scalars and vectors alike: every constant is built in the shape of the value it meets.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_EXPANDF8
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

bool isE4M3(Type type) { return isa<Float8E4M3FNType>(getElementTypeOrSelf(type)); }

/// `element` in the shape of `like` (a vector of it when `like` is a vector).
Type shapedLike(Type like, Type element) {
  if (auto vector = dyn_cast<VectorType>(like))
    return vector.clone(element);
  return element;
}

/// Builds integer and float constants and ops in the shape of one value.
class Builder {
public:
  Builder(PatternRewriter &rewriter, Location loc, Type like)
      : r(rewriter), loc(loc), i8(shapedLike(like, r.getI8Type())),
        i32(shapedLike(like, r.getI32Type())), f32(shapedLike(like, r.getF32Type())) {}

  Value i32Const(uint32_t value) {
    return arith::ConstantOp::create(r, loc, i32, splat(i32, r.getI32IntegerAttr(value)));
  }
  Value f32Const(float value) {
    return arith::ConstantOp::create(r, loc, f32, splat(f32, r.getF32FloatAttr(value)));
  }
  Value shr(Value v, uint32_t n) { return arith::ShRUIOp::create(r, loc, v, i32Const(n)); }
  Value shl(Value v, uint32_t n) { return arith::ShLIOp::create(r, loc, v, i32Const(n)); }
  Value band(Value v, uint32_t m) { return arith::AndIOp::create(r, loc, v, i32Const(m)); }
  Value bor(Value a, Value b) { return arith::OrIOp::create(r, loc, a, b); }
  Value add(Value a, Value b) { return arith::AddIOp::create(r, loc, a, b); }
  Value cmp(arith::CmpIPredicate p, Value a, uint32_t b) {
    return arith::CmpIOp::create(r, loc, p, a, i32Const(b));
  }
  Value select(Value c, Value a, Value b) { return arith::SelectOp::create(r, loc, c, a, b); }
  Value bitcast(Type to, Value v) { return arith::BitcastOp::create(r, loc, to, v); }

  PatternRewriter &r;
  Location loc;
  Type i8, i32, f32;

private:
  TypedAttr splat(Type type, TypedAttr scalar) {
    if (auto vector = dyn_cast<VectorType>(type))
      return SplatElementsAttr::get(vector, scalar);
    return scalar;
  }
};

/// f8E4M3FN → f32, exact. Not the multiply-by-2^120 form of the bf16 path below: the CPU
/// kernels sum products of decoded values with `reassoc`, and LLVM then moves the 2^120
/// factors of both operands out of the sum (2^240: inf, times an underflowed sum: NaN). Tried
/// on 2026-11-23: the FP8 fixtures' logits came out NaN. Every value here is exact as it
/// stands, whatever a consumer reassociates.
Value decodeE4M3(Builder &b, Value x) {
  Value u = arith::ExtUIOp::create(b.r, b.loc, b.i32, b.bitcast(b.i8, x));
  Value sign = b.shl(b.band(u, 0x80), 24);
  Value exponent = b.band(b.shr(u, 3), 0xF);
  Value mantissa = b.band(u, 0x7);
  // Normal: rebias 7 → 127 and widen the mantissa 3 → 23 bits.
  Value normal = b.bor(sign, b.bor(b.shl(b.add(exponent, b.i32Const(120)), 23),
                                   b.shl(mantissa, 20)));
  // Subnormal: m * 2^-9, exact in f32; the sign is or'ed in (so -0 stays -0).
  Value scaled = arith::MulFOp::create(
      b.r, b.loc, arith::UIToFPOp::create(b.r, b.loc, b.f32, mantissa), b.f32Const(0x1p-9f));
  Value subnormal = b.bor(sign, b.bitcast(b.i32, scaled));
  Value nan = b.bor(sign, b.i32Const(0x7FC00000));
  Value isNaN = b.cmp(arith::CmpIPredicate::eq, b.band(u, 0x7F), 0x7F);
  Value isSubnormal = b.cmp(arith::CmpIPredicate::eq, exponent, 0);
  Value bits = b.select(isNaN, nan, b.select(isSubnormal, subnormal, normal));
  return b.bitcast(b.f32, bits);
}

/// f8E4M3FN → bf16, exact, for a 1-D vector of 4k codes, four codes per 32-bit word. bf16 has
/// 8 exponent bits, so a code's 4 exponent and 3 mantissa bits can sit unchanged in a bf16 lane
/// (shifted left by 4, the sign to bit 15): that lane is the code's value times 2^-120 (exponent
/// bias 127 instead of 7), subnormal codes included, and one bf16 multiply by 2^120 makes it
/// exact. The lanes are built with word-wide integer operations, two per word at a time: codes 0
/// and 2 of each word (shifted left) and codes 1 and 3 (shifted right), then interleaved back.
/// This costs a few operations per pair of codes where decodeE4M3 costs some twenty per code;
/// it is what sm_80's FP8 GEMM runs on every operand byte (bf16 mma.sync, no f8 conversion).
/// The NaN codes get exponent 0xFF or'ed in: a quiet NaN with the code's sign.
/// The lanes before the multiply are the values times 2^-120, so a consumer that reassociates
/// (`reassoc` fmuls and sums, as the CPU kernels' dot products) could fold the 2^120 factors
/// together and overflow (see decodeE4M3); sm_80's GEMM feeds the pairs to mma.sync, which no
/// compiler reassociates.
Value decodeE4M3ToBF16(PatternRewriter &r, Location loc, Value x, VectorType codes) {
  const int64_t n = codes.getNumElements();
  auto wordType = VectorType::get({n / 4}, r.getI32Type());
  auto pairsType = VectorType::get({n / 2}, r.getBF16Type());
  Builder b(r, loc, wordType);
  Value bytes = b.bitcast(codes.clone(r.getI8Type()), x);
  Value words = vector::BitCastOp::create(r, loc, wordType, bytes);
  // Per byte: 0x80 where the magnitude is 0x7F (NaN; adding 1 carries into bit 7 only there),
  // then the bits each bf16 lane takes above its code's magnitude bits: the sign, and 0x7F
  // (exponent 0xFF with the magnitude's top bit) where the code is NaN.
  // (Operands are built one statement at a time so the op order does not depend on the
  // compiler's order of evaluating arguments.)
  Value magnitudes = b.band(words, 0x7F7F7F7F);
  Value nan = b.band(b.add(magnitudes, b.i32Const(0x01010101)), 0x80808080);
  Value nanHigh = arith::SubIOp::create(r, loc, nan, b.shr(nan, 7));
  Value top = b.bor(b.band(words, 0x80808080), nanHigh);
  Value scale = arith::ConstantOp::create(
      r, loc, pairsType,
      SplatElementsAttr::get(pairsType, r.getFloatAttr(r.getBF16Type(), 0x1p120)));
  auto lanes = [&](Value magnitude, Value high) {
    Value low = b.band(magnitude, 0x07F007F0);
    Value bits = b.bor(low, b.band(high, 0xFF00FF00));
    Value pairs = vector::BitCastOp::create(r, loc, pairsType, bits);
    return arith::MulFOp::create(r, loc, pairs, scale);
  };
  Value evenMagnitude = b.shl(words, 4), evenHigh = b.shl(top, 8);
  Value even = lanes(evenMagnitude, evenHigh); // codes 0 and 2
  Value oddMagnitude = b.shr(words, 4);
  Value odd = lanes(oddMagnitude, top); // codes 1 and 3
  SmallVector<int64_t> order;
  for (int64_t word = 0; word < n / 4; ++word)
    order.append({2 * word, n / 2 + 2 * word, 2 * word + 1, n / 2 + 2 * word + 1});
  return vector::ShuffleOp::create(r, loc, even, odd, order);
}

/// f32 → f8E4M3FN: round to nearest even, saturating to ±448, NaN to NaN.
Value encodeE4M3(Builder &b, Value x, Type resultType) {
  Value bits = b.bitcast(b.i32, x);
  Value sign = b.band(b.shr(bits, 24), 0x80);
  Value magnitude = b.band(bits, 0x7FFFFFFF);
  Value isNaN = b.cmp(arith::CmpIPredicate::ugt, magnitude, 0x7F800000);
  // Below 2^-6 the result is subnormal, m * 2^-9 with m in 0..8 (m = 8 is the code of 2^-6):
  // scale by 2^9 exactly and round to an integer with the 2^23 trick (round to nearest even).
  Value isSubnormal = b.cmp(arith::CmpIPredicate::ult, magnitude, 0x3C800000);
  Value scaled = arith::MulFOp::create(b.r, b.loc, b.bitcast(b.f32, magnitude),
                                       b.f32Const(512.0f));
  Value rounded = arith::SubFOp::create(
      b.r, b.loc, arith::AddFOp::create(b.r, b.loc, scaled, b.f32Const(8388608.0f)),
      b.f32Const(8388608.0f));
  Value subnormalCode = arith::FPToUIOp::create(b.r, b.loc, b.i32, rounded);
  // Normal: rebias the exponent (127 → 7), then round the 23-bit mantissa to 3 bits, ties to
  // even; a carry into the exponent is the right answer. Codes above 0x7E (448) saturate.
  Value rebased = arith::SubIOp::create(b.r, b.loc, magnitude, b.i32Const(0x3C000000));
  Value roundedBits = b.add(b.add(rebased, b.i32Const(0x7FFFF)), b.band(b.shr(rebased, 20), 1));
  Value normalCode = arith::MinUIOp::create(b.r, b.loc, b.shr(roundedBits, 20), b.i32Const(0x7E));
  Value code = b.select(isNaN, b.i32Const(0x7F), b.select(isSubnormal, subnormalCode, normalCode));
  Value byte = arith::TruncIOp::create(b.r, b.loc, b.i8, b.bor(code, sign));
  return b.bitcast(resultType, byte);
}

struct ExpandExtF : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op, PatternRewriter &rewriter) const override {
    if (!isE4M3(op.getIn().getType()))
      return failure();
    auto codes = dyn_cast<VectorType>(op.getIn().getType());
    if (codes && codes.getRank() == 1 && !codes.isScalable() && codes.getNumElements() % 4 == 0 &&
        getElementTypeOrSelf(op.getType()).isBF16()) {
      rewriter.replaceOp(op, decodeE4M3ToBF16(rewriter, op.getLoc(), op.getIn(), codes));
      return success();
    }
    Builder b(rewriter, op.getLoc(), op.getType());
    Value value = decodeE4M3(b, op.getIn());
    Type result = getElementTypeOrSelf(op.getType());
    if (result.isF64())
      value = arith::ExtFOp::create(rewriter, op.getLoc(), op.getType(), value);
    else if (!result.isF32())
      value = arith::TruncFOp::create(rewriter, op.getLoc(), op.getType(), value);
    rewriter.replaceOp(op, value);
    return success();
  }
};

struct ExpandTruncF : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op, PatternRewriter &rewriter) const override {
    if (!isE4M3(op.getType()))
      return failure();
    Type source = getElementTypeOrSelf(op.getIn().getType());
    if (!source.isF32() && !source.isF16() && !source.isBF16())
      return rewriter.notifyMatchFailure(op, "f64 → f8 would round twice through f32");
    Builder b(rewriter, op.getLoc(), op.getType());
    Value input = op.getIn();
    if (!source.isF32())
      input = arith::ExtFOp::create(rewriter, op.getLoc(), b.f32, input);
    rewriter.replaceOp(op, encodeE4M3(b, input, op.getType()));
    return success();
  }
};

struct ExpandConstant : OpRewritePattern<arith::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ConstantOp op, PatternRewriter &rewriter) const override {
    if (!isE4M3(op.getType()))
      return failure();
    Type i8 = shapedLike(op.getType(), rewriter.getI8Type());
    TypedAttr bits;
    if (auto scalar = dyn_cast<FloatAttr>(op.getValue()))
      bits = rewriter.getIntegerAttr(i8, scalar.getValue().bitcastToAPInt());
    else if (auto dense = dyn_cast<DenseFPElementsAttr>(op.getValue()))
      bits = dense.bitcast(rewriter.getI8Type());
    else
      return failure();
    Value raw = arith::ConstantOp::create(rewriter, op.getLoc(), i8, bits);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), raw);
    return success();
  }
};

struct ExpandF8Pass : kiln::impl::ExpandF8Base<ExpandF8Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandExtF, ExpandTruncF, ExpandConstant>(&getContext());
    // The bitcasts this pass creates must not fold back into f8 constants.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
