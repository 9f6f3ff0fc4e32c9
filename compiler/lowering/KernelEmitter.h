//===- KernelEmitter.h - what every kernel builder shares -------*- C++ -*-===//
//
// Internal to compiler/lowering: the Emitter (small helpers over a builder inside a kernel
// body: loops, sums LLVM may reassociate, dot products, block quantisation, RoPE, the RMSNorm
// and routing rows), the Body of a kernel being built, and KernelLibrary::define. The kernel
// families (Kernels.cpp, RoutingKernels.cpp, MoEKernels.cpp, MLAKernels.cpp) include it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_LOWERING_KERNELEMITTER_H
#define KILN_COMPILER_LOWERING_KERNELEMITTER_H

#include "compiler/lowering/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <limits>

namespace kiln::lowering::detail {

using namespace mlir;

inline constexpr int64_t kBlock = 128; // FP8 block (weights and activations)

inline std::string tag(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto m = dyn_cast<MemRefType>(t)) {
    for (int64_t d : m.getShape())
      os << d << "x";
    m.getElementType().print(os);
  } else {
    t.print(os);
  }
  return s;
}

inline std::string fmt(float v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%a", static_cast<double>(v));
  for (char &c : s)
    if (!isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return s;
}

/// Small helpers over an ImplicitLocOpBuilder positioned inside a kernel body.
struct Emitter {
  ImplicitLocOpBuilder &b;
  Type f32, i32, idx;
  explicit Emitter(ImplicitLocOpBuilder &b)
      : b(b), f32(b.getF32Type()), i32(b.getI32Type()), idx(b.getIndexType()) {}

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f(double v) { return arith::ConstantOp::create(b, f32, b.getF32FloatAttr(v)); }
  Value add(Value x, Value y) {
    return isa<IndexType>(x.getType()) ? Value(arith::AddIOp::create(b, x, y))
                                       : Value(arith::AddFOp::create(b, x, y));
  }
  Value mul(Value x, Value y) {
    return isa<IndexType>(x.getType()) ? Value(arith::MulIOp::create(b, x, y))
                                       : Value(arith::MulFOp::create(b, x, y));
  }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, x, y); }
  Value maxf(Value x, Value y) { return arith::MaximumFOp::create(b, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, x); }
  Value toIndex(Value v) { return arith::IndexCastOp::create(b, idx, v); }
  Value toI32(Value v) { return arith::IndexCastOp::create(b, i32, v); }
  Value divui(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value remui(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value lt(Value x, Value y) {
    return isa<IndexType>(x.getType())
               ? Value(arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y))
               : Value(arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, x, y));
  }
  Value gt(Value x, Value y) { return arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, x, y); }
  Value select(Value c, Value x, Value y) { return arith::SelectOp::create(b, c, x, y); }
  Value silu(Value x) { return div(x, add(f(1.0), exp(arith::NegFOp::create(b, x)))); }

  /// Loads and widens to f32 (bf16/f16/f8 weights; f8 is expanded by kiln-expand-f8).
  Value load(Value m, ValueRange i) {
    Value v = memref::LoadOp::create(b, m, i);
    if (isa<FloatType>(v.getType()) && v.getType() != f32)
      v = arith::ExtFOp::create(b, f32, v);
    return v;
  }
  Value loadRaw(Value m, ValueRange i) { return memref::LoadOp::create(b, m, i); }
  void store(Value v, Value m, ValueRange i) { memref::StoreOp::create(b, v, m, i); }

  void loop(Value lo, Value hi, llvm::function_ref<void(Value)> body) {
    auto f = scf::ForOp::create(b, lo, hi, c(1));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(f.getBody()->getTerminator());
    body(f.getInductionVar());
  }
  void loop(int64_t lo, int64_t hi, llvm::function_ref<void(Value)> body) {
    loop(c(lo), c(hi), body);
  }
  void loopStep(Value lo, Value hi, int64_t step, llvm::function_ref<void(Value)> body) {
    auto f = scf::ForOp::create(b, lo, hi, c(step));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(f.getBody()->getTerminator());
    body(f.getInductionVar());
  }
  /// A loop carrying values; `body` returns the next values.
  SmallVector<Value> fold(Value lo, Value hi, ValueRange init,
                          llvm::function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto f = scf::ForOp::create(b, lo, hi, c(1), init);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(f.getBody());
      scf::YieldOp::create(b, body(f.getInductionVar(), f.getRegionIterArgs()));
    }
    return SmallVector<Value>(f.getResults());
  }
  /// A sum whose order LLVM may change (reassoc, contract): the reductions vectorise and use
  /// FMA where the CPU level has it. Every kernel that sums does so in one order per build, so
  /// results do not depend on the batch or the prefill/decode split.
  Value sum(Value lo, Value hi, llvm::function_ref<Value(Value)> term) {
    auto flags = arith::FastMathFlagsAttr::get(
        b.getContext(), arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    return fold(lo, hi, {f(0.0)},
                [&](Value i, ValueRange acc) -> SmallVector<Value> {
                  Value t = term(i);
                  if (auto m = t.getDefiningOp<arith::MulFOp>())
                    m.setFastmathAttr(flags);
                  return {arith::AddFOp::create(b, acc[0], t, flags)};
                })[0];
  }
  Value sum(int64_t lo, int64_t hi, llvm::function_ref<Value(Value)> term) {
    return sum(c(lo), c(hi), term);
  }
  /// Several sums over one loop (one weight load feeds several tokens' products).
  SmallVector<Value> sums(Value lo, Value hi, size_t n,
                          llvm::function_ref<SmallVector<Value>(Value)> terms) {
    auto flags = arith::FastMathFlagsAttr::get(
        b.getContext(), arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    SmallVector<Value> init(n, f(0.0));
    return fold(lo, hi, init, [&](Value i, ValueRange acc) -> SmallVector<Value> {
      SmallVector<Value> t = terms(i), next;
      for (size_t j = 0; j < n; ++j) {
        if (auto m = t[j].getDefiningOp<arith::MulFOp>())
          m.setFastmathAttr(flags);
        next.push_back(arith::AddFOp::create(b, acc[j], t[j], flags));
      }
      return next;
    });
  }
  /// dot() for several rows `x[tok, :]` against one weight row: register blocking over tokens.
  SmallVector<Value> dots(Value x, ArrayRef<Value> toks, Value w, ValueRange wPrefix, int64_t k,
                          Value ws, Value oBlock, Value xs) {
    auto at = [](ValueRange prefix, Value i) {
      SmallVector<Value> v(prefix.begin(), prefix.end());
      v.push_back(i);
      return v;
    };
    auto terms = [&](Value i) {
      Value wv = load(w, at(wPrefix, i));
      SmallVector<Value> t;
      for (Value tok : toks)
        t.push_back(mul(load(x, {tok, i}), wv));
      return t;
    };
    if (!ws)
      return sums(c(0), c(k), toks.size(), terms);
    int64_t blocks = (k + kBlock - 1) / kBlock;
    return sums(c(0), c(blocks), toks.size(), [&](Value bk) {
      Value lo = mul(bk, c(kBlock));
      Value hi = arith::MinUIOp::create(b, add(lo, c(kBlock)), c(k));
      SmallVector<Value> partial = sums(lo, hi, toks.size(), terms);
      Value scale = load(ws, {oBlock, bk});
      for (size_t j = 0; j < toks.size(); ++j) {
        Value sj = xs ? mul(scale, load(xs, {toks[j], bk})) : scale;
        partial[j] = mul(partial[j], sj);
      }
      return partial;
    });
  }
  void ifThen(Value cond, llvm::function_ref<void()> body) {
    auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(op.thenBlock()->getTerminator());
    body();
  }
  /// This workgroup's share [lo, hi) of [0, total).
  std::pair<Value, Value> share(Value total, Value wg, Value wgs) {
    Value chunk = arith::CeilDivUIOp::create(b, total, wgs);
    Value lo = arith::MinUIOp::create(b, mul(wg, chunk), total);
    Value hi = arith::MinUIOp::create(b, add(lo, chunk), total);
    return {lo, hi};
  }

  /// Dot product of f32 row `x[t, :k]` with weight row `w[o, :k]` (float weights), or its
  /// block-scaled forms. For FP8 dequant the per-block weight scale multiplies each block's sum;
  /// for act-quant `x` holds e4m3 codes and `xs` their per-block scales.
  Value dot(Value x, ValueRange xPrefix, Value w, ValueRange wPrefix, int64_t k, Value ws,
            ValueRange wsPrefix, Value oBlock, Value xs, ValueRange xsPrefix) {
    auto at = [](ValueRange prefix, Value i) {
      SmallVector<Value> v(prefix.begin(), prefix.end());
      v.push_back(i);
      return v;
    };
    if (!ws)
      return sum(0, k, [&](Value i) { return mul(load(x, at(xPrefix, i)), load(w, at(wPrefix, i))); });
    int64_t blocks = (k + kBlock - 1) / kBlock;
    return sum(0, blocks, [&](Value bk) {
      Value lo = mul(bk, c(kBlock));
      Value hi = arith::MinUIOp::create(b, add(lo, c(kBlock)), c(k));
      Value partial = sum(lo, hi, [&](Value i) {
        return mul(load(x, at(xPrefix, i)), load(w, at(wPrefix, i)));
      });
      SmallVector<Value> si(wsPrefix.begin(), wsPrefix.end());
      si.push_back(oBlock);
      si.push_back(bk);
      Value scale = load(ws, si);
      if (xs)
        scale = mul(scale, load(xs, at(xsPrefix, bk)));
      return mul(partial, scale);
    });
  }

  /// Quantises `x[prefix, :k]` per 128 channels into e4m3 codes `q[qPrefix, :]` and scales
  /// `s[sPrefix, :]`: s = max(amax, 1e-4) / 448 (rounded up to a power of two for ue8m0),
  /// q = e4m3(x / s) rounded to nearest even.
  void quantise(Value x, ValueRange xPrefix, int64_t k, Value q, ValueRange qPrefix, Value s,
                ValueRange sPrefix, ScaleRounding rounding) {
    auto at = [](ValueRange prefix, Value i) {
      SmallVector<Value> v(prefix.begin(), prefix.end());
      v.push_back(i);
      return v;
    };
    int64_t blocks = (k + kBlock - 1) / kBlock;
    Type f8 = cast<MemRefType>(q.getType()).getElementType();
    loop(0, blocks, [&](Value bk) {
      Value lo = mul(bk, c(kBlock));
      Value hi = arith::MinUIOp::create(b, add(lo, c(kBlock)), c(k));
      Value amax = fold(lo, hi, {f(0.0)}, [&](Value i, ValueRange acc) -> SmallVector<Value> {
        return {maxf(acc[0], math::AbsFOp::create(b, load(x, at(xPrefix, i))))};
      })[0];
      Value scale = div(maxf(amax, f(1e-4)), f(448.0));
      if (rounding == ScaleRounding::UE8M0) {
        // 2^ceil(log2(s)) exactly: keep the exponent, add one if any mantissa bit is set.
        Value bits = arith::BitcastOp::create(b, i32, scale);
        Value mant = arith::AndIOp::create(b, bits, arith::ConstantIntOp::create(b, i32, 0x7fffff));
        Value expo = arith::AndIOp::create(b, bits, arith::ConstantIntOp::create(b, i32, 0x7f800000));
        Value zero = arith::ConstantIntOp::create(b, i32, 0);
        Value up = arith::AddIOp::create(b, expo, arith::ConstantIntOp::create(b, i32, 0x800000));
        Value exact = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, mant, zero);
        scale = arith::BitcastOp::create(b, f32, select(exact, expo, up));
      }
      store(scale, s, at(sPrefix, bk));
      loop(lo, hi, [&](Value i) {
        Value v = div(load(x, at(xPrefix, i)), scale);
        store(arith::TruncFOp::create(b, f8, v), q, at(qPrefix, i));
      });
    });
  }

  /// Rotates the interleaved pairs (v[2i], v[2i+1]) of `buf[prefix, base + 0..rope)` in place by
  /// the angle of position `pos` (rope table [positions, rope/2, 2] = cos, sin).
  void rotate(Value buf, ValueRange prefix, Value base, int64_t rope, Value table, Value pos) {
    loop(0, rope / 2, [&](Value i) {
      auto at = [&](Value j) {
        SmallVector<Value> v(prefix.begin(), prefix.end());
        v.push_back(add(base, j));
        return v;
      };
      Value e = mul(i, c(2));
      Value o = add(e, c(1));
      Value x0 = load(buf, at(e)), x1 = load(buf, at(o));
      Value cs = load(table, {pos, i, c(0)}), sn = load(table, {pos, i, c(1)});
      store(sub(mul(x0, cs), mul(x1, sn)), buf, at(e));
      store(add(mul(x0, sn), mul(x1, cs)), buf, at(o));
    });
  }

  /// RMSNorm of `src[srcRow, :dim]` with weight `w[:dim]` into `dst[dstPrefix..., :dim]`:
  /// `w * x / sqrt(mean(x^2) + eps)` (rms_norm, add_rms_norm and the latent of mla_cache_write).
  void rmsNormRow(Value src, Value srcRow, Value w, Value dst, ValueRange dstPrefix, int64_t dim,
                  float eps) {
    Value ss = sum(0, dim, [&](Value d) {
      Value x = load(src, {srcRow, d});
      return mul(x, x);
    });
    Value inv = math::RsqrtOp::create(b, add(div(ss, f(double(dim))), f(eps)));
    loop(0, dim, [&](Value d) {
      SmallVector<Value> at(dstPrefix.begin(), dstPrefix.end());
      at.push_back(d);
      store(mul(mul(load(src, {srcRow, d}), inv), load(w, {d})), dst, at);
    });
  }

  /// `sum[row, :dim] = a[row, :dim] + b[row, :dim]` (add_rms_norm and its quantising form).
  void addRow(Value a, Value bb, Value sum, Value row, int64_t dim) {
    loop(0, dim, [&](Value d) { store(add(load(a, {row, d}), load(bb, {row, d})), sum, {row, d}); });
  }

  /// `dst[dstPrefix..., :dim] = silu(gate[row, :dim]) * up[row, :dim]` (swiglu, swiglu_quant).
  void swigluRow(Value gate, Value up, Value row, Value dst, ValueRange dstPrefix, int64_t dim) {
    loop(0, dim, [&](Value d) {
      SmallVector<Value> at(dstPrefix.begin(), dstPrefix.end());
      at.push_back(d);
      store(mul(silu(load(gate, {row, d})), load(up, {row, d})), dst, at);
    });
  }

  // Routing, one row at a time: `m[row, i]`. The primitive route.* kernels and the fused
  // moe_router kernel share these, so fusing cannot change a routing decision.

  /// Softmax or sigmoid of `src[srow, :n]` into `dst[drow, :n]` (f32).
  void scoreRow(Value src, Value srow, Value dst, Value drow, int64_t n, bool sigmoid) {
    if (sigmoid) {
      loop(0, n, [&](Value i) {
        Value x = load(src, {srow, i});
        store(div(f(1.0), add(f(1.0), exp(arith::NegFOp::create(b, x)))), dst, {drow, i});
      });
      return;
    }
    Value m = fold(c(0), c(n), {f(-std::numeric_limits<float>::infinity())},
                   [&](Value i, ValueRange acc) -> SmallVector<Value> {
                     return {maxf(acc[0], load(src, {srow, i}))};
                   })[0];
    Value z = sum(0, n, [&](Value i) { return exp(sub(load(src, {srow, i}), m)); });
    loop(0, n, [&](Value i) { store(div(exp(sub(load(src, {srow, i}), m)), z), dst, {drow, i}); });
  }

  /// Per contiguous group of `src[srow, :]`: its best score (max) or the sum of its best two.
  void groupScoreRow(Value src, Value srow, Value dst, Value drow, int64_t experts,
                     int64_t groups, bool top2Sum) {
    int64_t per = experts / groups;
    Value ninf = f(-std::numeric_limits<float>::infinity());
    loop(0, groups, [&](Value g) {
      Value base = mul(g, c(per));
      auto best = fold(c(0), c(per), {ninf, ninf}, [&](Value i, ValueRange acc) -> SmallVector<Value> {
        Value v = load(src, {srow, add(base, i)});
        Value isFirst = gt(v, acc[0]);
        return {select(isFirst, v, acc[0]), select(isFirst, acc[0], maxf(acc[1], v))};
      });
      store(top2Sum ? add(best[0], best[1]) : best[0], dst, {drow, g});
    });
  }

  /// Whether group `g` is among the `keep` best of `gs[row, :groups]`: fewer than `keep` groups
  /// beat it (ties go to the lower index).
  Value groupKept(Value gs, Value row, Value g, int64_t groups, int64_t keep) {
    Value gv = load(gs, {row, g});
    Value better = fold(c(0), c(groups), {c(0)}, [&](Value h, ValueRange acc) -> SmallVector<Value> {
      Value hv = load(gs, {row, h});
      Value beats = arith::OrIOp::create(
          b, gt(hv, gv),
          arith::AndIOp::create(b, arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, hv, gv),
                                lt(h, g)));
      return {select(beats, add(acc[0], c(1)), acc[0])};
    })[0];
    return lt(better, c(keep));
  }

  /// The `k` best of `sel[srow, :n]` (ties to the lower index; -inf entries are still picked,
  /// in index order, once nothing better is left) into `idx[orow, :]`, with their `w[wrow, :]`
  /// values into `outW[orow, :]`.
  void topkRow(Value sel, Value srow, Value w, Value wrow, Value outW, Value idx, Value orow,
               int64_t n, int64_t k) {
    loop(0, k, [&](Value j) {
      Value none = c(n);
      auto r = fold(c(0), c(n), {none, f(0.0)}, [&](Value i, ValueRange acc) -> SmallVector<Value> {
        Value taken = fold(c(0), j, {arith::ConstantIntOp::create(b, 0, 1)},
                           [&](Value p, ValueRange t) -> SmallVector<Value> {
                             Value prev = toIndex(loadRaw(idx, {orow, p}));
                             return {arith::OrIOp::create(
                                 b, t[0], arith::CmpIOp::create(b, arith::CmpIPredicate::eq, prev, i))};
                           })[0];
        Value v = load(sel, {srow, i});
        Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, acc[0], none);
        Value take = arith::AndIOp::create(
            b, arith::OrIOp::create(b, first, gt(v, acc[1])),
            arith::XOrIOp::create(b, taken, arith::ConstantIntOp::create(b, 1, 1)));
        return {select(take, i, acc[0]), select(take, v, acc[1])};
      });
      store(toI32(r[0]), idx, {orow, j});
      store(load(w, {wrow, r[0]}), outW, {orow, j});
    });
  }
};

