//===- Kernels.cpp - kernel IR builders -----------------------------------===//
//
// Bodies are plain loops: the walking skeleton's job is to be right and to share one plan
// with later targets; tiling and vectorisation come as passes over these functions.
//
//===----------------------------------------------------------------------===//

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

using namespace mlir;

namespace kiln::lowering {
namespace {

constexpr int64_t kBlock = 128; // FP8 block (weights and activations)

std::string tag(Type t) {
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

std::string fmt(float v) {
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

} // namespace

KernelLibrary::KernelLibrary(ModuleOp module, int64_t maxTokens)
    : module_(module), maxTokens_(maxTokens) {}

MemRefType KernelLibrary::activation(int64_t dim) const {
  return MemRefType::get({maxTokens_, dim}, Float32Type::get(module_.getContext()));
}
MemRefType KernelLibrary::activation3(int64_t k, int64_t dim) const {
  return MemRefType::get({maxTokens_, k, dim}, Float32Type::get(module_.getContext()));
}
MemRefType KernelLibrary::tokenVector(Type element) const {
  return MemRefType::get({maxTokens_}, element);
}

func::FuncOp KernelLibrary::declare(const std::string &name, ArrayRef<Type> buffers,
                                    bool &created) {
  created = false;
  if (auto f = module_.lookupSymbol<func::FuncOp>(name))
    return f;
  MLIRContext *ctx = module_.getContext();
  SmallVector<Type> args(buffers.begin(), buffers.end());
  args.append(3, IndexType::get(ctx));
  OpBuilder ob(ctx);
  ob.setInsertionPointToEnd(module_.getBody());
  auto fn = func::FuncOp::create(ob, module_.getLoc(), name, ob.getFunctionType(args, {}));
  fn->setAttr(kKernelAttr, ob.getUnitAttr());
  Block *entry = fn.addEntryBlock();
  ob.setInsertionPointToEnd(entry);
  func::ReturnOp::create(ob, module_.getLoc());
  created = true;
  return fn;
}

namespace {
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
};

} // namespace

template <typename F>
std::string KernelLibrary::define(const std::string &name, ArrayRef<Type> buffers, F &&body) {
  bool created;
  func::FuncOp fn = declare(name, buffers, created);
  if (created) {
    Body k(fn);
    body(k, k.e);
  }
  return name;
}

namespace {
SmallVector<Type> withScale(SmallVector<Type> types, const WeightView &w) {
  types.push_back(w.type);
  if (w.scaleType)
    types.push_back(w.scaleType);
  return types;
}
} // namespace

std::string KernelLibrary::embed(const WeightView &table) {
  int64_t dim = table.type.getDimSize(1);
  MLIRContext *ctx = module_.getContext();
  SmallVector<Type> t = {tokenVector(IntegerType::get(ctx, 32)), table.type, activation(dim)};
  std::string name = "embed_" + tag(table.type) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      Value id = e.toIndex(e.loadRaw(k.arg(0), {tok}));
      e.loop(0, dim, [&](Value d) { e.store(e.load(k.arg(1), {id, d}), k.arg(2), {tok, d}); });
    });
  });
}

std::string KernelLibrary::rmsNorm(int64_t dim, const WeightView &w, float eps) {
  SmallVector<Type> t = {activation(dim), w.type, activation(dim)};
  std::string name = "rms_norm_" + tag(w.type) + "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.rmsNormRow(k.arg(0), tok, k.arg(1), k.arg(2), {tok}, dim, eps);
    });
  });
}

std::string KernelLibrary::addRmsNorm(int64_t dim, const WeightView &w, float eps) {
  SmallVector<Type> t = {activation(dim), activation(dim), w.type, activation(dim), activation(dim)};
  std::string name = "add_rms_norm_" + tag(w.type) + "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.addRow(k.arg(0), k.arg(1), k.arg(3), tok, dim);
      e.rmsNormRow(k.arg(3), tok, k.arg(2), k.arg(4), {tok}, dim, eps);
    });
  });
}

