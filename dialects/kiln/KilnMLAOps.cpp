//===- KilnMLAOps.cpp - Multi-head Latent Attention ops -----------------------===//

#include "dialects/kiln/KilnVerify.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "dialects/kiln/KilnMLAOps.cpp.inc"

void KilnDialect::registerMLAOps() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnMLAOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Checks shared by the MLA ops: each weight's shape follows from #kiln.mla.
//===----------------------------------------------------------------------===//

/// The low-rank q path (q_a + q_a_norm) is present exactly when shape.q_lora is nonzero.
static LogicalResult verifyQPathPresence(Operation *op, MLAShapeAttr shape,
                                         FlatSymbolRefAttr qA, FlatSymbolRefAttr qANorm) {
  if (static_cast<bool>(qA) != static_cast<bool>(qANorm))
    return op->emitOpError("q_a and q_a_norm go together");
  if (static_cast<bool>(qA) != shape.hasQLora())
    return op->emitOpError("q_a and q_a_norm are required exactly when shape.q_lora is nonzero");
  return success();
}

static LogicalResult verifyQWeights(Operation *op, SymbolTableCollection &symbolTable,
                                    MLAShapeAttr shape, int64_t hidden, FlatSymbolRefAttr qA,
                                    FlatSymbolRefAttr qANorm, FlatSymbolRefAttr q) {
  int64_t qInput = hidden;
  if (shape.hasQLora()) {
    qInput = shape.getQLora();
    if (failed(verifyWeight(op, symbolTable, qA, "q_a", {qInput, hidden})) ||
        failed(verifyWeight(op, symbolTable, qANorm, "q_a_norm", {qInput}, WeightKind::NotFP8)))
      return failure();
  }
  return verifyWeight(op, symbolTable, q, "q", {shape.getHeads() * shape.getQkHeadDim(), qInput});
}

static LogicalResult verifyKVAWeights(Operation *op, SymbolTableCollection &symbolTable,
                                      MLAShapeAttr shape, int64_t hidden, FlatSymbolRefAttr kvA,
                                      FlatSymbolRefAttr kvANorm) {
  if (failed(verifyWeight(op, symbolTable, kvA, "kv_a",
                          {shape.getKvLora() + shape.getRope(), hidden})))
    return failure();
  return verifyWeight(op, symbolTable, kvANorm, "kv_a_norm", {shape.getKvLora()},
                      WeightKind::NotFP8);
}

static LogicalResult verifyKVBWeight(Operation *op, SymbolTableCollection &symbolTable,
                                     MLAShapeAttr shape, FlatSymbolRefAttr kvB) {
  return verifyWeight(op, symbolTable, kvB, "kv_b",
                      {shape.getHeads() * (shape.getNope() + shape.getV()), shape.getKvLora()});
}

/// Query `[tokens, heads, nope + rope]` and attention output `[tokens, heads, v]`.
static LogicalResult verifyQueryAndOutput(Operation *op, MLAShapeAttr shape, Value q,
                                          Value result) {
  if (failed(verifyShape(op, "query", q.getType(),
                         {dim(q, 0), shape.getHeads(), shape.getQkHeadDim()})))
    return failure();
  return verifyShape(op, "result", result.getType(), {dim(q, 0), shape.getHeads(), shape.getV()});
}

/// The V3.2 top-k positions: one row per query.
static LogicalResult verifyTopK(Operation *op, Value topk, Value q) {
  if (!topk)
    return success();
  return verifyRows(op, "topk", topk, q);
}

//===----------------------------------------------------------------------===//
// MLAAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult MLAAttentionOp::verify() {
  MLAShapeAttr shape = getShape();
  KVCacheType cache = getCache().getType();
  if (failed(verifyRows(*this, "positions", getPositions(), getInput())) ||
      failed(verifyShape(*this, "result", getResult().getType(),
                         getInput().getType().getShape())) ||
      failed(verifyQPathPresence(*this, shape, getQAAttr(), getQANormAttr())) ||
      failed(verifyCacheLayer(*this, cache, getLayer())) ||
      failed(verifyCacheMatchesShape(*this, cache, shape)) ||
      failed(verifyPositive(*this, "softmax_scale", getSoftmaxScale().convertToDouble())) ||
      failed(verifyPositive(*this, "rope_theta", getRopeTheta().convertToDouble())))
    return failure();

  unsigned indexWeights = static_cast<bool>(getIndexWqBAttr()) +
                          static_cast<bool>(getIndexWkAttr()) +
                          static_cast<bool>(getIndexKNormAttr()) +
                          static_cast<bool>(getIndexKNormBiasAttr()) +
                          static_cast<bool>(getIndexWeightsProjAttr());
  if (indexWeights != 0 && indexWeights != 5)
    return emitOpError("indexer weights must be given all together");
  bool hasIndexer = indexWeights == 5;
  if (hasIndexer != getIndex().has_value() || hasIndexer != (cache.getIndex() > 0))
    return emitOpError(
        "the indexer weights, the index attribute and a cache with index keys go together");
  if (!hasIndexer)
    return success();
  if (!shape.hasQLora())
    return emitOpError("the indexer reads the q latent, so it needs shape.q_lora > 0");
  if (cache.getIndex() != getIndex()->getHeadDim())
    return emitOpError("cache index keys are ")
           << cache.getIndex() << " wide, the indexer's head_dim is " << getIndex()->getHeadDim();
  return success();
}

