#!/usr/bin/env python3
"""Writes a bench-size DeepSeek-V2-Lite checkpoint with random bf16 weights (standard library
only, a few seconds): V2-Lite's real shapes (hidden 2048, 16 heads, kv_lora 512, nope 128,
rope 64, v 128, 64 routed experts of 1408 with 6 active, 2 shared, vocab 102400) with fewer
layers: `--layers N` (default 2: one dense layer, then MoE). `--fp8` stores the projections
(attention, MLP, experts; not the embedding, router, norms or lm_head) as DeepSeek-V3 does: e4m3
with one f32 scale per 128x128 block and a `quantization_config` (1.4 GiB for 2 layers).

  make-bench-model.py OUT_DIR [--layers N] [--seed S] [--fp8]

Values: uniform random mantissas with exponents drawn from a narrow range around 2^-6 (random
signs), so activations stay finite; the numbers are meaningless, only the work is real."""
import argparse
import json
import os
import random
import struct

H, HEADS, KV, NOPE, ROPE, V, I, MI, E, TOPK, SHARED, VOCAB = (
    2048, 16, 512, 128, 64, 128, 10944, 1408, 64, 6, 2, 102400)


def tensors(layers):
    t = [("model.embed_tokens.weight", [VOCAB, H])]
    for l in range(layers):
        p = f"model.layers.{l}."
        t += [(p + "input_layernorm.weight", [H]),
              (p + "self_attn.q_proj.weight", [HEADS * (NOPE + ROPE), H]),
              (p + "self_attn.kv_a_proj_with_mqa.weight", [KV + ROPE, H]),
              (p + "self_attn.kv_a_layernorm.weight", [KV]),
              (p + "self_attn.kv_b_proj.weight", [HEADS * (NOPE + V), KV]),
              (p + "self_attn.o_proj.weight", [H, HEADS * V]),
              (p + "post_attention_layernorm.weight", [H])]
        if l == 0:
            t += [(p + "mlp.gate_proj.weight", [I, H]), (p + "mlp.up_proj.weight", [I, H]),
                  (p + "mlp.down_proj.weight", [H, I])]
        else:
            t += [(p + "mlp.gate.weight", [E, H])]
            for e in range(E):
                q = f"{p}mlp.experts.{e}."
                t += [(q + "gate_proj.weight", [MI, H]), (q + "up_proj.weight", [MI, H]),
                      (q + "down_proj.weight", [H, MI])]
            t += [(p + "mlp.shared_experts.gate_proj.weight", [MI * SHARED, H]),
                  (p + "mlp.shared_experts.up_proj.weight", [MI * SHARED, H]),
                  (p + "mlp.shared_experts.down_proj.weight", [H, MI * SHARED])]
    t += [("model.norm.weight", [H]), ("lm_head.weight", [VOCAB, H])]
    return t


def is_fp8(name, shape):
    """The tensors DeepSeek-V3's FP8 checkpoints quantise: 2-D projection weights."""
    return (len(shape) == 2 and "proj" in name) and "embed" not in name


def block_scales(shape):
    return [(shape[0] + 127) // 128, (shape[1] + 127) // 128]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fp8", action="store_true", help="e4m3 projections with 128x128 scales")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    # bf16 high byte: sign + top 7 exponent bits. Exponents 0x78..0x79 (x 2 for the low bit in
    # the other byte) give magnitudes around 2^-7..2^-4.
    high = bytes(rng.choice([0x3C, 0xBC]) for _ in range(256))
    pool = bytearray(rng.getrandbits(8) for _ in range(1 << 20))
    pool[1::2] = pool[1::2].translate(high)
    ones = struct.pack("<H", 0x3F80)
    # e4m3: sign, exponent field 4..6 (2^-3..2^-1), any mantissa; times a block scale of 2^-4,
    # magnitudes like the bf16 weights'. Never 0x7f/0xff (NaN).
    fp8_pool = bytes((rng.getrandbits(8) & 0x87) | (rng.choice([4, 5, 6]) << 3)
                     for _ in range(1 << 20))
    scale = struct.pack("<f", 2.0 ** -4)
    header, offset = {}, 0
    specs = []
    for name, shape in tensors(a.layers):
        if a.fp8 and is_fp8(name, shape):
            specs += [(name, shape, "F8_E4M3", 1), (name + "_scale_inv", block_scales(shape), "F32", 4)]
        else:
            specs.append((name, shape, "BF16", 2))
    for name, shape, dtype, width in specs:
        n = 1
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + width * n]}
        offset += width * n
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(os.path.join(a.out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        for name, shape, dtype, width in specs:
            size = header[name]["data_offsets"][1] - header[name]["data_offsets"][0]
            if "norm" in name or dtype == "F32":  # RMSNorm weights are ones; block scales 2^-4
                f.write((ones if dtype == "BF16" else scale) * (size // width))
                continue
            source = fp8_pool if dtype == "F8_E4M3" else pool
            start = rng.randrange(0, len(source) // 2) * 2
            while size > 0:
                chunk = source[start:start + size]
                f.write(chunk)
                size -= len(chunk)
                start = 0
    config = {
        "architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2",
        "bos_token_id": 100000, "eos_token_id": 100001, "hidden_size": H,
        "intermediate_size": I, "moe_intermediate_size": MI, "num_hidden_layers": a.layers,
        "num_attention_heads": HEADS, "num_key_value_heads": HEADS, "n_shared_experts": SHARED,
        "n_routed_experts": E, "num_experts_per_tok": TOPK, "routed_scaling_factor": 1.0,
        "n_group": 1, "topk_group": 1, "topk_method": "greedy", "scoring_func": "softmax",
        "norm_topk_prob": False, "first_k_dense_replace": 1, "moe_layer_freq": 1,
        "q_lora_rank": None, "kv_lora_rank": KV, "qk_nope_head_dim": NOPE,
        "qk_rope_head_dim": ROPE, "v_head_dim": V, "rms_norm_eps": 1e-6,
        "max_position_embeddings": 163840, "rope_theta": 10000.0,
        "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096,
                         "beta_fast": 32, "beta_slow": 1, "mscale": 0.707,
                         "mscale_all_dim": 0.707},
        "tie_word_embeddings": False, "vocab_size": VOCAB, "torch_dtype": "bfloat16"}
    if a.fp8:
        config["quantization_config"] = {"activation_scheme": "dynamic", "fmt": "e4m3",
                                         "quant_method": "fp8", "weight_block_size": [128, 128]}
    json.dump(config, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    print(f"{a.out}: {len(specs)} tensors, {offset / 2**30:.2f} GiB"
          f"{' (e4m3 projections)' if a.fp8 else ' of bf16'}")


if __name__ == "__main__":
    main()
