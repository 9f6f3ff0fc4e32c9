#!/usr/bin/env python3
"""Regenerates the tokenizer goldens under test/tokenizer/golden/ and the Unicode tables in
runtime/tokenizer/OnigUnicodeTables.inc, from Hugging Face `tokenizers`, `transformers` and
numpy (pinned in scripts/tokenizer-requirements.txt; see that file for the venv commands).

    python scripts/make-tokenizer-goldens.py [--tokenizer DIR] [--only PART,...]

PARTS: unicode, corpus, invalid, decode, chat, jinja, sampling (default: all). DIR defaults to
../shared/data/deepseek-v3-tokenizer beside the checkout. Everything written is deterministic:
a rerun with the same versions rewrites the same bytes.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDIR = os.path.join(ROOT, "test", "tokenizer")
GOLDEN = os.path.join(TESTDIR, "golden")
sys.path.insert(0, TESTDIR)

PINNED = {}
with open(os.path.join(ROOT, "scripts", "tokenizer-requirements.txt")) as f:
    for line in f:
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==")
            PINNED[name] = version


def check_versions():
    import importlib.metadata as md
    for name, version in PINNED.items():
        have = md.version(name)
        if have != version:
            print(f"warning: {name} {have} installed, goldens are pinned to {version}",
                  file=sys.stderr)


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(rows)} lines)")


def read_corpus():
    with open(os.path.join(TESTDIR, "corpus.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---------------------------------------------------------------------------------------------
# unicode: the code points Oniguruma (inside tokenizers) puts in \p{L} \p{M} \p{N} \p{P} \p{S}
# that PCRE2 does not (PCRE2 10.42 has Unicode 14 tables, this Oniguruma Unicode 16), and
# Oniguruma's \s. Kiln's pattern translation adds the former to PCRE2's classes and spells \s
# out (PCRE2's \s also matches U+180E, which Unicode 6.3 made a format character).

CLASSES = ["L", "M", "N", "P", "S"]


def onig_members(pattern):
    from tokenizers import Regex, pre_tokenizers
    cps = [c for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(map(chr, cps))
    kept = set()
    for piece, _ in pre_tokenizers.Split(Regex(pattern), "removed").pre_tokenize_str(text):
        kept.update(map(ord, piece))
    return {c for c in cps if c not in kept}


def pcre2_members(pattern):
    lib = ctypes.CDLL(ctypes.util.find_library("pcre2-8") or "libpcre2-8.so.0")
    lib.pcre2_compile_8.restype = ctypes.c_void_p
    lib.pcre2_compile_8.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32,
                                    ctypes.POINTER(ctypes.c_int),
                                    ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]
    lib.pcre2_match_data_create_from_pattern_8.restype = ctypes.c_void_p
    lib.pcre2_match_data_create_from_pattern_8.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.pcre2_match_8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                  ctypes.c_size_t, ctypes.c_uint32, ctypes.c_void_p,
                                  ctypes.c_void_p]
    lib.pcre2_get_ovector_pointer_8.restype = ctypes.POINTER(ctypes.c_size_t)
    lib.pcre2_get_ovector_pointer_8.argtypes = [ctypes.c_void_p]
    PCRE2_UTF, PCRE2_UCP = 0x00080000, 0x00020000
    err, off = ctypes.c_int(), ctypes.c_size_t()
    code_pattern = ("(?:" + pattern + ")+").encode()
    code = lib.pcre2_compile_8(code_pattern, len(code_pattern), PCRE2_UTF | PCRE2_UCP,
                               ctypes.byref(err), ctypes.byref(off), None)
    assert code, f"PCRE2 rejected {pattern}"
    md = lib.pcre2_match_data_create_from_pattern_8(code, None)
    cps = [c for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF]
    subject = "".join(map(chr, cps)).encode()
    starts, pos = {}, 0  # byte offset -> code point
    for c in cps:
        starts[pos] = c
        pos += len(chr(c).encode())
    members, start = set(), 0
    while start < len(subject):
        rc = lib.pcre2_match_8(code, subject, len(subject), start, 0, md, None)
        if rc < 0:
            break
        ov = lib.pcre2_get_ovector_pointer_8(md)
        b, e = ov[0], ov[1]
        i = b
        while i < e:
            c = starts[i]
            members.add(c)
            i += len(chr(c).encode())
        start = e
    return members


def ranges(points):
    out = []
    for c in sorted(points):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def make_unicode_tables():
    import tokenizers
    lines = [
        "// OnigUnicodeTables.inc - generated by scripts/make-tokenizer-goldens.py --only unicode;",
        "// do not edit. What Oniguruma, the regex engine inside Hugging Face tokenizers "
        f"{tokenizers.__version__},",
        "// matches and PCRE2's Unicode tables (older: 10.42 has Unicode 14) do not:",
        "//   KILN_ONIG_EXTRA(class, first, last)  code points Oniguruma puts in \\p{class}",
        "//   KILN_ONIG_SPACE(first, last)         Oniguruma's \\s (the White_Space property)",
    ]
    for cls in CLASSES:
        onig, pcre = onig_members(r"\p{%s}" % cls), pcre2_members(r"\p{%s}" % cls)
        extra_pcre = pcre - onig
        if extra_pcre:
            sys.exit(f"PCRE2's \\p{{{cls}}} has {len(extra_pcre)} code points Oniguruma's lacks "
                     f"(e.g. U+{min(extra_pcre):04X}): the translation only adds; update it")
        for a, b in ranges(onig - pcre):
            lines.append(f"KILN_ONIG_EXTRA({cls}, 0x{a:04X}, 0x{b:04X})")
    for a, b in ranges(onig_members(r"\s")):
        lines.append(f"KILN_ONIG_SPACE(0x{a:04X}, 0x{b:04X})")
    path = os.path.join(ROOT, "runtime", "tokenizer", "OnigUnicodeTables.inc")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({len(lines) - 5} ranges)")


# ---------------------------------------------------------------------------------------------
# corpus: ids of every corpus line, add_special_tokens=False.

def load_tokenizer(directory):
    from tokenizers import Tokenizer
    return Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))


def make_corpus_goldens(tok):
    lines = read_corpus()
    encodings = tok.encode_batch(lines, add_special_tokens=False)
    write_jsonl(os.path.join(GOLDEN, "corpus-ids.jsonl"), [e.ids for e in encodings])


# ---------------------------------------------------------------------------------------------
# invalid: raw byte lines that are not valid UTF-8, decoded with errors='replace' first.

def invalid_utf8_cases():
    r = random.Random(7)
    fragments = [b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xdf", b"\xe0\x80\x80", b"\xe0\xa0",
                 b"\xe4\xb8", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xef\xbf", b"\xf0\x80\x80\x80", b"\xf0\x9f",
                 b"\xf0\x9f\x98", b"\xf4\x90\x80\x80", b"\xf5", b"\xf8\x88\x80\x80\x80", b"\xfe", b"\xff",
                 b"\xc3\x28", b"\xe2\x28\xa1", b"\xe2\x82\x28", b"\xf0\x28\x8c\xbc", b"\xf0\x90\x28\xbc"]
    text = ["hello", " world", "你好", "😀", "é", " ", "123", "<｜User｜>", "\t", "ab", "\r"]
    cases = [f for f in fragments] + [b"a" + f + b"b" for f in fragments] + [f + f for f in fragments]
    for _ in range(200):
        parts = [r.choice(fragments) if r.random() < 0.4 else r.choice(text).encode() for _ in range(r.randint(1, 8))]
        cases.append(b"".join(parts))
    for _ in range(60):  # arbitrary bytes, no newline
        cases.append(bytes(r.choice([b for b in range(256) if b != 10]) for _ in range(r.randint(1, 24))))
    return cases


def make_invalid_goldens(tok):
    rows = []
    for raw in invalid_utf8_cases():
        assert b"\n" not in raw
        text = raw.decode("utf-8", errors="replace")
        rows.append({"hex": raw.hex(), "text": text, "ids": tok.encode(text, add_special_tokens=False).ids})
    write_jsonl(os.path.join(GOLDEN, "invalid-utf8.jsonl"), rows)


# ---------------------------------------------------------------------------------------------
# decode: ids to text, with and without special tokens: random ids over the whole vocabulary,
# pieces of corpus encodings cut anywhere (partial UTF-8 at both ends), runs of byte tokens.

def make_decode_goldens(tok):
    r = random.Random(11)
    vocab = tok.get_vocab_size(with_added_tokens=True)
    corpus_ids = [json.loads(line) for line in open(os.path.join(GOLDEN, "corpus-ids.jsonl"))]
    byte_ids = [tok.token_to_id(c) for c in bytes_to_unicode().values()]
    special = [t.content for t in tok.get_added_tokens_decoder().values()]
    special_ids = [tok.token_to_id(s) for s in special]
    cases = []
    for _ in range(150):
        cases.append([r.randrange(vocab) for _ in range(r.randint(1, 30))])
    for _ in range(250):
        ids = r.choice([c for c in corpus_ids if c])
        a = r.randrange(len(ids))
        cases.append(ids[a:a + r.randint(1, 20)])
    for _ in range(100):
        cases.append([r.choice(byte_ids + special_ids[:20]) for _ in range(r.randint(1, 16))])
    rows = []
    for ids in cases:
        rows.append({"ids": ids, "text": tok.decode(ids, skip_special_tokens=False),
                     "skipped": tok.decode(ids, skip_special_tokens=True)})
    write_jsonl(os.path.join(GOLDEN, "decode.jsonl"), rows)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


# ---------------------------------------------------------------------------------------------
# chat: every conversation under test/tokenizer/chat/ with the stored template, the edited one
# and the R1-style one; and the user lines `kiln-tokenize --chat` reads from stdin.

CHAT = os.path.join(TESTDIR, "chat")
TEMPLATES = {"stored": None, "edited": "edited-template.jinja", "r1-style": "r1-style-template.jinja"}


def make_chat_goldens(directory):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(directory)
    cases = []
    conversations = sorted(f for f in os.listdir(CHAT) if f.endswith(".json"))
    for template_name, template_file in TEMPLATES.items():
        template = open(os.path.join(CHAT, template_file), encoding="utf-8").read() if template_file else None
        for conv_file in conversations:
            conv = json.load(open(os.path.join(CHAT, conv_file), encoding="utf-8"))
            messages = conv["messages"] if isinstance(conv, dict) else conv
            extra = {k: v for k, v in conv.items() if k not in ("messages", "add_generation_prompt")} if isinstance(conv, dict) else {}
            default = messages[-1]["role"] != "assistant" if messages else True
            agp = conv.get("add_generation_prompt", default) if isinstance(conv, dict) else default
            case = {"template": template_name, "conversation": conv_file}
            try:
                text = tok.apply_chat_template(messages, chat_template=template, tokenize=False,
                                               add_generation_prompt=agp, **extra)
                ids = tok.apply_chat_template(messages, chat_template=template, tokenize=True,
                                              add_generation_prompt=agp, **extra)["input_ids"]
                assert ids == tok.encode(text, add_special_tokens=False)
                assert ids.count(tok.bos_token_id) == 1 and ids[0] == tok.bos_token_id
                case.update(text=text, ids=ids)
            except Exception as error:  # the template refused (raise_exception)
                case.update(error=str(error))
            cases.append(case)
    user_lines = []
    for line in open(os.path.join(CHAT, "user-lines.jsonl"), encoding="utf-8"):
        message = json.loads(line)
        user_lines.append(tok.apply_chat_template([{"role": "user", "content": message}], tokenize=True,
                                                  add_generation_prompt=True)["input_ids"])
    with open(os.path.join(GOLDEN, "chat.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": cases, "user_lines": user_lines}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote test/tokenizer/golden/chat.json ({len(cases)} cases, {len(user_lines)} user lines)")


# ---------------------------------------------------------------------------------------------

PARTS = ["unicode", "corpus", "invalid", "decode", "chat", "jinja", "sampling"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokenizer", default=os.path.join(os.path.dirname(ROOT), "shared", "data",
                                                             "deepseek-v3-tokenizer"))
    parser.add_argument("--only", default=",".join(PARTS))
    args = parser.parse_args()
    parts = args.only.split(",")
    check_versions()
    os.makedirs(GOLDEN, exist_ok=True)
    if "unicode" in parts:
        make_unicode_tables()
    if "jinja" in parts:
        make_jinja_goldens()
    if "sampling" in parts:
        import sampling_reference
        sampling_reference.write_goldens(os.path.join(GOLDEN, "sampling.json"))
    if not any(p in parts for p in ("corpus", "invalid", "decode", "chat")):
        return
    tok = load_tokenizer(args.tokenizer)
    if "corpus" in parts:
        make_corpus_goldens(tok)
    if "invalid" in parts:
        make_invalid_goldens(tok)
    if "decode" in parts:
        make_decode_goldens(tok)
    if "chat" in parts:
        make_chat_goldens(args.tokenizer)


# ---------------------------------------------------------------------------------------------
# jinja: small templates rendered by Jinja2 as transformers configures it.

def make_jinja_goldens():
    from transformers.utils.chat_template_utils import _compile_jinja_template
    import jinja_cases
    rows = []
    for name, template, context in jinja_cases.CASES:
        row = {"name": name, "template": template, "context": context}
        try:
            row["output"] = _compile_jinja_template(template).render(**context)
        except Exception as error:
            row["error"] = f"{type(error).__name__}: {error}"
        rows.append(row)
    with open(os.path.join(GOLDEN, "jinja.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": rows}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote test/tokenizer/golden/jinja.json ({len(rows)} cases)")


if __name__ == "__main__":
    main()
