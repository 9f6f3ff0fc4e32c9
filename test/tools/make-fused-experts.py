#!/usr/bin/env python3
"""Rewrites a per-expert checkpoint into transformers v5's fused expert layout.

For every MoE layer, the per-expert `mlp.experts.E.{gate,up,down}_proj.weight` become
`mlp.experts.gate_up_proj` [E, 2I, H] (expert e's gate rows, then its up rows) and
`mlp.experts.down_proj` [E, H, I], as `save_pretrained(save_original_format=False)` writes them.
Float checkpoints only. Stdlib only.

usage: make-fused-experts.py SRC_DIR DST_DIR
"""
import json
import os
import re
import shutil
import struct
import sys

EXPERT = re.compile(r"^(model\.layers\.\d+)\.mlp\.experts\.(\d+)\.(gate|up|down)_proj\.weight$")


def main():
    src, dst = sys.argv[1], sys.argv[2]
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    for name in os.listdir(src):
        if name != "model.safetensors":
            shutil.copy(os.path.join(src, name), dst)
    with open(os.path.join(src, "model.safetensors"), "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    data = blob[8 + n:]

    def payload(info):
        begin, end = info["data_offsets"]
        return data[begin:end]

    tensors = {}
    experts = {}
    for name, info in header.items():
        match = EXPERT.match(name)
        if match:
            experts.setdefault(match.group(1), {})[(int(match.group(2)), match.group(3))] = info
        else:
            tensors[name] = (info["dtype"], info["shape"], payload(info))
    for layer, parts in experts.items():
        count = 1 + max(e for e, _ in parts)
        gate0 = parts[(0, "gate")]
        inner, hidden = gate0["shape"]
        dtype = gate0["dtype"]
        gate_up = b"".join(payload(parts[(e, "gate")]) + payload(parts[(e, "up")])
                           for e in range(count))
        down = b"".join(payload(parts[(e, "down")]) for e in range(count))
        tensors[layer + ".mlp.experts.gate_up_proj"] = (dtype, [count, 2 * inner, hidden], gate_up)
        tensors[layer + ".mlp.experts.down_proj"] = (dtype, [count, hidden, inner], down)

    out_header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        out_header[name] = {"dtype": dtype, "shape": shape,
                            "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(os.path.join(dst, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
