#!/usr/bin/env python3
"""Writes test/tokenizer/corpus.jsonl: one JSON string per line (lines may hold newlines), the
strings Kiln's tokenizer must encode exactly as Hugging Face `tokenizers` does.

    python3 test/tokenizer/make-corpus.py

Standard library only; deterministic (a fixed seed, sorted inputs). Sections: the texts in
corpus-src/ (English, Chinese, Japanese, Korean, other scripts, code in several languages)
line by line and as multi-line chunks; numbers; emoji and ZWJ sequences; combining marks;
whitespace and newline runs; special-token strings inside text; a Unicode sweep (every code
point whose class PCRE2 and Oniguruma see differently, every White_Space character, samples
from every plane); long lines; random mixtures of all of these.
"""
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(HERE, "corpus-src")
rng = random.Random(20261122)


def read_lines(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as f:
        return f.read().split("\n")


def natural_language():
    out = []
    for name in ["en.txt", "zh.txt", "ja.txt", "ko.txt", "other.txt"]:
        lines = [line for line in read_lines(name) if line]
        out += lines
        # Pairs and paragraphs, joined by spaces, newlines or nothing.
        for i in range(0, len(lines) - 1, 2):
            out.append(lines[i] + rng.choice([" ", "\n", "", "  ", "\n\n"]) + lines[i + 1])
        # Case and spacing variants of English.
        if name == "en.txt":
            for line in lines[:30]:
                out += [line.upper(), line.lower(), " " + line, line + " ", "\t" + line]
    return out


def code():
    out = []
    for name in sorted(n for n in os.listdir(SRC) if n.startswith("code.")):
        lines = read_lines(name)
        out += [line for line in lines if line.strip()]
        for start in range(0, len(lines), 5):  # chunks of a few lines, with their newlines
            chunk = "\n".join(lines[start:start + rng.randint(3, 8)])
            if chunk.strip():
                out.append(chunk)
        out.append("\n".join(lines))  # the whole file
        out.append("\r\n".join(lines))  # with CRLF
    return out


def numbers():
    out = []
    for n in range(1, 25):
        out.append("".join(rng.choice("0123456789") for _ in range(n)))
    for _ in range(60):
        out.append(rng.choice([
            f"{rng.randint(-10**6, 10**6)}", f"{rng.random() * 10 ** rng.randint(-5, 12):.{rng.randint(0, 8)}f}",
            f"{rng.randint(0, 10**12):,}", f"{rng.random():.3e}", f"v{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 999)}",
            f"{rng.randint(1900, 2100)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"+{rng.randint(1, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            f"0x{rng.randint(0, 2**32):08X}", f"{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
            f"{rng.randint(1, 99)}/{rng.randint(1, 99)} = {rng.random():.4f}", f"${rng.randint(0, 9999)}.{rng.randint(0, 99):02d}",
        ]))
    out += ["１２３４５６７８９０", "٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "๐๑๒๓๔๕๖๗๘๙", "²³¹⁰⁴⁵ ₀₁₂₃", "½ ⅓ ¼ ⅕ ⅞ ↉",
            "Ⅰ Ⅱ Ⅲ Ⅳ Ⅻ ⅰⅱⅲ", "①②③④⑤⑩⑳", "𝟎𝟏𝟐𝟑 𝟘𝟙𝟚", "1234567890123456789012345678901234567890",
            "3.141592653589793238462643383279502884197169399375105820974944592307816406286",
            "1,234,567.89 1.234.567,89 1 234 567,89 12,34,567", "a1b22c333d4444e55555", "x=1;y=22;z=333;w=4444",
            "2^10=1024 2^20=1048576 2^30=1073741824", "−1 −2.5 (minus sign) vs -1 -2.5 (hyphen)"]
    return out


def emoji():
    base = ["😀", "😂", "🥲", "🤖", "🚀", "🔥", "💯", "✅", "❌", "⚠️", "❤️", "🧡", "💛", "💚", "💙", "💜", "🖤", "🤍",
            "👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿", "👋🏽", "🫶🏿", "👨‍👩‍👧‍👦", "👩‍❤️‍💋‍👨", "🧑🏽‍💻", "👩🏻‍🔬",
            "🏳️‍🌈", "🏳️‍⚧️", "🏴‍☠️", "🐻‍❄️", "❤️‍🔥", "🇯🇵", "🇺🇸", "🇨🇳", "🇰🇷", "🇪🇺", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#️⃣", "*️⃣",
            "©️", "®️", "™️", "☺", "☺️", "✌︎", "✌️", "🈶", "🀄", "🎌", "🙇‍♂️", "🤷‍♀️", "🧑‍🤝‍🧑", "🫠", "🪿", "🩷"]
    out = list(base)
    out.append("".join(base))
    out.append(" ".join(base))
    for _ in range(60):
        words = rng.sample(["hello", "world", "你好", "こんにちは", "안녕", "ok", "lol", "123", "!", "?"], 3)
        parts = words + rng.sample(base, rng.randint(1, 4))
        rng.shuffle(parts)
        out.append(rng.choice([" ", "", "\n"]).join(parts))
    return out


def combining():
    marks = [chr(c) for c in range(0x300, 0x36F)]
    out = ["e\u0301 vs é", "n\u0303 vs ñ", "a\u030a vs å", "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319a\u0360lgo",
           "\u0915\u094d\u0937 क्ष ज्ञ श्र", "\u0e01\u0e34\u0e48 กิ่ง", "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd שָׁלוֹם",
           "\u0628\u0650\u0633\u0652\u0645\u0650 بِسْمِ", "\u1100\u1161\u11a8 (jamo) vs 각", "\u0041\u030a\u0042\u0327\u0043\u0300",
           "q\u0307\u0323 ḍ̇ ṩ", "\u00e9\u0301\u0301\u0301", "\u20dd\u20de circled", "a\u200db\u200cc\u2060d\ufeffe",
           "\u0301leading mark", "x\ufe0f y\ufe0e", "ﬁ ﬂ ﬀ ligatures", "Ǆ ǅ ǆ digraphs", "İıŞşĞğ"]
    for _ in range(60):
        letters = rng.choice(["abcxyz", "αβγ", "абв", "漢字", "ひら", "한글", "1234", " ", "!?."])
        s = ""
        for ch in letters:
            s += ch + "".join(rng.choice(marks) for _ in range(rng.randint(0, 4)))
        out.append(s)
    return out


def whitespace():
    spaces = [" ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000", "\u2009", "\u200a", "\u2028", "\u2029", "\u0085",
              "\u000b", "\u000c", "\u1680", "\u180e", "\u202f", "\u205f", "\u200b", "\u2060", "\ufeff", "\u0000", "\x1c"]
    out = ["", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\r\n\r\n", " \n ", "\n \n", "a\n", "\na", "a \n b", "a  \n\n  b",
           " " * 17, "\t" * 9, "\n" * 13, " \t \t\n\t \n", "x" + " " * 40 + "y", "end with spaces   ", "   start with spaces",
           "a\u00a0b\u3000c\u2009d", "line1\rline2\rline3", "tab\tin\tthe\tmiddle\t", "trailing newline\n", "\n\n\nleading newlines"]
    for sp in spaces:
        out += [sp, "a" + sp + "b", sp * 3 + "x", "x" + sp * 2, "1" + sp + "2", "。" + sp + "「", sp + "!" + sp]
    for _ in range(80):
        out.append("".join(rng.choice(spaces + ["a", "B", "1", ".", "中", "😀", "-"]) for _ in range(rng.randint(1, 30))))
    return out


def special_tokens():
    with open(os.path.join(HERE, "corpus-src", "added-tokens.txt"), encoding="utf-8") as f:
        tokens = [json.loads(line) for line in f if line.strip()]
    out = []
    for token in tokens:
        out += [token, "text" + token + "text", " " + token + " ", token + token, "\n" + token + "\n"]
    for _ in range(60):
        parts = rng.sample(tokens, 2) + rng.sample(["Hello", " world", "你好", "\n", "  ", "<", ">", "|", "｜", "▁"], 3)
        rng.shuffle(parts)
        out.append("".join(parts))
    out += ["<｜User｜", "｜User｜>", "<|User|>", "<｜user｜>", "< ｜User｜>", "<<｜User｜>>", "<｜begin▁of▁sentence｜",
            "<｜begin_of_sentence｜>", "<|EOT|", "<|EOT|>>", "<think>reasoning</think>answer", "</think>", "<｜end▁of▁sentence｜>"]
    return out


def unicode_sweep():
    # The ranges the translation adds to PCRE2, and Oniguruma's White_Space set.
    path = os.path.join(ROOT, "runtime", "tokenizer", "OnigUnicodeTables.inc")
    points = []
    with open(path) as f:
        for line in f:
            m = re.match(r"KILN_ONIG_(?:EXTRA\(\w+, |SPACE\()0x([0-9A-F]+), 0x([0-9A-F]+)\)", line)
            if m:
                points += range(int(m.group(1), 16), int(m.group(2), 16) + 1)
    out = []
    contexts = ["{}", "a{}b", " {}", "{} ", "1{}2", "!{}", "{}!", "中{}", "\n{}"]
    for i in range(0, len(points), 40):
        chunk = points[i:i + 40]
        ctx = contexts[(i // 40) % len(contexts)]
        out.append(ctx.format("".join(map(chr, chunk))))
        out.append(" ".join(ctx.format(chr(c)) for c in chunk[:12]))
    # Samples of every plane, assigned or not (no surrogates).
    for _ in range(300):
        plane = rng.choice([0, 0, 0, 1, 1, 2, 3, 14, 15, 16])
        cps = [rng.randrange(plane * 0x10000, plane * 0x10000 + 0x10000) for _ in range(rng.randint(1, 12))]
        cps = [c for c in cps if not 0xD800 <= c <= 0xDFFF and c != 0]
        seps = [" ", "", "a", "1", ".", "\n", "  "]
        out.append("".join(chr(c) + rng.choice(seps) for c in cps))
    return out


def long_lines():
    zh = [line for line in read_lines("zh.txt") if line]
    return [
        "".join(re.sub(r"[，。！？：“”《》、]", "", line) for line in zh) * 3,  # a CJK run of thousands
        "a" * 3000, " " * 5000 + "x", "\n" * 2000, "1" * 2500, "ab" * 1500, "😀" * 500,
        " ".join(read_lines("en.txt")) * 4,
        "Ġ" * 100 + "ĉ" * 100 + "Ċ" * 100,  # byte-level characters as input text
    ]


def mixtures(pool):
    out = []
    seps = [" ", "", "\n", ", ", " — ", "\t", "  ", "。", "!", " (", ") "]
    for _ in range(400):
        parts = [rng.choice(pool)[:rng.randint(1, 80)] for _ in range(rng.randint(2, 5))]
        out.append("".join(p + rng.choice(seps) for p in parts))
    return out


def main():
    sections = [natural_language(), code(), numbers(), emoji(), combining(), whitespace(),
                special_tokens(), unicode_sweep(), long_lines()]
    pool = [s for section in sections[:7] for s in section if s]
    lines = [s for section in sections for s in section] + mixtures(pool)
    path = os.path.join(HERE, "corpus.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for s in lines:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(f"wrote {os.path.relpath(path, ROOT)}: {len(lines)} lines, "
          f"{sum(len(s.encode()) for s in lines)} bytes")


if __name__ == "__main__":
    main()
