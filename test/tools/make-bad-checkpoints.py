#!/usr/bin/env python3
"""Writes one broken checkpoint per bad-input case the importer must reject, from the committed
fixtures. Stdlib only.

usage: make-bad-checkpoints.py FIXTURES_DIR OUT_DIR
"""
import json
import os
import shutil
import struct
import sys

FP8 = "v3-tiny-fp8"        # single file, FP8 with scales
SHARDED = "v2-lite-tiny-sharded"


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n]), data[8 + n:]


def write_safetensors(path, header, payload, raw_header=None):
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + payload)


def copy_case(fixtures, base, out, name):
    dst = os.path.join(out, name)
    shutil.copytree(os.path.join(fixtures, base), dst)
    return dst


def edit_config(case, edit):
    path = os.path.join(case, "config.json")
    with open(path) as f:
        config = json.load(f)
    edit(config)
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def edit_header(case, edit, file="model.safetensors"):
    path = os.path.join(case, file)
    header, payload = read_safetensors(path)
    edit(header)
    write_safetensors(path, header, payload)


def main():
    fixtures, out = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    Q = "model.layers.0.self_attn.q_a_proj.weight"

    # config.json
    case = copy_case(fixtures, FP8, out, "config-malformed")
    with open(os.path.join(case, "config.json"), "w") as f:
        f.write('{"model_type": "deepseek_v3", "hidden_size": 256,,}')
    case = copy_case(fixtures, FP8, out, "config-truncated")
    with open(os.path.join(case, "config.json"), "r+") as f:
        text = f.read()
        f.seek(0)
        f.truncate()
        f.write(text[: len(text) // 2])
    case = copy_case(fixtures, FP8, out, "config-not-object")
    with open(os.path.join(case, "config.json"), "w") as f:
        f.write("[1, 2, 3]")
    edit_config(copy_case(fixtures, FP8, out, "config-missing-model-type"),
                lambda c: c.pop("model_type"))
    edit_config(copy_case(fixtures, FP8, out, "config-wrong-type"),
                lambda c: c.update(hidden_size="256"))
    edit_config(copy_case(fixtures, FP8, out, "config-unsupported-model"),
                lambda c: c.update(model_type="llama"))
    edit_config(copy_case(fixtures, FP8, out, "config-groups-not-dividing"),
                lambda c: c.update(n_group=3))
    edit_config(copy_case(fixtures, FP8, out, "config-topk-above-experts"),
                lambda c: c.update(num_experts_per_tok=17))
    edit_config(copy_case(fixtures, FP8, out, "config-negative-size"),
                lambda c: c.update(moe_intermediate_size=-16))
    edit_config(copy_case(fixtures, FP8, out, "config-missing-experts-per-tok"),
                lambda c: (c.update(model_type="deepseek_v2", topk_method="group_limited_greedy",
                                    scoring_func="softmax"), c.pop("num_experts_per_tok")))

    # Safetensors framing and header.
    case = copy_case(fixtures, FP8, out, "header-length-beyond-file")
    path = os.path.join(case, "model.safetensors")
    with open(path, "r+b") as f:
        size = os.path.getsize(path)
        f.write(struct.pack("<Q", size))
    case = copy_case(fixtures, FP8, out, "header-not-json")
    header, payload = read_safetensors(os.path.join(case, "model.safetensors"))
    raw = json.dumps(header, separators=(",", ":")).encode()
    write_safetensors(os.path.join(case, "model.safetensors"), None, payload,
                      raw_header=raw[:-1] + b"x")

    def overlap(h):
        # The tensor after Q starts 4 bytes inside Q (its size unchanged).
        end = h[Q]["data_offsets"][1]
        after = next(k for k in h if k != "__metadata__" and h[k]["data_offsets"][0] == end)
        h[after]["data_offsets"] = [end - 4, h[after]["data_offsets"][1] - 4]
    edit_header(copy_case(fixtures, FP8, out, "offsets-overlapping"), overlap)

    # Offsets beyond the data: the header is intact, the file lost its last KiB.
    case = copy_case(fixtures, FP8, out, "offsets-out-of-range")
    path = os.path.join(case, "model.safetensors")
    os.truncate(path, os.path.getsize(path) - 1024)

    # Tensors against the config.
    def wrong_dtype(h):
        norm = "model.layers.0.input_layernorm.weight"
        h[norm]["dtype"] = "I16"  # same size as BF16: a valid file, a wrong tensor
    edit_header(copy_case(fixtures, FP8, out, "tensor-wrong-dtype"), wrong_dtype)

    def wrong_shape(h):
        h[Q]["shape"] = list(reversed(h[Q]["shape"]))
    edit_header(copy_case(fixtures, FP8, out, "tensor-wrong-shape"), wrong_shape)

    def missing(h):
        h[Q + "_renamed"] = h.pop(Q)
    edit_header(copy_case(fixtures, FP8, out, "tensor-missing"), missing)

    def scale_shape(h):
        h[Q + "_scale_inv"]["shape"] = list(reversed(h[Q + "_scale_inv"]["shape"]))
    edit_header(copy_case(fixtures, FP8, out, "scale-wrong-shape"), scale_shape)

    def fp8_norm(h):
        norm = "model.layers.0.input_layernorm.weight"
        h[norm]["dtype"] = "F8_E4M3"
        h[norm]["shape"] = [h[norm]["shape"][0] * 2]
    edit_header(copy_case(fixtures, FP8, out, "norm-in-fp8"), fp8_norm)

    def extra(h):
        # A zero-size extra tensor keeps the file valid.
        h["model.layers.0.self_attn.rotary_emb.inv_freq"] = {"dtype": "F32", "shape": [0],
                                                             "data_offsets": [0, 0]}
    edit_header(copy_case(fixtures, FP8, out, "unexpected-tensor"), extra)

    # Shards and the index.
    case = copy_case(fixtures, SHARDED, out, "shard-missing")
    os.remove(os.path.join(case, "model-00002-of-00002.safetensors"))
    case = copy_case(fixtures, SHARDED, out, "index-names-absent-tensor")
    index_path = os.path.join(case, "model.safetensors.index.json")
    with open(index_path) as f:
        index = json.load(f)
    index["weight_map"]["model.layers.0.mlp.not_there.weight"] = "model-00001-of-00002.safetensors"
    with open(index_path, "w") as f:
        json.dump(index, f)

    os.makedirs(os.path.join(out, "empty-directory"))
    case = copy_case(fixtures, FP8, out, "no-weights")
    os.remove(os.path.join(case, "model.safetensors"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
