#!/usr/bin/env python3
"""Rechecks an FP8 GEMM dump of kiln-kernel-test (--dump-dir) off the GPU machine, independently
of FP8GemmCheck.cpp: its own e4m3 decoding, Python's floats (float64).

    check-fp8gemm-dump.py FILE.fp8gemm... [--rows N]

A dump is int64 M, N, K, BN (little-endian), then a (M*K e4m3 bytes), b (N*K), a_s (M*K/128
f32), b_s (ceil(N/128)*K/128 f32), c (M*N f32, as the kernel wrote it). Prints per file the max
abs error, max |reference|, their ratio, and the largest error relative to
sum_kb a_s*b_s*sum_{k in kb} |a b| (the scale of the wgmma FP8 accumulator's rounding; the check
allows 2^-8); with --rows N only every N-th row is computed (Python is slow: ~1M multiply-adds a
second). Elements off by more than that allowance are listed (the first five) and the exit
status is 1.
"""
import argparse
import math
import struct
import sys


def decode(code):
    sign = -1.0 if code & 0x80 else 1.0
    exponent, mantissa = (code >> 3) & 15, code & 7
    if exponent == 15 and mantissa == 7:
        return math.nan
    if exponent == 0:
        return sign * (mantissa / 8.0) * 2.0 ** -6
    return sign * (1 + mantissa / 8.0) * 2.0 ** (exponent - 7)


def check(path, every):
    data = open(path, "rb").read()
    m, n, k, bn = struct.unpack_from("<4q", data, 0)
    offset = 32
    a = data[offset:offset + m * k]
    offset += m * k
    b = data[offset:offset + n * k]
    offset += n * k
    kb_count, n_blocks = k // 128, (n + 127) // 128
    a_s = struct.unpack_from(f"<{m * kb_count}f", data, offset)
    offset += 4 * m * kb_count
    b_s = struct.unpack_from(f"<{n_blocks * kb_count}f", data, offset)
    offset += 4 * n_blocks * kb_count
    c = struct.unpack_from(f"<{m * n}f", data, offset)
    values = [decode(code) for code in range(256)]
    max_err = max_ref = worst = 0.0
    wrong = []
    for row in range(0, m, every):
        for col in range(n):
            total = magnitude = 0.0
            for kb in range(kb_count):
                partial = size = 0.0
                for i in range(kb * 128, kb * 128 + 128):
                    product = values[a[row * k + i]] * values[b[col * k + i]]
                    partial += product
                    size += abs(product)
                scale = a_s[row * kb_count + kb] * b_s[(col // 128) * kb_count + kb]
                total += partial * scale
                magnitude += size * scale
            err = abs(c[row * n + col] - total)
            if math.isnan(err):
                err = math.inf
            max_err, max_ref = max(max_err, err), max(max_ref, abs(total))
            worst = max(worst, err / magnitude if magnitude else err)
            if err > magnitude / 256 and len(wrong) < 5:
                wrong.append((row, col, c[row * n + col], total))
    name = path.rsplit("/", 1)[-1]
    print(f"{name}: {m}x{n}x{k} BN {bn}: max abs err {max_err:.3e}, max |ref| {max_ref:.3e}, "
          f"rel {max_err / max_ref if max_ref else 0:.3e}, max err / sum s*S "
          f"{worst:.3e} (2^{math.log2(worst) if worst else -math.inf:.1f})")
    for row, col, got, want in wrong:
        print(f"  C[{row}, {col}] = {got:.6g}, want {want:.6g}")
    return not wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dumps", nargs="+")
    parser.add_argument("--rows", type=int, default=1, help="compute every N-th row only")
    args = parser.parse_args()
    ok = all([check(path, args.rows) for path in args.dumps])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
