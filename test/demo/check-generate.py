#!/usr/bin/env python3
"""kiln-run --prompt end to end over the demo model (scripts/make-demo-model.py).

    check-generate.py --kiln-compile B --kiln-run B --kiln-tokenize B --make-model SCRIPT
                      --tokenizer-dir DIR --no-tokenizer-checkpoint DIR

Writes the tiny random DeepSeek-V3 checkpoint with the real tokenizer into a temporary
directory, compiles it (--max-seq-len 320: the prefill plan's chunk is 256), and checks:
text on stdout and one statistics line on stderr, exit 0; greedy output reproducible and equal
to the argmax chain of the logits interface (--input-ids, prefill then decode) decoded by
kiln-tokenize; the prompt's token count against kiln-tokenize (BOS once, with --chat too);
sampling reproducible per seed, different across seeds, equal to greedy with --top-k 1;
--max-tokens, max_seq_len, a stop string and EOS end generation where they should; a prompt
longer than a prefill chunk; stdout is valid UTF-8 and arrives while the process still runs,
each chunk valid UTF-8 by itself; every error is one line, exit 1.

Exits 77 (skipped) when the DeepSeek-V3 tokenizer (../shared/data) is absent. Standard library
only."""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

STATS = re.compile(
    r"^kiln-run: load [0-9.]+ ms; prompt (\d+) tokens?, prefill [0-9.]+ ms \((\d+|-) tok/s\)"
    r"(; first token [0-9.]+ ms)?; generated (\d+) tokens?"
    r"(, decode [0-9.]+ ms \((\d+|-) tok/s\))?; stop: (eos|stop-string|max-tokens|max-seq-len)$")
MAX_SEQ_LEN = 320
PREFILL_CHUNK = 256  # the prefill plan's max_tokens: min(256, max_seq_len)
BOS = 0
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return condition


class Run:
    def __init__(self, result):
        self.code = result.returncode
        self.out = result.stdout
        self.err = result.stderr.decode("utf-8", "replace")
        self.text = None
        try:
            self.text = self.out.decode("utf-8")
        except UnicodeDecodeError:
            pass
        lines = self.err.splitlines()
        self.stats = STATS.match(lines[-1]) if len(lines) == 1 else None

    @property
    def prompt_tokens(self):
        return int(self.stats.group(1)) if self.stats else -1

    @property
    def generated(self):
        return int(self.stats.group(4)) if self.stats else -1

    @property
    def stop(self):
        return self.stats.group(7) if self.stats else None


