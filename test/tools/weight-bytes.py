#!/usr/bin/env python3
"""Checks that two imports of the same model describe the same weight bytes.

For every kiln.weight present in both graph IR files, concatenates the byte ranges of its
`source([...])` list (relative to each checkpoint directory) and compares. Proves a layout
transform (e.g. packing fused experts) selects exactly the bytes the per-expert layout holds.
Prints one line per mismatch and a summary; exits 1 on any mismatch or if nothing was compared.

usage: weight-bytes.py IR_A CHECKPOINT_A IR_B CHECKPOINT_B
"""
import re
import sys

WEIGHT = re.compile(r"^\s*kiln\.weight @(\S+) : (\S+).*?source\(\[(.*)\]\)", re.M)
SOURCE = re.compile(r'#kiln\.source<"([^"]+)", (\d+), (\d+)>')


def weights(path):
    with open(path) as f:
        text = f.read()
    return {m.group(1): (m.group(2), SOURCE.findall(m.group(3))) for m in WEIGHT.finditer(text)}


def read(directory, sources):
    out = bytearray()
    for file, offset, size in sources:
        with open(f"{directory}/{file}", "rb") as f:
            f.seek(int(offset))
            out += f.read(int(size))
    return bytes(out)


def main():
    ir_a, dir_a, ir_b, dir_b = sys.argv[1:5]
    a, b = weights(ir_a), weights(ir_b)
    common = sorted(set(a) & set(b))
    bad = 0
    for name in common:
        if a[name][0] != b[name][0]:
            print(f"{name}: type {a[name][0]} vs {b[name][0]}")
            bad += 1
        elif read(dir_a, a[name][1]) != read(dir_b, b[name][1]):
            print(f"{name}: bytes differ")
            bad += 1
    print(f"{len(common)} weights compared, {bad} differ")
    return 1 if bad or not common else 0


if __name__ == "__main__":
    sys.exit(main())