std::string KernelLibrary::rmsNormQuant(int64_t dim, const WeightView &w, float eps,
                                        bool residual, ScaleRounding rounding) {
  MemRefType q = MemRefType::get({maxTokens_, dim}, Float8E4M3FNType::get(module_.getContext()));
  SmallVector<Type> t;
  if (residual)
    t = {activation(dim), activation(dim), w.type, activation(dim)};
  else
    t = {activation(dim), w.type};
  t.append({activation(dim), q, activation((dim + kBlock - 1) / kBlock)});
  std::string name = std::string(residual ? "add_" : "") + "rms_norm_quant_" + tag(w.type) +
                     "_e" + fmt(eps) + (rounding == ScaleRounding::UE8M0 ? "_ue8m0" : "") +
                     "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    // [a, b,] w, [sum,] out, q, scales: the norm reads the sum when there is one.
    unsigned w = residual ? 2 : 1, out = residual ? 4 : 2;
    Value src = residual ? k.arg(3) : k.arg(0);
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      if (residual)
        e.addRow(k.arg(0), k.arg(1), src, tok, dim);
      // The same row computation as rms_norm then act_quant, while the row is in cache.
      e.rmsNormRow(src, tok, k.arg(w), k.arg(out), {tok}, dim, eps);
      e.quantise(k.arg(out), {tok}, dim, k.arg(out + 1), {tok}, k.arg(out + 2), {tok}, rounding);
    });
  });
}

std::string KernelLibrary::actQuant(int64_t kdim, ScaleRounding rounding) {
  MLIRContext *ctx = module_.getContext();
  int64_t blocks = (kdim + kBlock - 1) / kBlock;
  SmallVector<Type> t = {activation(kdim),
                         MemRefType::get({maxTokens_, kdim}, Float8E4M3FNType::get(ctx)),
                         activation(blocks)};
  std::string name = "act_quant_k" + std::to_string(kdim) +
                     (rounding == ScaleRounding::UE8M0 ? "_ue8m0" : "") + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.quantise(k.arg(0), {tok}, kdim, k.arg(1), {tok}, k.arg(2), {tok}, rounding);
    });
  });
}

std::string KernelLibrary::linear(int64_t kdim, int64_t odim, const WeightView &w,
                                  GemmMode mode) {
  MLIRContext *ctx = module_.getContext();
  int64_t blocks = (kdim + kBlock - 1) / kBlock;
  SmallVector<Type> t;
  if (mode == GemmMode::ActQuant) {
    t.push_back(MemRefType::get({maxTokens_, kdim}, Float8E4M3FNType::get(ctx)));
    t.push_back(activation(blocks));
  } else {
    t.push_back(activation(kdim));
  }
  t = withScale(t, w);
  t.push_back(activation(odim));
  const char *modeName[] = {"", "_dequant", "_aq"};
  std::string name = "linear_" + tag(w.type) + modeName[int(mode)] + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    bool aq = mode == GemmMode::ActQuant;
    Value x = k.arg(0), xs = aq ? k.arg(1) : Value();
    unsigned wi = aq ? 2 : 1;
    Value wt = k.arg(wi), ws = w.scaleType ? k.arg(wi + 1) : Value();
    Value out = k.arg(k.fn.getNumArguments() - 4);
    // Workgroups split the output features: each weight row is read once per call, which is
    // what decode (one token) is bound by.
    auto [lo, hi] = e.share(e.c(odim), k.wg(), k.wgs());
    // Four tokens per pass over a weight row (prefill), then the rest one at a time.
    constexpr int64_t kTokenBlock = 4;
    Value blocked = arith::SubIOp::create(k.b, k.tokens(), e.remui(k.tokens(), e.c(kTokenBlock)));
    e.loop(lo, hi, [&](Value o) {
      Value ob = e.divui(o, e.c(kBlock));
      e.loopStep(e.c(0), blocked, kTokenBlock, [&](Value t0) {
        SmallVector<Value> toks = {t0};
        for (int64_t j = 1; j < kTokenBlock; ++j)
          toks.push_back(e.add(t0, e.c(j)));
        SmallVector<Value> acc = e.dots(x, toks, wt, {o}, kdim, ws, ob, xs);
        for (int64_t j = 0; j < kTokenBlock; ++j)
          e.store(acc[j], out, {toks[j], o});
      });
      e.loop(blocked, k.tokens(), [&](Value tok) {
        Value acc = e.dot(x, {tok}, wt, {o}, kdim, ws, {}, ob, xs, {tok});
        e.store(acc, out, {tok, o});
      });
    });
  });
}

