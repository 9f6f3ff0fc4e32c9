//===- GraphBuilder.cpp - a verified checkpoint → the kiln graph IR ------------===//

#include "compiler/frontend/GraphBuilder.h"

#include "compiler/frontend/ImportError.h"
#include "compiler/frontend/TensorNames.h"
#include "dialects/kiln/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace kiln::frontend {

namespace {

Type elementType(MLIRContext *context, Dtype dtype) {
  switch (dtype) {
  case Dtype::BF16: return BFloat16Type::get(context);
  case Dtype::F16: return Float16Type::get(context);
  case Dtype::F32: return Float32Type::get(context);
  case Dtype::F8_E4M3: return Float8E4M3FNType::get(context);
  case Dtype::F8_E8M0: return Float8E8M0FNUType::get(context);
  default: return {};
  }
}

constexpr int64_t kDyn = ShapedType::kDynamic;

class GraphBuilder {
public:
  GraphBuilder(MLIRContext &context, const Checkpoint &c)
      : context(&context), c(c), config(c.config), b(&context), loc(UnknownLoc::get(&context)) {}

  Expected<OwningOpRef<ModuleOp>> build() {
    module = ModuleOp::create(loc);
    setModuleAttributes();
    weightBuilder = std::make_unique<OpBuilder>(context);
    act = elementType(context, c.tensors.find(names::kEmbed)->second.dtype);
    cacheType = KVCacheType::get(context, config.numHiddenLayers, config.kvLoraRank,
                                 config.qkRopeHeadDim, config.hasIndexer() ? config.indexHeadDim : 0,
                                 /*block=*/64, act);
    for (StringRef entry : {"prefill", "decode"})
      if (Error e = buildEntry(entry))
        return std::move(e);
    if (Error e = declareMTPWeights())
      return std::move(e);
    return std::move(module);
  }

private:
  //===--------------------------------------------------------------------===//
  // Weights
  //===--------------------------------------------------------------------===//

  RankedTensorType tensorType(ArrayRef<int64_t> shape, Dtype dtype) {
    return RankedTensorType::get(shape, elementType(context, dtype));
  }

  ArrayAttr sources(ArrayRef<std::tuple<StringRef, uint64_t, uint64_t>> ranges) {
    SmallVector<Attribute> attrs;
    for (auto [file, offset, size] : ranges)
      attrs.push_back(SourceAttr::get(context, file, offset, size));
    return b.getArrayAttr(attrs);
  }

  /// Weights go at the top of the module, in the order first used.
  WeightOp createWeight(StringRef name, RankedTensorType type, BlockFP8Attr quant,
                        FlatSymbolRefAttr scale, ArrayAttr source) {
    if (lastWeight)
      weightBuilder->setInsertionPointAfter(lastWeight);
    else
      weightBuilder->setInsertionPointToStart(module->getBody());
    lastWeight = WeightOp::create(*weightBuilder, loc, name, type, quant, scale, source);
    return lastWeight;
  }

  BlockFP8Attr blockQuant(Dtype scaleDtype) {
    const QuantizationConfig &q = *config.quantization;
    return BlockFP8Attr::get(context, {q.blockOut, q.blockIn}, elementType(context, scaleDtype));
  }

  /// The kiln.weight of checkpoint tensor `name` (and its scales), declared on first use.
  FlatSymbolRefAttr weight(StringRef name) {
    auto symbol = FlatSymbolRefAttr::get(context, name);
    if (!declared.insert(name).second)
      return symbol;
    const CheckpointTensor &t = c.tensors.find(name)->second;
    BlockFP8Attr quant;
    FlatSymbolRefAttr scale;
    if (t.dtype == Dtype::F8_E4M3) {
      std::string scaleName = names::scaleOf(name);
      const CheckpointTensor &s = c.tensors.find(scaleName)->second;
      scale = weight(scaleName);
      quant = blockQuant(s.dtype);
    }
    createWeight(name, tensorType(t.shape, t.dtype), quant, scale,
                 sources({{t.file, t.offset, t.size}}));
    return symbol;
  }

