#!/usr/bin/env python3
"""Write the tiny DeepSeek checkpoints Kiln's Hugging Face importer is tested on.

    python3 scripts/make-fixtures.py --out test/fixtures     # regenerate (needs torch, see below)
    python3 scripts/make-fixtures.py --check                 # verify SHA256SUMS (stdlib only)

Regenerating needs the pinned packages of scripts/fixtures-requirements.txt (torch, transformers,
safetensors); `--check` needs nothing beyond the Python standard library, so CI can verify the
committed files without torch. Everything is deterministic (fixed seeds, CPU, float32), so a rerun
with the pinned versions reproduces SHA256SUMS byte for byte.

Fixtures (each test/fixtures/<name>/ holds config.json, the safetensors, FIXTURE.md, and for the
models transformers can run, golden.json):

  v3-tiny               DeepseekV3ForCausalLM.save_pretrained, float32, e_score_correction_bias
                        ~ N(-0.6, 0.05) (negative enough that the -inf masking of groups matters)
  v3-tiny-fp8           v3-tiny's weights, every Linear weight quantised here to e4m3 in 128x128
                        blocks; the embedding stays float32 as in v3-tiny (see F32_EMBEDDING_NOTE)
  v31-tiny-fp8-ue8m0    as v3-tiny-fp8 with scale_fmt ue8m0 (power-of-two scales) and partial blocks
  v2-lite-tiny          DeepseekV2ForCausalLM, q_lora_rank null, greedy softmax router, bf16
  v2-lite-tiny-sharded  the same tensors as v2-lite-tiny in 2 shards + model.safetensors.index.json
  v2-tiny               DeepseekV2ForCausalLM, q_lora_rank set, group_limited_greedy router, bf16
  v32-tiny              written directly with safetensors from the reference note (section 5):
                        indexer tensors, FP8 ue8m0, one MTP layer; random values, import-only

golden.json: 12 input ids and the float32 logits of every position (transformers, eager attention,
float32 compute), rounded to 7 significant digits, plus the experts each MoE layer's router chose.
For the FP8 fixtures the logits are those of the model whose weights are the dequantised stored
values (W = fp8 * scale_inv, activations not quantised), i.e. [DSV3]'s default dequant path in f32.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile

SUMS = "SHA256SUMS"
FIXTURES = ["v3-tiny", "v3-tiny-fp8", "v31-tiny-fp8-ue8m0", "v2-lite-tiny", "v2-lite-tiny-sharded",
            "v2-tiny", "v32-tiny"]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures")
SEQ_LEN = 12
BLOCK = 128
E4M3_MAX = 448.0

# Mean of the V3 fixtures' e_score_correction_bias (each ~ N(BIAS_MEAN, 0.05)). transformers
# initialises the buffer to zero, and the reference note says to make it matter. Its mean matters
# too: the router masks the groups it did not keep with -inf (DeepSeek's reference code; older
# transformers filled them with 0.0), and a 0.0 fill chooses differently only where fewer than
# top_k experts of the kept groups have sigmoid score + bias > 0. With a mean of 0 every such sum
# stayed positive and the fixtures could not tell the two fills apart (scripts/make-goldens.py
# asserts that they now can). A constant shift of every bias changes neither the group ranking
# (top-2 sums all move by 2 * BIAS_MEAN) nor the experts chosen within kept groups, nor the
# weights (taken from the unbiased scores), so the -inf routing and the logits are those of a
# mean-0 bias; v3-tiny's are bit-identical to the earlier mean-0 fixture's.
BIAS_MEAN = -0.6

# v3-tiny-fp8 stores its embedding in float32, as v3-tiny does, instead of bf16 like its other
# unquantised tensors. Layer 0's act_quant inputs are input_layernorm(embedding): with unit norm
# weights, one token's bf16 embedding values times one common factor, so x / (amax/448) is 448
# times a ratio of two bf16 values, and that lands exactly on an e4m3 rounding midpoint for about
# 2% of them (108 of v3-tiny-fp8's 98688 quantised activations). Which way such a tie rounds then
# depends on float32 rounding noise (e.g. RMSNorm's summation order), and a one-ulp RMSNorm change
# moved the act-quant golden by ~0.4 of max |logit|. float32 embedding values have no such
# structure; no other tensor reaches an act_quant this directly (the norm weights are exactly 1
# in either dtype). scripts/make-goldens.py asserts the act-quant goldens' conditioning.
# v31-tiny-fp8-ue8m0 keeps a bf16 embedding: its power-of-two scales only rescale, so no ties.
F32_EMBEDDING = ("model.embed_tokens.weight",)
F32_EMBEDDING_NOTE = ("`model.embed_tokens.weight` is F32 (v3-tiny's values), not BF16 like the checkpoints': "
                      "layer 0 act-quantises its values times one per-token factor, and with f32 activation "
                      "scales amax/448, 448 x ratios of bf16 values landed exactly on e4m3 rounding ties "
                      "(108 activations), which made golden-act-quant.json ill-conditioned")

# Weights stored as FP8 in DeepSeek's checkpoints: every Linear built with the default dtype in
# inference/model.py (reference note 3.1). Embeddings, norms, mlp.gate.weight,
# e_score_correction_bias, lm_head, MTP eh_proj/shared_head.head and the indexer's weights_proj
# and k_norm stay unquantised.
QUANTISED = re.compile(
    r"\.(q_proj|q_a_proj|q_b_proj|kv_a_proj_with_mqa|kv_b_proj|o_proj|"
    r"gate_proj|up_proj|down_proj|wq_b|wk)\.weight$")


# ----------------------------------------------------------------------------- checking (stdlib)

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fixture_files(root):
    """The files this script owns: README.md and everything under the FIXTURES directories (other
    tools keep their own files under test/fixtures, e.g. safetensors-corpus/)."""
    out = ["README.md"] if os.path.isfile(os.path.join(root, "README.md")) else []
    for name in FIXTURES:
        for d, dirs, files in os.walk(os.path.join(root, name)):
            dirs.sort()
            for f in sorted(files):
                out.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
    return sorted(out)


def write_sums(root):
    lines = ["%s  %s\n" % (sha256(os.path.join(root, rel)), rel) for rel in fixture_files(root)]
    with open(os.path.join(root, SUMS), "w") as f:
        f.writelines(lines)
    return len(lines)


def check(root):
    """Verify every file against SHA256SUMS, and that the fixture directories hold no file it does
    not list."""
    sums_path = os.path.join(root, SUMS)
    if not os.path.isfile(sums_path):
        print("error: %s not found" % sums_path, file=sys.stderr)
        return 1
    listed = {}
    with open(sums_path) as f:
        for n, line in enumerate(f, 1):
            m = re.fullmatch(r"([0-9a-f]{64})  (\S.*)\n?", line)
            if not m:
                print("error: %s:%d: not 'HASH  PATH'" % (SUMS, n), file=sys.stderr)
                return 1
            listed[m.group(2)] = m.group(1)
    bad = unlisted = 0
    for rel, want in sorted(listed.items()):
        p = os.path.join(root, rel)
        if not os.path.isfile(p):
            print("MISSING  %s" % rel)
            bad += 1
        elif sha256(p) != want:
            print("CHANGED  %s" % rel)
            bad += 1
    for rel in fixture_files(root):
        if rel not in listed:
            print("UNLISTED %s" % rel)
            unlisted += 1
    print("%d passed, %d failed" % (len(listed) - bad, bad + unlisted))
    return 1 if bad or unlisted else 0


# ----------------------------------------------------------------------------- generation (torch)

def versions():
    import safetensors
    import torch
    import transformers
    return "torch %s, transformers %s, safetensors %s, Python %s" % (
        torch.__version__, transformers.__version__, safetensors.__version__,
        ".".join(map(str, sys.version_info[:3])))


def yarn(factor, orig, mscale, mscale_all_dim):
    return {"rope_type": "yarn", "rope_theta": 10000.0, "factor": float(factor),
            "original_max_position_embeddings": orig, "beta_fast": 32.0, "beta_slow": 1.0,
            "mscale": mscale, "mscale_all_dim": mscale_all_dim}


def v3_config(**over):
    """Reference note section 7's recipe, small enough to commit (expert widths are ours)."""
    from transformers import DeepseekV3Config
    kw = dict(
        vocab_size=512, hidden_size=256, intermediate_size=128, moe_intermediate_size=16,
        num_hidden_layers=3, first_k_dense_replace=1, num_attention_heads=4, num_key_value_heads=4,
        q_lora_rank=128, kv_lora_rank=128, qk_nope_head_dim=32, qk_rope_head_dim=16, v_head_dim=32,
        n_routed_experts=16, n_shared_experts=1, num_experts_per_tok=4, n_group=4, topk_group=2,
        routed_scaling_factor=2.5, norm_topk_prob=True, max_position_embeddings=40 * 256,
        rope_parameters=yarn(40, 256, 1.0, 1.0), rms_norm_eps=1e-6, tie_word_embeddings=False,
        initializer_range=0.1, num_nextn_predict_layers=0,
        # hub fields transformers' V3 ignores but keeps: the importer reads them
        topk_method="noaux_tc", scoring_func="sigmoid", moe_layer_freq=1)
    kw.update(over)
    cfg = DeepseekV3Config(**kw)
    cfg._attn_implementation = "eager"
    return cfg


