//===- LowerToKernels.cpp - graph entry functions → kernels + plans -------===//
//
// Walks @prefill and @decode in order. Each graph op appends launches to a list whose
// arguments are either fixed buffers (weights, inputs, the KV pools, the block table, RoPE
// tables) or "values": intermediates that live in the arena. When the function has been walked,
// the memory planner packs the values (live from the launch that writes them to the last that
// reads them) and the launches become kiln_plan ops with final arena offsets.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "compiler/lowering/Kernels.h"
#include "compiler/planning/MemoryPlanner.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_LOWERTOKERNELS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;
using plan::BufferKind;
using plan::BufferRefAttr;

namespace {

/// Workgroups per launch. The CPU pool runs them over its threads (idle ones return at once);
/// a fixed count keeps the plan independent of the machine that runs it.
constexpr int64_t kGrid = 8;

/// One launch argument before memory planning.
struct Arg {
  BufferKind kind = BufferKind::arena;
  std::string name;
  int64_t index = 0; // arena: value id; else as BufferRefAttr
  int64_t size = 0;
};

struct PendingLaunch {
  std::string kernel;
  int64_t grid = kGrid;
  SmallVector<Arg> args;
};

class EntryLowering {
public:
  EntryLowering(ModuleOp module, KernelLibrary &lib, int64_t maxTokens, GemmMode fp8Mode,
                lowering::ScaleRounding rounding, MemRefType blockTable, MemRefType pool,
                StringRef ropeSymbol, MemRefType ropeTable)
      : module(module), lib(lib), maxTokens(maxTokens), fp8Mode(fp8Mode), rounding(rounding),
        blockTableType(blockTable), poolType(pool), ropeSymbol(ropeSymbol),
        ropeTableType(ropeTable) {}

  LogicalResult lower(func::FuncOp fn, plan::EntryOp entry);

private:
  // Values and buffers.
  int64_t newValue(int64_t bytes) {
    sizes.push_back(bytes);
    firstUse.push_back(-1);
    lastUse.push_back(-1);
    return sizes.size() - 1;
  }
  int64_t rows(int64_t cols, int64_t elementBytes = 4) { return maxTokens * cols * elementBytes; }
  Arg value(int64_t id) { return Arg{BufferKind::arena, "", id, sizes[id]}; }
  Arg of(Value v) { return value(valueIds.lookup(v)); }
  Arg define(Value v, int64_t cols, int64_t elementBytes = 4) {
    int64_t id = newValue(rows(cols, elementBytes));
    valueIds[v] = id;
    return value(id);
  }
  Arg temp(int64_t bytes) { return value(newValue(bytes)); }
  Arg input(int64_t i) { return Arg{BufferKind::input, "", i, maxTokens * 4}; }
  Arg weight(StringRef sym) {
    auto w = module.lookupSymbol<WeightOp>(sym);
    RankedTensorType t = w.getTensorType();
    int64_t bits = t.getElementType().getIntOrFloatBitWidth();
    return Arg{BufferKind::weight, sym.str(), 0, t.getNumElements() * bits / 8};
  }
  WeightOp weightOp(FlatSymbolRefAttr sym) { return module.lookupSymbol<WeightOp>(sym.getValue()); }
  WeightView view(FlatSymbolRefAttr sym) {
    WeightOp w = weightOp(sym);
    WeightView v;
    v.type = MemRefType::get(w.getTensorType().getShape(), w.getTensorType().getElementType());
    if (auto scale = w.getScaleAttr()) {
      RankedTensorType st = weightOp(scale).getTensorType();
      v.scaleType = MemRefType::get(st.getShape(), st.getElementType());
    }
    return v;
  }
  void pushWeight(SmallVector<Arg> &args, FlatSymbolRefAttr sym) {
    args.push_back(weight(sym.getValue()));
    if (auto scale = weightOp(sym).getScaleAttr())
      args.push_back(weight(scale.getValue()));
  }
  GemmMode modeOf(const WeightView &w) { return w.scaleType ? fp8Mode : GemmMode::Float; }
  void launch(std::string kernel, SmallVector<Arg> args, int64_t grid = kGrid) {
    int64_t step = launches.size();
    for (Arg &a : args)
      if (a.kind == BufferKind::arena) {
        if (firstUse[a.index] < 0)
          firstUse[a.index] = step;
        lastUse[a.index] = step;
      }
    launches.push_back({std::move(kernel), grid, std::move(args)});
  }

