#!/usr/bin/env python3
"""Checks that every weight section of a .kiln artifact holds exactly the checkpoint bytes its
kiln.weight's `source([...])` ranges name (the layout transform the writer executes).

usage: artifact-bytes.py GRAPH_IR CHECKPOINT_DIR ARTIFACT SECTIONS_LISTING
  SECTIONS_LISTING is the output of `kiln-inspect ARTIFACT --sections`.
"""
import re
import sys

WEIGHT = re.compile(r"^\s*kiln\.weight @(\S+) : \S+.*?source\(\[(.*)\]\)", re.M)
SOURCE = re.compile(r'#kiln\.source<"([^"]+)", (\d+), (\d+)>')
SECTION = re.compile(r"^\s*\[\d+\] rank 0 raw\s+(\S+)\s+offset (\d+) size (\d+)", re.M)


def main():
    ir, checkpoint, artifact, listing = sys.argv[1:5]
    with open(ir) as f:
        weights = {m.group(1): SOURCE.findall(m.group(2)) for m in WEIGHT.finditer(f.read())}
    with open(listing) as f:
        sections = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in SECTION.finditer(f.read())}
    bad = 0
    with open(artifact, "rb") as art:
        for name, sources in weights.items():
            expected = bytearray()
            for file, offset, size in sources:
                with open(f"{checkpoint}/{file}", "rb") as src:
                    src.seek(int(offset))
                    expected += src.read(int(size))
            if name not in sections:
                print(f"{name}: no section")
                bad += 1
                continue
            offset, size = sections[name]
            art.seek(offset)
            if art.read(size) != bytes(expected) or size != len(expected):
                print(f"{name}: section bytes differ from the checkpoint")
                bad += 1
    print(f"{len(weights)} weights checked, {bad} differ")
    return 1 if bad or not weights else 0


if __name__ == "__main__":
    sys.exit(main())
