#!/usr/bin/env python3
"""Round-trip test of extract-gpu-binary.py: bytes escaped exactly as MLIR prints them
(llvm::printEscapedString) come back unchanged, through the command line as scripts/gpu-check
calls it. Exits 1 naming the first case that fails."""
import os
import random
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'extract-gpu-binary.py')


def mlir_escape(data):
    """llvm::printEscapedString: '\\' doubled, printable ASCII but '"' as is, else \\XX."""
    out = []
    for byte in data:
        if byte == 0x5C:
            out.append('\\\\')
        elif 0x20 <= byte <= 0x7E and byte != 0x22:
            out.append(chr(byte))
        else:
            out.append('\\%02X' % byte)
    return ''.join(out)


def ir(objects):
    """Printed IR with one gpu.binary per (name, [(chip, format, bytes)])."""
    lines = ['module attributes {gpu.container_module} {']
    for name, entries in objects:
        printed = ', '.join(
            f'#gpu.object<#nvvm.target<O = 3, chip = "{chip}", features = "+ptx80">, '
            f'properties = {{O = 3 : i32}}, {fmt} = "{mlir_escape(data)}">'
            for chip, fmt, data in entries)
        lines.append(f'  gpu.binary @{name}  [{printed}]')
    lines.append('}')
    return '\n'.join(lines) + '\n'


def extract(text, *args):
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, 'in.mlir')
        with open(source, 'w', encoding='latin-1') as f:
            f.write(text)
        out = os.path.join(tmp, 'out.bin')
        result = subprocess.run([sys.executable, SCRIPT, source, '-o', out, *args],
                                capture_output=True, text=True)
        data = open(out, 'rb').read() if result.returncode == 0 else None
        return result.returncode, data, result.stderr.strip()


def main():
    rng = random.Random(1234)
    every_byte = bytes(range(256))
    cases = {
        'every byte value': every_byte * 3,
        'random 64 KiB': bytes(rng.getrandbits(8) for _ in range(65536)),
        'backslash before hex digits': b'\\41\\\\0A"\\"\n\t',
        'empty': b'',
        'an ELF header': b'\x7fELF\x02\x01\x01A' + bytes(8),
    }
    failures = []
    for label, data in cases.items():
        for fmt in ('bin', 'assembly'):
            rc, got, err = extract(ir([('smoke', [('sm_90a', fmt, data)])]))
            if rc != 0 or got != data:
                failures.append(f'{label} ({fmt}): rc={rc} {err}')

    # Several objects: picked by binary name and chip; ambiguity is an error naming the file.
    a, b, c = b'first\x00', b'second\x7f', b'third"\\'
    text = ir([('one', [('sm_90a', 'bin', a), ('sm_80', 'assembly', b)]), ('two', [('sm_90a', 'bin', c)])])
    for args, want in ((('--binary', 'one', '--chip', 'sm_80'), b),
                       (('--binary', 'two'), c),
                       (('--binary', 'one', '--chip', 'sm_90a'), a)):
        rc, got, err = extract(text, *args)
        if rc != 0 or got != want:
            failures.append(f'selection {args}: rc={rc} got {got!r} {err}')
    rc, _, err = extract(text)
    if rc == 0 or 'in.mlir: found 3 gpu.objects' not in err:
        failures.append(f'ambiguous input was not rejected by name: rc={rc} {err!r}')
    rc, _, err = extract('module {}\n')
    if rc == 0 or 'in.mlir: found no gpu.object' not in err:
        failures.append(f'input without objects was not rejected: rc={rc} {err!r}')

    for failure in failures:
        print(f'FAIL: {failure}')
    if failures:
        return 1
    print(f'extract-gpu-binary round trip ok: {len(cases)} byte patterns x 2 formats, selection, errors')
    return 0


if __name__ == '__main__':
    sys.exit(main())
