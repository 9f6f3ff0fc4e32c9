#!/usr/bin/env python3
"""Encode throughput of kiln-tokenize against Hugging Face tokenizers, measured in one run on
the same machine and the same text. Needs `tokenizers` (scripts/tokenizer-requirements.txt).

    python bench/tokenizer/bench-tokenizer.py [--kiln-tokenize build/bin/kiln-tokenize]
        [--tokenizer ../shared/data/deepseek-v3-tokenizer] [--megabytes 16] [--repeats 3]

Inputs: the test corpus (test/tokenizer/corpus.jsonl, 2,500+ lines of mixed scripts, code,
emoji, whitespace runs and special-token strings) and a larger text: the corpus's natural
language and code sources as paragraphs, shuffled and repeated to about --megabytes MB.
Kiln: `kiln-tokenize --jsonl --stats` (one thread; its own timer covers encoding only, the
JSON parsing of input lines included, not loading the tokenizer). tokenizers: encode() per
line in one thread, and encode_batch() over all lines (Rust threads on every core). The best
of --repeats runs is reported; the ids are checked to be equal.
"""
import argparse
import json
import os
import random
import re
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTDIR = os.path.join(ROOT, "test", "tokenizer")


def corpus_lines():
    with open(os.path.join(TESTDIR, "corpus.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def large_lines(megabytes):
    src = os.path.join(TESTDIR, "corpus-src")
    paragraphs = []
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        blocks = [b for b in re.split(r"\n(?=\S)", text) if b.strip()] if name.startswith("code") else \
            [line for line in text.split("\n") if line]
        paragraphs += blocks
    rng = random.Random(1)
    lines, size = [], 0
    while size < megabytes * 1e6:
        chunk = " ".join(rng.choice(paragraphs) for _ in range(rng.randint(1, 6)))
        lines.append(chunk)
        size += len(chunk.encode())
    return lines


def kiln_run(tool, tokenizer, lines, repeats):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        path = f.name
    best, ids = None, None
    try:
        for _ in range(repeats):
            with open(path, "rb") as stdin:
                start = time.perf_counter()
                result = subprocess.run([tool, tokenizer, "--jsonl", "--stats"], stdin=stdin,
                                        capture_output=True, check=True)
                wall = time.perf_counter() - start
            stats = result.stderr.decode()
            m = re.search(r"loaded in ([\d.]+) s;.* in ([\d.]+) s", stats)
            load, encode = float(m.group(1)), float(m.group(2))
            if best is None or encode < best[1]:
                best = (load, encode, wall)
            ids = [json.loads(line) for line in result.stdout.decode().split("\n") if line]
    finally:
        os.unlink(path)
    return best, ids


def hf_run(tok, lines, repeats):
    single = batch = None
    for _ in range(repeats):
        start = time.perf_counter()
        ids = [tok.encode(line, add_special_tokens=False).ids for line in lines]
        t = time.perf_counter() - start
        single = t if single is None else min(single, t)
        start = time.perf_counter()
        tok.encode_batch(lines, add_special_tokens=False)
        t = time.perf_counter() - start
        batch = t if batch is None else min(batch, t)
    return single, batch, ids


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiln-tokenize", default=os.path.join(ROOT, "build", "bin", "kiln-tokenize"))
    parser.add_argument("--tokenizer", default=os.path.join(os.path.dirname(ROOT), "shared", "data", "deepseek-v3-tokenizer"))
    parser.add_argument("--megabytes", type=float, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import tokenizers
    from tokenizers import Tokenizer
    path = os.path.join(args.tokenizer, "tokenizer.json")
    start = time.perf_counter()
    tok = Tokenizer.from_file(path)
    hf_load = time.perf_counter() - start

    print(f"tokenizers {tokenizers.__version__} (load {hf_load:.3f} s), {os.cpu_count()} cores")
    print(f"{'input':<10} {'MB':>7} {'kiln MB/s':>10} {'HF 1-thread':>12} {'HF batch':>9} "
          f"{'kiln/HF-1t':>11} {'kiln/HF-batch':>14} {'kiln load s':>12}")
    for name, lines in (("corpus", corpus_lines()), ("large", large_lines(args.megabytes))):
        mb = sum(len(line.encode()) for line in lines) / 1e6
        (load, encode, _), kiln_ids = kiln_run(args.kiln_tokenize, path, lines, args.repeats)
        single, batch, hf_ids = hf_run(tok, lines, args.repeats)
        if kiln_ids != hf_ids:
            raise SystemExit(f"{name}: kiln's ids differ from tokenizers'")
        k, s, b = mb / encode, mb / single, mb / batch
        print(f"{name:<10} {mb:>7.2f} {k:>10.2f} {s:>12.2f} {b:>9.2f} {k / s:>10.2f}x {k / b:>13.2f}x {load:>12.3f}")


if __name__ == "__main__":
    main()
