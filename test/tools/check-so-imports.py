#!/usr/bin/env python3
"""The CPU code section of an artifact imports nothing beyond libc memory functions, and exports
exactly the kernels the header lists:

  check-so-imports.py ARTIFACT SECTIONS.txt      (SECTIONS.txt: kiln-inspect --sections, which
                                                 also says how many kernels the header lists)
"""
import re
import subprocess
import sys
import tempfile

ALLOWED = {"memcpy", "memmove", "memset"}


def main():
    artifact, listing = sys.argv[1], sys.argv[2]
    text = open(listing).read()
    kernels = int(re.search(r"target cpu \([^)]*\): (\d+) kernels", text)[1])
    m = re.search(r"elf-shared-object code\.cpu\s+offset (\d+) size (\d+)", text)
    if not m:
        print("FAIL: no code.cpu section")
        return 1
    offset, size = int(m[1]), int(m[2])
    with open(artifact, "rb") as f:
        f.seek(offset)
        code = f.read(size)
    with tempfile.NamedTemporaryFile(suffix=".so") as so:
        so.write(code)
        so.flush()
        undefined = subprocess.run(["nm", "-D", "--undefined-only", so.name], capture_output=True,
                                   text=True, check=True).stdout.split()
        imports = {w.split("@")[0] for w in undefined if w != "U" and not w.startswith("w")}
        defined = [l.split()[-1] for l in subprocess.run(
            ["nm", "-D", "--defined-only", so.name], capture_output=True, text=True,
            check=True).stdout.splitlines() if " T " in l]
        needed = subprocess.run(["readelf", "-d", so.name], capture_output=True, text=True,
                                check=True).stdout
    extra = sorted(imports - ALLOWED)
    print(f"imports: {sorted(imports) or 'none'}; exported kernels: {len(defined)}; "
          f"NEEDED entries: {needed.count('(NEEDED)')}")
    if extra:
        print(f"FAIL: the code imports {extra}")
        return 1
    if len(defined) != kernels:
        print(f"FAIL: {len(defined)} exported functions, the header lists {kernels} kernels")
        return 1
    print("code ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
