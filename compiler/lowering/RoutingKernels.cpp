//===- RoutingKernels.cpp - the MoE router, primitive and fused ---===//
//
// The route.* kernels (one per primitive op) and the fused moe_router share the Emitter's row
// helpers, so fusing never changes a routing decision.
//
//===----------------------------------------------------------------------===//

#include "compiler/lowering/KernelEmitter.h"

using namespace mlir;
using namespace kiln::lowering::detail;

namespace kiln::lowering {

std::string KernelLibrary::routeScore(int64_t experts, bool sigmoid) {
  SmallVector<Type> t = {activation(experts), activation(experts)};
  std::string name = std::string("route_") + (sigmoid ? "sigmoid_" : "softmax_") +
                     std::to_string(experts) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) { e.scoreRow(k.arg(0), tok, k.arg(1), tok, experts, sigmoid); });
  });
}

std::string KernelLibrary::routeBiasAdd(int64_t experts, const WeightView &bias) {
  SmallVector<Type> t = {activation(experts), bias.type, activation(experts)};
  std::string name = "route_bias_" + tag(bias.type) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) {
      e.topkRow(k.arg(0), tok, k.arg(1), tok, k.arg(2), k.arg(3), tok, experts, kk);
    });
  });
}

std::string KernelLibrary::routeNormalize(int64_t kk, float eps) {
  SmallVector<Type> t = {activation(kk), activation(kk)};
  std::string name = "route_norm_" + std::to_string(kk) + "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
      Value s = e.add(e.sum(0, kk, [&](Value j) { return e.load(k.arg(0), {tok, j}); }), e.f(eps));
      e.loop(0, kk, [&](Value j) { e.store(e.div(e.load(k.arg(0), {tok, j}), s), k.arg(1), {tok, j}); });
    });
  });
}

std::string KernelLibrary::routeScale(int64_t kk, float factor) {
  SmallVector<Type> t = {activation(kk), activation(kk)};
  std::string name = "route_scale_" + std::to_string(kk) + "_f" + fmt(factor) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) {
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

} // namespace kiln::lowering
