#!/usr/bin/env python3
"""kiln-compile's progress and disk safety while it writes an artifact:

  check-compile-safety.py KILN_COMPILE CHECKPOINT_DIR

- progress on stderr: not a terminal, plain lines ending with "wrote FILE: SIZE in T s"; on a
  terminal (a pty) one line redrawn with carriage returns, then ended; --quiet: nothing;
- free space checked first (KILN_TEST_FREE_BYTES stands for the file system's free bytes): one
  line naming the output, the bytes needed (at least the artifact's size) and the bytes free;
- ENOSPC part way (KILN_TEST_ENOSPC_AFTER_BYTES): one line;
- SIGINT raised part way (KILN_TEST_INTERRUPT_AFTER_SECTIONS), SIGTERM and SIGINT sent from
  outside to a compile paused part way (KILN_TEST_PAUSE_AFTER_SECTIONS): one line
  "kiln-compile: interrupted";
each failure: exit 1, nothing left in the output directory, an artifact already at the path
intact. Standard library only."""
import hashlib
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import time

failures = []


def check(condition, what):
    print(("ok: " if condition else "FAIL: ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    compile_, checkpoint = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = os.path.join(tmp, "out")
        os.mkdir(out_dir)
        out = os.path.join(out_dir, "model.kiln")

        def run(*extra, env=None):
            return subprocess.run([compile_, checkpoint, "-o", out, *extra],
                                  env=dict(os.environ, **(env or {})), capture_output=True,
                                  text=True)

        # Progress, not on a terminal: the last line says what was written.
        r = run()
        size = os.path.getsize(out) if os.path.exists(out) else 0
        lines = r.stderr.splitlines()
        check(r.returncode == 0 and size > 0, f"compile: exit {r.returncode}")
        check(len(lines) >= 1 and re.fullmatch(
            r"kiln-compile: wrote .*model\.kiln: [0-9.]+ (B|KiB|MiB|GiB)"
            r" in [0-9.]+ s(, [0-9.]+ (B|KiB|MiB|GiB)/s)?", lines[-1]) is not None
              and "\r" not in r.stderr,
              f"progress without a terminal: plain lines, the last one 'wrote': {lines[-1:]}")
        good = digest(out)
        r = run("--quiet")
        check(r.returncode == 0 and r.stderr == "", f"--quiet: stderr {r.stderr!r}")
        check(digest(out) == good, "the same bytes again")

        # Progress on a terminal: a redrawn line, ended by a newline.
        master, slave = pty.openpty()
        p = subprocess.Popen([compile_, checkpoint, "-o", out], stderr=slave,
                             stdout=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        p.wait()
        os.close(master)
        shown = b"".join(chunks).decode("utf-8", "replace")
        check(p.returncode == 0 and "\r\x1b[K" in shown and
              re.search(r"kiln-compile: wrote .*model\.kiln: .*\r?\n$", shown) is not None,
              f"progress on a terminal: a redrawn line, ended ({shown[-80:]!r})")

        def failed(what, r, expected):
            lines = r.stderr.splitlines()
            left = sorted(os.listdir(out_dir))
            check(r.returncode == 1, f"{what}: exit {r.returncode}")
            check(len(lines) == 1 and re.fullmatch(expected, lines[0]) is not None,
                  f"{what}: one line: {r.stderr!r}")
            check(left == ["model.kiln"] and digest(out) == good,
                  f"{what}: the directory holds {left}, the artifact already there "
                  f"{'intact' if os.path.exists(out) and digest(out) == good else 'CHANGED'}")

        # Not enough free space: found before anything is written. The size needed is at least
        # the artifact's and within 4 MiB of it (the header's bound).
        r = run(env={"KILN_TEST_FREE_BYTES": "1000"})
        failed("free space", r, r"kiln-compile: error: .*model\.kiln: not enough free space: the "
               r"artifact needs \d+ bytes \([0-9.]+ \w+\), the file system has 1000 bytes free")
        m = re.search(r"needs (\d+) bytes", r.stderr)
        needed = int(m.group(1)) if m else 0
        check(size <= needed <= size + (4 << 20),
              f"the size needed ({needed}) bounds the artifact's ({size}) closely")
        r = run(env={"KILN_TEST_FREE_BYTES": str(needed - 1)})
        failed("one byte short", r, r"kiln-compile: error: .*not enough free space: .*")
        r = run("--quiet", env={"KILN_TEST_FREE_BYTES": str(needed)})
        check(r.returncode == 0 and digest(out) == good, "exactly enough free space: written")

        # ENOSPC part way through.
        r = run(env={"KILN_TEST_ENOSPC_AFTER_BYTES": str(size // 2)})
        failed("ENOSPC", r, r"kiln-compile: error: .*model\.kiln: write failed: No space left on "
               r"device after \d+ bytes .* of \d+ bytes .*; nothing was left behind")

        # SIGINT raised by the compile itself after a few sections.
        r = run(env={"KILN_TEST_INTERRUPT_AFTER_SECTIONS": "3"})
        failed("SIGINT part way", r, r"kiln-compile: interrupted")

        # SIGTERM and SIGINT from outside, while the compile waits part way through.
        for sig in (signal.SIGTERM, signal.SIGINT):
            marker = os.path.join(tmp, "paused")
            if os.path.exists(marker):
                os.unlink(marker)
            p = subprocess.Popen([compile_, checkpoint, "-o", out],
                                 env=dict(os.environ, KILN_TEST_PAUSE_AFTER_SECTIONS="4",
                                          KILN_TEST_PAUSE_MARKER=marker),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            deadline = time.time() + 120
            while not os.path.exists(marker) and p.poll() is None and time.time() < deadline:
                time.sleep(0.02)
            p.send_signal(sig)
            _, err = p.communicate(timeout=120)
            failed(f"{signal.Signals(sig).name} from outside",
                   subprocess.CompletedProcess(p.args, p.returncode, "", err),
                   r"kiln-compile: interrupted")

        # Without an artifact at the path: nothing at all is left.
        os.unlink(out)
        r = run(env={"KILN_TEST_INTERRUPT_AFTER_SECTIONS": "3"})
        check(r.returncode == 1 and os.listdir(out_dir) == [],
              f"interrupted first compile: the directory holds {os.listdir(out_dir)}")
        r = run(env={"KILN_TEST_ENOSPC_AFTER_BYTES": "5000"})
        check(r.returncode == 1 and os.listdir(out_dir) == [],
              f"ENOSPC on a first compile: the directory holds {os.listdir(out_dir)}")
    print(f"compile safety: {'all passed' if not failures else f'{len(failures)} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