std::string KernelLibrary::swiglu(int64_t dim) {
  SmallVector<Type> t = {activation(dim), activation(dim), activation(dim)};
  std::string name = "swiglu_" + std::to_string(dim) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) { e.swigluRow(k.arg(0), k.arg(1), tok, k.arg(2), {tok}, dim); });
  });
}

std::string KernelLibrary::swigluQuant(int64_t dim, ScaleRounding rounding) {
  MemRefType q = MemRefType::get({maxTokens_, dim}, Float8E4M3FNType::get(module_.getContext()));
  SmallVector<Type> t = {activation(dim), activation(dim), q,
                         activation((dim + kBlock - 1) / kBlock)};
  std::string name = "swiglu_quant_" + std::to_string(dim) +
                     (rounding == ScaleRounding::UE8M0 ? "_ue8m0" : "") + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    // The f32 activation lives only in this per-workgroup row.
    Value h = memref::AllocaOp::create(k.b, MemRefType::get({1, dim}, e.f32));
    Value zero = e.c(0);
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.swigluRow(k.arg(0), k.arg(1), tok, h, {zero}, dim);
      e.quantise(h, {zero}, dim, k.arg(2), {tok}, k.arg(3), {tok}, rounding);
    });
  });
}

std::string KernelLibrary::add(int64_t dim) {
  SmallVector<Type> t = {activation(dim), activation(dim), activation(dim)};
  std::string name = "add_" + std::to_string(dim) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.loop(0, dim, [&](Value d) {
        e.store(e.add(e.load(k.arg(0), {tok, d}), e.load(k.arg(1), {tok, d})), k.arg(2), {tok, d});
      });
    });
  });
}

std::string KernelLibrary::routeScore(int64_t experts, bool sigmoid) {
  SmallVector<Type> t = {activation(experts), activation(experts)};
  std::string name = std::string("route_") + (sigmoid ? "sigmoid_" : "softmax_") +
                     std::to_string(experts) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) { e.scoreRow(k.arg(0), tok, k.arg(1), tok, experts, sigmoid); });
  });
}

std::string KernelLibrary::routeBiasAdd(int64_t experts, const WeightView &bias) {
  SmallVector<Type> t = {activation(experts), bias.type, activation(experts)};
  std::string name = "route_bias_" + tag(bias.type) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.loop(0, experts, [&](Value i) {
        e.store(e.add(e.load(k.arg(0), {tok, i}), e.load(k.arg(1), {i})), k.arg(2), {tok, i});
      });
    });
  });
}

std::string KernelLibrary::routeGroupScore(int64_t experts, int64_t groups, bool top2Sum) {
  SmallVector<Type> t = {activation(experts), activation(groups)};
  std::string name = "route_group_" + std::string(top2Sum ? "top2_" : "max_") +
                     std::to_string(experts) + "_g" + std::to_string(groups) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.groupScoreRow(k.arg(0), tok, k.arg(1), tok, experts, groups, top2Sum);
    });
  });
}

std::string KernelLibrary::routeGroupMask(int64_t experts, int64_t groups, int64_t keep) {
  SmallVector<Type> t = {activation(experts), activation(groups), activation(experts)};
  std::string name = "route_mask_" + std::to_string(experts) + "_g" + std::to_string(groups) +
                     "_k" + std::to_string(keep) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    int64_t per = experts / groups;
    Value ninf = e.f(-std::numeric_limits<float>::infinity());
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.loop(0, groups, [&](Value g) {
        Value kept = e.groupKept(k.arg(1), tok, g, groups, keep);
        e.loop(0, per, [&](Value i) {
          Value ix = e.add(e.mul(g, e.c(per)), i);
          e.store(e.select(kept, e.load(k.arg(0), {tok, ix}), ninf), k.arg(2), {tok, ix});
        });
      });
    });
  });
}