LogicalResult MLAAttentionOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  MLAShapeAttr shape = getShape();
  int64_t hidden = getInput().getType().getDimSize(1);
  if (failed(verifyQWeights(*this, symbolTable, shape, hidden, getQAAttr(), getQANormAttr(),
                            getQAttr())) ||
      failed(verifyKVAWeights(*this, symbolTable, shape, hidden, getKvAAttr(),
                              getKvANormAttr())) ||
      failed(verifyKVBWeight(*this, symbolTable, shape, getKvBAttr())) ||
      failed(verifyWeight(*this, symbolTable, getOAttr(), "o",
                          {hidden, shape.getHeads() * shape.getV()})))
    return failure();
  if (!getIndex())
    return success();
  IndexerShapeAttr index = *getIndex();
  int64_t headDim = index.getHeadDim();
  if (failed(verifyWeight(*this, symbolTable, getIndexWqBAttr(), "indexer wq_b",
                          {index.getHeads() * headDim, shape.getQLora()})) ||
      failed(verifyWeight(*this, symbolTable, getIndexWkAttr(), "indexer wk", {headDim, hidden})) ||
      failed(verifyWeight(*this, symbolTable, getIndexKNormAttr(), "indexer k_norm", {headDim},
                          WeightKind::NotFP8)) ||
      failed(verifyWeight(*this, symbolTable, getIndexKNormBiasAttr(), "indexer k_norm bias",
                          {headDim}, WeightKind::NotFP8)))
    return failure();
  return verifyWeight(*this, symbolTable, getIndexWeightsProjAttr(), "indexer weights_proj",
                      {index.getHeads(), hidden}, WeightKind::NotFP8);
}

//===----------------------------------------------------------------------===//
// MLAQProjOp
//===----------------------------------------------------------------------===//

LogicalResult MLAQProjOp::verify() {
  MLAShapeAttr shape = getShape();
  if (failed(verifyQPathPresence(*this, shape, getQAAttr(), getQANormAttr())) ||
      failed(verifyShape(*this, "query", getResult().getType(),
                         {dim(getInput(), 0), shape.getHeads(), shape.getQkHeadDim()})))
    return failure();
  if (!getQLatent())
    return success();
  if (!shape.hasQLora())
    return emitOpError("q_latent needs the low-rank q path (shape.q_lora > 0)");
  return verifyShape(*this, "q_latent", getQLatent().getType(),
                     {dim(getInput(), 0), shape.getQLora()});
}

LogicalResult MLAQProjOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyQWeights(*this, symbolTable, getShape(), dim(getInput(), 1), getQAAttr(),
                        getQANormAttr(), getQAttr());
}

//===----------------------------------------------------------------------===//
// MLAKVCompressOp
//===----------------------------------------------------------------------===//

LogicalResult MLAKVCompressOp::verify() {
  MLAShapeAttr shape = getShape();
  int64_t rows = dim(getInput(), 0);
  if (failed(verifyShape(*this, "latent", getLatent().getType(), {rows, shape.getKvLora()})))
    return failure();
  return verifyShape(*this, "k_pe", getKPe().getType(), {rows, shape.getRope()});
}

LogicalResult MLAKVCompressOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyKVAWeights(*this, symbolTable, getShape(), dim(getInput(), 1), getKvAAttr(),
                          getKvANormAttr());
}

//===----------------------------------------------------------------------===//
// MLACacheWriteOp / MLACacheReadOp
//===----------------------------------------------------------------------===//

/// The widths of cached values, and index keys exactly when the cache has them.
static LogicalResult verifyCachedValues(Operation *op, KVCacheType cache, Value latent,
                                        Value kPe, Value indexKeys) {
  int64_t rows = dim(latent, 0);
  if (failed(verifyShape(op, "latent", latent.getType(), {rows, cache.getLatent()})) ||
      failed(verifyShape(op, "k_pe", kPe.getType(), {rows, cache.getRope()})))
    return failure();
  if (static_cast<bool>(indexKeys) != (cache.getIndex() > 0))
    return op->emitOpError("index keys are required exactly when the cache has them (index = ")
           << cache.getIndex() << ")";
  if (!indexKeys)
    return success();
  return verifyShape(op, "index keys", indexKeys.getType(), {rows, cache.getIndex()});
}

