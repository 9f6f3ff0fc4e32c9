#!/usr/bin/env python3
"""Checks a `kiln-compile --emit plan` file: for every entry, arena <= 1.25 x the peak of live
bytes, every arena reference inside the arena, and no two arena buffers of one launch overlap
(the pass itself verifies the whole memory plan, live range by live range, before it emits it).
Prints one line per entry; exit 1 on any violation."""
import re
import sys

REF = re.compile(r'<(\w+), "([^"]*)", (\d+), (\d+), (\d+)>')
ENTRY = re.compile(r'kiln_plan\.entry @(\w+) max_tokens (\d+) arena (\d+) peak (\d+)')


def main():
    text = open(sys.argv[1]).read()
    bad = 0
    entry = None
    for line in text.splitlines():
        m = ENTRY.search(line)
        if m:
            entry = dict(name=m[1], arena=int(m[3]), peak=int(m[4]), launches=0)
            ratio = entry['arena'] / entry['peak']
            print(f"{entry['name']}: arena {entry['arena']} peak {entry['peak']} ratio {ratio:.3f}")
            if ratio > 1.25:
                print(f"FAIL: {entry['name']}: arena is {ratio:.3f} x the peak")
                bad += 1
            continue
        if 'kiln_plan.launch' not in line or entry is None:
            continue
        entry['launches'] += 1
        spans = []
        for kind, _, _, offset, size in REF.findall(line):
            if kind != 'arena':
                continue
            lo, hi = int(offset), int(offset) + int(size)
            if lo % 64 or hi > entry['arena']:
                print(f"FAIL: {entry['name']}: [{lo}, {hi}) misaligned or outside the arena")
                bad += 1
            for a, b in spans:
                # The same buffer twice (V2's top-k selects and weights by one value) is fine.
                if lo < b and a < hi and (a, b) != (lo, hi):
                    print(f"FAIL: {entry['name']}: launch {entry['launches']}: [{lo}, {hi}) overlaps [{a}, {b})")
                    bad += 1
            spans.append((lo, hi))
    print("plan ok" if not bad else f"{bad} violations")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
