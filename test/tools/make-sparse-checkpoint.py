#!/usr/bin/env python3
"""Write the complete tensor layout of a DeepSeek checkpoint as sparse safetensors shards.

    make-sparse-checkpoint.py CONFIG_DIR OUT_DIR [--shards N]

From CONFIG_DIR/config.json (a Hugging Face hub config of DeepSeek V2, V2-Lite, V3/R1, V3.1 or
V3.2) this writes OUT_DIR/model-0000K-of-0000N.safetensors with correct headers (dtype, shape,
data_offsets, __metadata__ {"format": "pt"}) and every file extended to its full size with
os.truncate, so no tensor byte is written and the files take ~0 disk; plus
model.safetensors.index.json (weight_map, metadata.total_size) and a copy of config.json. Kiln's
importer reads headers only, so the full 671B layout imports in the tests. Python standard
library only.

The tensor set follows the reference note (shared/reference/deepseek-model.md, sections 3.1, 4, 5):
  model.embed_tokens, model.norm, lm_head;
  per layer: input_layernorm, post_attention_layernorm,
    self_attn.{q_a_proj, q_a_layernorm, q_b_proj | q_proj (q_lora_rank null), kv_a_proj_with_mqa,
               kv_a_layernorm, kv_b_proj, o_proj},
    dense layers (i < first_k_dense_replace): mlp.{gate,up,down}_proj,
    MoE layers: mlp.gate.weight, mlp.gate.e_score_correction_bias (noaux_tc routers only),
                mlp.experts.{e}.{gate,up,down}_proj, mlp.shared_experts.{gate,up,down}_proj
                (inner width moe_intermediate_size * n_shared_experts),
    V3.2 (index_n_heads in the config): self_attn.indexer.{wq_b, wk, k_norm.{weight,bias}, weights_proj};
  MTP layers model.layers.{num_hidden_layers + j} (num_nextn_predict_layers): a full decoder layer
    plus enorm, hnorm, eh_proj [H, 2H], shared_head.{norm, head}, embed_tokens.

Dtypes: with a quantization_config (quant_method fp8) every Linear weight of the layers
(attention projections, dense/expert/shared MLP projections, indexer wq_b and wk) is F8_E4M3
with an F32 `X.weight_scale_inv` [ceil(out/bo), ceil(in/bi)] (weight_block_size [bo, bi]);
e_score_correction_bias is F32; every other tensor (embeddings, norms, mlp.gate.weight, lm_head,
eh_proj, shared_head.head, indexer weights_proj and k_norm) has the config's torch_dtype (BF16).
These follow the reference note; for V3 they give the hub index's 91,991 tensors.

Shards: tensors in checkpoint order (embeddings, layers 0..L-1, final norm, lm_head, MTP layers)
cut into N files of about equal size, each tensor whole in one file. Default N: about 4.25 GB per
shard for FP8 checkpoints and 8.6 GB otherwise, which gives the hub's counts (V3/R1/V3.1/V3.2 163,
V2 55, V2-Lite 4).
"""

import argparse
import json
import math
import os
import shutil
import sys
import time

DTYPE_BYTES = {"F8_E4M3": 1, "BF16": 2, "F16": 2, "F32": 4}
TORCH_DTYPE = {"bfloat16": "BF16", "float16": "F16", "float32": "F32"}
FP8_SHARD_BYTES = 4.25e9
PLAIN_SHARD_BYTES = 8.6e9