def v2_config(**over):
    from transformers import DeepseekV2Config
    kw = dict(
        vocab_size=512, hidden_size=128, intermediate_size=128, moe_intermediate_size=16,
        num_hidden_layers=3, first_k_dense_replace=1, num_attention_heads=4, num_key_value_heads=4,
        kv_lora_rank=64, qk_nope_head_dim=32, qk_rope_head_dim=16, v_head_dim=32,
        n_routed_experts=8, n_shared_experts=2, max_position_embeddings=40 * 256,
        rms_norm_eps=1e-6, tie_word_embeddings=False, initializer_range=0.1,
        bos_token_id=0, eos_token_id=1, moe_layer_freq=1)
    kw.update(over)
    cfg = DeepseekV2Config(**kw)
    cfg._attn_implementation = "eager"
    return cfg


def build(kind, cfg, seed):
    import torch
    from transformers import DeepseekV2ForCausalLM, DeepseekV3ForCausalLM
    torch.manual_seed(seed)
    model = (DeepseekV3ForCausalLM if kind == "v3" else DeepseekV2ForCausalLM)(cfg).eval()
    if kind == "v3":
        # e_score_correction_bias initialises to zero; make it matter (reference note section 7),
        # and make the -inf masking of groups matter (BIAS_MEAN)
        g = torch.Generator().manual_seed(seed + 1)
        with torch.no_grad():
            for layer in model.model.layers[cfg.first_k_dense_replace:]:
                b = layer.mlp.gate.e_score_correction_bias
                b.copy_(torch.randn(b.shape, generator=g) * 0.05 + BIAS_MEAN)
    return model


