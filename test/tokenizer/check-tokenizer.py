#!/usr/bin/env python3
"""Drives kiln-tokenize against the goldens that scripts/make-tokenizer-goldens.py wrote from
Hugging Face tokenizers/transformers. Standard library only.

    check-tokenizer.py CHECK KILN_TOKENIZE TOKENIZER_DIR

CHECK: corpus (ids of every corpus line), roundtrip (decoding the golden ids gives the line
back), decode (ids to text, with and without special tokens), invalid (raw lines that are not
UTF-8), chat (conversations with the stored, an edited and an R1-style template; --chat user
lines; the edited template stored in a tokenizer_config.json), errors (bad input gets one line
and exit status 1). Exit 77 (skipped) when TOKENIZER_DIR has no tokenizer.json.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
CHAT = os.path.join(HERE, "chat")


class Check:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def expect(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)

    def finish(self, name):
        for failure in self.failures[:20]:
            print("FAIL:", failure)
        if len(self.failures) > 20:
            print(f"... and {len(self.failures) - 20} more")
        print(f"{name}: {self.passed} passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def run(tool, args, stdin=b""):
    result = subprocess.run([tool] + args, input=stdin, capture_output=True)
    return result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8", "replace")


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def outputs(stdout):
    # Split on "\n" only: decoded text may hold U+2028, U+0085 and the like, which
    # str.splitlines() would also split on.
    return [json.loads(line) for line in stdout.split("\n") if line]


def short(value, n=100):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= n else text[:n] + "..."


def check_corpus(tool, tokenizer, c):
    corpus = jsonl(os.path.join(HERE, "corpus.jsonl"))
    golden = jsonl(os.path.join(GOLDEN, "corpus-ids.jsonl"))
    stdin = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in corpus).encode()
    rc, out, err = run(tool, [tokenizer, "--jsonl"], stdin)
    if rc != 0:
        c.expect(False, f"kiln-tokenize --jsonl exited {rc}: {err.strip()}")
        return
    got = outputs(out)
    c.expect(len(got) == len(golden), f"{len(got)} output lines for {len(golden)} corpus lines")
    for i, (text, want, have) in enumerate(zip(corpus, golden, got)):
        if want != have:
            k = next((j for j, (a, b) in enumerate(zip(want, have)) if a != b), min(len(want), len(have)))
            c.expect(False, f"corpus line {i + 1} {short(text, 60)}: first difference at token {k}: "
                            f"tokenizers {want[k:k + 5]}, kiln {have[k:k + 5]}")
        else:
            c.expect(True, "")


def check_roundtrip(tool, tokenizer, c):
    corpus = jsonl(os.path.join(HERE, "corpus.jsonl"))
    golden = jsonl(os.path.join(GOLDEN, "corpus-ids.jsonl"))
    stdin = "".join(json.dumps(ids) + "\n" for ids in golden).encode()
    rc, out, err = run(tool, [tokenizer, "--decode"], stdin)
    if rc != 0:
        c.expect(False, f"kiln-tokenize --decode exited {rc}: {err.strip()}")
        return
    for i, (text, have) in enumerate(zip(corpus, outputs(out))):
        c.expect(text == have, f"corpus line {i + 1}: decode(encode(x)) != x: {short(have, 60)} for {short(text, 60)}")


def check_decode(tool, tokenizer, c):
    rows = jsonl(os.path.join(GOLDEN, "decode.jsonl"))
    stdin = "".join(json.dumps(r["ids"]) + "\n" for r in rows).encode()
    for flag, key in (([], "text"), (["--skip-special-tokens"], "skipped")):
        rc, out, err = run(tool, [tokenizer, "--decode"] + flag, stdin)
        if rc != 0:
            c.expect(False, f"kiln-tokenize --decode {flag} exited {rc}: {err.strip()}")
            continue
        for i, (row, have) in enumerate(zip(rows, outputs(out))):
            c.expect(row[key] == have, f"decode case {i + 1} {flag} {short(row['ids'], 60)}: "
                                       f"tokenizers {short(row[key], 60)}, kiln {short(have, 60)}")


def check_invalid(tool, tokenizer, c):
    rows = jsonl(os.path.join(GOLDEN, "invalid-utf8.jsonl"))
    stdin = b"".join(bytes.fromhex(r["hex"]) + b"\n" for r in rows)
    rc, out, err = run(tool, [tokenizer], stdin)
    if rc != 0:
        c.expect(False, f"kiln-tokenize exited {rc}: {err.strip()}")
        return
    for i, (row, have) in enumerate(zip(rows, outputs(out))):
        c.expect(row["ids"] == have, f"invalid UTF-8 case {i + 1} ({row['hex']}): tokenizers {row['ids']}, kiln {have}")


def template_args(name):
    files = {"edited": "edited-template.jinja", "r1-style": "r1-style-template.jinja"}
    return ["--chat-template", os.path.join(CHAT, files[name])] if name in files else []


def check_chat_cases(tool, tokenizer, c, cases, extra_args=lambda case: template_args(case["template"])):
    for case in cases:
        where = f"{case['template']} template, {case['conversation']}"
        args = [tokenizer, "--messages", os.path.join(CHAT, case["conversation"])] + extra_args(case)
        rc, out, err = run(tool, args)
        if "error" in case:
            lines = err.strip().splitlines()
            ok = rc == 1 and len(lines) == 1 and ("Unknown role" not in case["error"] or case["error"] in lines[0])
            c.expect(ok, f"{where}: expected one error line ({case['error']}), got exit {rc}: {err.strip()}")
            continue
        if rc != 0:
            c.expect(False, f"{where}: exit {rc}: {err.strip()}")
            continue
        c.expect(json.loads(out) == case["ids"], f"{where}: ids differ from transformers: {short(json.loads(out))}")
        rc, out, err = run(tool, args + ["--render"])
        have = json.loads(out) if rc == 0 else err.strip()
        c.expect(have == case["text"], f"{where}: rendered {short(have)}, transformers {short(case['text'])}")


def check_chat(tool, tokenizer, c):
    golden = json.load(open(os.path.join(GOLDEN, "chat.json"), encoding="utf-8"))
    check_chat_cases(tool, tokenizer, c, golden["cases"])
    # --chat: one user message per stdin line (JSON strings here).
    with open(os.path.join(CHAT, "user-lines.jsonl"), "rb") as f:
        stdin = f.read()
    rc, out, err = run(tool, [tokenizer, "--chat", "--jsonl"], stdin)
    c.expect(rc == 0 and outputs(out) == golden["user_lines"], f"--chat user lines: exit {rc} {err.strip()} {short(out)}")
    for ids in (outputs(out) if rc == 0 else []):
        c.expect(ids.count(0) == 1 and ids[0] == 0, f"--chat: not exactly one BOS first: {short(ids)}")
    # The edited template as the *stored* one: a tokenizer_config.json that carries it.
    tmp = tempfile.mkdtemp(prefix="kiln-chat-")
    try:
        source = os.path.dirname(tokenizer) if tokenizer.endswith(".json") else tokenizer
        os.symlink(os.path.join(source, "tokenizer.json"), os.path.join(tmp, "tokenizer.json"))
        config = json.load(open(os.path.join(source, "tokenizer_config.json"), encoding="utf-8"))
        config["chat_template"] = open(os.path.join(CHAT, "edited-template.jinja"), encoding="utf-8").read()
        with open(os.path.join(tmp, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, ensure_ascii=False)
        edited = [case for case in golden["cases"] if case["template"] == "edited"]
        check_chat_cases(tool, os.path.join(tmp, "tokenizer.json"), c, edited, extra_args=lambda case: [])
    finally:
        shutil.rmtree(tmp)


def check_errors(tool, tokenizer, c):
    tmp = tempfile.mkdtemp(prefix="kiln-errors-")
    try:
        def write(name, text):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return path
        source = os.path.dirname(tokenizer) if tokenizer.endswith(".json") else tokenizer
        real = json.load(open(os.path.join(source, "tokenizer.json"), encoding="utf-8"))
        wordpiece = dict(real, model={"type": "WordPiece", "vocab": {}})
        nfc = dict(real, normalizer={"type": "NFC"})
        tiny = {"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a c"]}, "added_tokens": [],
                "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False},
                "decoder": {"type": "ByteLevel"}}
        bad_vocab = dict(tiny, model=dict(tiny["model"], vocab={"a": "zero"}))
        cases = [
            ([write("badmerge.json", json.dumps(tiny))], b"", "model.merges[0] names 'c', which is not in model.vocab"),
            ([write("badvocab.json", json.dumps(bad_vocab))], b"", "model.vocab['a'] is a string, not an id"),
            ([os.path.join(tmp, "missing.json")], b"", "missing.json: No such file or directory"),
            ([write("model.kiln", "")], b"", "not a Kiln artifact: 0 bytes, shorter than the 4096-byte preamble"),
            ([write("notjson.json", "{not json")], b"", "notjson.json: not JSON"),
            ([write("wordpiece.json", json.dumps(wordpiece))], b"", "model type 'WordPiece' is not supported"),
            ([write("nfc.json", json.dumps(nfc))], b"", "normalizer NFC is not supported"),
            ([tokenizer, "--jsonl"], b'"ok"\n[1, 2]\n', "<stdin>:2: not a JSON string"),
            ([tokenizer, "--decode"], b"[1, 2]\n[999999]\n", "<stdin>:2: id 999999 is not in the vocabulary"),
            ([tokenizer, "--decode"], b'"text"\n', "<stdin>:1: not a JSON array of ids"),
            ([tokenizer, "--messages", write("bad.json", "[{]")], b"", "bad.json: not JSON"),
            ([tokenizer, "--messages", write("empty.json", "[]")], b"", "empty.json: the conversation has no messages"),
            ([tokenizer, "--chat", "--chat-template", write("syntax.jinja", "{% if %}")], b"hi\n",
             "syntax.jinja: chat template line 1:"),
            ([tokenizer, "--chat", "--chat-template", write("unclosed.jinja", "{% for m in messages %}x")], b"hi\n",
             "expected 'endfor'"),
            ([tokenizer, "--chat", "--chat-template", write("raise.jinja", "{{ raise_exception('no chat here') }}")],
             b"hi\n", "the chat template refused the user message: no chat here"),
        ]
        for args, stdin, expected in cases:
            rc, out, err = run(tool, args, stdin)
            lines = err.strip().splitlines()
            c.expect(rc == 1 and len(lines) == 1 and expected in lines[0] and lines[0].startswith("kiln-tokenize: error: "),
                     f"{' '.join(os.path.basename(a) for a in args)}: expected exit 1 and one line with "
                     f"{expected!r}, got exit {rc}: {err.strip()!r}")
    finally:
        shutil.rmtree(tmp)


CHECKS = {"corpus": check_corpus, "roundtrip": check_roundtrip, "decode": check_decode,
          "invalid": check_invalid, "chat": check_chat, "errors": check_errors}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in CHECKS:
        sys.exit(__doc__)
    name, tool, directory = sys.argv[1:]
    tokenizer = os.path.join(directory, "tokenizer.json")
    if not os.path.exists(tokenizer):
        print(f"SKIP: {tokenizer} not found (the DeepSeek-V3 tokenizer lives in ../shared/data beside the checkout)")
        return 77
    c = Check()
    CHECKS[name](tool, tokenizer, c)
    return c.finish(name)


if __name__ == "__main__":
    sys.exit(main())
