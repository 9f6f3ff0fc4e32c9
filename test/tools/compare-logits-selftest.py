#!/usr/bin/env python3
"""Self test of test/tools/compare-logits.py (Python standard library only, no lit).

    python3 test/tools/compare-logits-selftest.py

Writes small .npy and golden .json files into a temporary directory, runs compare-logits.py on
each case and checks the first word of its one line (ok/FAIL), its exit code and a fragment of the
message. Exits 1 if any expectation is wrong.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile
from array import array

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare-logits.py")


def npy_bytes(rows, version=1, descr="<f4", fortran=False, shape=None, magic=b"\x93NUMPY", trim=0):
    """A .npy of float32 rows, with knobs to make it malformed."""
    shape = tuple(shape) if shape is not None else (len(rows), len(rows[0]))
    header = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (descr, fortran, shape)
    lead = 10 if version == 1 else 12
    pad = (-(lead + len(header) + 1)) % 64          # header block padded to 64 bytes, ends in \n
    header = (header + " " * pad + "\n").encode("latin1")
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    vals = array("d" if descr == "<f8" else "f", [v for r in rows for v in r])
    if sys.byteorder != "little":
        vals.byteswap()
    data = magic + bytes([version, 0]) + size + header + vals.tobytes()
    return data[:len(data) - trim] if trim else data


def golden_json(rows):
    return json.dumps({"input_ids": list(range(len(rows))), "shape": [len(rows), len(rows[0])],
                       "dtype": "float32", "logits": [v for r in rows for v in r]})


# A 4 x 6 golden with max |golden| = 2.0 and clear argmaxes except at position 3 (a near tie,
# margin 2^-12 / 2 = 1.2e-4 of max |golden|). Values are exact in float32, so identical is 0.
GOLD = [[0.5, 2.0, -1.0, 0.25, 0.0, -0.5],
        [-2.0, 0.125, 0.25, 1.5, 0.375, 0.5],
        [1.0, 0.0, 0.75, -0.25, 1.75, 0.5],
        [0.875, 0.875244140625, 0.125, 0.25, -0.375, 0.0]]


def shifted(rows, delta, at=None):
    """rows + delta everywhere, or only at the element `at` = (position, vocab)."""
    out = [list(r) for r in rows]
    for p, r in enumerate(out):
        for v in range(len(r)):
            if at is None or at == (p, v):
                r[v] += delta
    return out


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb" if isinstance(data, bytes) else "w") as f:
                f.write(data)
            return path

        gold_json = put("golden.json", golden_json(GOLD))
        gold_npy = put("golden.npy", npy_bytes(GOLD))
        scale = 2.0
        cases = [
            # (name, args, expected exit code, fragment the line must contain)
            ("identical", [put("same.npy", npy_bytes(GOLD)), gold_json], 0,
             "ok: max|d|/max|golden| = 0 (tol 0.001), argmax equal at 3 of 3 positions with margin > 2*tol"),
            ("within tol (5e-4 relative everywhere)",
             [put("close.npy", npy_bytes(shifted(GOLD, 5e-4 * scale))), gold_json], 0, "ok: "),
            ("off by 2e-3 relative at one element must FAIL",
             [put("off.npy", npy_bytes(shifted(GOLD, 2e-3 * scale, at=(2, 4)))), gold_json], 1,
             "at position 2, vocab 4"),
            ("off by 2e-3 passes with --tol 3e-3",
             [put("off2.npy", npy_bytes(shifted(GOLD, 2e-3 * scale, at=(2, 4)))), gold_json, "--tol", "3e-3"], 0,
             "ok: "),
            ("near tie at position 3 may flip",
             [put("flip.npy", npy_bytes(shifted(GOLD, -4e-4, at=(3, 1)))), gold_json], 0,
             "argmax equal at 3 of 3 positions"),   # position 3 is a near tie: not checked
            (".npy format 2.0", [put("v2.npy", npy_bytes(GOLD, version=2)), gold_json], 0, "ok: "),
            ("two .npy files, B the reference",
             [put("a.npy", npy_bytes(shifted(GOLD, 1e-5))), gold_npy, "--tol", "1e-4"], 0, "ok: "),
            ("two .npy files beyond --tol 1e-4 must FAIL",
             [put("b.npy", npy_bytes(shifted(GOLD, 1e-3, at=(0, 1)))), gold_npy, "--tol", "1e-4"], 1,
             "at position 0, vocab 1"),
            ("fewer rows than the golden must FAIL",
             [put("short.npy", npy_bytes(GOLD[:3])), gold_json], 1, "shape [3, 6]"),
            ("--rows 3 compares the first 3 positions",
             [put("short2.npy", npy_bytes(GOLD[:3])), gold_json, "--rows", "3"], 0,
             "argmax equal at 3 of 3 positions"),
            ("different vocab must FAIL",
             [put("vocab.npy", npy_bytes([r[:5] for r in GOLD])), gold_json], 1, "shape [4, 5]"),
            ("NaN must FAIL", [put("nan.npy", npy_bytes(shifted(GOLD, float("nan"), at=(1, 2)))), gold_json], 1,
             "position 1, vocab 2 is nan"),
            ("malformed: wrong magic", [put("magic.npy", npy_bytes(GOLD, magic=b"\x93NUMPZ")), gold_json], 1,
             "not a .npy file"),
            ("malformed: dtype <f8", [put("f8.npy", npy_bytes(GOLD, descr="<f8")), gold_json], 1,
             "dtype '<f8'"),
            ("malformed: big-endian >f4", [put("be.npy", npy_bytes(GOLD, descr=">f4")), gold_json], 1,
             "dtype '>f4'"),
            ("malformed: fortran order", [put("fortran.npy", npy_bytes(GOLD, fortran=True)), gold_json], 1,
             "fortran_order is True"),
            ("malformed: data shorter than the shape", [put("trunc.npy", npy_bytes(GOLD, trim=4)), gold_json], 1,
             "92 data bytes, shape (4, 6) needs 96"),
            ("malformed: rank 1", [put("rank1.npy", npy_bytes(GOLD, shape=(24,))), gold_json], 1,
             "want (S, vocab)"),
            ("malformed golden: logits count",
             [put("same2.npy", npy_bytes(GOLD)),
              put("badgold.json", json.dumps({"shape": [4, 6], "logits": [0.0] * 23}))], 1, "23 logits"),
        ]
        for name, args, want_rc, fragment in cases:
            r = subprocess.run([sys.executable, TOOL] + args, capture_output=True, text=True)
            lines = r.stdout.splitlines()
            line = lines[0] if lines else ""
            word = "ok:" if want_rc == 0 else "FAIL:"
            good = (r.returncode == want_rc and len(lines) == 1 and line.startswith(word)
                    and fragment in line and not r.stderr)
            print("%s  %-48s rc=%d  %s" % ("PASS" if good else "WRONG", name, r.returncode, line))
            if not good:
                failures += 1
                if r.stderr:
                    print("      stderr: " + r.stderr.strip().replace("\n", "\n      "))
                print("      wanted rc=%d, one line starting %r containing %r" % (want_rc, word, fragment))
    print("%d of %d cases as expected" % (len(cases) - failures, len(cases)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
