#!/usr/bin/env python3
"""DeepSeek-V3's FP8 GEMM shapes: Kiln's kernels against cuBLASLt in the same run.

Runs on the GPU machine after kiln-kernel-test (scripts/gpu-check --run does both). It times
cuBLASLt's FP8 GEMM through PyTorch's scaled_mm on every shape, with two scalings:
  - blockwise: A with 1x128 and B with 128x128 f32 scales, bf16 out. This is DeepSeek's
    semantics and Kiln's (../shared/reference/deepseek-model.md §3.3). cuBLASLt supports it on
    Hopper from CUDA 12.9.
  - tensorwise: one f32 scale per operand, bf16 out. This is cuBLASLt's fastest FP8 path and
    the usual "cuBLASLt FP8" number.
It reads Kiln's times for the same shapes from kiln-kernel-test's table (--kiln-table) and
prints one table. The columns are TFLOPS, the percentage of the H100's 1979 TFLOPS dense FP8
peak, Kiln / cuBLASLt, and Kiln / DeepGEMM's published H800 figure. H800 and H100 SXM have the
same FP8 tensor throughput; H800 has less NVLink bandwidth, which these GEMMs do not use.

Both sides are timed alike: one buffer set per shape, warm-up launches, then CUDA events around
--iterations back-to-back launches, reporting the mean. This is kiln-kernel-test's method; here
the launches are replayed from a CUDA graph, so Python's dispatch is not timed.

Before timing, the blockwise call is checked on a small shape against a float64 emulation of the
same block-scaled semantics. A layout or semantics mismatch therefore shows up as an error, not
as a wrong baseline.

Needs: python3 with torch (CUDA). Without them, or without a GPU, it prints why and exits 0.
"""
import argparse
import re
import sys

PEAK_TFLOPS = 1979.0  # H100 SXM dense FP8 (no sparsity)
V3_NK = [(2112, 7168), (24576, 1536), (32768, 512), (7168, 16384), (4096, 7168), (7168, 2048)]
V3_MS = [64, 128, 4096]
# DeepGEMM README (normal GEMMs for dense models, H800, NVCC 12.8), TFLOPS by (M, N, K).
DEEPGEMM_H800 = {
    (64, 2112, 7168): 206, (64, 24576, 1536): 289, (64, 32768, 512): 219,
    (64, 7168, 16384): 336, (64, 4096, 7168): 287, (64, 7168, 2048): 295,
    (128, 2112, 7168): 352, (128, 24576, 1536): 535, (128, 32768, 512): 358,
    (128, 7168, 16384): 645, (128, 4096, 7168): 533, (128, 7168, 2048): 510,
    (4096, 2112, 7168): 1058, (4096, 24576, 1536): 990, (4096, 32768, 512): 590,
    (4096, 7168, 16384): 1358, (4096, 4096, 7168): 1304, (4096, 7168, 2048): 1025,
}
# The same README's grouped GEMMs, TFLOPS by (layout, groups, M per group, N, K).
DEEPGEMM_GROUPED_H800 = {
    ("grouped", 4, 8192, 4096, 7168): 1297, ("grouped", 4, 8192, 7168, 2048): 1099,
    ("masked", 4, 256, 4096, 7168): 932, ("masked", 4, 256, 7168, 2048): 815,
}


def passing_rows(path, pattern):
    """The regex matches of kiln-kernel-test's table rows (an empty list without a table)."""
    if not path:
        return []
    row = re.compile(pattern)
    with open(path) as f:
        return [m for m in map(row.match, f) if m]


def kiln_times(path):
    """The fastest passing cubin time per (M, N, K) in kiln-kernel-test's table, over
    kiln-compile's sm_90a GEMMs: fp8_gemm_sm90 ("sm90 swap" with swap A/B, "sm90 multicast"
    with clusters of two sharing the weight tile, "... tmastore" with the TMA-store epilogue,
    "... prefetch" with the next unit's scales prefetched).

    A row reads: kernel, target ("sm_90a cubin"), shape MxNxKxBMxBNxSTAGESxSCALEBITSxSPLITSx
    OUTBITS, max abs err, max rel err, result, time (us), TFLOPS."""
    best = {}
    for match in passing_rows(path, r"^fp8_gemm_(sm90_swap|sm90_multicast|sm90)(?!_grouped|_masked)(\S*)\s+sm_90a "
                                    r"cubin\s+(\d+)x(\d+)x(\d+)x(\d+)x(\d+)x(\d+)((?:x\d+)*)"
                                    r"\s+\S+\s+\S+\s+pass\s+([0-9.]+)"):
        family = match.group(1).replace("_", " ")  # "sm90 swap", "sm90 multicast"
        dims = [int(x) for x in match.groups()[2:8]]
        key = tuple(dims[:3])
        extra = [int(x) for x in match.group(9).split("x")[1:]]
        split = extra[1] if len(extra) > 1 and extra[1] > 1 else 1
        tile = f"{family} {dims[3]}x{dims[4]} s{dims[5]}" + (f" split {split}" if split > 1 else "")
        tile += " bf16" if len(extra) > 2 and extra[2] == 16 else ""
        tile += " tmastore" if "_tmastore" in match.group(2) else ""
        tile += " prefetch" if match.group(2).endswith("_prefetch") else ""
        us = float(match.group(10))
        if key not in best or us < best[key][0]:
            best[key] = (us, tile)
    return best


