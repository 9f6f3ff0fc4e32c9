//===- Kernels.cpp - the library and the dense graph kernels ---===//
//
// The library's bookkeeping (kernel declaration, deduplication by name) and the kernels of the
// dense graph ops: embedding, norms (and their quantising forms), linear layers in each GEMM
// mode, activation quantisation, SwiGLU, residual add. Bodies are plain loops over memrefs;
// tiling and vectorisation come from LLVM on reassociable reductions.
//
//===----------------------------------------------------------------------===//

#include "compiler/lowering/KernelEmitter.h"

using namespace mlir;
using namespace kiln::lowering::detail;

namespace kiln::lowering {

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

std::string KernelLibrary::embed(const WeightView &table) {
  int64_t dim = table.type.getDimSize(1);
  MLIRContext *ctx = module_.getContext();
  SmallVector<Type> t = {tokenVector(IntegerType::get(ctx, 32)), table.type, activation(dim)};
  std::string name = "embed_" + tag(table.type) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
      Value id = e.toIndex(e.loadRaw(k.arg(0), {tok}));
      e.loop(0, dim, [&](Value d) { e.store(e.load(k.arg(1), {id, d}), k.arg(2), {tok, d}); });
    });
  });
}

std::string KernelLibrary::rmsNorm(int64_t dim, const WeightView &w, float eps) {
  SmallVector<Type> t = {activation(dim), w.type, activation(dim)};
  std::string name = "rms_norm_" + tag(w.type) + "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
      e.rmsNormRow(k.arg(0), tok, k.arg(1), k.arg(2), {tok}, dim, eps);
    });
  });
}

std::string KernelLibrary::addRmsNorm(int64_t dim, const WeightView &w, float eps) {
  SmallVector<Type> t = {activation(dim), activation(dim), w.type, activation(dim), activation(dim)};
  std::string name = "add_rms_norm_" + tag(w.type) + "_e" + fmt(eps) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) {
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
    k.forEachToken([&](Value tok) { e.swigluRow(k.arg(0), k.arg(1), tok, k.arg(2), {tok}, dim); });
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
    k.forEachToken([&](Value tok) {
      e.swigluRow(k.arg(0), k.arg(1), tok, h, {zero}, dim);
      e.quantise(h, {zero}, dim, k.arg(2), {tok}, k.arg(3), {tok}, rounding);
    });
  });
}

std::string KernelLibrary::add(int64_t dim) {
  SmallVector<Type> t = {activation(dim), activation(dim), activation(dim)};
  std::string name = "add_" + std::to_string(dim) + "_t" + std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    k.forEachToken([&](Value tok) {
      e.loop(0, dim, [&](Value d) {
        e.store(e.add(e.load(k.arg(0), {tok, d}), e.load(k.arg(1), {tok, d})), k.arg(2), {tok, d});
      });
    });
  });
}

} // namespace kiln::lowering
