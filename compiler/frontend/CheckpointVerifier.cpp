//===- CheckpointVerifier.cpp - hold a checkpoint's tensors to its config -------===//

#include "compiler/frontend/Checkpoint.h"
#include "compiler/frontend/ImportError.h"
#include "compiler/frontend/TensorNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace kiln::frontend {

namespace {

std::string formatShape(ArrayRef<int64_t> shape) {
  return "[" + join(map_range(shape, [](int64_t d) { return std::to_string(d); }), ", ") + "]";
}

bool isFloat(Dtype dtype) {
  return dtype == Dtype::BF16 || dtype == Dtype::F16 || dtype == Dtype::F32;
}

class Verifier {
public:
  explicit Verifier(Checkpoint &c) : c(c) {}

  Error run() {
    const ModelConfig &config = c.config;
    for (const ExpectedTensor &t : expectedModelTensors(config))
      if (Error e = expect(t))
        return e;
    for (int64_t layer = 0; layer < config.numHiddenLayers; ++layer)
      if (Error e = expectLayer(layer))
        return e;
    if (Error e = expectMTP())
      return e;
    if (c.config.quantization == std::nullopt)
      for (const auto &entry : c.tensors)
        if (entry.getValue().dtype == Dtype::F8_E4M3)
          return importError(c.path(entry.getValue().file),
                             "tensor '" + entry.getKey() + "' is F8_E4M3, but config.json has "
                                                           "no quantization_config");
    warnUnexpected();
    return Error::success();
  }

private:
  Error expectLayer(int64_t layer) {
    for (const ExpectedTensor &t : expectedLayerTensors(c.config, layer))
      if (Error e = expect(t))
        return e;
    if (!c.config.isMoELayer(layer))
      return Error::success();
    // transformers v5 may have saved the experts fused; the per-expert names otherwise.
    bool fused = c.tensors.count(names::fusedGateUp(layer)) != 0;
    if (c.fusedExperts.size() <= static_cast<size_t>(layer))
      c.fusedExperts.resize(layer + 1, false);
    c.fusedExperts[layer] = fused;
    if (!fused) {
      for (const ExpectedTensor &t : expectedExpertTensors(c.config, layer))
        if (Error e = expect(t))
          return e;
      return Error::success();
    }
    for (const ExpectedTensor &t : expectedFusedExpertTensors(c.config, layer)) {
      if (Error e = expect(t))
        return e;
      const CheckpointTensor &fusedTensor = c.tensors.find(t.name)->second;
      if (!isFloat(fusedTensor.dtype))
        return importError(c.path(fusedTensor.file),
                           "tensor '" + t.name + "' is " + dtypeName(fusedTensor.dtype) +
                               "; the fused expert layout is read in bf16, f16 or f32 only");
    }
    return Error::success();
  }

  /// MTP layers are all or nothing: transformers drops them on save, DeepSeek ships them.
  Error expectMTP() {
    const ModelConfig &config = c.config;
    if (config.numNextnPredictLayers == 0)
      return Error::success();
    std::string prefix = names::layer(config.numHiddenLayers) + ".";
    c.hasMTP = any_of(c.tensors.keys(), [&](StringRef name) { return name.starts_with(prefix); });
    if (!c.hasMTP)
      return Error::success();
    for (int64_t i = 0; i < config.numNextnPredictLayers; ++i) {
      int64_t layer = config.numHiddenLayers + i;
      if (Error e = expectLayer(layer))
        return e;
      // Shared with the main model; checkpoints may list copies.
      std::string p = names::layer(layer) + ".";
      for (const ExpectedTensor &t :
           {ExpectedTensor{p + "embed_tokens.weight", {config.vocabSize, config.hiddenSize},
                           TensorKind::Float},
            ExpectedTensor{p + "shared_head.head.weight", {config.vocabSize, config.hiddenSize},
                           TensorKind::Float}})
        if (c.tensors.count(t.name))
          if (Error e = expect(t))
            return e;
    }
    return Error::success();
  }

