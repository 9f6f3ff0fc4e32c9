#!/usr/bin/env python3
"""One line per GEMM shape of a `kiln-compile --emit ptx` directory's manifest.json, for
FileCheck: the shape, its layouts (an expert GEMM has a grouped contiguous and a grouped masked
kernel), how many weights use it, and each target's kernels.

    summarize-ptx-manifest.py DIR

It first checks that the manifest holds together, and exits 1 naming the first problem:
every weight has kernels for every target, every kernel a weight names is in that target's
list (and the target's file is there), and every listed kernel serves some weight.
"""
import collections
import json
import os
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize-ptx-manifest.py DIR")
    root = sys.argv[1]
    with open(os.path.join(root, "manifest.json")) as f:
        manifest = json.load(f)
    targets = {t["chip"]: t for t in manifest["targets"]}
    listed = {chip: {k["name"]: k for k in t["kernels"]} for chip, t in targets.items()}
    used = {chip: set() for chip in targets}
    shapes = collections.OrderedDict()
    for gemm in manifest["gemms"]:
        if set(gemm["kernels"]) != set(targets):
            sys.exit(f"{gemm['weight']}: kernels for {sorted(gemm['kernels'])}, targets "
                     f"{sorted(targets)}")
        layouts = set()
        for chip, names in gemm["kernels"].items():
            for name in names:
                if name not in listed[chip]:
                    sys.exit(f"{gemm['weight']}: {name} is not among {chip}'s kernels")
                used[chip].add(name)
                layouts.add(listed[chip][name]["layout"])
        key = (gemm["n"], gemm["k"], "+".join(sorted(layouts)),
               tuple((chip, tuple(gemm["kernels"][chip])) for chip in targets))
        shapes[key] = shapes.get(key, 0) + 1
    for chip, t in targets.items():
        if set(listed[chip]) != used[chip]:
            sys.exit(f"{chip}: kernels no weight uses: {sorted(set(listed[chip]) - used[chip])}")
        if not os.path.isfile(os.path.join(root, t["ptx"])):
            sys.exit(f"{chip}: {t['ptx']} is missing")
        print(f"{chip}: {len(listed[chip])} kernels")
    for (n, k, layout, kernels), count in shapes.items():
        names = "; ".join(f"{chip} {' '.join(names)}" for chip, names in kernels)
        print(f"{n}x{k} {layout}: {count} weights; {names}")


if __name__ == "__main__":
    main()