std::string KernelLibrary::routeTopK(int64_t experts, int64_t kk) {
  MLIRContext *ctx = module_.getContext();
  SmallVector<Type> t = {activation(experts), activation(experts), activation(kk),
                         MemRefType::get({maxTokens_, kk}, IntegerType::get(ctx, 32))};
  std::string name = "route_topk_" + std::to_string(experts) + "_k" + std::to_string(kk) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.topkRow(k.arg(0), tok, k.arg(1), tok, k.arg(2), k.arg(3), tok, experts, kk);
    });
  });
}

std::string KernelLibrary::routeNormalize(int64_t kk, float eps) {
  SmallVector<Type> t = {activation(kk), activation(kk)};
  std::string name = "route_norm_" + std::to_string(kk) + "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      Value s = e.add(e.sum(0, kk, [&](Value j) { return e.load(k.arg(0), {tok, j}); }), e.f(eps));
      e.loop(0, kk, [&](Value j) { e.store(e.div(e.load(k.arg(0), {tok, j}), s), k.arg(1), {tok, j}); });
    });
  });
}

std::string KernelLibrary::routeScale(int64_t kk, float factor) {
  SmallVector<Type> t = {activation(kk), activation(kk)};
  std::string name = "route_scale_" + std::to_string(kk) + "_f" + fmt(factor) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.loop(0, kk, [&](Value j) { e.store(e.mul(e.load(k.arg(0), {tok, j}), e.f(factor)), k.arg(1), {tok, j}); });
    });
  });
}

std::string KernelLibrary::moeRouter(int64_t experts, bool sigmoid, const WeightView *bias,
                                     int64_t groups, int64_t keep, bool top2Sum, int64_t kk,
                                     bool normalize, float eps, float factor) {
  MLIRContext *ctx = module_.getContext();
  SmallVector<Type> t = {activation(experts)};
  if (bias)
    t.push_back(bias->type);
  t.push_back(activation(kk));
  t.push_back(MemRefType::get({maxTokens_, kk}, IntegerType::get(ctx, 32)));
  std::string name = std::string("moe_router_") + (sigmoid ? "sigmoid_" : "softmax_") +
                     (bias ? tag(bias->type) + "_" : "") + std::to_string(experts) + "_g" +
                     std::to_string(groups) + "k" + std::to_string(keep) +
                     (top2Sum ? "_top2" : "_max") + "_k" + std::to_string(kk) +
                     (normalize ? "_n" + fmt(eps) : "") + "_f" + fmt(factor) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    unsigned a = 0;
    Value logits = k.arg(a++), b = bias ? k.arg(a++) : Value(), outW = k.arg(a++), outI = k.arg(a++);
    auto row = [&](int64_t n) { return MemRefType::get({1, n}, e.f32); };
    Value scores = memref::AllocaOp::create(k.b, row(experts));
    Value select = memref::AllocaOp::create(k.b, row(experts));
    Value gscore = memref::AllocaOp::create(k.b, row(groups));
    Value zero = e.c(0);
    Value ninf = e.f(-std::numeric_limits<float>::infinity());
    int64_t per = experts / groups;
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      // Scores (f32), and the selection scores with the bias.
      e.scoreRow(logits, tok, scores, zero, experts, sigmoid);
      e.loop(0, experts, [&](Value i) {
        Value v = e.load(scores, {zero, i});
        e.store(b ? e.add(v, e.load(b, {i})) : v, select, {zero, i});
      });
      if (groups > 1) {
        e.groupScoreRow(select, zero, gscore, zero, experts, groups, top2Sum);
        e.loop(0, groups, [&](Value g) {
          Value kept = e.groupKept(gscore, zero, g, groups, keep);
          e.ifThen(arith::XOrIOp::create(k.b, kept, arith::ConstantIntOp::create(k.b, 1, 1)), [&] {
            e.loop(0, per, [&](Value i) { e.store(ninf, select, {zero, e.add(e.mul(g, e.c(per)), i)}); });
          });
        });
      }
      // Top-k by selection score, weights from the unbiased scores.
      e.topkRow(select, zero, scores, zero, outW, outI, tok, experts, kk);
      // Normalise, then scale, in that order, as the unfused chain does.
      Value total;
      if (normalize)
        total = e.add(e.sum(0, kk, [&](Value j) { return e.load(outW, {tok, j}); }), e.f(eps));
      e.loop(0, kk, [&](Value j) {
        Value w = e.load(outW, {tok, j});
        if (normalize)
          w = e.div(w, total);
        e.store(e.mul(w, e.f(factor)), outW, {tok, j});
      });
    });
  });
}

