#!/usr/bin/env python3
"""Checks that every weight section of a .kiln artifact holds exactly the checkpoint bytes its
kiln.weight's `source([...])` ranges name (the layout transform the writer executes).

usage: artifact-bytes.py GRAPH_IR CHECKPOINT_DIR ARTIFACT SECTIONS_LISTING
  SECTIONS_LISTING is the output of `kiln-inspect ARTIFACT --sections`.
"""
import importlib.util
import os
import re
import sys

# The graph IR parsing and source reading are weight-bytes.py's.
_spec = importlib.util.spec_from_file_location(
    "weight_bytes", os.path.join(os.path.dirname(os.path.abspath(__file__)), "weight-bytes.py"))
weight_bytes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(weight_bytes)

SECTION = re.compile(r"^\s*\[\d+\] rank 0 raw\s+(\S+)\s+offset (\d+) size (\d+)", re.M)


def main():
    ir, checkpoint, artifact, listing = sys.argv[1:5]
    weights = weight_bytes.weights(ir)
    with open(listing) as f:
        sections = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in SECTION.finditer(f.read())}
    bad = 0
    with open(artifact, "rb") as art:
        for name, (_, sources) in weights.items():
            if name not in sections:
                print(f"{name}: no section")
                bad += 1
                continue
            offset, size = sections[name]
            art.seek(offset)
            if art.read(size) != weight_bytes.read(checkpoint, sources):
                print(f"{name}: section bytes differ from the checkpoint")
                bad += 1
    print(f"{len(weights)} weights checked, {bad} differ")
    return 1 if bad or not weights else 0


if __name__ == "__main__":
    sys.exit(main())
