//===- TensorNames.h - every checkpoint tensor a DeepSeek config implies --------===//
//
// The one place that knows Hugging Face's tensor names (as llama.cpp keeps them in one header):
// the importer's checks and the graph builder both read them from here. Shapes follow the
// reference note §1 and §2.4; Linear weights are [out, in].
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_FRONTEND_TENSORNAMES_H
#define KILN_COMPILER_FRONTEND_TENSORNAMES_H

#include "compiler/frontend/ModelConfig.h"

#include <string>
#include <vector>

namespace kiln::frontend {

/// What a tensor is, which decides the dtypes it may have.
enum class TensorKind {
  /// A Linear weight [out, in]: FP8 (with `<name>_scale_inv`) in FP8 checkpoints, else float.
  Linear,
  /// Kept in floating point in every checkpoint: embeddings, norms, the router gate, lm_head,
  /// the indexer's weights_proj and k_norm (reference note §1, item 9).
  Float,
  /// The noaux_tc selection bias, f32.
  F32,
};

struct ExpectedTensor {
  std::string name;
  std::vector<int64_t> shape;
  TensorKind kind;
};

namespace names {
std::string layer(int64_t layer);                      // "model.layers.3"
std::string expert(int64_t layer, int64_t expert, llvm::StringRef proj); // ...experts.7.up_proj.weight
std::string fusedGateUp(int64_t layer);                // ...mlp.experts.gate_up_proj (transformers v5)
std::string fusedDown(int64_t layer);                  // ...mlp.experts.down_proj
std::string scaleOf(llvm::StringRef weight);           // "<weight>_scale_inv"
inline constexpr const char *kEmbed = "model.embed_tokens.weight";
inline constexpr const char *kFinalNorm = "model.norm.weight";
inline constexpr const char *kLMHead = "lm_head.weight";
} // namespace names

/// The tensors of one decoder layer other than its routed experts (attention, norms, dense MLP
/// or router + shared experts), and for an MTP layer its extra projections.
std::vector<ExpectedTensor> expectedLayerTensors(const ModelConfig &config, int64_t layer);

/// The routed experts of an MoE layer, per expert (the layout save_pretrained writes).
std::vector<ExpectedTensor> expectedExpertTensors(const ModelConfig &config, int64_t layer);

/// The same experts in transformers v5's fused layout: gate_up_proj [E, 2I, H] (gate rows
/// first) and down_proj [E, H, I].
std::vector<ExpectedTensor> expectedFusedExpertTensors(const ModelConfig &config, int64_t layer);

/// Embedding, final norm and lm_head (unless tied).
std::vector<ExpectedTensor> expectedModelTensors(const ModelConfig &config);

} // namespace kiln::frontend

#endif // KILN_COMPILER_FRONTEND_TENSORNAMES_H