LogicalResult MLACacheWriteOp::verify() {
  if (failed(verifyCacheLayer(*this, getCache().getType(), getLayer())) ||
      failed(verifyRows(*this, "positions", getPositions(), getLatent())))
    return failure();
  return verifyCachedValues(*this, getCache().getType(), getLatent(), getKPe(), getIndexKeys());
}

LogicalResult MLACacheReadOp::verify() {
  if (failed(verifyCacheLayer(*this, getCache().getType(), getLayer())))
    return failure();
  return verifyCachedValues(*this, getCache().getType(), getLatent(), getKPe(), getIndexKeys());
}

//===----------------------------------------------------------------------===//
// MLANaiveOp / MLAAbsorbedOp
//===----------------------------------------------------------------------===//

LogicalResult MLANaiveOp::verify() {
  MLAShapeAttr shape = getShape();
  int64_t cached = dim(getLatent(), 0);
  if (failed(verifyQueryAndOutput(*this, shape, getQ(), getResult())) ||
      failed(verifyShape(*this, "latent", getLatent().getType(), {cached, shape.getKvLora()})) ||
      failed(verifyShape(*this, "k_pe", getKPe().getType(), {cached, shape.getRope()})) ||
      failed(verifyRows(*this, "positions", getPositions(), getQ())) ||
      failed(verifyTopK(*this, getTopk(), getQ())))
    return failure();
  return verifyPositive(*this, "softmax_scale", getSoftmaxScale().convertToDouble());
}

LogicalResult MLANaiveOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyKVBWeight(*this, symbolTable, getShape(), getKvBAttr());
}

LogicalResult MLAAbsorbedOp::verify() {
  MLAShapeAttr shape = getShape();
  if (failed(verifyQueryAndOutput(*this, shape, getQ(), getResult())) ||
      failed(verifyCacheLayer(*this, getCache().getType(), getLayer())) ||
      failed(verifyCacheMatchesShape(*this, getCache().getType(), shape)) ||
      failed(verifyRows(*this, "positions", getPositions(), getQ())) ||
      failed(verifyTopK(*this, getTopk(), getQ())))
    return failure();
  return verifyPositive(*this, "softmax_scale", getSoftmaxScale().convertToDouble());
}

LogicalResult MLAAbsorbedOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  return verifyKVBWeight(*this, symbolTable, getShape(), getKvBAttr());
}

//===----------------------------------------------------------------------===//
// MLAIndexKeysOp / MLAIndexerOp
//===----------------------------------------------------------------------===//

LogicalResult MLAIndexKeysOp::verify() {
  if (failed(verifyRows(*this, "positions", getPositions(), getInput())) ||
      failed(verifyPositive(*this, "rope_theta", getRopeTheta().convertToDouble())))
    return failure();
  return verifyShape(*this, "result", getResult().getType(),
                     {dim(getInput(), 0), getIndex().getHeadDim()});
}

LogicalResult MLAIndexKeysOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  int64_t headDim = getIndex().getHeadDim();
  if (failed(verifyWeight(*this, symbolTable, getWkAttr(), "wk", {headDim, dim(getInput(), 1)})) ||
      failed(verifyWeight(*this, symbolTable, getNormAttr(), "k_norm", {headDim},
                          WeightKind::NotFP8)))
    return failure();
  return verifyWeight(*this, symbolTable, getNormBiasAttr(), "k_norm bias", {headDim},
                      WeightKind::NotFP8);
}

LogicalResult MLAIndexerOp::verify() {
  IndexerShapeAttr index = getIndex();
  if (failed(verifyRows(*this, "q_latent", getQLatent(), getInput())) ||
      failed(verifyRows(*this, "positions", getPositions(), getInput())) ||
      failed(verifyShape(*this, "keys", getKeys().getType(),
                         {dim(getKeys(), 0), index.getHeadDim()})) ||
      failed(verifyPositive(*this, "rope_theta", getRopeTheta().convertToDouble())))
    return failure();
  return verifyShape(*this, "result", getResult().getType(),
                     {dim(getInput(), 0), index.getTopk()});
}

LogicalResult MLAIndexerOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  IndexerShapeAttr index = getIndex();
  if (failed(verifyWeight(*this, symbolTable, getWqBAttr(), "wq_b",
                          {index.getHeads() * index.getHeadDim(), dim(getQLatent(), 1)})))
    return failure();
  return verifyWeight(*this, symbolTable, getWeightsAttr(), "weights_proj",
                      {index.getHeads(), dim(getInput(), 1)}, WeightKind::NotFP8);
}
