//===- MLAKernels.cpp - Multi-head Latent Attention over the paged cache ---===//
//
// The cache write (normalised latent, rotated shared key), and attention in both forms:
// absorbed (W_UK into the query, W_UV into the output, attention over the latent) and naive
// (kv_b expands each cached latent into per-head keys and values once per call).
//
//===----------------------------------------------------------------------===//

#include "compiler/lowering/KernelEmitter.h"

using namespace mlir;
using namespace kiln::lowering::detail;

namespace kiln::lowering {

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
    k.forEachToken([&](Value tok) {
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

namespace {

/// The buffers of both attention forms: q [T, H*(D+R)], kv_b[, kv_b scales], positions, slots,
/// block table, rope table, pool, out [T, H*V].
SmallVector<Type> attentionBuffers(const KernelLibrary &lib, int64_t heads, int64_t nope,
                                   int64_t rope, int64_t v, const WeightView &kvB,
                                   MemRefType blockTable, MemRefType ropeTable, MemRefType pool) {
  Type i32 = IntegerType::get(pool.getContext(), 32);
  SmallVector<Type> t = withScale({lib.activation(heads * (nope + rope))}, kvB);
  t.append({lib.tokenVector(i32), lib.tokenVector(i32), blockTable, ropeTable, pool,
            lib.activation(heads * v)});
  return t;
}

/// Those buffers inside the kernel (`ws` is null unless kv_b is block FP8).
struct AttentionArgs {
  Value q, w, ws, positions, slots, table, ropeTable, cache, out;
  static AttentionArgs of(Body &k, const WeightView &kvB) {
    unsigned a = 0;
    AttentionArgs r;
    r.q = k.arg(a++);
    r.w = k.arg(a++);
    r.ws = kvB.scaleType ? k.arg(a++) : Value();
    for (Value *v : {&r.positions, &r.slots, &r.table, &r.ropeTable, &r.cache, &r.out})
      *v = k.arg(a++);
    return r;
  }
};

} // namespace

std::string KernelLibrary::mlaAttention(int64_t heads, int64_t nope, int64_t rope, int64_t v,
                                        int64_t latent, const WeightView &kvB, float softmaxScale,
                                        MemRefType blockTable, MemRefType ropeTable,
                                        MemRefType pool) {
  SmallVector<Type> t = attentionBuffers(*this, heads, nope, rope, v, kvB, blockTable, ropeTable, pool);
  std::string name = "mla_absorbed_h" + std::to_string(heads) + "_" + tag(kvB.type) + "_" +
                     tag(pool) + "_" + tag(ropeTable) + "_s" + fmt(softmaxScale) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [q, w, ws, positions, slots, table, rt, cache, out] = AttentionArgs::of(k, kvB);
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
  SmallVector<Type> t = attentionBuffers(*this, heads, nope, rope, v, kvB, blockTable, ropeTable, pool);
  std::string name = "mla_naive_h" + std::to_string(heads) + "_" + tag(kvB.type) + "_" +
                     tag(pool) + "_" + tag(ropeTable) + "_s" + fmt(softmaxScale) + "_t" +
                     std::to_string(maxTokens_);
  return define(name, t, [&](Body &k, Emitter &e) {
    auto [q, w, ws, positions, slots, table, rt, cache, out] = AttentionArgs::of(k, kvB);
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
