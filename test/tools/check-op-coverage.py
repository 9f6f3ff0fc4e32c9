#!/usr/bin/env python3
"""Fails unless every kiln op is documented and tested.

For each `def ...Op : Kiln_*Op<"name"...>` in the dialect's .td files: a summary, a description
with an ```mlir example, and a declarative assemblyFormat; a round-trip test (a .mlir file under
TEST_DIR whose RUN lines do not use -verify-diagnostics) that uses `kiln.<name>`; and an
invalid-IR test (a file run with -verify-diagnostics) with an expected-error from `'kiln.<name>' op`.

usage: check-op-coverage.py DIALECT_DIR TEST_DIR
"""
import pathlib
import re
import sys

OP_DEF = re.compile(r'^def (\w+) : (Kiln_\w*Op)<"([\w.]+)"', re.M)
# Op classes that prefix their mnemonic.
PREFIXES = {"Kiln_MLAOp": "mla."}


def op_bodies(text):
    """Yields (record, op name, body) for each op record of a .td file."""
    matches = list(OP_DEF.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        name = PREFIXES.get(match.group(2), "") + match.group(3)
        yield match.group(1), name, text[match.start():end]


def main():
    dialect, tests = map(pathlib.Path, sys.argv[1:3])
    round_trip, invalid = "", ""
    for path in tests.rglob("*.mlir"):
        text = path.read_text()
        if "-verify-diagnostics" in text:
            invalid += text
        else:
            round_trip += text
    problems = ops = 0
    for td in sorted(dialect.glob("*.td")):
        for record, name, body in op_bodies(td.read_text()):
            ops += 1
            checks = {
                "a summary": "let summary" in body,
                "a description with an ```mlir example": "```mlir" in body,
                "a declarative assemblyFormat": "let assemblyFormat" in body,
                "a round-trip test": re.search(rf"\bkiln\.{re.escape(name)}\b", round_trip),
                "an invalid-IR test": f"'kiln.{name}' op" in invalid,
            }
            for what, ok in checks.items():
                if not ok:
                    print(f"FAIL: {td.name}: {record} (kiln.{name}) lacks {what}")
                    problems += 1
    print(f"{ops} ops checked, {problems} problems")
    return 1 if problems or ops == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