  /// The routed experts' `proj` (gate_proj, up_proj, down_proj) of `layer`, packed into one
  /// [experts, out, in] weight by concatenating per-expert byte ranges.
  Expected<FlatSymbolRefAttr> packedExperts(int64_t layer, StringRef proj) {
    std::string name = names::layer(layer) + ".mlp.experts." + proj.str() + ".packed";
    auto symbol = FlatSymbolRefAttr::get(context, name);
    if (!declared.insert(name).second)
      return symbol;
    const int64_t E = config.nRoutedExperts, H = config.hiddenSize,
                  I = config.moeIntermediateSize;
    bool down = proj == "down_proj";
    SmallVector<int64_t> shape = down ? SmallVector<int64_t>{E, H, I}
                                      : SmallVector<int64_t>{E, I, H};
    std::vector<std::tuple<StringRef, uint64_t, uint64_t>> ranges;
    if (c.fusedExperts[layer]) {
      // transformers v5: gate_up_proj [E, 2I, H] holds expert e's gate rows, then its up rows.
      const CheckpointTensor &t =
          c.tensors.find(down ? names::fusedDown(layer) : names::fusedGateUp(layer))->second;
      uint64_t perExpert = t.size / E;
      uint64_t half = perExpert / 2;
      for (int64_t e = 0; e < E; ++e) {
        uint64_t begin = t.offset + e * perExpert;
        if (down)
          ranges.emplace_back(t.file, begin, perExpert);
        else
          ranges.emplace_back(t.file, proj == "gate_proj" ? begin : begin + half, half);
      }
      createWeight(name, tensorType(shape, t.dtype), {}, {}, sources(ranges));
      return symbol;
    }

    const CheckpointTensor &first = c.tensors.find(names::expert(layer, 0, proj))->second;
    std::vector<std::tuple<StringRef, uint64_t, uint64_t>> scaleRanges;
    std::optional<Dtype> scaleDtype;
    for (int64_t e = 0; e < E; ++e) {
      std::string expertName = names::expert(layer, e, proj);
      const CheckpointTensor &t = c.tensors.find(expertName)->second;
      if (t.dtype != first.dtype)
        return importError(c.path(t.file), "tensor '" + expertName + "' is " +
                                               dtypeName(t.dtype) + ", but expert 0's is " +
                                               dtypeName(first.dtype) +
                                               "; experts of a layer are packed together");
      ranges.emplace_back(t.file, t.offset, t.size);
      if (t.dtype != Dtype::F8_E4M3)
        continue;
      std::string scaleName = names::scaleOf(expertName);
      const CheckpointTensor &s = c.tensors.find(scaleName)->second;
      if (scaleDtype && *scaleDtype != s.dtype)
        return importError(c.path(s.file), "tensor '" + scaleName + "' is " +
                                               dtypeName(s.dtype) +
                                               ", unlike the other experts' scales");
      scaleDtype = s.dtype;
      scaleRanges.emplace_back(s.file, s.offset, s.size);
    }
    BlockFP8Attr quant;
    FlatSymbolRefAttr scale;
    if (scaleDtype) {
      const CheckpointTensor &s0 =
          c.tensors.find(names::scaleOf(names::expert(layer, 0, proj)))->second;
      SmallVector<int64_t> scaleShape = {E, s0.shape[0], s0.shape[1]};
      std::string scaleName = name + "_scale_inv";
      declared.insert(scaleName);
      createWeight(scaleName, tensorType(scaleShape, *scaleDtype), {}, {}, sources(scaleRanges));
      scale = FlatSymbolRefAttr::get(context, scaleName);
      quant = blockQuant(*scaleDtype);
    }
    createWeight(name, tensorType(shape, first.dtype), quant, scale, sources(ranges));
    return symbol;
  }

  /// MTP layers are not part of prefill/decode yet; their weights are declared so the artifact
  /// can carry them.
  Error declareMTPWeights() {
    if (!c.hasMTP)
      return Error::success();
    for (int64_t i = 0; i < config.numNextnPredictLayers; ++i) {
      int64_t layer = config.numHiddenLayers + i;
      for (const ExpectedTensor &t : expectedLayerTensors(config, layer))
        weight(t.name);
      std::string p = names::layer(layer) + ".";
      for (StringRef extra : {"embed_tokens.weight", "shared_head.head.weight"})
        if (c.tensors.count(p + extra.str()))
          weight(p + extra.str());
      if (config.isMoELayer(layer))
        for (StringRef proj : {"gate_proj", "up_proj", "down_proj"})
          if (Expected<FlatSymbolRefAttr> packed = packedExperts(layer, proj); !packed)
            return packed.takeError();
    }
    return Error::success();
  }