std::string KernelLibrary::moeExperts(int64_t hidden, int64_t inter, int64_t kk,
                                      const WeightView &gate, const WeightView &up,
                                      const WeightView &down, GemmMode mode,
                                      ScaleRounding rounding) {
  MLIRContext *ctx = module_.getContext();
  SmallVector<Type> t = {activation(hidden), MemRefType::get({maxTokens_, kk}, IntegerType::get(ctx, 32))};
  t = withScale(t, gate);
  t = withScale(t, up);
  t = withScale(t, down);
  t.push_back(activation3(kk, hidden));
  const char *modeName[] = {"", "_dequant", "_aq"};
  std::string name = "moe_experts_" + tag(gate.type) + "_" + tag(down.type) + "_k" +
                     std::to_string(kk) + modeName[int(mode)] +
                     (rounding == ScaleRounding::UE8M0 ? "_ue8m0" : "") + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    bool fp8 = gate.scaleType != nullptr;
    bool aq = mode == GemmMode::ActQuant;
    unsigned a = 2;
    Value wg = k.arg(a++), wgS = fp8 ? k.arg(a++) : Value();
    Value wu = k.arg(a++), wuS = fp8 ? k.arg(a++) : Value();
    Value wd = k.arg(a++), wdS = fp8 ? k.arg(a++) : Value();
    Value out = k.arg(a);
    Type f8 = Float8E4M3FNType::get(ctx);
    auto row = [&](int64_t n, Type t) { return MemRefType::get({1, n}, t); };
    // Per-workgroup scratch: the activated intermediate row and, for act-quant, the quantised
    // input and intermediate rows with their scales.
    Value h = memref::AllocaOp::create(k.b, row(inter, e.f32));
    Value qx, sx, qh, sh;
    if (aq) {
      qx = memref::AllocaOp::create(k.b, row(hidden, f8));
      sx = memref::AllocaOp::create(k.b, row((hidden + kBlock - 1) / kBlock, e.f32));
      qh = memref::AllocaOp::create(k.b, row(inter, f8));
      sh = memref::AllocaOp::create(k.b, row((inter + kBlock - 1) / kBlock, e.f32));
    }
    Value zero = e.c(0);
    auto [lo, hi] = e.share(e.mul(k.tokens(), e.c(kk)), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value pair) {
      Value tok = e.divui(pair, e.c(kk)), j = e.remui(pair, e.c(kk));
      Value ex = e.toIndex(e.loadRaw(k.arg(1), {tok, j}));
      Value xin = k.arg(0), xsv;
      SmallVector<Value> xp = {tok};
      if (aq) {
        e.quantise(k.arg(0), {tok}, hidden, qx, {zero}, sx, {zero}, rounding);
        xin = qx;
        xsv = sx;
        xp = {zero};
      }
      e.loop(0, inter, [&](Value i) {
        Value ib = e.divui(i, e.c(kBlock));
        Value g = e.dot(xin, xp, wg, {ex, i}, hidden, wgS, {ex}, ib, xsv, {zero});
        Value u = e.dot(xin, xp, wu, {ex, i}, hidden, wuS, {ex}, ib, xsv, {zero});
        e.store(e.mul(e.silu(g), u), h, {zero, i});
      });
      Value hin = h, hsv;
      if (aq) {
        e.quantise(h, {zero}, inter, qh, {zero}, sh, {zero}, rounding);
        hin = qh;
        hsv = sh;
      }
      e.loop(0, hidden, [&](Value d) {
        Value db = e.divui(d, e.c(kBlock));
        e.store(e.dot(hin, {zero}, wd, {ex, d}, inter, wdS, {ex}, db, hsv, {zero}), out, {tok, j, d});
      });
    });
  });
}

std::string KernelLibrary::moeCombine(int64_t kk, int64_t dim) {
  SmallVector<Type> t = {activation3(kk, dim), activation(kk), activation(dim)};
  std::string name = "moe_combine_" + std::to_string(kk) + "x" + std::to_string(dim) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      e.loop(0, dim, [&](Value d) {
        Value s = e.sum(0, kk, [&](Value j) {
          return e.mul(e.load(k.arg(0), {tok, j, d}), e.load(k.arg(1), {tok, j}));
        });
        e.store(s, k.arg(2), {tok, d});
      });
    });
  });
}