  /// y = x W^T into a new value of `out` columns (act-quant inserts the quantisation launch).
  Arg linear(Arg x, int64_t k, FlatSymbolRefAttr w, int64_t out, Arg *dest = nullptr) {
    if (modeOf(view(w)) != GemmMode::ActQuant)
      return gemm({x}, k, w, out, GemmMode::Float, dest);
    Arg q = temp(rows(k, 1)), s = temp(rows(blocksOf(k)));
    launch(lib.actQuant(k, rounding), {x, q, s});
    return gemm({q, s}, k, w, out, GemmMode::ActQuant, dest);
  }
  /// The GEMM launch over an input already in the form `mode` reads: {x}, or {e4m3 x, scales}
  /// for act-quant (a float input over an FP8 weight is the dequant GEMM).
  Arg gemm(SmallVector<Arg> args, int64_t k, FlatSymbolRefAttr w, int64_t out, GemmMode mode,
           Arg *dest = nullptr) {
    WeightView v = view(w);
    if (mode != GemmMode::ActQuant)
      mode = v.scaleType ? GemmMode::Dequant : GemmMode::Float;
    pushWeight(args, w);
    Arg y = dest ? *dest : temp(rows(out));
    args.push_back(y);
    launch(lib.linear(k, out, v, mode), args, std::min<int64_t>(64, std::max<int64_t>(1, out / 16)));
    return y;
  }
  static int64_t blocksOf(int64_t channels) { return (channels + 127) / 128; }
  /// The quantised values and scales of an op that quantises `cols` channels per token.
  std::pair<Arg, Arg> defineQuantized(Value q, Value scales, int64_t cols) {
    return {define(q, cols, 1), define(scales, blocksOf(cols))};
  }
  Arg rmsNorm(Arg x, int64_t dim, FlatSymbolRefAttr w, float eps) {
    Arg y = temp(rows(dim));
    launch(lib.rmsNorm(dim, view(w), eps), {x, weight(w.getValue()), y});
    return y;
  }

  LogicalResult lowerOp(Operation *op);
  LogicalResult lowerAttention(MLAAttentionOp op);

  ModuleOp module;
  KernelLibrary &lib;
  int64_t maxTokens;
  GemmMode fp8Mode;
  lowering::ScaleRounding rounding;
  MemRefType blockTableType, poolType;
  std::string ropeSymbol;
  MemRefType ropeTableType;