def main():
    parser = argparse.ArgumentParser()
    for name in ("kiln-compile", "kiln-run", "kiln-tokenize", "make-model", "tokenizer-dir",
                 "no-tokenizer-checkpoint"):
        parser.add_argument("--" + name, required=True)
    a = parser.parse_args()
    if not os.path.isfile(os.path.join(a.tokenizer_dir, "tokenizer.json")):
        print(f"SKIP: {a.tokenizer_dir}/tokenizer.json is absent (the DeepSeek-V3 tokenizer beside "
              f"the checkout)")
        return 77
    work = tempfile.mkdtemp(prefix="kiln-demo-test-")
    try:
        return checks(a, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def checks(a, work):
    def compile_(checkpoint, out, *extra):
        subprocess.run([a.kiln_compile, checkpoint, "-o", out, *extra], check=True,
                       stdout=subprocess.DEVNULL)
        return out

    checkpoint = os.path.join(work, "checkpoint")
    subprocess.run([sys.executable, a.make_model, checkpoint, "--tokenizer-dir", a.tokenizer_dir],
                   check=True, stdout=subprocess.DEVNULL)
    # Deterministic: the same seed writes the same bytes.
    again = os.path.join(work, "again")
    subprocess.run([sys.executable, a.make_model, again, "--tokenizer-dir", a.tokenizer_dir],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(checkpoint, "model.safetensors"), "rb") as f1, \
            open(os.path.join(again, "model.safetensors"), "rb") as f2:
        check(f1.read() == f2.read(), "make-demo-model.py: the same seed wrote different weights")
    shutil.rmtree(again)
    model = compile_(checkpoint, os.path.join(work, "model.kiln"), "--max-seq-len", str(MAX_SEQ_LEN))

    def run(*args, artifact=model, threads="2"):
        return Run(subprocess.run([a.kiln_run, artifact, "--threads", threads, *args],
                                  capture_output=True))

    def generated_ok(r, what, tokens=None, stop=None):
        ok = check(r.code == 0, f"{what}: exit {r.code}: {r.err!r}")
        ok = check(r.stats is not None, f"{what}: stderr is not one statistics line: {r.err!r}") and ok
        ok = check(r.text is not None, f"{what}: stdout is not valid UTF-8: {r.out!r}") and ok
        if ok and tokens is not None:
            ok = check(r.generated == tokens, f"{what}: generated {r.generated} tokens, not {tokens}")
        if ok and stop is not None:
            ok = check(r.stop == stop, f"{what}: stop {r.stop}, not {stop}")
        return ok

    def tokenize(text, *extra, artifact=model):
        r = subprocess.run([a.kiln_tokenize, artifact, "--jsonl", *extra],
                           input=json.dumps(text) + "\n", capture_output=True, text=True, check=True)
        return json.loads(r.stdout)

    # Greedy (the default): text, statistics, reproducible.
    prompt = "The quick brown fox jumps over the lazy dog."
    greedy = run("--prompt", prompt, "--max-tokens", "24")
    if generated_ok(greedy, "greedy", 24, "max-tokens"):
        check(greedy.text.strip() != "", "greedy: no text")
        check(greedy.prompt_tokens == 1 + len(tokenize(prompt)),
              f"greedy: prompt {greedy.prompt_tokens} tokens, expected BOS + kiln-tokenize's ids")
    check(run("--prompt", prompt, "--max-tokens", "24").out == greedy.out,
          "greedy: a second run printed other text")
    check(run("--prompt", prompt, "--max-tokens", "24", threads="1").out == greedy.out,
          "greedy: --threads 1 printed other text")

    # Greedy = the argmax chain of the logits interface (prefill 1, then decode), decoded.
    ids = [BOS]
    for _ in range(4):
        ids.append(argmax_last(a.kiln_run, model, ids, work))
    chain = subprocess.run([a.kiln_tokenize, model, "--decode", "--skip-special-tokens"],
                           input=json.dumps(ids[1:]) + "\n", capture_output=True, text=True,
                           check=True).stdout
    short = run("--prompt", "", "--max-tokens", "4")
    if generated_ok(short, "empty prompt", 4, "max-tokens"):
        check(short.prompt_tokens == 1, f"empty prompt: {short.prompt_tokens} tokens, not BOS alone")
        check(short.text == json.loads(chain),
              f"greedy text {short.text!r} is not the argmax chain {ids[1:]} decoded ({chain.strip()})")

    # --chat: the stored template, BOS once (kiln-tokenize --chat gives the same ids).
    chat = run("--prompt", "Hello!", "--chat", "--max-tokens", "8")
    if generated_ok(chat, "--chat", 8, "max-tokens"):
        chat_ids = tokenize("Hello!", "--chat")
        check(chat_ids.count(BOS) == 1 and chat_ids[0] == BOS, f"--chat ids {chat_ids}: BOS not once")
        check(chat.prompt_tokens == len(chat_ids),
              f"--chat: prompt {chat.prompt_tokens} tokens, kiln-tokenize --chat has {len(chat_ids)}")

    # Sampling: seeded, reproducible, different across seeds; top-k 1 is greedy.
    sample = lambda seed, *extra: run("--prompt", prompt, "--max-tokens", "24", "--temperature", "1",
                                      "--seed", str(seed), *extra)
    s1, s2 = sample(1), sample(2)
    if generated_ok(s1, "seed 1", 24) and generated_ok(s2, "seed 2", 24):
        check(sample(1).out == s1.out, "--temperature 1 --seed 1: a second run printed other text")
        check(s1.out != s2.out, "--temperature 1: seeds 1 and 2 printed the same text")
        check(s1.out != greedy.out, "--temperature 1 printed the greedy text")
    check(sample(7, "--top-k", "1").out == greedy.out, "--top-k 1 at temperature 1 is not greedy")
    filtered = sample(3, "--top-k", "50", "--top-p", "0.9", "--repetition-penalty", "1.3")
    generated_ok(filtered, "top-k + top-p + repetition penalty", 24)

    # --max-tokens; a prompt longer than one prefill chunk, generating up to max_seq_len.
    generated_ok(run("--prompt", prompt, "--max-tokens", "3"), "--max-tokens 3", 3, "max-tokens")
    none = run("--prompt", prompt, "--max-tokens", "0")
    if generated_ok(none, "--max-tokens 0", 0, "max-tokens"):
        check(none.out == b"", f"--max-tokens 0 printed {none.out!r}")
    words = " ".join(f"w{i}" for i in range(135))  # 271 tokens with BOS: two prefill chunks
    full = run("--prompt", words, "--max-tokens", "1000")
    if generated_ok(full, "two prefill chunks, then up to max_seq_len", stop="max-seq-len"):
        check(PREFILL_CHUNK < full.prompt_tokens < MAX_SEQ_LEN,
              f"the long prompt is {full.prompt_tokens} tokens, not one chunk and a part")
        check(full.generated == MAX_SEQ_LEN - full.prompt_tokens + 1,
              f"up to max_seq_len: generated {full.generated}, expected "
              f"{MAX_SEQ_LEN} - {full.prompt_tokens} + 1")
    too_long = run("--prompt", words + " " + words)
    check(too_long.code == 1 and re.fullmatch(
        r"kiln-run: .*: the prompt is \d+ tokens, more than the artifact's max_seq_len of 320; "
        r"recompile with kiln-compile --max-seq-len N \(larger\), or shorten it\n",
        too_long.err), f"prompt past max_seq_len: {too_long.err!r}")

    # A stop string, found across tokens, ends the text before it.
    text = greedy.text or ""
    middle = len(text) // 2
    stop = text[middle:middle + 3]
    if check(len(stop) == 3 and stop.strip(), f"no stop string to take from {text!r}"):
        stopped = run("--prompt", prompt, "--max-tokens", "24", "--stop", "NEVER", "--stop", stop)
        if generated_ok(stopped, f"--stop {stop!r}", stop="stop-string"):
            check(stopped.text == text[:text.find(stop)],
                  f"--stop {stop!r}: printed {stopped.text!r}, expected {text[:text.find(stop)]!r}")
            check(stopped.generated < 24, f"--stop: generated {stopped.generated}")

    # Streaming: text arrives while kiln-run still runs, each piece whole UTF-8 characters.
    process = subprocess.Popen([a.kiln_run, model, "--threads", "2", "--prompt", prompt,
                                "--max-tokens", "100"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    chunks, running_at_first = [], None
    while True:
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        if running_at_first is None:
            running_at_first = process.poll() is None
        chunks.append(chunk)
    process.wait()
    process.stderr.read()
    check(process.returncode == 0, f"streaming run: exit {process.returncode}")
    check(running_at_first is True, "streaming: the first text came only when kiln-run ended")
    for chunk in chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            check(False, f"streaming: a piece of output splits a UTF-8 character: {chunk!r}")
            break
    # The 24-token run may end inside a character (U+FFFD there); the rest is a prefix.
    check(b"".join(chunks).decode("utf-8", "replace").startswith(text.rstrip("\ufffd")),
          "streamed text differs from the greedy run's")

    # EOS: a model whose eos_token_id is the first greedy token after BOS stops at once, silently;
    # without tokenizer_config.json it has no BOS of its own and no chat template either.
    eos_checkpoint = os.path.join(work, "eos-checkpoint")
    os.mkdir(eos_checkpoint)
    for name in ("model.safetensors", "tokenizer.json"):
        os.symlink(os.path.join(checkpoint, name), os.path.join(eos_checkpoint, name))
    with open(os.path.join(checkpoint, "config.json")) as f:
        config = json.load(f)
    config["eos_token_id"] = ids[1]
    with open(os.path.join(eos_checkpoint, "config.json"), "w") as f:
        json.dump(config, f)
    eos_model = compile_(eos_checkpoint, os.path.join(work, "eos.kiln"), "--max-seq-len", "64")
    eos = run("--prompt", "<｜begin▁of▁sentence｜>", artifact=eos_model)
    if generated_ok(eos, "EOS", 1, "eos"):
        check(eos.prompt_tokens == 1 and eos.out == b"", f"EOS: printed {eos.out!r}")
    empty = run("--prompt", "", artifact=eos_model)
    check(empty.code == 1 and empty.err ==
          "kiln-run: --prompt: the prompt is empty (no tokens), and the tokenizer adds no BOS\n",
          f"empty prompt without BOS: {empty.err!r}")

    # Errors: one line, exit 1.
    bare = compile_(a.no_tokenizer_checkpoint, os.path.join(work, "bare.kiln"))
    cases = [
        ([], "{bare}: the artifact carries no tokenizer (its checkpoint had no tokenizer.json); "
             "--prompt needs one (--input-ids does not)", bare),
        (["--chat"], "{eos}: the artifact's tokenizer has no chat template (no "
                     "tokenizer_config.json); --chat needs one", eos_model),
        (["--input-ids", "1,2"], "--prompt and --input-ids do not combine", model),
        (["--logits-out", os.path.join(work, "x.npy")], "--prompt and --logits-out do not combine",
         model),
        (["--temperature", "abc"], "--temperature: must be a number >= 0, not 'abc'", model),
        (["--temperature", "-0.5"], "--temperature: must be a number >= 0, not '-0.5'", model),
        (["--top-p", "1.5"], "--top-p: must be a number in (0, 1], not '1.5'", model),
        (["--top-p", "0"], "--top-p: must be a number in (0, 1], not '0'", model),
        (["--top-k", "-1"], "--top-k: must be a whole number >= 0, not '-1'", model),
        (["--max-tokens", "ten"], "--max-tokens: must be a whole number >= 0, not 'ten'", model),
        (["--repetition-penalty", "0"], "--repetition-penalty: must be a number > 0, not '0'", model),
        (["--seed", "-3"], "--seed: must be a whole number from 0 to 18446744073709551615, not '-3'",
         model),
    ]
    for extra, expected, artifact in cases:
        r = run("--prompt", "hi", *extra, artifact=artifact)
        want = "kiln-run: " + expected.format(bare=bare, eos=eos_model)
        check(r.code == 1 and r.err.count("\n") == 1 and r.err.startswith(want) and r.out == b"",
              f"{extra}: exit {r.code}, stderr {r.err!r}, expected a line starting {want!r}")
    r = run("--prompt", "hi", threads="0")
    check(r.code == 1 and r.err == "kiln-run: --threads: must be between 1 and 1024\n",
          f"--threads 0: {r.err!r}")
    r = run("--temperature", "1")
    check(r.code == 1 and r.err == "kiln-run: --temperature needs --prompt\n",
          f"--temperature without --prompt: {r.err!r}")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("kiln-run --prompt: all checks passed")
    return 0


def argmax_last(kiln_run, model, ids, work):
    """The argmax of the last position's logits, ids through prefill (1) and decode."""
    out = os.path.join(work, "chain.npy")
    subprocess.run([kiln_run, model, "--threads", "2", "--input-ids", ",".join(map(str, ids)),
                    "--prefill-len", "1", "--logits-out", out], check=True)
    with open(out, "rb") as f:
        data = f.read()
    os.unlink(out)
    header_len = struct.unpack("<H", data[8:10])[0]
    rows, vocab = eval(data[10:10 + header_len].decode("latin1"))["shape"]
    row = struct.unpack(f"<{vocab}f", data[10 + header_len + (rows - 1) * vocab * 4:])
    return max(range(vocab), key=lambda i: (row[i], -i))


if __name__ == "__main__":
    sys.exit(main())