def input_ids(vocab, seed):
    import torch
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (1, SEQ_LEN), generator=g)


def run_golden(model, ids):
    """float32 logits of every position and each MoE layer's chosen experts (sorted)."""
    import torch
    routing, hooks = {}, []
    for i, layer in enumerate(model.model.layers):
        gate = getattr(layer.mlp, "gate", None)
        if gate is None or not hasattr(gate, "top_k"):
            continue

        def hook(mod, args, out, i=i):
            _, w, idx = out
            order = idx.argsort(dim=-1)
            routing[str(i)] = {
                "experts": idx.gather(-1, order).tolist(),
                "weights": [[float("%.7g" % v) for v in row] for row in w.gather(-1, order).tolist()]}
        hooks.append(gate.register_forward_hook(hook))
    with torch.no_grad():
        logits = model(ids).logits[0].float()
    for h in hooks:
        h.remove()
    return logits, routing


def write_golden(path, ids, logits, routing, how):
    doc = {
        "input_ids": ids[0].tolist(),
        "shape": list(logits.shape),
        "dtype": "float32",
        "computed_with": how,
        "logits": [float("%.7g" % v) for v in logits.flatten().tolist()],
        "routing": {"note": "per MoE layer: the experts chosen for each position, sorted by index, "
                            "and their final weights (after normalisation and routed_scaling_factor)",
                    "layers": routing},
    }
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def reload_logits(d, ids):
    """Load the saved directory back through transformers (float32, eager) and run it."""
    import torch
    from transformers import AutoModelForCausalLM
    m = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()
    return run_golden(m, ids)


def expert_layout(st_path):
    from safetensors import safe_open
    with safe_open(st_path, "pt") as f:
        keys = list(f.keys())
    per = [k for k in keys if re.search(r"\.mlp\.experts\.\d+\.(gate|up|down)_proj\.weight$", k)]
    fused = [k for k in keys if re.search(r"\.mlp\.experts\.(gate_up_proj|down_proj)$", k)]
    if per and not fused:
        return ("per-expert tensors `model.layers.N.mlp.experts.E.{gate,up,down}_proj.weight` "
                "(%d of them); transformers held them fused as `experts.gate_up_proj [E,2I,H]` / "
                "`experts.down_proj [E,H,I]` and save_pretrained wrote the original layout" % len(per))
    return "fused expert tensors: %s" % ", ".join(fused[:4])


