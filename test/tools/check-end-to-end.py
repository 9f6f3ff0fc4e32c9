#!/usr/bin/env python3
"""Runs a compiled fixture through kiln-run and checks it (standard library only):

  check-end-to-end.py KILN_RUN ARTIFACT GOLDEN.json [--tol T] [--prefill-splits] [--batched]

- all positions through prefill vs the golden (compare-logits.py: max|d|/max|golden| <= T and
  the argmax rule);
- --prefill-splits: for every P in 1..S-1, P tokens of prefill then S-P teacher-forced decode
  steps equal full prefill within 1e-4;
- --batched: three sequences of different lengths decoded together (one batched decode step per
  position) equal each decoded alone, and one thread equals the default pool.
Prints one line per check; exit 1 on the first failure."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "compare-logits.py")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")


def compare(got, ref, tol, what):
    r = subprocess.run([sys.executable, COMPARE, got, ref, "--tol", str(tol)], capture_output=True,
                       text=True)
    print(f"{what}: {r.stdout.strip()}")
    if r.returncode != 0:
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiln_run")
    ap.add_argument("artifact")
    ap.add_argument("golden")
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--prefill-splits", action="store_true")
    ap.add_argument("--batched", action="store_true")
    a = ap.parse_args()
    ids = json.load(open(a.golden))["input_ids"]
    text = ",".join(map(str, ids))
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "full.npy")
        run([a.kiln_run, a.artifact, "--input-ids", text, "--logits-out", full])
        compare(full, a.golden, a.tol, "prefill vs golden")
        if a.prefill_splits:
            for p in range(1, len(ids)):
                out = os.path.join(tmp, f"p{p}.npy")
                run([a.kiln_run, a.artifact, "--input-ids", text, "--prefill-len", str(p),
                     "--logits-out", out])
                compare(out, full, 1e-4, f"prefill {p} + decode {len(ids) - p}")
        if a.batched:
            seqs = [ids, ids[3:10], list(reversed(ids))[:5]]
            joined = ";".join(",".join(map(str, s)) for s in seqs)
            together = os.path.join(tmp, "together.npy")
            run([a.kiln_run, a.artifact, "--input-ids", joined, "--prefill-len", "2",
                 "--logits-out", together])
            alone = []
            for i, s in enumerate(seqs):
                out = os.path.join(tmp, f"alone{i}.npy")
                run([a.kiln_run, a.artifact, "--input-ids", ",".join(map(str, s)),
                     "--prefill-len", "2", "--logits-out", out])
                alone.append(out)
            # Concatenate the single-sequence rows in the order kiln-run writes them.
            concat = os.path.join(tmp, "alone.npy")
            rows, header_shape, payload = 0, None, b""
            for path in alone:
                data = open(path, "rb").read()
                hlen = int.from_bytes(data[8:10], "little")
                header = data[10:10 + hlen].decode("latin1")
                shape = eval(header[header.index("(") : header.index(")") + 1])
                rows += shape[0]
                header_shape = shape
                payload += data[10 + hlen:]
            header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, header_shape[1])
            header += " " * (63 - (10 + len(header)) % 64) + "\n"
            open(concat, "wb").write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") +
                                     header.encode("latin1") + payload)
            compare(together, concat, 1e-6, "3 sequences batched vs one at a time")
            one = os.path.join(tmp, "one-thread.npy")
            run([a.kiln_run, a.artifact, "--input-ids", text, "--threads", "1", "--logits-out", one])
            compare(one, full, 1e-6, "1 thread vs the pool")
    return 0


if __name__ == "__main__":
    sys.exit(main())
