#!/usr/bin/env python3
"""Write a tiny DeepSeek-V3-architecture checkpoint with random weights, for the demo.

    python3 scripts/make-demo-model.py OUT_DIR [--seed S]

Python 3 standard library only (a fresh Debian machine has no torch or numpy). OUT_DIR gets:

  config.json            DeepseekV3ForCausalLM: the real tokenizer's vocabulary (129280), hidden
                         64, 3 layers (layer 0 dense, MoE after: 8 routed experts + 1 shared,
                         top-2 of 4 groups keeping 2), q_lora, MLA, the sigmoid noaux_tc router,
                         YaRN rope_scaling (factor 40 over 256 = max_position_embeddings 10240)
  model.safetensors      bf16 weights: N(0, 0.02) draws (random.gauss), RMSNorm weights 1.0;
                         e_score_correction_bias 0 in F32 (as DeepSeek stores it); written here
                         (header JSON + little-endian bytes)
  generation_config.json bos/eos ids
  tokenizer.json, tokenizer_config.json
                         copied from ../shared/data/deepseek-v3-tokenizer beside the checkout
                         (--tokenizer-dir to take them from elsewhere)

Deterministic: the same seed writes the same bytes. The weights are random, so the model's text
is gibberish; the point is the whole path (tokenizer, chat template, compile, prefill, decode,
sampling, streaming) at a size that runs in a moment (~33 MB, mostly the embedding and lm_head).

Speed: drawing 16 million normals one by one in Python takes seconds, so a pool of 2^18 normals
is drawn once (random.gauss, seeded), rounded to bf16, and each tensor row is a slice of the
pool at a seeded random offset, distinct within a tensor: every value is an N(0, 0.02) draw, no
two rows of a tensor are equal (equal lm_head rows would tie logits), and the whole checkpoint is
written in about a second of Python.
"""

import argparse
import array
import json
import os
import random
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TOKENIZER = os.path.join(os.path.dirname(REPO), "shared", "data", "deepseek-v3-tokenizer")

VOCAB = 129280  # the DeepSeek-V3 tokenizer's (tokenizer.json + added tokens, padded)
HIDDEN = 64
INTERMEDIATE = 128
MOE_INTERMEDIATE = 32
LAYERS = 3
FIRST_DENSE = 1
HEADS = 4
Q_LORA = 32
KV_LORA = 32
NOPE, ROPE, V_HEAD = 16, 8, 16
EXPERTS, TOP_K, GROUPS, TOPK_GROUP, SHARED = 8, 2, 4, 2, 1
YARN_FACTOR, YARN_ORIGINAL = 40, 256
STD = 0.02
POOL = 1 << 18


def config():
    return {
        "architectures": ["DeepseekV3ForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": 0,
        "eos_token_id": 1,
        "first_k_dense_replace": FIRST_DENSE,
        "hidden_act": "silu",
        "hidden_size": HIDDEN,
        "initializer_range": STD,
        "intermediate_size": INTERMEDIATE,
        "kv_lora_rank": KV_LORA,
        "max_position_embeddings": YARN_FACTOR * YARN_ORIGINAL,
        "model_type": "deepseek_v3",
        "moe_intermediate_size": MOE_INTERMEDIATE,
        "moe_layer_freq": 1,
        "n_group": GROUPS,
        "n_routed_experts": EXPERTS,
        "n_shared_experts": SHARED,
        "norm_topk_prob": True,
        "num_attention_heads": HEADS,
        "num_experts_per_tok": TOP_K,
        "num_hidden_layers": LAYERS,
        "num_key_value_heads": HEADS,
        "num_nextn_predict_layers": 0,
        "q_lora_rank": Q_LORA,
        "qk_nope_head_dim": NOPE,
        "qk_rope_head_dim": ROPE,
        "rms_norm_eps": 1e-06,
        "rope_scaling": {
            "beta_fast": 32,
            "beta_slow": 1,
            "factor": YARN_FACTOR,
            "mscale": 1.0,
            "mscale_all_dim": 1.0,
            "original_max_position_embeddings": YARN_ORIGINAL,
            "type": "yarn",
        },
        "rope_theta": 10000,
        "routed_scaling_factor": 2.5,
        "scoring_func": "sigmoid",
        "tie_word_embeddings": False,
        "topk_group": TOPK_GROUP,
        "topk_method": "noaux_tc",
        "torch_dtype": "bfloat16",
        "use_cache": True,
        "v_head_dim": V_HEAD,
        "vocab_size": VOCAB,
    }


def tensors():
    """(name, shape, init) in the checkpoint's order; init is "normal", "ones" (bf16) or
    "zeros-f32"."""
    out = [("model.embed_tokens.weight", [VOCAB, HIDDEN], "normal")]
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", [HIDDEN], "ones"),
            (p + "self_attn.q_a_proj.weight", [Q_LORA, HIDDEN], "normal"),
            (p + "self_attn.q_a_layernorm.weight", [Q_LORA], "ones"),
            (p + "self_attn.q_b_proj.weight", [HEADS * (NOPE + ROPE), Q_LORA], "normal"),
            (p + "self_attn.kv_a_proj_with_mqa.weight", [KV_LORA + ROPE, HIDDEN], "normal"),
            (p + "self_attn.kv_a_layernorm.weight", [KV_LORA], "ones"),
            (p + "self_attn.kv_b_proj.weight", [HEADS * (NOPE + V_HEAD), KV_LORA], "normal"),
            (p + "self_attn.o_proj.weight", [HIDDEN, HEADS * V_HEAD], "normal"),
            (p + "post_attention_layernorm.weight", [HIDDEN], "ones"),
        ]
        if i < FIRST_DENSE:
            out += [(p + f"mlp.{w}.weight", s, "normal") for w, s in mlp(INTERMEDIATE)]
        else:
            out += [(p + "mlp.gate.weight", [EXPERTS, HIDDEN], "normal"),
                    # F32 in DeepSeek's checkpoints too.
                    (p + "mlp.gate.e_score_correction_bias", [EXPERTS], "zeros-f32")]
            for e in range(EXPERTS):
                out += [(p + f"mlp.experts.{e}.{w}.weight", s, "normal")
                        for w, s in mlp(MOE_INTERMEDIATE)]
            out += [(p + f"mlp.shared_experts.{w}.weight", s, "normal")
                    for w, s in mlp(MOE_INTERMEDIATE * SHARED)]
    out += [("model.norm.weight", [HIDDEN], "ones"),
            ("lm_head.weight", [VOCAB, HIDDEN], "normal")]
    return out


