#!/usr/bin/env python3
"""scripts/demo with the tools already built (KILN_DEMO_SKIP_BUILD=1 in the environment):

    check-demo-script.py SCRIPTS_DEMO TOKENIZER_DIR

Checks exit 0, the header's one line saying the weights are random (gibberish expected), the
timed compile, streamed text and kiln-run's statistics line with the demo's 48 tokens. Exits 77
(skipped) without the DeepSeek-V3 tokenizer. Standard library only."""
import os
import re
import subprocess
import sys


def main():
    demo, tokenizer = sys.argv[1], sys.argv[2]
    if not os.path.isfile(os.path.join(tokenizer, "tokenizer.json")):
        print(f"SKIP: {tokenizer}/tokenizer.json is absent")
        return 77
    prompt = "Say hello in five languages."
    result = subprocess.run([demo, prompt], capture_output=True)
    out = result.stdout.decode("utf-8")  # all text valid UTF-8
    print(out, result.stderr.decode("utf-8", "replace"), sep="")
    lines = out.splitlines()
    problems = []
    if result.returncode != 0:
        problems.append(f"exit {result.returncode}")
    if not any("random" in line and "gibberish" in line for line in lines[:3]):
        problems.append("no header line saying the weights are random and the text gibberish")
    if not any(re.match(r"compiled in [0-9.]+ s: .*model\.kiln \([0-9.]+ MB\)$", l) for l in lines):
        problems.append("no 'compiled in N s' line")
    if not any(f'--prompt "{prompt}"' in line for line in lines):
        problems.append("the prompt argument is not used")
    stats = [l for l in lines if l.startswith("kiln-run: load ")]
    if len(stats) != 1 or not re.search(r"; generated (48 tokens|\d+ tokens?, .*; stop: eos)", stats[0]):
        problems.append(f"statistics line: {stats}")
    else:
        start = next((i for i, l in enumerate(lines) if l.startswith("-- reply")), None)
        reply = lines[start + 1:lines.index(stats[0])] if start is not None else []
        if not "".join(reply).strip():
            problems.append("no generated text between '-- reply' and the statistics")
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
