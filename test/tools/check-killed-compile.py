#!/usr/bin/env python3
"""A compile killed with SIGKILL part way through the artifact leaves nothing in the output
directory, and an artifact already there stays intact:

  check-killed-compile.py KILN_COMPILE CHECKPOINT_DIR
"""
import hashlib
import os
import subprocess
import sys
import tempfile


def main():
    compile_, checkpoint = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.kiln")
        env = dict(os.environ, KILN_TEST_KILL_AFTER_SECTIONS="5")
        r = subprocess.run([compile_, checkpoint, "-o", out], env=env, capture_output=True)
        left = os.listdir(tmp)
        print(f"killed compile: status {r.returncode}, directory holds {left}")
        if r.returncode != -9 or left:
            return 1
        subprocess.run([compile_, checkpoint, "-o", out], check=True)
        before = hashlib.sha256(open(out, "rb").read()).hexdigest()
        r = subprocess.run([compile_, checkpoint, "-o", out], env=env, capture_output=True)
        after = hashlib.sha256(open(out, "rb").read()).hexdigest()
        left = sorted(os.listdir(tmp))
        print(f"killed recompile: status {r.returncode}, directory holds {left}, "
              f"previous artifact {'intact' if before == after else 'CHANGED'}")
        if r.returncode != -9 or left != ["model.kiln"] or before != after:
            return 1
    print("killed compiles leave nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