  Error expect(const ExpectedTensor &t) {
    expected.insert(t.name);
    auto found = c.tensors.find(t.name);
    if (found == c.tensors.end())
      return importError(c.path(c.tensorListFile),
                         "missing tensor '" + t.name + "' (config.json implies it)");
    const CheckpointTensor &tensor = found->second;
    if (tensor.shape != t.shape)
      return importError(c.path(tensor.file),
                         "tensor '" + t.name + "' has shape " + formatShape(tensor.shape) +
                             ", but config.json implies " + formatShape(t.shape));
    switch (t.kind) {
    case TensorKind::F32:
      if (tensor.dtype != Dtype::F32)
        return wrongDtype(t.name, tensor, "F32");
      return Error::success();
    case TensorKind::Float:
      if (!isFloat(tensor.dtype))
        return wrongDtype(t.name, tensor, "BF16, F16 or F32");
      return Error::success();
    case TensorKind::Linear:
      if (tensor.dtype == Dtype::F8_E4M3)
        return expectScale(t, tensor);
      if (!isFloat(tensor.dtype))
        return wrongDtype(t.name, tensor,
                          c.config.quantization ? "F8_E4M3, BF16, F16 or F32" : "BF16, F16 or F32");
      return Error::success();
    }
    return Error::success();
  }

  /// `X.weight_scale_inv`: one scale per block, [ceil(out/bo), ceil(in/bi)], f32 or e8m0.
  Error expectScale(const ExpectedTensor &weight, const CheckpointTensor &tensor) {
    if (!c.config.quantization)
      return importError(c.path(tensor.file), "tensor '" + weight.name +
                                                  "' is F8_E4M3, but config.json has no "
                                                  "quantization_config");
    const QuantizationConfig &q = *c.config.quantization;
    std::string scaleName = names::scaleOf(weight.name);
    expected.insert(scaleName);
    auto found = c.tensors.find(scaleName);
    if (found == c.tensors.end())
      return importError(c.path(c.tensorListFile),
                         "missing tensor '" + scaleName + "' (the block scales of F8_E4M3 '" +
                             weight.name + "')");
    const CheckpointTensor &scale = found->second;
    std::vector<int64_t> shape = {static_cast<int64_t>(divideCeil(weight.shape[0], q.blockOut)),
                                  static_cast<int64_t>(divideCeil(weight.shape[1], q.blockIn))};
    if (scale.shape != shape)
      return importError(c.path(scale.file),
                         formatv("tensor '{0}' has shape {1}, but the {2}x{3} blocks of {4} "
                                 "need {5}",
                                 scaleName, formatShape(scale.shape), q.blockOut, q.blockIn,
                                 formatShape(weight.shape), formatShape(shape))
                             .str());
    if (scale.dtype != Dtype::F32 && scale.dtype != Dtype::F8_E8M0)
      return wrongDtype(scaleName, scale, "F32 or F8_E8M0");
    return Error::success();
  }

  Error wrongDtype(StringRef name, const CheckpointTensor &tensor, StringRef allowed) {
    return importError(c.path(tensor.file), "tensor '" + name + "' is " +
                                                dtypeName(tensor.dtype) + ", expected " +
                                                allowed);
  }

  void warnUnexpected() {
    std::vector<std::string> unexpected;
    for (const auto &entry : c.tensors)
      if (!expected.contains(entry.getKey()))
        unexpected.push_back(entry.getKey().str());
    std::sort(unexpected.begin(), unexpected.end());
    for (const std::string &name : unexpected)
      c.warnings.push_back(c.path(c.tensors[name].file) + ": unexpected tensor '" + name +
                           "' (ignored)");
  }

  Checkpoint &c;
  StringSet<> expected;
};

} // namespace

Error verifyCheckpoint(Checkpoint &checkpoint) { return Verifier(checkpoint).run(); }

} // namespace kiln::frontend
