//===- MoEKernels.cpp - routed experts and their combination ---===//
//
// Each (token, chosen expert) pair runs the expert's SwiGLU MLP (quantising its input and
// intermediate under act-quant); the combine weights and sums the k outputs.
//
//===----------------------------------------------------------------------===//

#include "compiler/lowering/KernelEmitter.h"

using namespace mlir;
using namespace kiln::lowering::detail;

namespace kiln::lowering {

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
    k.forEachToken([&](Value tok) {
      e.loop(0, dim, [&](Value d) {
        Value s = e.sum(0, kk, [&](Value j) {
          return e.mul(e.load(k.arg(0), {tok, j, d}), e.load(k.arg(1), {tok, j}));
        });
        e.store(s, k.arg(2), {tok, d});
      });
    });
  });
}

} // namespace kiln::lowering
