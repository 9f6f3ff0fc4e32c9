// Weights.h - every weight of a DeepSeek V2 checkpoint in f32, in the layouts the forward pass
// multiplies by: row-major [out, in] as stored, with each SwiGLU MLP's gate and up projections
// stacked into one [2 * inner, in] matrix (one BLAS call for both).
#ifndef KILN_BENCH_OPENBLAS_WEIGHTS_H
#define KILN_BENCH_OPENBLAS_WEIGHTS_H

#include "Checkpoint.h"

#include <cstdint>
#include <vector>

namespace kiln::baseline {

/// down(silu(gate(x)) * up(x)): gateUp [2 * inner, in] (gate rows first), down [out, inner].
struct SwiGLU {
  int64_t inner = 0;
  std::vector<float> gateUp, down;
};

struct AttentionWeights {
  std::vector<float> q;       // q_proj [heads * (nope + rope), hidden], or empty with q_lora
  std::vector<float> qA;      // q_a_proj [q_lora, hidden]
  std::vector<float> qANorm;  // q_a_layernorm [q_lora]
  std::vector<float> qB;      // q_b_proj [heads * (nope + rope), q_lora]
  std::vector<float> kvA;     // kv_a_proj_with_mqa [kv_lora + rope, hidden]
  std::vector<float> kvANorm; // kv_a_layernorm [kv_lora]
  std::vector<float> kvB;     // kv_b_proj [heads * (nope + v), kv_lora]: W_UK and W_UV per head
  std::vector<float> o;       // o_proj [hidden, heads * v]
};

struct LayerWeights {
  std::vector<float> inputNorm, postNorm; // [hidden]
  AttentionWeights attention;
  bool moe = false;
  SwiGLU dense;                // first_k_dense_replace layers
  std::vector<float> router;   // mlp.gate [experts, hidden]
  std::vector<SwiGLU> experts; // routed
  SwiGLU shared;               // n_shared_experts fused into one MLP (inner = I * n_shared)
};

struct ModelWeights {
  std::vector<float> embed;     // [vocab, hidden]
  std::vector<float> finalNorm; // [hidden]
  std::vector<float> lmHead;    // [vocab, hidden] (the embedding's copy when tied)
  std::vector<LayerWeights> layers;
  /// Bytes of f32 weights held.
  uint64_t bytes() const;
};

/// Loads and converts every weight the config implies (per-expert tensors
/// `mlp.experts.E.{gate,up,down}_proj.weight`, or transformers v5's fused
/// `mlp.experts.gate_up_proj [E, 2I, H]` / `down_proj [E, H, I]`). Throws BaselineError naming a
/// missing or misshapen tensor.
ModelWeights loadWeights(const Checkpoint &checkpoint);

} // namespace kiln::baseline

#endif // KILN_BENCH_OPENBLAS_WEIGHTS_H
