#!/usr/bin/env python3
"""Writes the safetensors bad-input corpus and records what the `safetensors` library does.

  make-safetensors-corpus.py OUT_DIR            write the corpus files (stdlib only)
  make-safetensors-corpus.py OUT_DIR --record   also open each with safetensors.safe_open and
                                                write OUT_DIR/expected.json {file: "accept"|"reject"}

Kiln's header reader must accept exactly the files the library accepts (the differential test
test/unit/frontend reads expected.json). Rerun with --record after changing the corpus, in an
environment with the pinned safetensors (scripts/fixtures-requirements.txt), and commit both.
"""
import json
import os
import struct
import sys


def header_file(header: bytes, data: bytes = b"", length=None) -> bytes:
    n = len(header) if length is None else length
    return struct.pack("<Q", n) + header + data


def js(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


CASES = {
    # Framing.
    "empty-file": b"",
    "seven-bytes": b"\x08\x00\x00\x00\x00\x00\x00",
    "header-too-large": header_file(b"{}", length=100_000_001),
    "header-at-limit-past-end": header_file(b"{}", length=100_000_000),
    "header-past-end": header_file(b"{}", length=64),
    "header-not-utf8": header_file(b'{"a\xff":1}'),
    "header-leading-space": header_file(b' {}'),
    "header-utf8-bom": header_file(b'\xef\xbb\xbf{}'),
    "header-array": header_file(b"[]"),
    "header-not-json": header_file(b"{abc"),
    "header-trailing-spaces": header_file(b"{}      "),
    "header-trailing-garbage": header_file(b"{}x"),
    "empty-header-no-data": header_file(b"{}"),
    # Entries.
    "valid-one-tensor": header_file(js({"a": t("F32", [2, 2], 0, 16)}), b"\0" * 16),
    "valid-two-tensors-any-order": header_file(
        js({"b": t("BF16", [4], 8, 16), "a": t("I32", [2], 0, 8)}), b"\0" * 16),
    "valid-metadata": header_file(js({"__metadata__": {"format": "pt"}, "a": t("U8", [3], 0, 3)}), b"\0" * 3),
    "valid-zero-size": header_file(js({"a": t("F32", [0], 0, 0)})),
    "valid-scalar": header_file(js({"a": t("F64", [], 0, 8)}), b"\0" * 8),
    "valid-fp8": header_file(js({"w": t("F8_E4M3", [4, 4], 0, 16), "s": t("F32", [1, 1], 16, 20)}), b"\0" * 20),
    "dtype-f8-e8m0": header_file(js({"s": t("F8_E8M0", [4], 0, 4)}), b"\0" * 4),
    "dtype-f4-whole-bytes": header_file(js({"a": t("F4", [2, 2], 0, 2)}), b"\0" * 2),
    "dtype-f4-half-byte": header_file(js({"a": t("F4", [3], 0, 2)}), b"\0" * 2),
    "dtype-f6-whole-bytes": header_file(js({"a": t("F6_E2M3", [4], 0, 3)}), b"\0" * 3),
    "dtype-c64": header_file(js({"a": t("C64", [2], 0, 16)}), b"\0" * 16),
    "dtype-unknown": header_file(js({"a": t("F128", [1], 0, 16)}), b"\0" * 16),
    "dtype-lowercase": header_file(js({"a": t("f32", [1], 0, 4)}), b"\0" * 4),
    "shape-negative": header_file(js({"a": t("F32", [-1], 0, 4)}), b"\0" * 4),
    "shape-float": header_file(b'{"a":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', b"\0" * 4),
    "shape-string": header_file(js({"a": t("F32", ["1"], 0, 4)}), b"\0" * 4),
    "shape-overflow": header_file(js({"a": t("F32", [2**40, 2**40], 0, 4)}), b"\0" * 4),
    "offsets-reversed": header_file(js({"a": t("F32", [1], 4, 0)}), b"\0" * 4),
    "offsets-not-from-zero": header_file(js({"a": t("F32", [1], 4, 8)}), b"\0" * 8),
    "offsets-gap": header_file(js({"a": t("F32", [1], 0, 4), "b": t("F32", [1], 8, 12)}), b"\0" * 12),
    "offsets-overlap": header_file(js({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)}), b"\0" * 12),
    "offsets-three": header_file(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}', b"\0" * 4),
    "offsets-missing": header_file(b'{"a":{"dtype":"F32","shape":[1]}}', b"\0" * 4),
    "offsets-negative": header_file(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}', b"\0" * 4),
    "size-mismatch": header_file(js({"a": t("F32", [3], 0, 8)}), b"\0" * 8),
    "data-longer-than-tensors": header_file(js({"a": t("F32", [1], 0, 4)}), b"\0" * 8),
    "data-truncated": header_file(js({"a": t("F32", [4], 0, 16)}), b"\0" * 8),
    "entry-not-object": header_file(b'{"a":[1,2]}'),
    "entry-extra-field": header_file(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', b"\0" * 4),
    "entry-missing-dtype": header_file(b'{"a":{"shape":[1],"data_offsets":[0,4]}}', b"\0" * 4),
    "metadata-not-object": header_file(b'{"__metadata__":"x"}'),
    "metadata-number-value": header_file(b'{"__metadata__":{"k":1}}'),
    "duplicate-key": header_file(b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                                 b'"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, content in CASES.items():
        with open(os.path.join(out, name + ".safetensors"), "wb") as f:
            f.write(content)
    if "--record" not in sys.argv:
        return 0
    import safetensors
    expected = {"safetensors_version": safetensors.__version__, "files": {}}
    for name in sorted(CASES):
        path = os.path.join(out, name + ".safetensors")
        try:
            with safetensors.safe_open(path, framework="numpy") as f:
                list(f.keys())
            verdict = "accept"
        except Exception as error:  # the library's own exceptions, whatever their type
            verdict = "reject"
            print(f"{name}: {type(error).__name__}: {error}")
        expected["files"][name + ".safetensors"] = verdict
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
