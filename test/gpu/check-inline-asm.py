#!/usr/bin/env python3
"""Fails when LLVM-dialect MLIR holds inline PTX that compiler/targets/cuda/README.md does not list.

Reads the MLIR (stdin or a file) after convert-nvvm-to-llvm: every `llvm.inline_asm` is there,
whether Kiln wrote it or an MLIR lowering did. Each asm string must contain one of the PTX
instructions that the README's "Inline assembly" table names in its `instruction` column (the
first column, in backticks). Prints what it found and exits 0, or names each unlisted
instruction with one line and exits 1.

Usage: check-inline-asm.py README.md [FILE]
"""
import re
import sys


def listed_instructions(readme):
    """The backticked first cells of the rows of the table under '## Inline assembly'."""
    text = open(readme).read()
    section = text.split("## Inline assembly", 1)
    if len(section) < 2:
        sys.exit(f"check-inline-asm: {readme}: no '## Inline assembly' section")
    names = []
    for line in section[1].splitlines():
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 1 and cells[0].startswith("`") and cells[0].endswith("`"):
            names.append(cells[0].strip("`"))
    if not names:
        sys.exit(f"check-inline-asm: {readme}: the inline-assembly table lists no instruction")
    return names


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[-1])
    listed = listed_instructions(sys.argv[1])
    mlir = open(sys.argv[2]).read() if len(sys.argv) == 3 else sys.stdin.read()
    blocks = re.findall(r'llvm\.inline_asm[^"]*"((?:[^"\\]|\\.)*)"', mlir)
    unlisted = {}
    seen = {}
    for asm in blocks:
        hits = [name for name in listed if name in asm]
        if hits:
            seen[hits[0]] = seen.get(hits[0], 0) + 1
            continue
        # Name the first real instruction of the block (not braces, labels or .reg).
        text = asm.replace("\\0A", "\n").replace("\\09", " ")
        first = next((t.split()[0] for t in text.replace("{", "\n").split("\n")
                      if t.strip() and not t.strip().startswith((".reg", "}"))
                      and not t.strip().endswith(":")), text.strip()[:40])
        unlisted[first] = unlisted.get(first, 0) + 1
    for name, count in sorted(unlisted.items()):
        print(f"check-inline-asm: error: inline PTX '{name}' ({count}x) is not listed in "
              f"{sys.argv[1]}'s inline-assembly table")
    if unlisted:
        return 1
    print("check-inline-asm: " + (", ".join(f"{n} {c}x" for n, c in sorted(seen.items()))
                                  or "no inline assembly"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
