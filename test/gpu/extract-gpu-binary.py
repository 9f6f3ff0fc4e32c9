#!/usr/bin/env python3
"""Extracts the PTX or cubin bytes of a gpu.binary from MLIR's printed IR.

gpu-module-to-binary leaves each target's code in the IR as an escaped string:
    gpu.binary @smoke [#gpu.object<#nvvm.target<chip = "sm_90a", ...>, properties = {...},
                       bin = "\\7FELF\\02...">]        (format=bin: a cubin)
                                                 assembly = "//\\0A// Generated ..."  (format=isa: PTX)
MLIR prints a string attribute with llvm::printEscapedString: printable ASCII as is, except
'\\' as "\\\\", and every other byte (and '"') as '\\' and two hex digits. This undoes that.

    extract-gpu-binary.py IR.mlir|- -o OUT|- [--binary NAME] [--chip sm_90a]

Exits 1 with one line naming the input when it finds no object, or several and no way to pick.
"""
import argparse
import re
import sys

# The format keyword gpu.object prints before its string (bin, assembly, fatbin, offload).
OBJECT_STRING = re.compile(r'\b(bin|assembly|fatbin|offload)\s*=\s*"')
CHIP = re.compile(r'chip\s*=\s*"([^"]*)"')
BINARY = re.compile(r'gpu\.binary\s+@([\w$.]+)')
SIMPLE_ESCAPES = {'n': 0x0A, 't': 0x09, '"': 0x22, '\\': 0x5C}


def unescape(text, start):
    """Decodes the MLIR string literal body starting at text[start] (after the opening quote).

    Returns (bytes, index just past the closing quote)."""
    out = bytearray()
    i = start
    while i < len(text):
        c = text[i]
        if c == '"':
            return bytes(out), i + 1
        if c != '\\':
            out.append(ord(c))  # the text is read as latin-1: one character, one byte
            i += 1
            continue
        # As MLIR's lexer: \\ \" \n \t, or two hex digits (none of n t " \ is one).
        nxt = text[i + 1:i + 2]
        if nxt in SIMPLE_ESCAPES:
            out.append(SIMPLE_ESCAPES[nxt])
            i += 2
        elif re.fullmatch(r'[0-9A-Fa-f]{2}', text[i + 1:i + 3]):
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            raise ValueError(f'bad escape {text[i:i + 3]!r} at offset {i}')
    raise ValueError('unterminated string')


def find_objects(text):
    """Yields (binary name, chip, format, bytes) for every gpu.object in the IR, scanning past
    each string it decodes so that bytes inside one can never look like the next object."""
    name = None
    position = 0
    while True:
        start = text.find('#gpu.object<', position)
        if start < 0:
            return
        for binary in BINARY.finditer(text, position, start):
            name = binary.group(1)
        string = OBJECT_STRING.search(text, start)
        if not string:
            return
        chip = CHIP.search(text, start, string.start())
        data, position = unescape(text, string.end())
        yield name, chip.group(1) if chip else None, string.group(1), data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('input', help="printed IR ('-' for stdin)")
    parser.add_argument('-o', '--output', required=True, help="where to write the bytes ('-' for stdout)")
    parser.add_argument('--binary', help='the gpu.binary symbol, when the IR has several')
    parser.add_argument('--chip', help='the target chip, when a binary has several objects')
    args = parser.parse_args()

    name = '<stdin>' if args.input == '-' else args.input
    try:
        raw = sys.stdin.buffer.read() if args.input == '-' else open(args.input, 'rb').read()
        objects = [o for o in find_objects(raw.decode('latin-1'))
                   if (args.binary is None or o[0] == args.binary)
                   and (args.chip is None or o[1] == args.chip)]
    except (OSError, ValueError) as error:
        sys.exit(f'extract-gpu-binary: {name}: {error}')
    if len(objects) != 1:
        what = 'no gpu.object' if not objects else f'{len(objects)} gpu.objects (pick with --binary/--chip)'
        sys.exit(f'extract-gpu-binary: {name}: found {what}'
                 + (f' for binary {args.binary}' if args.binary else '')
                 + (f' for chip {args.chip}' if args.chip else ''))
    data = objects[0][3]
    if args.output == '-':
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, 'wb') as out:
            out.write(data)


if __name__ == '__main__':
    main()
