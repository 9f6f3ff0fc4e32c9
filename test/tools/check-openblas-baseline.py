#!/usr/bin/env python3
"""Checks kiln-bench-openblas (bench/cpu/openblas-baseline) against transformers (standard
library only):

  check-openblas-baseline.py compare BASELINE FIXTURE_DIR [--golden G] [--tol T]
                                     [--prefill-len P]... [--prefill-attention FORM]
      the logits of the golden's input_ids (G, default FIXTURE_DIR/golden.json), all through
      prefill and then for each P the first P through prefill and the rest one by one through
      decode, against the golden (compare-logits.py: max|d|/max|golden| <= T, default 1e-3,
      and the argmax rule), with the baseline's prefill in FORM (naive or absorbed MLA; its
      default when absent); one line per run, exit 1 on the first failure.
  check-openblas-baseline.py convert FIXTURE_DIR OUT_DIR --dtype F16|F32
      a copy of a bf16 fixture (golden.json included) with every BF16 tensor stored as F16 or
      F32, to check the baseline's other loaders (bf16 -> f32 is exact; bf16 -> f16 rounds only
      the values below f16's normal range, 6.1e-5, far too small to move the logits by 1e-3).
  check-openblas-baseline.py make-refused FIXTURES_DIR OUT_DIR
      V2 checkpoints the baseline must refuse: v2-fp8-config (v2-lite-tiny with a
      quantization_config) and v2-f8-tensor (one weight's dtype F8_E4M3 in the header)."""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "compare-logits.py")


def compare(a):
    golden = a.golden or os.path.join(a.fixture, "golden.json")
    ids = ",".join(map(str, json.load(open(golden))["input_ids"]))
    with tempfile.TemporaryDirectory() as tmp:
        for p in [None] + a.prefill_len:
            out = os.path.join(tmp, "logits.npy")
            cmd = [a.baseline, a.fixture, "--input-ids", ids, "--logits-out", out]
            if a.prefill_attention:
                cmd += ["--prefill-attention", a.prefill_attention]
            what = "prefill vs golden"
            if p is not None:
                cmd += ["--prefill-len", str(p)]
                what = f"prefill {p} + decode {len(ids.split(',')) - p} vs golden"
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
            r = subprocess.run([sys.executable, COMPARE, out, golden, "--tol", str(a.tol)],
                               capture_output=True, text=True)
            print(f"{what}: {r.stdout.strip()}")
            if r.returncode != 0:
                return 1
    return 0


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n]), data[8 + n:]


def write_safetensors(path, header, payload):
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + payload)


def convert(a):
    shutil.rmtree(a.out, ignore_errors=True)
    shutil.copytree(a.fixture, a.out)
    path = os.path.join(a.out, "model.safetensors")
    header, payload = read_safetensors(path)
    out, offset = bytearray(), 0
    for name in sorted((k for k in header if k != "__metadata__"),
                       key=lambda k: header[k]["data_offsets"][0]):
        entry = header[name]
        begin, end = entry["data_offsets"]
        raw = payload[begin:end]
        if entry["dtype"] == "BF16":
            # A bf16 value is the high half of the f32 with the same bits.
            halves = struct.unpack("<%dH" % (len(raw) // 2), raw)
            floats = struct.unpack("<%df" % len(halves),
                                   struct.pack("<%dI" % len(halves), *(h << 16 for h in halves)))
            raw = struct.pack("<%d%s" % (len(floats), "e" if a.dtype == "F16" else "f"), *floats)
            entry["dtype"] = a.dtype
        entry["data_offsets"] = [offset, offset + len(raw)]
        out += raw
        offset += len(raw)
    write_safetensors(path, header, bytes(out))
    return 0


def make_refused(a):
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    src = os.path.join(a.fixtures, "v2-lite-tiny")

    case = os.path.join(a.out, "v2-fp8-config")
    shutil.copytree(src, case)
    path = os.path.join(case, "config.json")
    config = json.load(open(path))
    config["quantization_config"] = {"quant_method": "fp8", "fmt": "e4m3",
                                     "activation_scheme": "dynamic",
                                     "weight_block_size": [128, 128]}
    json.dump(config, open(path, "w"), indent=2)

    # Same bytes, read as twice as many one-byte values: a well-formed header, an FP8 tensor.
    case = os.path.join(a.out, "v2-f8-tensor")
    shutil.copytree(src, case)
    path = os.path.join(case, "model.safetensors")
    header, payload = read_safetensors(path)
    entry = header["model.layers.0.self_attn.q_proj.weight"]
    entry["dtype"], entry["shape"] = "F8_E4M3", [entry["shape"][0], 2 * entry["shape"][1]]
    write_safetensors(path, header, payload)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare")
    c.add_argument("baseline")
    c.add_argument("fixture")
    c.add_argument("--golden")
    c.add_argument("--tol", type=float, default=1e-3)
    c.add_argument("--prefill-len", type=int, action="append", default=[])
    c.add_argument("--prefill-attention")
    v = sub.add_parser("convert")
    v.add_argument("fixture")
    v.add_argument("out")
    v.add_argument("--dtype", choices=["F16", "F32"], required=True)
    m = sub.add_parser("make-refused")
    m.add_argument("fixtures")
    m.add_argument("out")
    a = ap.parse_args()
    return {"compare": compare, "convert": convert, "make-refused": make_refused}[a.command](a)


if __name__ == "__main__":
    sys.exit(main())
