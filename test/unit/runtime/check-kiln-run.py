#!/usr/bin/env python3
"""kiln-run's logits interface over the runtime tests' hand-made artifact (TestArtifact.h).

    check-kiln-run.py KILN_RUN KILN_MAKE_TEST_ARTIFACT

Checks the .npy (format 1.0, '<f4', C order, [S, vocab]) against the model computed here, that
prefill + decode (teacher forcing) and batched decode of several sequences give what prefill
alone gives, that thread counts agree, and that every error is one line
"kiln-run: <file>: <problem>" with exit status 1 and no output (nor temporary) left behind.
Standard library only."""
import os
import struct
import subprocess
import sys
import tempfile

VOCAB, HIDDEN = 16, 8  # TestModel.h
SCALE, COEFFICIENTS = 0.5, (1.0, -0.25)
MAX_SEQ_LEN = 32
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def embedding(token, d):
    return ((token * 7 + d * 3) % 11 - 5) * 0.125


def lm_head(d, token):
    return ((d * 5 + token * 2) % 9 - 4) * 0.25


def reference(tokens):
    """The tiny model's logits, in float64."""
    context = [0.0] * HIDDEN
    rows = []
    for position, token in enumerate(tokens):
        for d in range(HIDDEN):
            context[d] += embedding(token, d) * SCALE * (position + 1) * sum(COEFFICIENTS)
        rows.append([sum(context[d] * lm_head(d, v) for d in range(HIDDEN)) for v in range(VOCAB)])
    return rows


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x93NUMPY\x01\x00", "not a version 1.0 .npy"
    header_len = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + header_len].decode("latin1")
    assert (10 + header_len) % 64 == 0 and header.endswith("\n"), header
    fields = eval(header)  # a Python literal dict, as numpy writes it
    assert fields["descr"] == "<f4" and fields["fortran_order"] is False, fields
    rows, columns = fields["shape"]
    values = struct.unpack("<%df" % (rows * columns), data[10 + header_len:])
    return [list(values[r * columns:(r + 1) * columns]) for r in range(rows)]