std::string KernelLibrary::mlaCacheWrite(int64_t latent, int64_t rope, const WeightView &norm,
                                         float eps, MemRefType blockTable, MemRefType ropeTable,
                                         MemRefType pool) {
  MLIRContext *ctx = module_.getContext();
  Type i32 = IntegerType::get(ctx, 32);
  SmallVector<Type> t = {activation(latent + rope), norm.type, tokenVector(i32), tokenVector(i32),
                         blockTable, ropeTable, pool};
  std::string name = "mla_cache_write_" + tag(norm.type) + "_" + tag(pool) + "_" + tag(ropeTable) +
                     "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    int64_t block = pool.getDimSize(1);
    auto [lo, hi] = e.share(k.tokens(), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value tok) {
      Value pos = e.toIndex(e.loadRaw(k.arg(2), {tok}));
      Value slot = e.toIndex(e.loadRaw(k.arg(3), {tok}));
      Value blk = e.toIndex(e.loadRaw(k.arg(4), {slot, e.divui(pos, e.c(block))}));
      Value off = e.remui(pos, e.c(block));
      // The normalised latent, then the rotated shared key.
      e.rmsNormRow(k.arg(0), tok, k.arg(1), k.arg(6), {blk, off}, latent, eps);
      e.loop(0, rope, [&](Value d) {
        e.store(e.load(k.arg(0), {tok, e.add(d, e.c(latent))}), k.arg(6), {blk, off, e.add(d, e.c(latent))});
      });
      e.rotate(k.arg(6), {blk, off}, e.c(latent), rope, k.arg(5), pos);
    });
  });
}