  //===--------------------------------------------------------------------===//
  // The model
  //===--------------------------------------------------------------------===//

  void setModuleAttributes() {
    SmallVector<NamedAttribute> model = {
        b.getNamedAttr("model_type", b.getStringAttr(config.modelType)),
        b.getNamedAttr("vocab_size", b.getI64IntegerAttr(config.vocabSize)),
        b.getNamedAttr("hidden_size", b.getI64IntegerAttr(config.hiddenSize)),
        b.getNamedAttr("num_hidden_layers", b.getI64IntegerAttr(config.numHiddenLayers)),
        b.getNamedAttr("max_position_embeddings",
                       b.getI64IntegerAttr(config.maxPositionEmbeddings)),
        b.getNamedAttr("mtp_layers", b.getI64IntegerAttr(c.hasMTP ? config.numNextnPredictLayers
                                                                  : 0)),
    };
    if (config.bosTokenId)
      model.push_back(b.getNamedAttr("bos_token_id", b.getI64IntegerAttr(*config.bosTokenId)));
    if (config.eosTokenId)
      model.push_back(b.getNamedAttr("eos_token_id", b.getI64IntegerAttr(*config.eosTokenId)));
    if (c.tokenizer.hasTokenizerJson)
      model.push_back(b.getNamedAttr("tokenizer", b.getStringAttr("tokenizer.json")));
    if (!c.tokenizer.bosToken.empty())
      model.push_back(b.getNamedAttr("bos_token", b.getStringAttr(c.tokenizer.bosToken)));
    if (!c.tokenizer.eosToken.empty())
      model.push_back(b.getNamedAttr("eos_token", b.getStringAttr(c.tokenizer.eosToken)));
    if (c.tokenizer.addBosToken)
      model.push_back(b.getNamedAttr("add_bos_token", b.getBoolAttr(*c.tokenizer.addBosToken)));
    if (!c.tokenizer.chatTemplate.empty())
      model.push_back(b.getNamedAttr("chat_template", b.getStringAttr(c.tokenizer.chatTemplate)));
    module->getOperation()->setAttr(KilnDialect::getModelAttrName(),
                                    b.getDictionaryAttr(model));
    if (config.quantization && config.quantization->ue8m0Scales)
      module->getOperation()->setAttr(KilnDialect::getActScaleRoundingAttrName(),
                                      ScaleRoundingAttr::get(context, ScaleRounding::ue8m0));
  }

  RankedTensorType act2d(int64_t width) { return RankedTensorType::get({kDyn, width}, act); }
  RankedTensorType f32_2d(int64_t width) {
    return RankedTensorType::get({kDyn, width}, b.getF32Type());
  }

  Error buildEntry(StringRef name) {
    auto ids = RankedTensorType::get({kDyn}, b.getI32Type());
    auto logitsType = f32_2d(config.vocabSize);
    b.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(
        b, loc, name, b.getFunctionType({ids, ids, cacheType}, {logitsType, cacheType}));
    Block *entry = func.addEntryBlock();
    b.setInsertionPointToEnd(entry);
    Value tokens = entry->getArgument(0), positions = entry->getArgument(1);
    Value cache = entry->getArgument(2);

    Value h = EmbedOp::create(b, loc, act2d(config.hiddenSize), tokens, weight(names::kEmbed));
    for (int64_t layer = 0; layer < config.numHiddenLayers; ++layer) {
      Expected<Value> next = buildLayer(layer, h, positions, cache);
      if (!next)
        return next.takeError();
      h = *next;
    }
    Value n = rmsNorm(h, names::kFinalNorm);
    Value logits = LMHeadOp::create(
        b, loc, logitsType, n, weight(config.tieWordEmbeddings ? names::kEmbed : names::kLMHead));
    func::ReturnOp::create(b, loc, ValueRange{logits, cache});
    return Error::success();
  }