def write_md(d, lines):
    with open(os.path.join(d, "FIXTURE.md"), "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


def save_hf(model, d, dtype=None, **kw):
    import copy
    if dtype is not None:
        model = copy.deepcopy(model).to(dtype)
    model.save_pretrained(d, **kw)


def quantise(w, ue8m0):
    """e4m3 in 128x128 blocks: scale = amax/448 of each (zero-padded) block, optionally rounded up
    to a power of two. Returns (fp8 weight, float32 scale_inv [ceil(out/128), ceil(in/128)])."""
    import torch
    w = w.float()
    out_f, in_f = w.shape
    nb_o, nb_i = -(-out_f // BLOCK), -(-in_f // BLOCK)
    pad = torch.zeros(nb_o * BLOCK, nb_i * BLOCK)
    pad[:out_f, :in_f] = w
    blocks = pad.view(nb_o, BLOCK, nb_i, BLOCK)
    amax = blocks.abs().amax(dim=(1, 3))
    scale = amax / E4M3_MAX
    scale = torch.where(amax > 0, scale, torch.ones_like(scale))
    if ue8m0:
        mant, exp = torch.frexp(scale)           # scale = mant * 2^exp, mant in [0.5, 1)
        exp = torch.where(mant == 0.5, exp - 1, exp)
        scale = torch.ldexp(torch.ones_like(scale), exp)
    q = (blocks / scale[:, None, :, None]).clamp(-E4M3_MAX, E4M3_MAX).to(torch.float8_e4m3fn)
    q = q.view(nb_o * BLOCK, nb_i * BLOCK)[:out_f, :in_f].contiguous()
    return q, scale.float().contiguous()


def dequantise(q, scale):
    s = scale.repeat_interleave(BLOCK, 0).repeat_interleave(BLOCK, 1)[:q.shape[0], :q.shape[1]]
    return q.float() * s


def fp8_state(tensors, ue8m0, plain_dtype, f32_plain=()):
    """HF-hub FP8 layout: quantised weights + X.weight_scale_inv (f32); e_score_correction_bias
    and the tensors named in f32_plain f32; every other tensor in plain_dtype. Also returns the
    dequantised float32 state."""
    out, deq = {}, {}
    for k, v in tensors.items():
        if QUANTISED.search(k) and v.dim() == 2:
            q, s = quantise(v, ue8m0)
            out[k], out[k + "_scale_inv"] = q, s
            deq[k] = dequantise(q, s)
        elif k.endswith("e_score_correction_bias") or k in f32_plain:
            out[k] = v.float().contiguous()
            deq[k] = out[k]
        else:
            out[k] = v.to(plain_dtype).contiguous()
            deq[k] = out[k].float()
    return out, deq


def quant_config(ue8m0):
    q = {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8"}
    if ue8m0:
        q["scale_fmt"] = "ue8m0"
    q["weight_block_size"] = [BLOCK, BLOCK]
    return q


def fresh(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def make_torch_fixture(out, name, kind, cfg, seed, dtype, summary, ver, shard_copy=None):
    import torch
    d = fresh(os.path.join(out, name))
    model = build(kind, cfg, seed)
    if dtype is not None:   # store in this dtype; golden runs the same rounded values in float32
        with torch.no_grad():   # parameters only: buffers such as inv_freq stay float32
            for p in model.parameters():
                p.copy_(p.to(dtype).to(torch.float32))
    save_hf(model, d, dtype=dtype)
    ids = input_ids(cfg.vocab_size, seed + 2)
    want, routing = run_golden(model, ids)
    got, routing2 = reload_logits(d, ids)
    if not torch.equal(want, got) or routing != routing2:
        raise SystemExit("%s: logits after save_pretrained/from_pretrained differ" % name)
    write_golden(os.path.join(d, "golden.json"), ids, want, routing,
                 "transformers %s, %s, attn_implementation=eager, float32, logits of every position"
                 % (__import__("transformers").__version__, type(model).__name__))
    layout = expert_layout(os.path.join(d, "model.safetensors"))
    write_md(d, [
        "# %s" % name, "",
        "- Made by `scripts/make-fixtures.py` (seed %d) with %s: `%s(config)` "
        "then `save_pretrained`; %s." % (seed, ver, type(model).__name__, summary),
        "- Stored dtype: %s. golden.json: logits of ids from seed %d, computed in float32 with eager "
        "attention from the stored values (checked equal after `from_pretrained`)." % (
            str(dtype or torch.float32).replace("torch.", ""), seed + 2),
        "- Expert layout: %s." % layout,
    ])
    if shard_copy:
        sd = fresh(os.path.join(out, shard_copy))
        total = os.path.getsize(os.path.join(d, "model.safetensors"))
        save_hf(model, sd, dtype=dtype, max_shard_size=int(total * 0.55))
        shards = sorted(f for f in os.listdir(sd) if f.endswith(".safetensors"))
        if len(shards) != 2:
            raise SystemExit("%s: expected 2 shards, got %s" % (shard_copy, shards))
        got, _ = reload_logits(sd, ids)
        if not torch.equal(want, got):
            raise SystemExit("%s: sharded copy differs" % shard_copy)
        write_md(sd, [
            "# %s" % shard_copy, "",
            "- The tensors of `%s` (same seed, same values; its golden.json applies) written by "
            "`save_pretrained(max_shard_size=...)` with %s." % (name, ver),
            "- Two shards `%s` plus `model.safetensors.index.json` (weight_map, metadata.total_size): "
            "tests the importer's index path." % "`, `".join(shards),
            "- Expert layout: as in `%s`." % name,
        ])
    return model, ids


def make_fp8_fixture(out, name, model, ids, cfg_over_note, ue8m0, ver, source_note, f32_plain=(), f32_note=None):
    """Quantise a transformers model's saved tensors; config = its config + quantization_config.
    Unquantised tensors are stored in bf16, but e_score_correction_bias and those named in f32_plain
    in float32."""
    import torch
    from safetensors.torch import load_file, save_file
    d = fresh(os.path.join(out, name))
    with tempfile.TemporaryDirectory() as tmp:
        save_hf(model, tmp)
        tensors = load_file(os.path.join(tmp, "model.safetensors"))
        stored, deq = fp8_state(tensors, ue8m0, torch.bfloat16, f32_plain)
        save_file(stored, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        with open(os.path.join(tmp, "config.json")) as f:
            cfg = json.load(f)
        shutil.copy(os.path.join(tmp, "generation_config.json"), d)
        # golden: the dequantised values, loaded back through transformers
        save_file({k: v.contiguous() for k, v in deq.items()}, os.path.join(tmp, "model.safetensors"),
                  metadata={"format": "pt"})
        logits, routing = reload_logits(tmp, ids)
    cfg["dtype"] = "bfloat16"
    cfg["quantization_config"] = quant_config(ue8m0)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    write_golden(os.path.join(d, "golden.json"), ids, logits, routing,
                 "transformers %s, DeepseekV3ForCausalLM with the dequantised weights "
                 "(fp8 * weight_scale_inv, bf16 tensors upcast), eager, float32"
                 % __import__("transformers").__version__)
    partial = [k for k, v in stored.items() if v.dtype == torch.float8_e4m3fn
               and v.shape[0] % BLOCK and v.shape[1] % BLOCK]
    n_q = sum(1 for v in stored.values() if v.dtype == torch.float8_e4m3fn)
    write_md(d, [
        "# %s" % name, "",
        "- Made by `scripts/make-fixtures.py` with %s from %s; %s." % (ver, source_note, cfg_over_note),
        "- %d Linear weights quantised here to F8_E4M3 in 128x128 blocks with F32 `X.weight_scale_inv` "
        "[ceil(out/128), ceil(in/128)], scale = amax/448 per zero-padded block%s. Unquantised: "
        "%s, `mlp.gate.weight`, `lm_head` (BF16) and `e_score_correction_bias` (F32)%s."
        % (n_q, ", rounded up to a power of two (`scale_fmt: ue8m0`)" if ue8m0 else "",
           "norms" if f32_plain else "embeddings, norms", ". " + f32_note if f32_note else ""),
        "- Weights with a partial last block in both dims: %s." % (
            "%d, e.g. `%s`" % (len(partial), "`, `".join(sorted(partial, key=lambda k: "kv_a_proj" not in k)[:2]))
            if partial else "none"),
        "- golden.json: the model with the dequantised stored weights (W = fp8 * scale_inv), float32, "
        "eager; expert layout: per-expert `mlp.experts.E.{gate,up,down}_proj.weight` (+ `_scale_inv`).",
    ])


def v32_tensors(c):
    """Names and shapes of a DeepSeek-V3.2 checkpoint (reference note 3.1, 4, 5), incl. MTP."""
    H, nH = c["hidden_size"], c["num_attention_heads"]
    qk = c["qk_nope_head_dim"] + c["qk_rope_head_dim"]
    t = [("model.embed_tokens.weight", [c["vocab_size"], H])]

    def layer(i, moe):
        p = "model.layers.%d." % i
        r = [(p + "input_layernorm.weight", [H]), (p + "post_attention_layernorm.weight", [H]),
             (p + "self_attn.q_a_proj.weight", [c["q_lora_rank"], H]),
             (p + "self_attn.q_a_layernorm.weight", [c["q_lora_rank"]]),
             (p + "self_attn.q_b_proj.weight", [nH * qk, c["q_lora_rank"]]),
             (p + "self_attn.kv_a_proj_with_mqa.weight", [c["kv_lora_rank"] + c["qk_rope_head_dim"], H]),
             (p + "self_attn.kv_a_layernorm.weight", [c["kv_lora_rank"]]),
             (p + "self_attn.kv_b_proj.weight", [nH * (c["qk_nope_head_dim"] + c["v_head_dim"]), c["kv_lora_rank"]]),
             (p + "self_attn.o_proj.weight", [H, nH * c["v_head_dim"]]),
             (p + "self_attn.indexer.wq_b.weight", [c["index_n_heads"] * c["index_head_dim"], c["q_lora_rank"]]),
             (p + "self_attn.indexer.wk.weight", [c["index_head_dim"], H]),
             (p + "self_attn.indexer.k_norm.weight", [c["index_head_dim"]]),
             (p + "self_attn.indexer.k_norm.bias", [c["index_head_dim"]]),
             (p + "self_attn.indexer.weights_proj.weight", [c["index_n_heads"], H])]
        if moe:
            I, E = c["moe_intermediate_size"], c["n_routed_experts"]
            r += [(p + "mlp.gate.weight", [E, H]), (p + "mlp.gate.e_score_correction_bias", [E])]
            for e in range(E):
                r += [(p + "mlp.experts.%d.gate_proj.weight" % e, [I, H]),
                      (p + "mlp.experts.%d.up_proj.weight" % e, [I, H]),
                      (p + "mlp.experts.%d.down_proj.weight" % e, [H, I])]
            S = I * c["n_shared_experts"]
            r += [(p + "mlp.shared_experts.gate_proj.weight", [S, H]),
                  (p + "mlp.shared_experts.up_proj.weight", [S, H]),
                  (p + "mlp.shared_experts.down_proj.weight", [H, S])]
        else:
            D = c["intermediate_size"]
            r += [(p + "mlp.gate_proj.weight", [D, H]), (p + "mlp.up_proj.weight", [D, H]),
                  (p + "mlp.down_proj.weight", [H, D])]
        return r

    L = c["num_hidden_layers"]
    for i in range(L):
        t += layer(i, i >= c["first_k_dense_replace"])
    for j in range(c["num_nextn_predict_layers"]):
        i = L + j
        p = "model.layers.%d." % i
        t += layer(i, i >= c["first_k_dense_replace"])
        t += [(p + "enorm.weight", [H]), (p + "hnorm.weight", [H]), (p + "eh_proj.weight", [H, 2 * H]),
              (p + "shared_head.norm.weight", [H]), (p + "shared_head.head.weight", [c["vocab_size"], H]),
              (p + "embed_tokens.weight", [c["vocab_size"], H])]
    t += [("model.norm.weight", [H]), ("lm_head.weight", [c["vocab_size"], H])]
    return t


def make_v32(out, ver, seed=32):
    import torch
    from safetensors.torch import save_file
    name = "v32-tiny"
    d = fresh(os.path.join(out, name))
    # The hub V3.2 config.json's keys (examples/configs/deepseek-v3.2) with tiny values.
    c = {
        "architectures": ["DeepseekV32ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 0, "eos_token_id": 1, "ep_size": 1, "first_k_dense_replace": 1,
        "hidden_act": "silu", "hidden_size": 128, "index_head_dim": 32, "index_n_heads": 4,
        "index_topk": 8, "initializer_range": 0.1, "intermediate_size": 128, "kv_lora_rank": 64,
        "max_position_embeddings": 40 * 256, "model_type": "deepseek_v32", "moe_intermediate_size": 16,
        "moe_layer_freq": 1, "n_group": 4, "n_routed_experts": 8, "n_shared_experts": 1,
        "norm_topk_prob": True, "num_attention_heads": 4, "num_experts_per_tok": 2,
        "num_hidden_layers": 2, "num_key_value_heads": 4, "num_nextn_predict_layers": 1,
        "q_lora_rank": 64, "qk_nope_head_dim": 32, "qk_rope_head_dim": 16,
        "quantization_config": quant_config(True), "rms_norm_eps": 1e-06,
        "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0,
                         "mscale_all_dim": 1.0, "original_max_position_embeddings": 256, "type": "yarn"},
        "rope_theta": 10000, "routed_scaling_factor": 2.5, "scoring_func": "sigmoid",
        "tie_word_embeddings": False, "topk_group": 2, "topk_method": "noaux_tc",
        "torch_dtype": "bfloat16", "use_cache": True, "v_head_dim": 32, "vocab_size": 256,
    }
    g = torch.Generator().manual_seed(seed)
    plain = {}
    for k, shape in v32_tensors(c):
        if k.endswith(("norm.weight", "layernorm.weight")):
            v = 1.0 + 0.1 * torch.randn(shape, generator=g)
        elif k.endswith(("k_norm.bias", "e_score_correction_bias")):
            v = 0.05 * torch.randn(shape, generator=g)
        else:
            v = 0.1 * torch.randn(shape, generator=g)
        plain[k] = v
    stored, _ = fp8_state(plain, True, torch.bfloat16)
    save_file(stored, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
        f.write("\n")
    # Cross-check names and shapes (MTP aside) against transformers' own DeepseekV32 classes.
    note = "not cross-checked (transformers has no DeepseekV32ForCausalLM)"
    try:
        from transformers import DeepseekV32Config, DeepseekV32ForCausalLM
        hc = {k: v for k, v in c.items() if k not in ("quantization_config", "torch_dtype")}
        hc["num_nextn_predict_layers"] = 0
        with torch.device("meta"):
            m = DeepseekV32ForCausalLM(DeepseekV32Config(**hc))
        want = {k: tuple(v.shape) for k, v in m.state_dict().items()}
        # transformers fuses experts; expand to the per-expert names it saves
        exp = {}
        for k, s in want.items():
            mm = re.match(r"(.*\.mlp\.experts)\.(gate_up_proj|down_proj)$", k)
            if mm:
                E = s[0]
                for e in range(E):
                    if mm.group(2) == "gate_up_proj":
                        exp["%s.%d.gate_proj.weight" % (mm.group(1), e)] = (s[1] // 2, s[2])
                        exp["%s.%d.up_proj.weight" % (mm.group(1), e)] = (s[1] // 2, s[2])
                    else:
                        exp["%s.%d.down_proj.weight" % (mm.group(1), e)] = (s[1], s[2])
            else:
                exp[k] = s
        mtp = "model.layers.%d." % c["num_hidden_layers"]
        mine = {k: tuple(s) for k, s in v32_tensors(c) if not k.startswith(mtp)}
        if mine != exp:
            diff = sorted(set(mine.items()) ^ set(exp.items()))[:6]
            raise SystemExit("v32-tiny: names/shapes differ from transformers' DeepseekV32: %s" % diff)
        note = ("non-MTP names and shapes equal those of transformers %s `DeepseekV32ForCausalLM` "
                "(per-expert form)" % __import__("transformers").__version__)
    except ImportError:
        pass
    n_q = sum(1 for v in stored.values() if v.dtype == torch.float8_e4m3fn)
    write_md(d, [
        "# %s" % name, "",
        "- Written directly with `safetensors.torch.save_file` by `scripts/make-fixtures.py` (seed %d, "
        "%s) from the reference note sections 3.1, 4 and 5; random values, import-only (no golden)." % (seed, ver),
        "- V3.2 layout: per layer `self_attn.indexer.{wq_b,wk}.weight` (FP8 + `_scale_inv`), "
        "`indexer.k_norm.{weight,bias}` and `indexer.weights_proj.weight` (BF16); %d FP8 weights, "
        "ue8m0 (power-of-two F32) scales; `mlp.gate.weight` BF16, `e_score_correction_bias` F32." % n_q,
        "- MTP layer `model.layers.2.*`: a full MoE decoder layer + `enorm`, `hnorm`, `eh_proj [H,2H]` (BF16), "
        "`shared_head.{norm,head}`, `embed_tokens`. Per-expert tensors `mlp.experts.E.{gate,up,down}_proj.weight`.",
        "- Check: %s." % note,
    ])


README = """# test/fixtures

Tiny DeepSeek checkpoints for the Hugging Face importer, written by `scripts/make-fixtures.py`
(%s). Each directory's FIXTURE.md says how it was made and how its experts are laid out.

| fixture | what |
|---|---|
| `v3-tiny` | DeepseekV3ForCausalLM, float32, `e_score_correction_bias` ~ N(-0.6, 0.05), golden logits |
| `v3-tiny-fp8` | v3-tiny quantised to e4m3, 128x128 F32 `weight_scale_inv`, `quantization_config`, F32 embedding |
| `v31-tiny-fp8-ue8m0` | as v3-tiny-fp8 with `scale_fmt: ue8m0`, partial last blocks in both dims, BF16 embedding |
| `v2-lite-tiny` | DeepseekV2, `q_lora_rank` null, greedy softmax router, bf16 |
| `v2-lite-tiny-sharded` | v2-lite-tiny's tensors in 2 shards + `model.safetensors.index.json` |
| `v2-tiny` | DeepseekV2, `q_lora_rank` set, group_limited_greedy router, bf16 |
| `v32-tiny` | V3.2 layout (indexer, FP8 ue8m0, one MTP layer), random values, import-only |

`golden.json`: `input_ids` (12), `shape` [12, vocab], `logits` (float32, every position, row-major,
7 significant digits; transformers with eager attention in float32) and `routing` (per MoE layer,
the experts chosen for each position and their weights).

- Check (Python standard library only): `python3 scripts/make-fixtures.py --check` verifies
  SHA256SUMS, which covers this README and the directories above (other tools' files under
  test/fixtures, such as `safetensors-corpus/`, are theirs to check).
- Regenerate, with the Python of a virtual environment holding `scripts/fixtures-requirements.txt`:
  `python scripts/make-fixtures.py --out test/fixtures` (deterministic; rewrites SHA256SUMS).

Two choices that keep the V3 goldens meaningful (both asserted by `scripts/make-goldens.py`):

- The V3 fixtures' `e_score_correction_bias` has mean -0.6 (it was 0). The router masks the expert
  groups it did not keep with -inf (DeepSeek's code, transformers since PR #45441); a 0.0 fill
  (older transformers) chooses differently only where fewer than top_k experts of the kept groups
  have sigmoid score + bias > 0, which with a mean-0 bias never happened, so the fixtures could
  not catch a 0.0 fill. A constant shift of every bias leaves the -inf routing and the logits
  unchanged (v3-tiny's golden.json logits and routing are bit-identical to the mean-0 fixture's).
- `v3-tiny-fp8` stores `model.embed_tokens.weight` in float32 (v3-tiny's values; it was bf16 like
  the other unquantised tensors, which stay bf16). Layer 0 act-quantises input_layernorm(embedding),
  i.e. (unit norm weights) a token's embedding values times one factor, so with f32 activation
  scales amax/448 each x / s was 448 times a ratio of two bf16 values, and 108 of them landed
  exactly on e4m3 rounding ties: the act-quant golden then flipped with float32 rounding noise
  (one ulp in RMSNorm moved it by ~0.4 of max |logit|). `v31-tiny-fp8-ue8m0` keeps a bf16
  embedding (power-of-two scales cause no ties).
"""


def write_readme(out, ver):
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(README % ver)


def generate(out, only):
    import torch
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    torch.use_deterministic_algorithms(True)
    ver = versions()
    os.makedirs(out, exist_ok=True)
    want = lambda n: not only or n in only

    v3 = None
    if want("v3-tiny") or want("v3-tiny-fp8"):
        v3, v3_ids = make_torch_fixture(
            out, "v3-tiny", "v3", v3_config(), 0, None,
            "reference note 7's recipe (vocab 512, hidden 256, 3 layers, layer 0 dense, q_lora 128, "
            "kv_lora 128, nope/rope/v 32/16/32, 16 routed experts + 1 shared, top-4, 4 groups keep 2, "
            "scaling 2.5, YaRN factor 40 over 256) with intermediate 128, moe_intermediate 16, "
            "init 0.1 and e_score_correction_bias ~ N(%g, 0.05) (mean %g so that sigmoid score + bias "
            "is negative for some experts of the kept groups: the -inf fill of masked groups then chooses "
            "differently from a 0.0 fill; a constant shift of every bias leaves the -inf routing and the "
            "logits as with mean 0); no MTP (num_nextn_predict_layers 0)" % (BIAS_MEAN, BIAS_MEAN), ver)
    if want("v3-tiny-fp8"):
        make_fp8_fixture(out, "v3-tiny-fp8", v3, v3_ids, "same config plus quantization_config", False, ver,
                         "v3-tiny's weights", F32_EMBEDDING, F32_EMBEDDING_NOTE)
    if want("v31-tiny-fp8-ue8m0"):
        cfg = v3_config(hidden_size=320, intermediate_size=200, moe_intermediate_size=16)
        m = build("v3", cfg, 31)
        ids = input_ids(cfg.vocab_size, 33)
        make_fp8_fixture(out, "v31-tiny-fp8-ue8m0", m, ids,
                         "v3-tiny's recipe with hidden 320, intermediate 200, moe_intermediate 16 so "
                         "kv_a_proj_with_mqa [144,320] and the dense MLP have partial last blocks in both dims; "
                         "quantization_config has `scale_fmt: ue8m0`; e_score_correction_bias ~ "
                         "N(%g, 0.05) as in v3-tiny" % BIAS_MEAN, True, ver,
                         "a DeepseekV3ForCausalLM (seed 31, ids seed 33)")
    if want("v2-lite-tiny") or want("v2-lite-tiny-sharded"):
        make_torch_fixture(
            out, "v2-lite-tiny", "v2",
            v2_config(q_lora_rank=None, topk_method="greedy", scoring_func="softmax", n_group=1,
                      topk_group=1, norm_topk_prob=False, num_experts_per_tok=3, routed_scaling_factor=1.0,
                      rope_parameters=yarn(40, 256, 0.707, 0.707)),
            20, torch.bfloat16,
            "V2-Lite style: q_lora_rank null (direct q_proj), greedy softmax router (n_group 1), "
            "norm_topk_prob false, 8 routed experts + 2 shared, top-3, YaRN factor 40 with mscale "
            "0.707/0.707", ver, shard_copy="v2-lite-tiny-sharded")
    if want("v2-tiny"):
        make_torch_fixture(
            out, "v2-tiny", "v2",
            v2_config(q_lora_rank=64, topk_method="group_limited_greedy", scoring_func="softmax",
                      n_group=4, topk_group=2, norm_topk_prob=False, num_experts_per_tok=3,
                      routed_scaling_factor=16.0, rope_parameters=yarn(40, 256, 1.0, 1.0)),
            21, torch.bfloat16,
            "V2 style: q_lora_rank 64, group_limited_greedy softmax router (8 experts in 4 groups, "
            "keep 2, top-3), routed_scaling_factor 16, 2 shared experts, YaRN mscale 1.0/1.0", ver)
    if want("v32-tiny"):
        make_v32(out, ver)
    write_readme(out, ver)
    for rel in fixture_files(out):      # safetensors writes 0600; keep the tree uniform
        os.chmod(os.path.join(out, rel), 0o644)
    n = write_sums(out)
    total = sum(os.path.getsize(os.path.join(out, r)) for r in fixture_files(out))
    print("wrote %d files (%.2f MB) and %s under %s" % (n, total / 1e6, SUMS, out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="fixtures directory (default: test/fixtures)")
    ap.add_argument("--check", action="store_true",
                    help="verify the files against OUT/SHA256SUMS (Python standard library only)")
    ap.add_argument("--only", nargs="*", default=[], help="regenerate only these fixtures")
    a = ap.parse_args()
    if a.check:
        return check(a.out)
    import importlib.util
    missing = [m for m in ("torch", "transformers", "safetensors") if importlib.util.find_spec(m) is None]
    if missing:
        print("error: regenerating needs scripts/fixtures-requirements.txt (missing: %s); --check "
              "needs nothing" % ", ".join(missing), file=sys.stderr)
        return 2
    generate(a.out, set(a.only))
    # The safetensors bad-input corpus and the library's verdict on each file, which the
    # importer's differential test holds Kiln to (same pinned safetensors as the fixtures).
    import subprocess
    corpus_tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "tools",
                               "make-safetensors-corpus.py")
    subprocess.run([sys.executable, corpus_tool, os.path.join(a.out, "safetensors-corpus"),
                    "--record"], check=True, stdout=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