  DenseMap<Value, int64_t> valueIds;
  std::vector<int64_t> sizes, firstUse, lastUse;
  std::vector<PendingLaunch> launches;
  Value logits;
  std::string entryName;
  bool oneSequencePerCall = false; // @prefill: every row of a call belongs to one sequence
};

int64_t cols(Value v) { return cast<RankedTensorType>(v.getType()).getShape().back(); }

LogicalResult EntryLowering::lowerAttention(MLAAttentionOp op) {
  if (op.getIndexWqB())
    return op.emitOpError("the V3.2 indexer is not lowered for the CPU yet");
  MLAShapeAttr shape = op.getShape();
  int64_t hidden = cols(op.getInput());
  int64_t heads = shape.getHeads(), nope = shape.getNope(), rope = shape.getRope(),
          v = shape.getV(), latent = shape.getKvLora();
  Arg x = of(op.getInput());
  // Queries.
  Arg q = x;
  if (op.getQA()) {
    int64_t qLora = shape.getQLora();
    Arg qa = linear(x, hidden, op.getQAAttr(), qLora);
    q = linear(rmsNorm(qa, qLora, op.getQANormAttr(), op.getNormEpsilon().convertToFloat()), qLora, op.getQAttr(),
               heads * (nope + rope));
  } else {
    q = linear(x, hidden, op.getQAttr(), heads * (nope + rope));
  }
  // The latent and shared key into the cache.
  Arg kva = linear(x, hidden, op.getKvAAttr(), latent + rope);
  Arg pool{BufferKind::kv_pool, "", static_cast<int64_t>(op.getLayer()),
           poolType.getNumElements() * 4};
  Arg table{BufferKind::block_table, "", 0, blockTableType.getNumElements() * 4};
  Arg ropeTable{BufferKind::constant, ropeSymbol, 0, ropeTableType.getNumElements() * 4};
  launch(lib.mlaCacheWrite(latent, rope, view(op.getKvANormAttr()), op.getNormEpsilon().convertToFloat(), blockTableType,
                           ropeTableType, poolType),
         {kva, weight(op.getKvANormAttr().getValue()), input(1), input(2), table, ropeTable, pool});
  // Attention over the cache in the form kiln-absorb-mla chose (absorbed when it did not run),
  // then the output projection.
  WeightView kvB = view(op.getKvBAttr());
  SmallVector<Arg> args = {q};
  pushWeight(args, op.getKvBAttr());
  Arg attn = temp(rows(heads * v));
  args.append({input(1), input(2), table, ropeTable, pool, attn});
  float scale = op.getSoftmaxScale().convertToFloat();
  if (op.getForm() == MLAForm::naive && !oneSequencePerCall)
    return op.emitOpError("the naive form runs one sequence per call (@prefill), not in @")
           << entryName;
  if (op.getForm() == MLAForm::naive)
    launch(lib.mlaNaive(heads, nope, rope, v, latent, kvB, scale, blockTableType, ropeTableType,
                        poolType),
           args);
  else
    launch(lib.mlaAttention(heads, nope, rope, v, latent, kvB, scale, blockTableType,
                            ropeTableType, poolType),
           args);
  Arg out = define(op.getResult(), hidden);
  linear(attn, heads * v, op.getOAttr(), hidden, &out);
  return success();
}

LogicalResult EntryLowering::lowerOp(Operation *op) {
  if (auto e = dyn_cast<EmbedOp>(op)) {
    Arg out = define(e.getResult(), cols(e.getResult()));
    launch(lib.embed(view(e.getTableAttr())), {input(0), weight(e.getTable()), out});
    return success();
  }
  if (auto n = dyn_cast<RMSNormOp>(op)) {
    Arg out = define(n.getResult(), cols(n.getResult()));
    launch(lib.rmsNorm(cols(n.getResult()), view(n.getWeightAttr()), n.getEpsilon().convertToFloat()),
           {of(n.getInput()), weight(n.getWeight()), out});
    return success();
  }
  if (auto n = dyn_cast<AddRMSNormOp>(op)) {
    int64_t d = cols(n.getResult());
    Arg sum = define(n.getSum(), d), out = define(n.getResult(), d);
    launch(lib.addRmsNorm(d, view(n.getWeightAttr()), n.getEpsilon().convertToFloat()),
           {of(n.getLhs()), of(n.getRhs()), weight(n.getWeight()), sum, out});
    return success();
  }
  if (auto n = dyn_cast<RMSNormQuantOp>(op)) {
    int64_t d = cols(n.getResult());
    Arg out = define(n.getResult(), d);
    auto [q, s] = defineQuantized(n.getQuantized(), n.getScales(), d);
    launch(lib.rmsNormQuant(d, view(n.getWeightAttr()), n.getEpsilon().convertToFloat(), false, rounding),
           {of(n.getInput()), weight(n.getWeight()), out, q, s});
    return success();
  }
  if (auto n = dyn_cast<AddRMSNormQuantOp>(op)) {
    int64_t d = cols(n.getResult());
    Arg sum = define(n.getSum(), d), out = define(n.getResult(), d);
    auto [q, s] = defineQuantized(n.getQuantized(), n.getScales(), d);
    launch(lib.rmsNormQuant(d, view(n.getWeightAttr()), n.getEpsilon().convertToFloat(), true, rounding),
           {of(n.getLhs()), of(n.getRhs()), weight(n.getWeight()), sum, out, q, s});
    return success();
  }
  if (auto a = dyn_cast<ActQuantOp>(op)) {
    int64_t d = cols(a.getInput());
    auto [q, s] = defineQuantized(a.getQuantized(), a.getScales(), d);
    launch(lib.actQuant(d, rounding), {of(a.getInput()), q, s});
    return success();
  }
  if (auto l = dyn_cast<LinearOp>(op)) {
    Arg out = define(l.getResult(), cols(l.getResult()));
    int64_t k = cols(l.getInput());
    if (l.getInputScale()) // quantised by an explicit act_quant (kiln-quantize-activations)
      gemm({of(l.getInput()), of(l.getInputScale())}, k, l.getWeightAttr(), cols(l.getResult()),
           GemmMode::ActQuant, &out);
    else
      linear(of(l.getInput()), k, l.getWeightAttr(), cols(l.getResult()), &out);
    return success();
  }
  if (auto l = dyn_cast<LMHeadOp>(op)) {
    Arg out = define(l.getResult(), cols(l.getResult()));
    linear(of(l.getInput()), cols(l.getInput()), l.getWeightAttr(), cols(l.getResult()), &out);
    return success();
  }
  if (auto s = dyn_cast<SwiGLUOp>(op)) {
    int64_t d = cols(s.getResult());
    Arg out = define(s.getResult(), d);
    launch(lib.swiglu(d), {of(s.getGate()), of(s.getUp()), out});
    return success();
  }
  if (auto s = dyn_cast<SwiGLUQuantOp>(op)) {
    int64_t d = cols(s.getGate());
    auto [q, sc] = defineQuantized(s.getQuantized(), s.getScales(), d);
    launch(lib.swigluQuant(d, rounding), {of(s.getGate()), of(s.getUp()), q, sc});
    return success();
  }
  if (auto a = dyn_cast<AddOp>(op)) {
    int64_t d = cols(a.getResult());
    Arg out = define(a.getResult(), d);
    launch(lib.add(d), {of(a.getLhs()), of(a.getRhs()), out});
    return success();
  }
  if (auto s = dyn_cast<RouteScoreOp>(op)) {
    int64_t e = cols(s.getResult());
    Arg out = define(s.getResult(), e);
    launch(lib.routeScore(e, s.getScoring() == ScoringFunc::sigmoid), {of(s.getLogits()), out});
    return success();
  }
  if (auto s = dyn_cast<RouteBiasAddOp>(op)) {
    int64_t e = cols(s.getResult());
    Arg out = define(s.getResult(), e);
    launch(lib.routeBiasAdd(e, view(s.getBiasAttr())), {of(s.getScores()), weight(s.getBias()), out});
    return success();
  }
  if (auto s = dyn_cast<RouteGroupScoreOp>(op)) {
    int64_t e = cols(s.getScores()), g = s.getGroups();
    Arg out = define(s.getResult(), g);
    launch(lib.routeGroupScore(e, g, s.getReduce() == GroupReduce::top2_sum), {of(s.getScores()), out});
    return success();
  }
  if (auto s = dyn_cast<RouteGroupMaskOp>(op)) {
    int64_t e = cols(s.getScores()), g = cols(s.getGroupScores());
    Arg out = define(s.getResult(), e);
    launch(lib.routeGroupMask(e, g, s.getKeep()), {of(s.getScores()), of(s.getGroupScores()), out});
    return success();
  }
  if (auto s = dyn_cast<RouteTopKOp>(op)) {
    int64_t e = cols(s.getSelect()), k = s.getK();
    Arg w = define(s.getTopkWeights(), k), i = define(s.getTopkIndices(), k);
    launch(lib.routeTopK(e, k), {of(s.getSelect()), of(s.getWeights()), w, i});
    return success();
  }
  if (auto s = dyn_cast<RouteNormalizeOp>(op)) {
    int64_t k = cols(s.getResult());
    Arg out = define(s.getResult(), k);
    launch(lib.routeNormalize(k, s.getEpsilon().convertToFloat()), {of(s.getWeights()), out});
    return success();
  }
  if (auto s = dyn_cast<RouteScaleOp>(op)) {
    int64_t k = cols(s.getResult());
    Arg out = define(s.getResult(), k);
    launch(lib.routeScale(k, s.getFactor().convertToFloat()), {of(s.getWeights()), out});
    return success();
  }
  if (auto r = dyn_cast<MoERouterOp>(op)) {
    int64_t e = cols(r.getLogits()), k = r.getK();
    Arg w = define(r.getTopkWeights(), k), i = define(r.getTopkIndices(), k);
    SmallVector<Arg> args = {of(r.getLogits())};
    WeightView bias;
    if (auto b = r.getBiasAttr()) {
      bias = view(b);
      args.push_back(weight(b.getValue()));
    }
    args.append({w, i});
    launch(lib.moeRouter(e, r.getScoring() == ScoringFunc::sigmoid, r.getBiasAttr() ? &bias : nullptr,
                         r.getGroups(), r.getKeepGroups(), r.getGroupReduce() == GroupReduce::top2_sum,
                         k, r.getNormalize(), r.getEpsilon().convertToFloat(),
                         r.getScalingFactor().convertToFloat()),
           args);
    return success();
  }
  if (auto m = dyn_cast<MoEExpertsOp>(op)) {
    auto rt = cast<RankedTensorType>(m.getResult().getType());
    int64_t k = rt.getDimSize(1), hidden = rt.getDimSize(2);
    WeightView g = view(m.getGateAttr()), u = view(m.getUpAttr()), d = view(m.getDownAttr());
    int64_t inter = g.type.getDimSize(1);
    int64_t id = newValue(maxTokens * k * hidden * 4);
    valueIds[m.getResult()] = id;
    SmallVector<Arg> args = {of(m.getInput()), of(m.getIndices())};
    pushWeight(args, m.getGateAttr());
    pushWeight(args, m.getUpAttr());
    pushWeight(args, m.getDownAttr());
    args.push_back(value(id));
    launch(lib.moeExperts(hidden, inter, k, g, u, d, modeOf(g), rounding), args);
    return success();
  }
  if (auto c = dyn_cast<MoECombineOp>(op)) {
    auto rt = cast<RankedTensorType>(c.getExpertOut().getType());
    int64_t k = rt.getDimSize(1), d = rt.getDimSize(2);
    Arg out = define(c.getResult(), d);
    launch(lib.moeCombine(k, d), {of(c.getExpertOut()), of(c.getWeights()), out});
    return success();
  }
  if (auto a = dyn_cast<MLAAttentionOp>(op))
    return lowerAttention(a);
  if (auto r = dyn_cast<func::ReturnOp>(op)) {
    logits = r.getOperand(0);
    return success();
  }
  return op->emitOpError("is not lowered for the CPU yet");
}

LogicalResult EntryLowering::lower(func::FuncOp fn, plan::EntryOp entry) {
  entryName = fn.getSymName().str();
  oneSequencePerCall = entryName == "prefill";
  for (Operation &op : fn.getBody().front())
    if (failed(lowerOp(&op)))
      return failure();
  if (!logits || !valueIds.count(logits))
    return fn.emitOpError("does not return logits computed by its body");
  // The logits stay live to the end: the runtime reads them after the last launch.
  int64_t logitsId = valueIds.lookup(logits);
  lastUse[logitsId] = launches.size();

  std::vector<planning::BufferRequest> requests;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (firstUse[i] < 0)
      return fn.emitOpError("internal error: a buffer is never used");
    requests.push_back({sizes[i], 64, firstUse[i], lastUse[i]});
  }
  planning::MemoryPlan memory = planning::planMemory(requests);
  std::string problem = planning::verifyMemoryPlan(requests, memory);
  if (!problem.empty())
    return fn.emitOpError("memory plan is invalid: ") << problem;