  Value rmsNorm(Value x, StringRef weightName) {
    return RMSNormOp::create(b, loc, x.getType(), x, weight(weightName),
                             b.getF32FloatAttr(static_cast<float>(config.rmsNormEps)));
  }

  Value linear(Value x, StringRef weightName, int64_t out, Type element = {}) {
    auto type = RankedTensorType::get({kDyn, out}, element ? element : act);
    return LinearOp::create(b, loc, type, x, Value(), weight(weightName));
  }

  Expected<Value> buildLayer(int64_t layer, Value h, Value positions, Value &cache) {
    std::string p = names::layer(layer) + ".";
    Value a = rmsNorm(h, p + "input_layernorm.weight");
    auto attention = attentionOp(layer, p, a, positions, cache);
    cache = attention.getNewCache();
    h = AddOp::create(b, loc, h, attention.getResult());
    Value f = rmsNorm(h, p + "post_attention_layernorm.weight");
    Expected<Value> ffn = config.isMoELayer(layer) ? moe(layer, p, f) : Expected<Value>(mlp(p, f));
    if (!ffn)
      return ffn.takeError();
    return Value(AddOp::create(b, loc, h, *ffn));
  }

  MLAAttentionOp attentionOp(int64_t layer, const std::string &p, Value a, Value positions,
                             Value cache) {
    auto shape = MLAShapeAttr::get(context, config.numAttentionHeads, config.qLoraRank,
                                   config.kvLoraRank, config.qkNopeHeadDim, config.qkRopeHeadDim,
                                   config.vHeadDim);
    YarnAttr yarn;
    if (config.yarn)
      yarn = YarnAttr::get(context, llvm::APFloat(config.yarn->factor),
                           config.yarn->originalMaxPositionEmbeddings,
                           llvm::APFloat(config.yarn->betaFast),
                           llvm::APFloat(config.yarn->betaSlow),
                           llvm::APFloat(config.yarn->mscale),
                           llvm::APFloat(config.yarn->mscaleAllDim));
    FlatSymbolRefAttr qA, qANorm, q;
    if (config.qLoraRank > 0) {
      qA = weight(p + "self_attn.q_a_proj.weight");
      qANorm = weight(p + "self_attn.q_a_layernorm.weight");
      q = weight(p + "self_attn.q_b_proj.weight");
    } else {
      q = weight(p + "self_attn.q_proj.weight");
    }
    FlatSymbolRefAttr kvA = weight(p + "self_attn.kv_a_proj_with_mqa.weight");
    FlatSymbolRefAttr kvANorm = weight(p + "self_attn.kv_a_layernorm.weight");
    FlatSymbolRefAttr kvB = weight(p + "self_attn.kv_b_proj.weight");
    FlatSymbolRefAttr o = weight(p + "self_attn.o_proj.weight");
    FlatSymbolRefAttr wqB, wk, kNorm, kNormBias, weightsProj;
    IndexerShapeAttr index;
    if (config.hasIndexer()) {
      wqB = weight(p + "self_attn.indexer.wq_b.weight");
      wk = weight(p + "self_attn.indexer.wk.weight");
      kNorm = weight(p + "self_attn.indexer.k_norm.weight");
      kNormBias = weight(p + "self_attn.indexer.k_norm.bias");
      weightsProj = weight(p + "self_attn.indexer.weights_proj.weight");
      index = IndexerShapeAttr::get(context, config.indexNHeads, config.indexHeadDim,
                                    config.qkRopeHeadDim, config.indexTopk);
    }
    return MLAAttentionOp::create(
        b, loc, act2d(config.hiddenSize), cacheType, a, positions, cache,
        b.getI64IntegerAttr(layer), qA, qANorm, q, kvA, kvANorm, kvB, o, wqB, wk, kNorm,
        kNormBias, weightsProj, shape,
        b.getF32FloatAttr(static_cast<float>(config.softmaxScale())),
        b.getF64FloatAttr(config.ropeTheta), yarn, index,
        b.getF32FloatAttr(static_cast<float>(config.rmsNormEps)), /*form=*/MLAFormAttr());
  }

