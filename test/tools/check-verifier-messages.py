#!/usr/bin/env python3
"""Fails unless every diagnostic the kiln dialect's verifiers can emit is exercised by a test.

Scans the C++ in DIALECTS_DIR for `emitOpError(...)` and `emitError(...)` statements, takes the
string literals of each statement (up to its `;`) in order, and requires some
`expected-error` line under TEST_DIR that contains all of them, in order. Dynamic parts (names,
numbers, types) sit between the literals, so the check holds for any values the test uses.

usage: check-verifier-messages.py DIALECTS_DIR TEST_DIR
"""
import pathlib
import re
import sys

EMIT = re.compile(r"\b(emitOpError|emitError)\s*\(")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def statements(text):
    """Yields (line number, statement text) for each diagnostic statement."""
    for match in EMIT.finditer(text):
        end = text.find(";", match.start())
        yield text.count("\n", 0, match.start()) + 1, text[match.start():end]


def literals(statement):
    pieces = []
    for raw in STRING.findall(statement):
        piece = bytes(raw, "utf-8").decode("unicode_escape")
        if piece.strip():
            pieces.append(piece)
    return pieces


def contains_in_order(line, pieces):
    position = 0
    for piece in pieces:
        found = line.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def main():
    dialects, tests = map(pathlib.Path, sys.argv[1:3])
    expected = []
    for path in tests.rglob("*.mlir"):
        for line in path.read_text().splitlines():
            if "expected-error" in line:
                expected.append(line.split("expected-error", 1)[1])
    if not expected:
        print(f"FAIL: no expected-error lines under {tests}")
        return 1
    missing = checked = 0
    for source in sorted(dialects.rglob("*.cpp")):
        for line_no, statement in statements(source.read_text()):
            pieces = literals(statement)
            if not pieces:
                print(f"FAIL: {source}:{line_no}: diagnostic without a literal message")
                missing += 1
                continue
            checked += 1
            if not any(contains_in_order(line, pieces) for line in expected):
                print(f"FAIL: {source}:{line_no}: no expected-error line contains {pieces}")
                missing += 1
    print(f"{checked} diagnostics checked against {len(expected)} expected-error lines, "
          f"{missing} untested")
    return 1 if missing or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