def kiln_grouped_times(path):
    """Passing grouped cubin rows with full groups (COUNTS 1): {(layout, G, M, N, K): (us, tile)}."""
    best = {}
    for match in passing_rows(path, r"^fp8_gemm_sm90_(grouped|masked)\S*\s+sm_90a cubin\s+"
                                    r"(\d+)x(\d+)x(\d+)x(\d+)x(\d+)x(\d+)x(\d+)x(\d+)x(\d+)x1"
                                    r"\s+\S+\s+\S+\s+pass\s+([0-9.]+)"):
        d = [int(x) for x in match.groups()[1:10]]
        key = (match.group(1), d[0], d[1], d[2], d[3])
        tile = f"{d[4]}x{d[5]} s{d[6]}" + (f" split {d[8]}" if d[8] > 1 else "") + \
            (" bf16" if d[7] == 16 else "")
        us = float(match.group(11))
        if key not in best or us < best[key][0]:
            best[key] = (us, tile)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiln-table", help="kiln-kernel-test's output (its result table)")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("v3-gemm-baseline: no torch in this python3: cuBLASLt baseline skipped")
        return 0
    if not torch.cuda.is_available():
        print("v3-gemm-baseline: no CUDA GPU visible to torch: cuBLASLt baseline skipped")
        return 0
    dev = torch.device("cuda")
    name = torch.cuda.get_device_name()
    print(f"v3-gemm-baseline: {name}, torch {torch.__version__}, CUDA {torch.version.cuda}")
    e4m3 = torch.float8_e4m3fn

    def rand_e4m3(rows, cols):
        return (torch.randn(rows, cols, device=dev) * 2).clamp(-448, 448).to(e4m3)

    def blockwise_scales(m, n, k):
        kb = (k + 127) // 128
        nb = (n + 127) // 128
        l4 = (kb + 3) // 4 * 4
        sa = (torch.rand(kb, m, device=dev) + 0.5).t()          # (M, KB), M-major
        sb = (torch.rand(nb, l4, device=dev) + 0.5).t()         # (L4, NB), outer-major
        return sa, sb

    def call_blockwise(a, bt, sa, sb):
        if hasattr(F, "scaled_mm") and hasattr(F, "ScalingType"):
            st = F.ScalingType
            return F.scaled_mm(a, bt, sa, st.BlockWise1x128, sb, st.BlockWise128x128,
                               output_dtype=torch.bfloat16)
        return torch._scaled_mm(a, bt, sa, sb, out_dtype=torch.bfloat16)

    def call_tensorwise(a, bt, sa, sb):
        return torch._scaled_mm(a, bt, sa, sb, out_dtype=torch.bfloat16)

    def time_us(fn):
        """Mean microseconds per call over --iterations calls, replayed from one CUDA graph.

        Python's dispatch of one scaled_mm takes longer than the small shapes' kernels. Events
        around eager calls would time the host, not cuBLASLt. kiln-kernel-test's back-to-back
        cuLaunchKernel calls from C++ keep the GPU busy. A graph does the same for the
        baseline. Falls back to eager back-to-back calls (and says so) if capture fails."""
        for _ in range(args.warmup):
            fn()
        torch.cuda.synchronize()
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        try:
            graph = torch.cuda.CUDAGraph()
            stream = torch.cuda.Stream()
            with torch.cuda.stream(stream):
                with torch.cuda.graph(graph, stream=stream):
                    for _ in range(args.iterations):
                        fn()
            graph.replay()
            torch.cuda.synchronize()
            start.record()
            graph.replay()
            stop.record()
        except Exception as error:  # noqa: BLE001 (capture refused: time eager calls)
            print(f"  graph capture failed ({str(error).splitlines()[0]}): eager timing")
            start.record()
            for _ in range(args.iterations):
                fn()
            stop.record()
        stop.synchronize()
        return start.elapsed_time(stop) * 1000.0 / args.iterations

    # Check the blockwise call's semantics once, on a small shape, against float64.
    blockwise_ok = False
    try:
        m, n, k = 256, 384, 512
        a, b = rand_e4m3(m, k), rand_e4m3(n, k)
        sa, sb = blockwise_scales(m, n, k)
        out = call_blockwise(a, b.t(), sa, sb).double()
        ad, bd = a.double(), b.double()
        ref = torch.zeros(m, n, dtype=torch.float64, device=dev)
        for kb in range(k // 128):
            part = ad[:, kb * 128:(kb + 1) * 128] @ bd[:, kb * 128:(kb + 1) * 128].t()
            sbn = sb[kb].double().repeat_interleave(128)[:n]
            ref += part * sa[:, kb].double()[:, None] * sbn[None, :]
        rel = ((out - ref).norm() / ref.norm()).item()
        blockwise_ok = rel < 1e-2
        print(f"v3-gemm-baseline: cuBLASLt blockwise (1x128 x 128x128) against float64: "
              f"relative error {rel:.2e} ({'ok' if blockwise_ok else 'MISMATCH: not timed'})")
    except Exception as error:  # noqa: BLE001 (any refusal means: no blockwise baseline)
        print(f"v3-gemm-baseline: cuBLASLt blockwise scaling unavailable: "
              f"{str(error).splitlines()[0]}")

    kiln = kiln_times(args.kiln_table)
    rows = []
    for m in V3_MS:
        for n, k in V3_NK:
            a, b = rand_e4m3(m, k), rand_e4m3(n, k)
            bt = b.t()
            one = torch.ones((), device=dev)
            flops = 2.0 * m * n * k
            t_tensor = time_us(lambda: call_tensorwise(a, bt, one, one))
            t_block = None
            if blockwise_ok:
                sa, sb = blockwise_scales(m, n, k)
                try:
                    t_block = time_us(lambda: call_blockwise(a, bt, sa, sb))
                except Exception as error:  # noqa: BLE001
                    print(f"  {m}x{n}x{k}: blockwise refused: {str(error).splitlines()[0]}")
            rows.append((m, n, k, flops, kiln.get((m, n, k)), t_block, t_tensor))
            del a, b

    def tf(flops, us):
        return flops / us / 1e6 if us else None

    def fmt(x, spec="{:.1f}"):
        return "-" if x is None else spec.format(x)

    print()
    print("| M | N | K | Kiln tile | Kiln TFLOPS | % of peak | cuBLASLt blockwise | "
          "Kiln / blockwise | cuBLASLt tensorwise | Kiln / tensorwise | DeepGEMM H800 | "
          "Kiln / DeepGEMM |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for m, n, k, flops, kt, tb, tt in rows:
        kiln_tf = tf(flops, kt[0]) if kt else None
        block_tf, tensor_tf = tf(flops, tb), tf(flops, tt)
        dg = DEEPGEMM_H800.get((m, n, k))
        print(f"| {m} | {n} | {k} | {kt[1] if kt else '-'} | {fmt(kiln_tf)} | "
              f"{fmt(kiln_tf and 100 * kiln_tf / PEAK_TFLOPS)} | {fmt(block_tf)} | "
              f"{fmt(kiln_tf and block_tf and kiln_tf / block_tf, '{:.2f}')} | {fmt(tensor_tf)} | "
              f"{fmt(kiln_tf and tensor_tf and kiln_tf / tensor_tf, '{:.2f}')} | {dg} | "
              f"{fmt(kiln_tf and kiln_tf / dg, '{:.2f}')} |")

    grouped = kiln_grouped_times(args.kiln_table)
    if grouped:
        print()
        print("Grouped (MoE experts), every group full. The baseline is cuBLASLt's dense "
              "blockwise GEMM over the same G x M rows and one weight: the same FLOPs without "
              "the grouping.")
        print()
        print("| layout | groups x M | N | K | Kiln tile | Kiln TFLOPS | % of peak | "
              "cuBLASLt dense blockwise | Kiln / dense | DeepGEMM H800 | Kiln / DeepGEMM |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for (layout, g, m, n, k), (us, tile) in sorted(grouped.items()):
            flops = 2.0 * g * m * n * k
            dense_tf = None
            if blockwise_ok:
                a, b = rand_e4m3(g * m, k), rand_e4m3(n, k)
                sa, sb = blockwise_scales(g * m, n, k)
                try:
                    dense_tf = tf(flops, time_us(lambda: call_blockwise(a, b.t(), sa, sb)))
                except Exception as error:  # noqa: BLE001
                    print(f"  dense {g * m}x{n}x{k}: refused: {str(error).splitlines()[0]}")
                del a, b
            kiln_tf = tf(flops, us)
            dg = DEEPGEMM_GROUPED_H800.get((layout, g, m, n, k))
            print(f"| {layout} | {g} x {m} | {n} | {k} | {tile} | {fmt(kiln_tf)} | "
                  f"{fmt(100 * kiln_tf / PEAK_TFLOPS)} | {fmt(dense_tf)} | "
                  f"{fmt(dense_tf and kiln_tf / dense_tf, '{:.2f}')} | {dg or '-'} | "
                  f"{fmt(dg and kiln_tf / dg, '{:.2f}')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