def tensors(c):
    """[(name, dtype, shape)] of the checkpoint described by config dict c, in checkpoint order."""
    plain = TORCH_DTYPE[c.get("torch_dtype") or c.get("dtype") or "bfloat16"]
    q = c.get("quantization_config")
    fp8 = bool(q) and q.get("quant_method") == "fp8"
    bo, bi = (q.get("weight_block_size") or [128, 128]) if fp8 else (0, 0)
    out = []

    def linear(name, rows, cols):
        if fp8:
            out.append((name + ".weight", "F8_E4M3", [rows, cols]))
            out.append((name + ".weight_scale_inv", "F32", [-(-rows // bo), -(-cols // bi)]))
        else:
            out.append((name + ".weight", plain, [rows, cols]))

    def vec(name, n, dtype=None):
        out.append((name, dtype or plain, [n]))

    def mat(name, rows, cols):
        out.append((name, plain, [rows, cols]))

    H, V = c["hidden_size"], c["vocab_size"]
    nH = c["num_attention_heads"]
    nope, rope, vdim = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
    qlr, kvr = c.get("q_lora_rank"), c["kv_lora_rank"]
    E = c.get("n_routed_experts") or 0
    first_dense = c.get("first_k_dense_replace", 0)
    freq = c.get("moe_layer_freq", 1) or 1
    topk_method = c.get("topk_method") or (
        "noaux_tc" if c.get("model_type") in ("deepseek_v3", "deepseek_v32") else "greedy")
    indexer = c.get("index_n_heads") is not None

    def layer(i):
        p = "model.layers.%d." % i
        vec(p + "input_layernorm.weight", H)
        if qlr:
            linear(p + "self_attn.q_a_proj", qlr, H)
            vec(p + "self_attn.q_a_layernorm.weight", qlr)
            linear(p + "self_attn.q_b_proj", nH * (nope + rope), qlr)
        else:
            linear(p + "self_attn.q_proj", nH * (nope + rope), H)
        linear(p + "self_attn.kv_a_proj_with_mqa", kvr + rope, H)
        vec(p + "self_attn.kv_a_layernorm.weight", kvr)
        linear(p + "self_attn.kv_b_proj", nH * (nope + vdim), kvr)
        linear(p + "self_attn.o_proj", H, nH * vdim)
        if indexer:
            nI, dI = c["index_n_heads"], c["index_head_dim"]
            linear(p + "self_attn.indexer.wq_b", nI * dI, qlr)
            linear(p + "self_attn.indexer.wk", dI, H)
            vec(p + "self_attn.indexer.k_norm.weight", dI)
            vec(p + "self_attn.indexer.k_norm.bias", dI)
            mat(p + "self_attn.indexer.weights_proj.weight", nI, H)
        vec(p + "post_attention_layernorm.weight", H)
        if E and i >= first_dense and i % freq == 0:
            I = c["moe_intermediate_size"]
            mat(p + "mlp.gate.weight", E, H)
            if topk_method == "noaux_tc":
                vec(p + "mlp.gate.e_score_correction_bias", E, "F32")
            for e in range(E):
                linear(p + "mlp.experts.%d.gate_proj" % e, I, H)
                linear(p + "mlp.experts.%d.up_proj" % e, I, H)
                linear(p + "mlp.experts.%d.down_proj" % e, H, I)
            S = I * (c.get("n_shared_experts") or 0)
            if S:
                linear(p + "mlp.shared_experts.gate_proj", S, H)
                linear(p + "mlp.shared_experts.up_proj", S, H)
                linear(p + "mlp.shared_experts.down_proj", H, S)
        else:
            D = c["intermediate_size"]
            linear(p + "mlp.gate_proj", D, H)
            linear(p + "mlp.up_proj", D, H)
            linear(p + "mlp.down_proj", H, D)

    mat("model.embed_tokens.weight", V, H)
    L = c["num_hidden_layers"]
    for i in range(L):
        layer(i)
    vec("model.norm.weight", H)
    mat("lm_head.weight", V, H)
    for j in range(c.get("num_nextn_predict_layers") or 0):
        i = L + j
        p = "model.layers.%d." % i
        mat(p + "embed_tokens.weight", V, H)
        vec(p + "enorm.weight", H)
        vec(p + "hnorm.weight", H)
        mat(p + "eh_proj.weight", H, 2 * H)
        layer(i)
        vec(p + "shared_head.norm.weight", H)
        mat(p + "shared_head.head.weight", V, H)
    return out


def nbytes(t):
    return DTYPE_BYTES[t[1]] * math.prod(t[2])


def write(config_dir, out_dir, shards=None):
    cfg_path = config_dir if config_dir.endswith(".json") else os.path.join(config_dir, "config.json")
    with open(cfg_path) as f:
        c = json.load(f)
    ts = tensors(c)
    names = [t[0] for t in ts]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate tensor names")
    sizes = [nbytes(t) for t in ts]
    total = sum(sizes)
    q = c.get("quantization_config")
    if not shards:
        per = FP8_SHARD_BYTES if q and q.get("quant_method") == "fp8" else PLAIN_SHARD_BYTES
        shards = max(1, math.ceil(total / per))
    shards = max(1, min(shards, len(ts)))
    # each tensor goes to the shard its first byte falls in; drop shards left empty
    assign, start = [], 0
    for s in sizes:
        assign.append(min(shards - 1, start * shards // total) if total else 0)
        start += s
    used = sorted(set(assign))
    renum = {k: n for n, k in enumerate(used)}
    n = len(used)
    fname = lambda k: "model-%05d-of-%06d.safetensors" % (k + 1, n)
    os.makedirs(out_dir, exist_ok=True)
    weight_map, groups = {}, [[] for _ in range(n)]
    for t, s, a in zip(ts, sizes, assign):
        groups[renum[a]].append((t, s))
        weight_map[t[0]] = fname(renum[a])
    for k, group in enumerate(groups):
        header, off = {"__metadata__": {"format": "pt"}}, 0
        for (name, dtype, shape), s in group:
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + s]}
            off += s
        h = json.dumps(header, separators=(",", ":")).encode()
        h += b" " * (-len(h) % 8)
        path = os.path.join(out_dir, fname(k))
        with open(path, "wb") as f:
            f.write(len(h).to_bytes(8, "little"))
            f.write(h)
        os.truncate(path, 8 + len(h) + off)
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")
    if os.path.abspath(cfg_path) != os.path.abspath(os.path.join(out_dir, "config.json")):
        shutil.copyfile(cfg_path, os.path.join(out_dir, "config.json"))
    return len(ts), n, total


def verify(out_dir):
    """Re-read every shard header: offsets contiguous from 0, sizes = dtype x shape, file size =
    8 + header + data, and the index names each tensor's shard. Returns the tensor count."""
    with open(os.path.join(out_dir, "model.safetensors.index.json")) as f:
        index = json.load(f)
    seen, total = {}, 0
    for fn in sorted(set(index["weight_map"].values())):
        path = os.path.join(out_dir, fn)
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
        if header.pop("__metadata__", None) != {"format": "pt"}:
            raise SystemExit("%s: __metadata__ is not {\"format\": \"pt\"}" % fn)
        end = 0
        for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
            b, t = e["data_offsets"]
            if b != end or t - b != DTYPE_BYTES[e["dtype"]] * math.prod(e["shape"]):
                raise SystemExit("%s: %s: bad data_offsets %s" % (fn, name, e["data_offsets"]))
            end = t
            seen[name] = fn
        if os.path.getsize(path) != 8 + n + end:
            raise SystemExit("%s: file size %d != %d" % (fn, os.path.getsize(path), 8 + n + end))
        total += end
    if seen != index["weight_map"] or total != index["metadata"]["total_size"]:
        raise SystemExit("index does not match the shard headers")
    return len(seen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config_dir", help="directory holding config.json (or the config.json itself)")
    ap.add_argument("out_dir")
    ap.add_argument("--shards", type=int, default=None,
                    help="number of shard files (default: the hub's size per shard, 163 for V3)")
    ap.add_argument("--verify", action="store_true",
                    help="re-read the written headers and index and check them against each other")
    a = ap.parse_args()
    t0 = time.time()
    count, n, total = write(a.config_dir, a.out_dir, a.shards)
    if a.verify and verify(a.out_dir) != count:
        raise SystemExit("verify: tensor count differs")
    disk = sum(os.stat(os.path.join(a.out_dir, f)).st_blocks * 512 for f in os.listdir(a.out_dir))
    apparent = sum(os.path.getsize(os.path.join(a.out_dir, f)) for f in os.listdir(a.out_dir))
    print("%d tensors, %d shards, total_size %d bytes (%.1f GB); files %.1f GB apparent, %.1f MB on "
          "disk; %.1f s" % (count, n, total, total / 1e9, apparent / 1e9, disk / 1e6, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
