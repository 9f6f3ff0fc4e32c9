#!/usr/bin/env python3
"""kiln-run on broken artifacts and bad inputs: one line on stderr naming the file (or the
option) and the problem, exit status 1, no crash, no output file.

  check-bad-artifacts.py KILN_RUN ARTIFACT SECTIONS.txt VOCAB MAX_SEQ_LEN
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    kiln_run, artifact, listing, vocab, max_seq = sys.argv[1:6]
    vocab, max_seq = int(vocab), int(max_seq)
    text = open(listing).read()
    weight = re.search(r"\] rank 0 raw\s+(\S+)\s+offset (\d+) size (\d+)", text)
    code = re.search(r"elf-shared-object code\.cpu\s+offset (\d+) size (\d+)", text)
    data = open(artifact, "rb").read()
    header_offset = int.from_bytes(data[16:24], "little")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        def variant(name, mutate):
            path = os.path.join(tmp, name)
            b = bytearray(data)
            b = mutate(b)
            open(path, "wb").write(b)
            return path

        def flip(at):
            def f(b):
                b[at] ^= 0x40
                return b
            return f

        def major(b):
            b[8:12] = (9).to_bytes(4, "little")
            return b

        good = artifact
        cases = [
            ("truncated", variant("truncated.kiln", lambda b: b[: len(b) // 2]), "1,2", "truncated.kiln"),
            ("header byte", variant("header.kiln", flip(header_offset + 40)), "1,2", "header.kiln"),
            ("weight byte", variant("weight.kiln", flip(int(weight[2]) + int(weight[3]) // 2)), "1,2", weight[1]),
            ("code byte", variant("code.kiln", flip(int(code[1]) + 100)), "1,2", "code.kiln"),
            ("major version", variant("major.kiln", major), "1,2", "artifact format 9.2"),
            ("token id", good, f"1,{vocab}", f"token id {vocab}"),
            ("too long", good, ",".join(["1"] * (max_seq + 1)), str(max_seq)),
            ("malformed ids", good, "1,x", "--input-ids"),
        ]
        for what, path, ids, must in cases:
            out = os.path.join(tmp, "out.npy")
            r = subprocess.run([kiln_run, path, "--input-ids", ids, "--logits-out", out],
                               capture_output=True, text=True)
            lines = r.stderr.strip().splitlines()
            ok = (r.returncode == 1 and len(lines) == 1 and must in lines[0]
                  and lines[0].startswith("kiln-run: ") and not os.path.exists(out)
                  and not any(n.startswith("out.npy") for n in os.listdir(tmp)))
            print(f"{'ok' if ok else 'FAIL'}: {what}: exit {r.returncode}: {r.stderr.strip()}")
            failures += not ok
    print(f"bad artifacts: {len(cases) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