def main():
    kiln_run, make_artifact = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="kiln-run-cli-")
    model = os.path.join(work, "model.kiln")
    placement = subprocess.run([make_artifact, model], check=True, capture_output=True,
                               text=True).stdout.split("\n")
    sections = {line.split()[1]: (int(line.split()[2]), int(line.split()[3]))
                for line in placement if line.startswith("section ")}
    header = int(next(line.split()[1] for line in placement if line.startswith("header ")))

    def run(*args, env=None):
        environment = dict(os.environ, **(env or {}))
        return subprocess.run([kiln_run, *args], capture_output=True, text=True, env=environment)

    def logits(ids, *extra, env=None):
        out = os.path.join(work, "out.npy")
        result = run(model, "--input-ids", ids, "--logits-out", out, *extra, env=env)
        check(result.returncode == 0, f"{ids} {extra}: exit {result.returncode}: {result.stderr}")
        rows = read_npy(out) if result.returncode == 0 else []
        os.unlink(out) if os.path.exists(out) else None
        return rows

    def close(rows, tokens, what):
        expected = reference(tokens)
        scale = max(1.0, max(abs(x) for row in expected for x in row))
        ok = len(rows) == len(expected) and all(
            abs(a - b) <= 1e-5 * scale for r, e in zip(rows, expected) for a, b in zip(r, e))
        check(ok, f"{what}: logits differ from the reference")

    # One sequence: 21 tokens is three prefill chunks (the plan carries 8).
    tokens = [(i * 5 + 3) % VOCAB for i in range(21)]
    ids = ",".join(map(str, tokens))
    prefill_only = logits(ids)
    check(len(prefill_only) == 21 and all(len(r) == VOCAB for r in prefill_only), "shape [21, 16]")
    close(prefill_only, tokens, "prefill")
    for p in (1, 5, 8, 9, 21):
        check(logits(ids, "--prefill-len", str(p)) == prefill_only,
              f"--prefill-len {p} differs from prefill alone")
    for threads in ("1", "3"):
        check(logits(ids, "--threads", threads) == prefill_only, f"--threads {threads}")
    check(logits(ids, env={"KILN_NUM_THREADS": "1"}) == prefill_only, "KILN_NUM_THREADS=1")

    # Several sequences: prefilled separately, then batched decode steps.
    sequences = [[1, 2, 3], [4, 5, 6, 7, 8, 9, 10], [11], [12, 13, 14, 15, 0]]
    joined = ";".join(",".join(map(str, s)) for s in sequences)
    alone = []
    for s in sequences:
        alone += logits(",".join(map(str, s)))
    check(logits(joined) == alone, "several sequences, prefill only")
    for p in ("1", "2", "4", "7"):
        check(logits(joined, "--prefill-len", p) == alone,
              f"batched decode (--prefill-len {p}) differs from one sequence at a time")
    close(logits(" 1, 2 ,3 "), [1, 2, 3], "spaces around ids")

    # The KV cache holds 4 blocks of 4 tokens: one sequence of 16 fits; more does not.
    small = os.path.join(work, "small.kiln")
    subprocess.run([make_artifact, small, "small-kv"], check=True, capture_output=True)
    out = os.path.join(work, "out.npy")
    result = run(small, "--input-ids", ",".join(["3"] * 16), "--logits-out", out)
    check(result.returncode == 0, f"16 tokens in 4 blocks: {result.stderr}")
    os.path.exists(out) and os.unlink(out)

    # Errors: one line, exit 1, nothing written.
    good = open(model, "rb").read()

    def variant(name, data):
        path = os.path.join(work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def flip(offset):
        data = bytearray(good)
        data[offset] ^= 0x20
        return bytes(data)

    def made(name, kind):
        path = os.path.join(work, name)
        subprocess.run([make_artifact, path, kind], check=True, capture_output=True)
        return path

    cases = [
        (variant("truncated.kiln", good[:len(good) // 2]), "1,2", [],
         "{f}: truncated or corrupt: header at ["),
        (variant("header.kiln", flip(header + 40)), "1,2", [], "{f}: header is corrupt (hash mismatch)"),
        (variant("weight.kiln", flip(sections["lm_head.weight"][0] + 3)), "1,2", [],
         "{f}: section 'lm_head.weight' (rank 0, layout raw) is corrupt (hash mismatch)"),
        (variant("code.kiln", flip(sections["cpu.code"][0] + 100)), "1,2", [],
         "{f}: section 'cpu.code' (rank 0, layout raw) is corrupt (hash mismatch)"),
        (variant("newer.kiln", good[:8] + struct.pack("<I", 7) + good[12:]), "1,2", [],
         "{f}: artifact format 7."),
        (made("feature.kiln", "unknown-feature"), "1,2", [],
         "{f}: requires feature 'moe-v9', which this runtime does not know; update the runtime"),
        (made("gpu-only.kiln", "no-cpu"), "1,2", [],
         "{f}: the artifact carries no CPU code (targets: sm_90a); compile it with --target cpu"),
        (made("symbol.kiln", "missing-symbol"), "1,2", [],
         "{f}: the CPU code has no symbol 'kiln_test_missing' (kernel 2 of target 'cpu')"),
        (os.path.join(work, "absent.kiln"), "1,2", [], "{f}: cannot open: No such file or directory"),
        (model, "1,16,2", [],
         "{f}: token id 16 (the sequence position 1) is outside the vocabulary (16 tokens)"),
        (model, "1,2;3,99", [],
         "{f}: token id 99 (sequence 1 position 1) is outside the vocabulary (16 tokens)"),
        (model, ",".join(["1"] * 33), [],
         "{f}: the sequence has 33 tokens, more than the artifact's max_seq_len of 32"),
        (model, "1;2;3;4;5", [], "{f}: 5 sequences, more than the artifact's max_batch of 4"),
        (small, "1,2,3,4,5,6,7,8,9;1,2,3,4,5", ["--prefill-len", "1"],
         "{f}: the KV cache is full: slot 0 needs a block for position 8, 0 of 4 blocks are free"),
        (model, "1,,2", [], "--input-ids: empty token id after 1 ids"),
        (model, "1,x", [], "--input-ids: 'x' is not a token id (a non-negative integer)"),
        (model, "1,2;3,-4", [], "--input-ids: '-4' in sequence 1 is not a token id (a non-negative integer)"),
        (model, "", [], "--input-ids: no token ids"),
        (model, "1,2;", [], "--input-ids: sequence 1 is empty"),
        (model, "4294967296", [], "--input-ids: token id 4294967296 is out of range"),
        (model, "1,2", ["--prefill-len", "0"], "--prefill-len: must be at least 1"),
        (model, "1,2", ["--prefill-len", "3"],
         "--prefill-len: 3 is longer than the longest sequence (2 tokens)"),
        (model, "1,2", ["--threads", "0"], "--threads: must be between 1 and 1024"),
    ]
    for path, ids, extra, expected in cases:
        out = os.path.join(work, "error.npy")
        before = set(os.listdir(work))
        result = run(path, "--input-ids", ids, "--logits-out", out, *extra)
        lines = result.stderr.splitlines()
        want = "kiln-run: " + expected.format(f=path)
        what = f"{os.path.basename(path)} --input-ids {ids!r} {extra}"
        check(result.returncode == 1, f"{what}: exit {result.returncode}, not 1")
        check(len(lines) == 1 and lines[0].startswith(want),
              f"{what}: stderr {result.stderr!r}, expected a line starting {want!r}")
        check(set(os.listdir(work)) == before, f"{what}: left {set(os.listdir(work)) - before}")
    result = run(model, "--input-ids", "1", "--logits-out", out, env={"KILN_NUM_THREADS": "0"})
    check(result.returncode == 1 and result.stderr ==
          "kiln-run: KILN_NUM_THREADS: '0' is not a number of threads (1 to 1024)\n",
          f"KILN_NUM_THREADS=0: {result.stderr!r}")
    result = run(model, "--logits-out", out)
    check(result.returncode == 1 and result.stderr == "kiln-run: --input-ids is required\n",
          f"no --input-ids: {result.stderr!r}")
    # An output directory that does not exist: one line naming it.
    missing = os.path.join(work, "no-such-dir", "out.npy")
    result = run(model, "--input-ids", "1", "--logits-out", missing)
    check(result.returncode == 1 and result.stderr.startswith(f"kiln-run: {missing}: cannot create")
          and result.stderr.count("\n") == 1, f"missing directory: {result.stderr!r}")

    for name in os.listdir(work):
        os.unlink(os.path.join(work, name))
    os.rmdir(work)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("kiln-run: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