def mlp(inner):
    return [("gate_proj", [inner, HIDDEN]), ("up_proj", [inner, HIDDEN]),
            ("down_proj", [HIDDEN, inner])]


def bf16_bytes(values):
    """float values -> bf16, round to nearest even, little-endian bytes."""
    bits = array.array("I")
    bits.frombytes(array.array("f", values).tobytes())
    out = array.array("H", (((b + 0x7FFF + ((b >> 16) & 1)) >> 16) & 0xFFFF for b in bits))
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


class Weights:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        pool = bf16_bytes(self.rng.gauss(0.0, STD) for _ in range(POOL))
        self.pool = pool + pool  # a row may wrap around
        self.one = bf16_bytes([1.0])

    def data(self, shape, init):
        cols = shape[-1]
        rows = 1
        for n in shape[:-1]:
            rows *= n
        if init == "ones":
            return self.one * (rows * cols)
        if init == "zeros-f32":
            return bytes(4 * rows * cols)
        # Distinct offsets: no two rows of a tensor alike (no tied logits, no shared embeddings).
        offsets = self.rng.sample(range(POOL), rows)
        pool, width = self.pool, 2 * cols
        return b"".join(pool[2 * o:2 * o + width] for o in offsets)


def write_safetensors(path, seed):
    entries = tensors()
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, init in entries:
        f32 = init.endswith("-f32")
        size = 4 if f32 else 2
        for n in shape:
            size *= n
        header[name] = {"dtype": "F32" if f32 else "BF16", "shape": shape,
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    weights = Weights(seed)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for name, shape, init in entries:
            f.write(weights.data(shape, init))
    os.replace(tmp, path)
    return len(entries), 8 + len(text) + offset


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tokenizer-dir", default=DEFAULT_TOKENIZER,
                        help="where tokenizer.json and tokenizer_config.json are copied from")
    args = parser.parse_args()

    sources = [os.path.join(args.tokenizer_dir, f) for f in ("tokenizer.json", "tokenizer_config.json")]
    for source in sources:
        if not os.path.isfile(source):
            sys.exit(f"make-demo-model.py: {source}: not found (the DeepSeek-V3 tokenizer is "
                     f"expected in ../shared/data/deepseek-v3-tokenizer beside the checkout; "
                     f"--tokenizer-dir names another place)")
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "config.json"), "w") as f:
        json.dump(config(), f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(args.out_dir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 0, "eos_token_id": 1, "do_sample": False}, f, indent=2)
        f.write("\n")
    for source in sources:
        target = os.path.join(args.out_dir, os.path.basename(source))
        shutil.copyfile(source, target)
        os.chmod(target, 0o644)  # the shared copies are read-only
    count, size = write_safetensors(os.path.join(args.out_dir, "model.safetensors"), args.seed)
    print(f"make-demo-model.py: {args.out_dir}: DeepseekV3ForCausalLM, vocab {VOCAB}, hidden "
          f"{HIDDEN}, {LAYERS} layers ({FIRST_DENSE} dense, {LAYERS - FIRST_DENSE} MoE with "
          f"{EXPERTS} experts, top-{TOP_K}), {count} tensors (bf16), {size / 1e6:.1f} MB, seed "
          f"{args.seed}")


if __name__ == "__main__":
    main()