std::string KernelLibrary::mlaAttention(int64_t heads, int64_t nope, int64_t rope, int64_t v,
                                        int64_t latent, const WeightView &kvB, float softmaxScale,
                                        MemRefType blockTable, MemRefType ropeTable,
                                        MemRefType pool) {
  MLIRContext *ctx = module_.getContext();
  Type i32 = IntegerType::get(ctx, 32);
  SmallVector<Type> t = {activation(heads * (nope + rope))};
  t = withScale(t, kvB);
  t.append({tokenVector(i32), tokenVector(i32), blockTable, ropeTable, pool, activation(heads * v)});
  std::string name = "mla_absorbed_h" + std::to_string(heads) + "_" + tag(kvB.type) + "_" +
                     tag(pool) + "_" + tag(ropeTable) + "_s" + fmt(softmaxScale) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    unsigned a = 0;
    Value q = k.arg(a++), w = k.arg(a++), ws = kvB.scaleType ? k.arg(a++) : Value();
    Value positions = k.arg(a++), slots = k.arg(a++), table = k.arg(a++), rt = k.arg(a++),
          cache = k.arg(a++), out = k.arg(a++);
    int64_t block = pool.getDimSize(1);
    int64_t rowsPerHead = nope + v;
    auto row = [&](int64_t n) { return MemRefType::get({1, n}, e.f32); };
    // Scratch: the rotated query rope part, the query in latent space, the latent output.
    Value qpe = memref::AllocaOp::create(k.b, row(rope));
    Value qlat = memref::AllocaOp::create(k.b, row(latent));
    Value olat = memref::AllocaOp::create(k.b, row(latent));
    Value zero = e.c(0);
    // kv_b weight element (row r, latent c), dequantised when FP8.
    auto wAt = [&](Value r, Value c) {
      Value x = e.load(w, {r, c});
      if (ws)
        x = e.mul(x, e.load(ws, {e.divui(r, e.c(128)), e.divui(c, e.c(128))}));
      return x;
    };
    auto [lo, hi] = e.share(e.mul(k.tokens(), e.c(heads)), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value pair) {
      Value tok = e.divui(pair, e.c(heads)), hd = e.remui(pair, e.c(heads));
      Value pos = e.toIndex(e.loadRaw(positions, {tok}));
      Value slot = e.toIndex(e.loadRaw(slots, {tok}));
      Value qBase = e.mul(hd, e.c(nope + rope));
      Value wBase = e.mul(hd, e.c(rowsPerHead));
      e.loop(0, rope, [&](Value d) {
        e.store(e.load(q, {tok, e.add(qBase, e.add(d, e.c(nope)))}), qpe, {zero, d});
      });
      e.rotate(qpe, {zero}, zero, rope, rt, pos);
      // q_lat[c] = sum_d q_nope[d] W_UK[h, d, c]
      e.loop(0, latent, [&](Value c) {
        Value s = e.sum(0, nope, [&](Value d) {
          return e.mul(e.load(q, {tok, e.add(qBase, d)}), wAt(e.add(wBase, d), c));
        });
        e.store(s, qlat, {zero, c});
        e.store(e.f(0.0), olat, {zero, c});
      });
      // Online softmax over the cached positions 0..pos of this sequence.
      Value ninf = e.f(-std::numeric_limits<float>::infinity());
      auto stats = e.fold(e.c(0), e.add(pos, e.c(1)), {ninf, e.f(0.0)},
                          [&](Value j, ValueRange acc) -> SmallVector<Value> {
        Value blk = e.toIndex(e.loadRaw(table, {slot, e.divui(j, e.c(block))}));
        Value off = e.remui(j, e.c(block));
        Value s = e.add(e.sum(0, latent, [&](Value c) {
                          return e.mul(e.load(qlat, {zero, c}), e.load(cache, {blk, off, c}));
                        }),
                        e.sum(0, rope, [&](Value d) {
                          return e.mul(e.load(qpe, {zero, d}),
                                       e.load(cache, {blk, off, e.add(d, e.c(latent))}));
                        }));
        s = e.mul(s, e.f(softmaxScale));
        Value m = e.maxf(acc[0], s);
        Value correction = e.exp(e.sub(acc[0], m));
        Value p = e.exp(e.sub(s, m));
        e.loop(0, latent, [&](Value c) {
          Value o = e.add(e.mul(e.load(olat, {zero, c}), correction),
                          e.mul(p, e.load(cache, {blk, off, c})));
          e.store(o, olat, {zero, c});
        });
        return {m, e.add(e.mul(acc[1], correction), p)};
      });
      Value invSum = e.div(e.f(1.0), stats[1]);
      // out[h, d] = sum_c o_lat[c] W_UV[h, d, c] / sum
      e.loop(0, v, [&](Value d) {
        Value s = e.sum(0, latent, [&](Value c) {
          return e.mul(e.load(olat, {zero, c}), wAt(e.add(wBase, e.add(d, e.c(nope))), c));
        });
        e.store(e.mul(s, invSum), out, {tok, e.add(e.mul(hd, e.c(v)), d)});
      });
    });
  });
}