  MLIRContext *ctx = module.getContext();
  auto ref = [&](const Arg &a) {
    int64_t offset = a.kind == BufferKind::arena ? memory.offsets[a.index] : 0;
    int64_t index = a.kind == BufferKind::arena ? 0 : a.index;
    return BufferRefAttr::get(ctx, a.kind, a.name, index, offset, a.size);
  };
  OpBuilder b(ctx);
  entry.setArenaBytes(memory.arenaSize);
  entry.setPeakLiveBytes(memory.peakLiveBytes);
  entry.setLogitsAttr(ref(value(logitsId)));
  b.setInsertionPointToEnd(&entry.getBody().front());
  for (PendingLaunch &l : launches) {
    SmallVector<Attribute> args;
    for (Arg &a : l.args)
      args.push_back(ref(a));
    plan::LaunchOp::create(b, fn.getLoc(), FlatSymbolRefAttr::get(ctx, l.kernel), b.getI64IntegerAttr(l.grid),
                           b.getArrayAttr(args));
  }
  return success();
}

struct LowerToKernelsPass : public kiln::impl::LowerToKernelsBase<LowerToKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    auto prefill = module.lookupSymbol<func::FuncOp>("prefill");
    auto decode = module.lookupSymbol<func::FuncOp>("decode");
    if (!prefill || !decode) {
      module.emitError("kiln-lower-to-kernels needs the graph functions @prefill and @decode");
      return signalPassFailure();
    }
    GemmMode fp8Mode;
    if (fp8Gemm == "act-quant")
      fp8Mode = GemmMode::ActQuant;
    else if (fp8Gemm == "dequant")
      fp8Mode = GemmMode::Dequant;
    else {
      module.emitError("fp8-gemm must be act-quant or dequant, not '") << fp8Gemm << "'";
      return signalPassFailure();
    }
    lowering::ScaleRounding rounding = lowering::ScaleRounding::None;
    if (auto r = module->getAttrOfType<kiln::ScaleRoundingAttr>("kiln.act_scale_rounding"))
      if (r.getValue() == kiln::ScaleRounding::ue8m0)
        rounding = lowering::ScaleRounding::UE8M0;

    // The cache layout, from the graph's cache type; the CPU keeps it in f32.
    auto cacheType = dyn_cast<KVCacheType>(prefill.getArgumentTypes().back());
    if (!cacheType) {
      prefill.emitOpError("last argument must be a !kiln.kv_cache");
      return signalPassFailure();
    }
    int64_t latent = cacheType.getLatent(), rope = cacheType.getRope();
    int64_t perSeq = (maxSeqLen + kvBlock - 1) / kvBlock;
    int64_t blocks = perSeq * maxBatch;
    Type f32 = Float32Type::get(ctx), i32 = IntegerType::get(ctx, 32);
    auto pool = MemRefType::get({blocks, kvBlock, latent + rope}, f32);
    auto blockTable = MemRefType::get({maxBatch, perSeq}, i32);
    auto ropeTable = MemRefType::get({maxSeqLen, rope / 2, 2}, f32);

    // One RoPE table: every layer of a DeepSeek model shares theta and YaRN.
    MLAAttentionOp first;
    prefill.walk([&](MLAAttentionOp op) {
      if (!first)
        first = op;
    });
    if (!first) {
      prefill.emitOpError("has no attention");
      return signalPassFailure();
    }
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    double factor = 1.0, betaFast = 32.0, betaSlow = 1.0, attentionFactor = 1.0;
    int64_t original = 0;
    if (auto y = first.getYarnAttr()) {
      factor = y.getFactor().convertToDouble();
      original = y.getOriginalMaxPositionEmbeddings();
      betaFast = y.getBetaFast().convertToDouble();
      betaSlow = y.getBetaSlow().convertToDouble();
      auto m = [&](double scale) { return scale <= 0 || factor <= 1 ? 1.0 : 0.1 * scale * std::log(factor) + 1.0; };
      attentionFactor = m(y.getMscale().convertToDouble()) / m(y.getMscaleAllDim().convertToDouble());
    }
    auto i64 = [&](int64_t v) { return b.getI64IntegerAttr(v); };
    auto f64 = [&](double v) { return b.getF64FloatAttr(v); };
    plan::RopeTableOp::create(b, loc, b.getStringAttr("rope"), i64(rope), i64(maxSeqLen),
                              first.getRopeThetaAttr(), f64(factor), i64(original), f64(betaFast),
                              f64(betaSlow), f64(attentionFactor));
    plan::KVCacheOp::create(b, loc, i64(cacheType.getLayers()), i64(latent), i64(rope),
                            i64(kvBlock), i64(blocks), i64(maxSeqLen), i64(maxBatch));

    // Kernels are shared by both entries: their activation type has the larger token count
    // (a kernel never touches rows past the call's token count).
    int64_t maxTokens = std::max<int64_t>(int64_t(prefillChunk), int64_t(maxBatch));
    KernelLibrary lib(module, maxTokens);
    auto emptyRef = plan::BufferRefAttr::get(ctx, BufferKind::arena, "", 0, 0, 64);
    for (auto [fn, tokens] : {std::pair<func::FuncOp, int64_t>{prefill, prefillChunk},
                              std::pair<func::FuncOp, int64_t>{decode, maxBatch}}) {
      auto entry = plan::EntryOp::create(b, fn.getLoc(), b.getStringAttr(fn.getSymName()),
                                         i64(tokens), i64(0), i64(0), emptyRef, i64(0));
      entry.getBody().emplaceBlock();
      EntryLowering lowering(module, lib, tokens, fp8Mode, rounding, blockTable, pool, "rope",
                             ropeTable);
      std::string name = fn.getSymName().str();
      if (failed(lowering.lower(fn, entry)))
        return signalPassFailure();
    }
    prefill.erase();
    decode.erase();
  }
};

} // namespace