  /// A SwiGLU MLP: down(silu(gate(x)) * up(x)).
  Value swigluMLP(Value x, const std::string &prefix, int64_t inner) {
    Value gate = linear(x, prefix + "gate_proj.weight", inner);
    Value up = linear(x, prefix + "up_proj.weight", inner);
    Value hidden = SwiGLUOp::create(b, loc, gate, up);
    return linear(hidden, prefix + "down_proj.weight", config.hiddenSize);
  }

  Value mlp(const std::string &p, Value x) {
    return swigluMLP(x, p + "mlp.", config.intermediateSize);
  }

  Expected<Value> moe(int64_t layer, const std::string &p, Value x) {
    const int64_t E = config.nRoutedExperts, k = config.numExpertsPerTok;
    // Router logits in f32 (the reference computes them in fp32).
    Value logits = linear(x, p + "mlp.gate.weight", E, b.getF32Type());
    auto scoring = ScoringFuncAttr::get(context, config.scoringFunc == ScoringFunc::Sigmoid
                                                     ? kiln::ScoringFunc::sigmoid
                                                     : kiln::ScoringFunc::softmax);
    Value scores = RouteScoreOp::create(b, loc, logits, scoring);
    Value select = scores;
    if (config.topkMethod == TopkMethod::NoauxTc)
      select = RouteBiasAddOp::create(b, loc, scores,
                                      weight(p + "mlp.gate.e_score_correction_bias"));
    if (config.topkMethod != TopkMethod::Greedy && config.nGroup > 1) {
      auto reduce = GroupReduceAttr::get(context, config.topkMethod == TopkMethod::NoauxTc
                                                      ? GroupReduce::top2_sum
                                                      : GroupReduce::max);
      Value groupScores = RouteGroupScoreOp::create(b, loc, f32_2d(config.nGroup), select,
                                                    b.getI64IntegerAttr(config.nGroup), reduce);
      select = RouteGroupMaskOp::create(b, loc, select, groupScores,
                                        b.getI64IntegerAttr(config.topkGroup));
    }
    auto topk = RouteTopKOp::create(b, loc, f32_2d(k),
                                    RankedTensorType::get({kDyn, k}, b.getI32Type()), select,
                                    scores, b.getI64IntegerAttr(k));
    Value routeWeights = topk.getTopkWeights();
    if (config.normTopkProb)
      routeWeights = RouteNormalizeOp::create(b, loc, routeWeights, b.getF32FloatAttr(1e-20f));
    if (config.routedScalingFactor != 1.0)
      routeWeights = RouteScaleOp::create(
          b, loc, routeWeights,
          b.getF32FloatAttr(static_cast<float>(config.routedScalingFactor)));

    Expected<FlatSymbolRefAttr> gate = packedExperts(layer, "gate_proj");
    if (!gate)
      return gate.takeError();
    Expected<FlatSymbolRefAttr> up = packedExperts(layer, "up_proj");
    if (!up)
      return up.takeError();
    Expected<FlatSymbolRefAttr> down = packedExperts(layer, "down_proj");
    if (!down)
      return down.takeError();
    auto perChoice = RankedTensorType::get({kDyn, k, config.hiddenSize}, act);
    Value expertOut =
        MoEExpertsOp::create(b, loc, perChoice, x, topk.getTopkIndices(), *gate, *up, *down);
    Value routed = MoECombineOp::create(b, loc, act2d(config.hiddenSize), expertOut, routeWeights);
    if (config.nSharedExperts == 0)
      return routed;
    Value shared = swigluMLP(x, p + "mlp.shared_experts.",
                             config.moeIntermediateSize * config.nSharedExperts);
    return Value(AddOp::create(b, loc, routed, shared));
  }

  MLIRContext *context;
  const Checkpoint &c;
  const ModelConfig &config;
  OpBuilder b;
  Location loc;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<OpBuilder> weightBuilder;
  WeightOp lastWeight;
  llvm::StringSet<> declared;
  Type act;
  KVCacheType cacheType;
};

} // namespace

Expected<OwningOpRef<ModuleOp>> buildGraph(MLIRContext &context, const Checkpoint &checkpoint) {
  context.loadDialect<KilnDialect, func::FuncDialect>();
  return GraphBuilder(context, checkpoint).build();
}

} // namespace kiln::frontend