std::string KernelLibrary::mlaNaive(int64_t heads, int64_t nope, int64_t rope, int64_t v,
                                    int64_t latent, const WeightView &kvB, float softmaxScale,
                                    MemRefType blockTable, MemRefType ropeTable, MemRefType pool) {
  MLIRContext *ctx = module_.getContext();
  Type i32 = IntegerType::get(ctx, 32);
  SmallVector<Type> t = {activation(heads * (nope + rope))};
  t = withScale(t, kvB);
  t.append({tokenVector(i32), tokenVector(i32), blockTable, ropeTable, pool, activation(heads * v)});
  std::string name = "mla_naive_h" + std::to_string(heads) + "_" + tag(kvB.type) + "_" +
                     tag(pool) + "_" + tag(ropeTable) + "_s" + fmt(softmaxScale) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    unsigned a = 0;
    Value q = k.arg(a++), w = k.arg(a++), ws = kvB.scaleType ? k.arg(a++) : Value();
    Value positions = k.arg(a++), slots = k.arg(a++), table = k.arg(a++), rt = k.arg(a++),
          cache = k.arg(a++), out = k.arg(a++);
    int64_t block = pool.getDimSize(1), rowsPerHead = nope + v;
    auto rows = [&](int64_t r, int64_t n) { return MemRefType::get({r, n}, e.f32); };
    // Per workgroup: one position's key and value of the head, and for every query row its
    // rotated rope part, running max, running sum and output accumulator (online softmax).
    Value kv = memref::AllocaOp::create(k.b, rows(1, rowsPerHead));
    Value qpe = memref::AllocaOp::create(k.b, rows(maxTokens_, rope));
    Value stats = memref::AllocaOp::create(k.b, rows(maxTokens_, 2));
    Value acc = memref::AllocaOp::create(k.b, rows(maxTokens_, v));
    Value zero = e.c(0), one = e.c(1);
    Value tokens = k.tokens();
    // One sequence per prefill call (the runtime's contract): its slot, and the positions its
    // rows attend to, 0..positions[T-1].
    Value slot = e.toIndex(e.loadRaw(slots, {zero}));
    Value context = e.add(e.toIndex(e.loadRaw(positions, {arith::SubIOp::create(k.b, tokens, one)})), one);
    Value ninf = e.f(-std::numeric_limits<float>::infinity());
    // Workgroups split the heads: each expands its heads' keys and values once.
    auto [lo, hi] = e.share(e.c(heads), k.wg(), k.wgs());
    e.loop(lo, hi, [&](Value hd) {
      Value qBase = e.mul(hd, e.c(nope + rope)), wBase = e.mul(hd, e.c(rowsPerHead));
      e.loop(zero, tokens, [&](Value tok) {
        Value pos = e.toIndex(e.loadRaw(positions, {tok}));
        e.loop(0, rope, [&](Value d) {
          e.store(e.load(q, {tok, e.add(qBase, e.add(d, e.c(nope)))}), qpe, {tok, d});
        });
        e.rotate(qpe, {tok}, zero, rope, rt, pos);
        e.store(ninf, stats, {tok, zero});
        e.store(e.f(0.0), stats, {tok, one});
        e.loop(0, v, [&](Value d) { e.store(e.f(0.0), acc, {tok, d}); });
      });
      e.loop(zero, context, [&](Value j) {
        Value blk = e.toIndex(e.loadRaw(table, {slot, e.divui(j, e.c(block))}));
        Value off = e.remui(j, e.c(block));
        // [k_nope ; v] of position j for this head: kv_b rows times the cached latent.
        e.loop(0, rowsPerHead, [&](Value r) {
          Value row = e.add(wBase, r);
          e.store(e.dot(cache, {blk, off}, w, {row}, latent, ws, {}, e.divui(row, e.c(128)),
                        Value(), {}),
                  kv, {zero, r});
        });
        e.loop(zero, tokens, [&](Value tok) {
          Value pos = e.toIndex(e.loadRaw(positions, {tok}));
          e.ifThen(arith::CmpIOp::create(k.b, arith::CmpIPredicate::ule, j, pos), [&] {
            Value s = e.add(e.sum(0, nope, [&](Value d) {
                              return e.mul(e.load(q, {tok, e.add(qBase, d)}), e.load(kv, {zero, d}));
                            }),
                            e.sum(0, rope, [&](Value d) {
                              return e.mul(e.load(qpe, {tok, d}),
                                           e.load(cache, {blk, off, e.add(d, e.c(latent))}));
                            }));
            s = e.mul(s, e.f(softmaxScale));
            Value mOld = e.load(stats, {tok, zero});
            Value m = e.maxf(mOld, s);
            Value correction = e.exp(e.sub(mOld, m)), p = e.exp(e.sub(s, m));
            e.loop(0, v, [&](Value d) {
              Value o = e.add(e.mul(e.load(acc, {tok, d}), correction),
                              e.mul(p, e.load(kv, {zero, e.add(d, e.c(nope))})));
              e.store(o, acc, {tok, d});
            });
            e.store(m, stats, {tok, zero});
            e.store(e.add(e.mul(e.load(stats, {tok, one}), correction), p), stats, {tok, one});
          });
        });
      });
      e.loop(zero, tokens, [&](Value tok) {
        Value invSum = e.div(e.f(1.0), e.load(stats, {tok, one}));
        e.loop(0, v, [&](Value d) {
          e.store(e.mul(e.load(acc, {tok, d}), invSum), out, {tok, e.add(e.mul(hd, e.c(v)), d)});
        });
      });
    });
  });
}

} // namespace kiln::lowering