/// Positions a builder before the kernel's return and hands out its arguments.
struct Body {
  ImplicitLocOpBuilder b;
  Emitter e;
  func::FuncOp fn;
  explicit Body(func::FuncOp fn)
      : b(fn.getLoc(), fn.getBody().front().getTerminator()), e(b), fn(fn) {}
  Value arg(unsigned i) { return fn.getArgument(i); }
  Value tokens() { return fn.getArgument(fn.getNumArguments() - 3); }
  Value wg() { return fn.getArgument(fn.getNumArguments() - 2); }
  Value wgs() { return fn.getArgument(fn.getNumArguments() - 1); }
  /// `body(tok)` for this workgroup's share of the call's tokens (the kernels partitioned by
  /// token; the GEMMs partition output features instead).
  void forEachToken(llvm::function_ref<void(Value)> body) {
    auto [lo, hi] = e.share(tokens(), wg(), wgs());
    e.loop(lo, hi, body);
  }
};

inline SmallVector<Type> withScale(SmallVector<Type> types, const WeightView &w) {
  types.push_back(w.type);
  if (w.scaleType)
    types.push_back(w.scaleType);
  return types;
}

} // namespace kiln::lowering::detail

namespace kiln::lowering {

template <typename F>
std::string KernelLibrary::define(const std::string &name, mlir::ArrayRef<mlir::Type> buffers,
                                  F &&body) {
  bool created;
  mlir::func::FuncOp fn = declare(name, buffers, created);
  if (created) {
    detail::Body k(fn);
    body(k, k.e);
  }
  return name;
}

} // namespace kiln::lowering

#endif // KILN_COMPILER_LOWERING_KERNELEMITTER_H
