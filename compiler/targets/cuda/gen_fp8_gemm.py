#!/usr/bin/env python3
"""Emits Kiln's FP8 e4m3 block-scaled GEMM for sm_90a as MLIR (gpu + nvvm + memref/vector/arith/scf).

    C[m, n] = sum_kb ( sum_{k in kb} a[m, k] * b[n, k] ) * a_s[m, kb] * b_s[n // 128, kb]

A e4m3 [M, K] row-major with f32 scales a_s [M, K/128] (per row, per 128 K); B e4m3 [N, K]
(K-major: weights [out, in]) with f32 128x128 block scales b_s [ceil(N/128), K/128]; C f32
[M, N]. The semantics of DeepSeek's fp8_gemm (reference/deepseek-model.md section 3.3): each
128-wide K block is accumulated by wgmma into a fresh f32 partial, which is then promoted:
scaled by a_s * b_s and added into a separate f32 accumulator (the wgmma FP8 accumulator is not
full f32 precision; the promotion keeps the error per block).

Version 1, simple and unpipelined (the first step of the FP8 GEMM issue):
  - one CTA = one warpgroup (128 threads) computes a 64 x BN tile of C (BN 64 or 128; 256
    would hold 2 x 128 accumulator registers a thread and spills); grid (N / BN, M / 64);
    M % 64 == 0, N % BN == 0, K % 128 == 0;
  - per 128-wide K block: every thread copies 16-byte chunks of A (64 x 128 B) and B
    (BN x 128 B) from global memory into shared memory with plain vector loads/stores, in the
    layout the wgmma descriptors name; fence.proxy.async + barrier; four
    wgmma.mma_async.m64nBNk32.f32.e4m3.e4m3 (the first with scale-d = 0, so the partial starts
    from zero); commit; wait 0; promotion into the accumulator;
  - epilogue: each thread stores its accumulator fragment to C directly.
No TMA, no mbarrier pipeline, no warp specialisation: those are the next steps.

Shared-memory layouts (both operands are K-major; one 128-wide K block = 128 bytes a row):
  --swizzle none: wgmma's canonical no-swizzle (interleaved) K-major layout, made of 8-row x
      16-byte core matrices (128 contiguous bytes each): byte (row, k) of the tile lives at
      (row / 8) * 1024 + (k / 16) * 128 + (row % 8) * 16 + k % 16. Descriptor: leading byte
      offset (between core matrices along K) 128, stride byte offset (between 8-row groups)
      1024, layout type 0; the k-th k32 step starts 256 * k bytes further.
  --swizzle 128: the 128-byte swizzle TMA writes: row r is 128 bytes at r * 128, its 16-byte
      chunk c stored at chunk c ^ (r % 8); tiles 1024-byte aligned. Descriptor: stride byte
      offset 1024 (8 rows), leading byte offset unused (encoded 1), layout type 1 (bits 62-63);
      the k-th k32 step starts 32 * k bytes further (inside the swizzle atom, as CUTLASS and
      DeepGEMM advance it).

Descriptor bits (PTX ISA, "Matrix Descriptor Format" of wgmma): [0,14) start address >> 4,
[16,30) leading byte offset >> 4, [32,46) stride byte offset >> 4, [49,52) base offset (0 here),
[62,64) layout type.

Accumulator fragment (PTX ISA, wgmma D for .m64nNk32 .f32): thread t of the warpgroup, warp
w = t / 32, lane l = t % 32 holds N/2 floats; d[4j + h] for j < N/8 is row 16w + l/4 (+8 when
h >= 2), column 8j + 2 (l % 4) (+1 when h is odd).

wgmma.mma_async has no LLVM intrinsic in LLVM 22: MLIR's convert-nvvm-to-llvm emits it (and
nothing else here) as an llvm.inline_asm; this generator writes no inline assembly itself (see
README.md beside this file).

Usage:
    gen_fp8_gemm.py --kernel MxNxK[:BN[:SWIZZLE]] [--kernel ...] [-o FILE]
    gen_fp8_gemm.py --bundle [-o FILE]      the kernel file scripts/gpu-check bundles
                                             (test/gpu/kernels/fp8_gemm.mlir)
"""
import argparse
import sys

BM = 64            # rows of A / C per CTA: one warpgroup's wgmma M
BK = 128           # K block: the scale granularity; one smem row of 128 e4m3 bytes
WK = 32            # K of one e4m3 wgmma
THREADS = 128      # one warpgroup
CHUNK = 16         # bytes per vector load/store
SWIZZLES = ("none", "128")
TILE_NS = (64, 128)  # 256 needs 256 accumulator registers a thread: spills with one warpgroup

# The kernels scripts/gpu-check bundles: correctness shapes for both shared-memory layouts, then
# DeepSeek-V3 shapes (M 4096) for timing, checked on a sample of elements.
BUNDLE_KERNELS = [
    (64, 128, 128, 128, "none"),
    (128, 256, 512, 128, "none"),
    (256, 384, 1024, 128, "none"),
    (64, 128, 128, 128, "128"),
    (128, 256, 512, 128, "128"),
    (256, 384, 1024, 128, "128"),
    (128, 256, 512, 64, "128"),
    (4096, 4096, 7168, 128, "128"),
    (4096, 2112, 7168, 64, "128"),
    (4096, 24576, 1536, 128, "128"),
    (4096, 7168, 16384, 128, "128"),
]


def kernel_name(m, n, k, bn, swizzle):
    return f"fp8_gemm_bn{bn}_sw{swizzle}_{m}x{n}x{k}"


def check_shape(m, n, k, bn, swizzle):
    if swizzle not in SWIZZLES:
        raise ValueError(f"swizzle {swizzle!r}: one of {', '.join(SWIZZLES)}")
    if bn not in TILE_NS:
        raise ValueError(f"BN {bn}: one of {', '.join(map(str, TILE_NS))}")
    if m % BM or n % bn or k % BK:
        raise ValueError(f"{m}x{n}x{k}: M must be a multiple of {BM}, N of BN={bn}, K of {BK}")


class Body:
    """SSA text with fresh value names and a cache of index/i64 constants."""

    def __init__(self, indent):
        self.lines = []
        self.indent = indent
        self.count = 0
        self.consts = {}

    def fresh(self, hint="v"):
        self.count += 1
        return f"%{hint}{self.count}"

    def emit(self, text):
        self.lines.append(" " * self.indent + text)

    def op(self, text, hint="v"):
        name = self.fresh(hint)
        self.emit(f"{name} = {text}")
        return name

    def const(self, value, type_="index"):
        key = (value, type_)
        if key not in self.consts:
            name = f"%c{value}_{type_}".replace("-", "m")
            self.emit(f"{name} = arith.constant {value} : {type_}")
            self.consts[key] = name
        return self.consts[key]



def emit_promotion(body, part, row_scales, sbv, col_blocks, regs, bn, acc_t, hint):
    """acc = fma(partial, a_s[row] * b_s[column block], acc) over the wgmma fragment; returns
    the new accumulator value. `row_scales` are a_s of the thread's two rows (h = 0, 1)."""
    scale = {}
    for cb in col_blocks:
        for h, sav in enumerate(row_scales):
            scale[(cb, h)] = body.op(f"arith.mulf {sav}, {sbv[cb]} : f32", hint)
    acc = "%acc"
    for i in range(regs):
        j, h = divmod(i, 4)
        cb = (8 * j) // 128 if bn % 128 == 0 else 0
        p = body.op(f"llvm.extractvalue {part}[{i}] : {acc_t}", "p")
        f = body.op(f"llvm.extractvalue %acc[{i}] : {acc_t}", "f")
        nf = body.op(f"llvm.intr.fma({p}, {scale[(cb, h // 2)]}, {f}) : (f32, f32, f32) -> f32",
                     "nf")
        acc = body.op(f"llvm.insertvalue {nf}, {acc}[{i}] : {acc_t}", "acc")
    return acc


def emit_epilogue(body, gcol, row_indices, bn, acc_t, c_t):
    """Stores %acc_final to C: two consecutive floats per row per 8-column group."""
    for j in range(bn // 8):
        cj = body.op(f"arith.addi {gcol}, {body.const(8 * j)} : index") if j else gcol
        for h, grow in enumerate(row_indices):
            x = body.op(f"llvm.extractvalue %acc_final[{4 * j + 2 * h}] : {acc_t}")
            y = body.op(f"llvm.extractvalue %acc_final[{4 * j + 2 * h + 1}] : {acc_t}")
            v0 = body.op(f"vector.from_elements {x}, {y} : vector<2xf32>")
            body.emit(f"vector.store {v0}, %c[{grow}, {cj}] {{alignment = 8 : i64}} : {c_t}, "
                      "vector<2xf32>")

def smem_offset(body, row, chunk, swizzle):
    """Byte offset of 16-byte chunk `chunk` of tile row `row` (index values)."""
    c8 = body.const(8)
    c7 = body.const(7)
    if swizzle == "none":
        group = body.op(f"arith.divui {row}, {c8} : index")
        inrow = body.op(f"arith.andi {row}, {c7} : index")
        a = body.op(f"arith.muli {group}, {body.const(1024)} : index")
        b = body.op(f"arith.muli {chunk}, {body.const(128)} : index")
        c = body.op(f"arith.muli {inrow}, {body.const(16)} : index")
        ab = body.op(f"arith.addi {a}, {b} : index")
        return body.op(f"arith.addi {ab}, {c} : index")
    inrow = body.op(f"arith.andi {row}, {c7} : index")
    swizzled = body.op(f"arith.xori {chunk}, {inrow} : index")
    a = body.op(f"arith.muli {row}, {body.const(128)} : index")
    b = body.op(f"arith.muli {swizzled}, {body.const(16)} : index")
    return body.op(f"arith.addi {a}, {b} : index")


def emit_kernel(m, n, k, bn, swizzle):
    check_shape(m, n, k, bn, swizzle)
    kb_count = k // BK
    n_scale_rows = (n + 127) // 128
    regs = bn // 2
    acc_t = "!llvm.struct<(" + ", ".join(["f32"] * regs) + ")>"
    a_t = f"memref<{m}x{k}xf8E4M3FN>"
    as_t = f"memref<{m}x{kb_count}xf32>"
    b_t = f"memref<{n}x{k}xf8E4M3FN>"
    bs_t = f"memref<{n_scale_rows}x{kb_count}xf32>"
    c_t = f"memref<{m}x{n}xf32>"
    sa_t = f"memref<{BM * BK}xf8E4M3FN, #gpu.address_space<workgroup>>"
    sb_t = f"memref<{bn * BK}xf8E4M3FN, #gpu.address_space<workgroup>>"
    name = kernel_name(m, n, k, bn, swizzle)

    out = []
    out.append(f"    // {m}x{n}x{k}, tile 64x{bn}, {swizzle} swizzle: grid ({n // bn}, {m // BM}), "
               f"128 threads, {(BM + bn) * BK} bytes of shared memory.")
    out.append(f"    gpu.func @{name}(%a: {a_t}, %a_s: {as_t}, %b: {b_t}, %b_s: {bs_t}, "
               f"%c: {c_t}) kernel")
    out.append(f"        attributes {{known_block_size = array<i32: {THREADS}, 1, 1>}} {{")
    body = Body(6)
    e = body.emit
    c0 = body.const(0)
    c1 = body.const(1)
    c8 = body.const(8)
    tid = body.op("gpu.thread_id x", "tid")
    bx = body.op("gpu.block_id x", "bx")
    by = body.op("gpu.block_id y", "by")
    m0 = body.op(f"arith.muli {by}, {body.const(BM)} : index", "m0")
    n0 = body.op(f"arith.muli {bx}, {body.const(bn)} : index", "n0")
    nblk = body.op(f"arith.divui {n0}, {body.const(128)} : index", "nblk")
    # Fragment coordinates: rows r0 and r0 + 8 of the tile, column pair 2 (lane % 4).
    warp = body.op(f"arith.divui {tid}, {body.const(32)} : index", "warp")
    lane = body.op(f"arith.remui {tid}, {body.const(32)} : index", "lane")
    w16 = body.op(f"arith.muli {warp}, {body.const(16)} : index")
    l4 = body.op(f"arith.divui {lane}, {body.const(4)} : index")
    r0 = body.op(f"arith.addi {w16}, {l4} : index", "r0")
    r1 = body.op(f"arith.addi {r0}, {c8} : index", "r1")
    lq = body.op(f"arith.remui {lane}, {body.const(4)} : index")
    col = body.op(f"arith.muli {lq}, {body.const(2)} : index", "col")
    gr0 = body.op(f"arith.addi {m0}, {r0} : index", "gr0")
    gr1 = body.op(f"arith.addi {m0}, {r1} : index", "gr1")
    gcol = body.op(f"arith.addi {n0}, {col} : index", "gcol")

    # Shared memory and its descriptors' constant parts.
    sa = body.op(f"memref.get_global @kiln_fp8_smem_a : {sa_t}", "sa")
    sb = body.op(f"memref.get_global @kiln_fp8_smem_b{bn} : {sb_t}", "sb")
    descs = {}
    for label, buf, t in (("a", sa, sa_t), ("b", sb, sb_t)):
        ptr = body.op(f"memref.extract_aligned_pointer_as_index {buf} : {t} -> index")
        addr = body.op(f"arith.index_cast {ptr} : index to i64")
        masked = body.op(f"arith.andi {addr}, {body.const(0x3FFFF, 'i64')} : i64")
        start = body.op(f"arith.shrui {masked}, {body.const(4, 'i64')} : i64")
        if swizzle == "none":
            lbo, sbo, layout = 128, 1024, 0
        else:
            lbo, sbo, layout = 16, 1024, 1
        fixed = ((lbo >> 4) << 16) | ((sbo >> 4) << 32) | (layout << 62)
        if fixed >= 1 << 63:
            fixed -= 1 << 64  # i64 constants are signed
        descs[label] = body.op(f"arith.ori {start}, {body.const(fixed, 'i64')} : i64",
                               f"desc{label}")
    step_bytes = 256 if swizzle == "none" else 32  # start-address advance per k32 step

    acc0 = body.op(f"llvm.mlir.zero : {acc_t}", "acc0")
    undef = body.op(f"llvm.mlir.undef : {acc_t}", "undef")
    kbn = body.const(kb_count)
    e(f"%acc_final = scf.for %kb = {c0} to {kbn} step {c1} iter_args(%acc = {acc0}) -> ({acc_t}) {{")
    body.indent += 2
    k0 = body.op(f"arith.muli %kb, {body.const(BK)} : index", "k0")
    # The previous block's wgmmas have completed in every warp before smem is overwritten.
    e("gpu.barrier")
    # Scales first: their latency overlaps the copies and the wgmmas.
    sa0 = body.op(f"memref.load %a_s[{gr0}, %kb] : {as_t}", "sa0")
    sa1 = body.op(f"memref.load %a_s[{gr1}, %kb] : {as_t}", "sa1")
    col_blocks = sorted({(8 * j) // 128 if bn % 128 == 0 else 0 for j in range(bn // 8)})
    sbv = {}
    for cb in col_blocks:
        row = nblk if cb == 0 else body.op(f"arith.addi {nblk}, {body.const(cb)} : index")
        sbv[cb] = body.op(f"memref.load %b_s[{row}, %kb] : {bs_t}", "sb")
    # Copies: chunk q = i * 128 + tid is row q / 8, 16-byte chunk q % 8 of the tile.
    for label, src, src_t, base_row, rows, dst, dst_t in (
            ("a", "%a", a_t, m0, BM, sa, sa_t), ("b", "%b", b_t, n0, bn, sb, sb_t)):
        for i in range(rows * (BK // CHUNK) // THREADS):
            q = body.op(f"arith.addi {tid}, {body.const(i * THREADS)} : index") if i else tid
            row = body.op(f"arith.divui {q}, {c8} : index")
            chunk = body.op(f"arith.remui {q}, {c8} : index")
            grow = body.op(f"arith.addi {base_row}, {row} : index")
            kc = body.op(f"arith.muli {chunk}, {body.const(CHUNK)} : index")
            gk = body.op(f"arith.addi {k0}, {kc} : index")
            v = body.op(f"vector.load {src}[{grow}, {gk}] {{alignment = 16 : i64}} : "
                        f"{src_t}, vector<16xf8E4M3FN>", f"ld{label}")
            off = smem_offset(body, row, chunk, swizzle)
            e(f"vector.store {v}, {dst}[{off}] {{alignment = 16 : i64}} : "
              f"{dst_t}, vector<16xf8E4M3FN>")
    # Generic-proxy writes to smem become visible to wgmma (the async proxy) only after this
    # fence in each writing thread, then the barrier.
    e("nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}")
    e("gpu.barrier")
    e("nvvm.wgmma.fence.aligned")
    part = undef
    for s in range(BK // WK):
        da = descs["a"] if s == 0 else body.op(
            f"arith.addi {descs['a']}, {body.const((s * step_bytes) >> 4, 'i64')} : i64")
        db = descs["b"] if s == 0 else body.op(
            f"arith.addi {descs['b']}, {body.const((s * step_bytes) >> 4, 'i64')} : i64")
        scale_d = "zero" if s == 0 else "one"
        part = body.op(
            f"nvvm.wgmma.mma_async {da}, {db}, {part}, #nvvm.shape<m = 64, n = {bn}, k = 32>, "
            f"D [#nvvm.wgmma_type<f32>, #nvvm.wgmma_scale_out<{scale_d}>], "
            f"A [#nvvm.wgmma_type<e4m3>, #nvvm.wgmma_scale_in<one>, #nvvm.mma_layout<row>], "
            f"B [#nvvm.wgmma_type<e4m3>, #nvvm.wgmma_scale_in<one>, #nvvm.mma_layout<col>] "
            f": {acc_t} -> {acc_t}", "part")
    e("nvvm.wgmma.commit.group.sync.aligned")
    e("nvvm.wgmma.wait.group.sync.aligned 0")
    # Promotion: acc = fma(partial, a_s[row] * b_s[column block], acc).
    acc = emit_promotion(body, part, (sa0, sa1), sbv, col_blocks, regs, bn, acc_t, "s")
    e(f"scf.yield {acc} : {acc_t}")
    body.indent -= 2
    e("}")

    emit_epilogue(body, gcol, (gr0, gr1), bn, acc_t, c_t)
    e("gpu.return")
    out.extend(body.lines)
    out.append("    }")
    return out


def emit_module(kernels, header=()):
    tile_ns = sorted({bn for (_, _, _, bn, _) in kernels})
    lines = list(header)
    lines.append("module attributes {gpu.container_module} {")
    lines.append("  gpu.module @fp8_gemm {")
    lines.append("    // Shared tiles, 1024-byte aligned (the 128-byte swizzle's atom is 8 rows of "
                 "128 bytes).")
    lines.append(f"    memref.global \"private\" @kiln_fp8_smem_a : memref<{BM * BK}xf8E4M3FN, "
                 "#gpu.address_space<workgroup>> = uninitialized {alignment = 1024 : i64}")
    for bn in tile_ns:
        lines.append(f"    memref.global \"private\" @kiln_fp8_smem_b{bn} : memref<{bn * BK}xf8E4M3FN, "
                     "#gpu.address_space<workgroup>> = uninitialized {alignment = 1024 : i64}")
    for spec in kernels:
        lines.append("")
        lines.extend(emit_kernel(*spec))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


PIPELINE = ("builtin.module(nvvm-attach-target{{chip=sm_90a features=+ptx80 O=3}}, "
            "gpu.module(convert-scf-to-cf, convert-gpu-to-nvvm{{use-bare-ptr-memref-call-conv=true}}, "
            "convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), "
            "gpu-module-to-binary{{format={format}}})")


def bundle_header():
    first = kernel_name(*BUNDLE_KERNELS[0])
    lines = [
        "// GENERATED by compiler/targets/cuda/gen_fp8_gemm.py --bundle; do not edit (the first",
        "// RUN line fails when this file and the generator disagree: regenerate with",
        "//   python3 compiler/targets/cuda/gen_fp8_gemm.py --bundle -o test/gpu/kernels/fp8_gemm.mlir).",
        "//",
        "// Kiln's FP8 e4m3 block-scaled GEMM, version 1 (simple, unpipelined; see the generator's",
        "// docstring): one warpgroup per 64xBN tile of C, 128-wide K blocks staged in shared memory",
        "// by plain loads, four wgmma m64nBNk32 e4m3 per block, per-block promotion with",
        "// a_s[m, kb] * b_s[n / 128, kb]. sm_90a only (wgmma). Shapes: M % 64, N % BN, K % 128.",
        "//",
        "// scripts/gpu-check builds it for the TARGETS below only and lists each kernel from the",
        "// BUNDLE lines: kernel, kiln-kernel-test check, shape MxNxKxBN.",
        "// TARGETS: sm_90a",
    ]
    for spec in BUNDLE_KERNELS:
        m, n, k, bn, _ = spec
        lines.append(f"// BUNDLE: {kernel_name(*spec)}  fp8_gemm  {m}x{n}x{k}x{bn}")
    lines += [
        "//",
        "// The file is what the generator writes:",
        "// RUN: python3 %S/../../../compiler/targets/cuda/gen_fp8_gemm.py --bundle | diff - %s",
        "// The launch ABI (bare pointers: a, a_s, b, b_s, c) and the wgmma e4m3 instructions in",
        "// the PTX of LLVM's NVPTX backend (fp8_gemm-ptxas.test assembles it with ptxas):",
        "// RUN: kiln-opt %s --pass-pipeline='" + PIPELINE.format(format="isa") + "' \\",
        "// RUN:   | python3 %S/../extract-gpu-binary.py - -o - | FileCheck %s",
        "//",
        "// CHECK: .target sm_90a",
        "// CHECK: .shared .align 1024 .b8 kiln_fp8_smem_a[8192];",
        f"// CHECK-LABEL: .entry {first}(",
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_0,",
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_1,",
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_2,",
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_3,",
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_4",
        "// CHECK-NEXT: )",
        "// CHECK: ld.global.v4.b32",
        "// CHECK: st.shared.v4.b32",
        "// CHECK: fence.proxy.async.shared::cta;",
        "// CHECK: bar.sync",
        "// CHECK: wgmma.fence.sync.aligned;",
        "// CHECK: setp.ne.b32 p, 0, 0;",
        "// CHECK-NEXT: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3",
        "// CHECK-COUNT-3: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3",
        "// CHECK: wgmma.commit_group.sync.aligned;",
        "// CHECK-NEXT: wgmma.wait_group.sync.aligned 0;",
        "// CHECK: fma.rn.f32",
        "// CHECK: st.global.v2.b32",
        "// CHECK-LABEL: .entry fp8_gemm_bn64_sw128_128x256x512(",
        "// CHECK: wgmma.mma_async.sync.aligned.m64n64k32.f32.e4m3.e4m3",
        "",
    ]
    return lines


def parse_kernel(text):
    parts = text.split(":")
    dims = [int(x) for x in parts[0].split("x")]
    if len(dims) != 3:
        raise ValueError(f"{text}: want MxNxK[:BN[:SWIZZLE]]")
    bn = int(parts[1]) if len(parts) > 1 else 128
    swizzle = parts[2] if len(parts) > 2 else "128"
    return (*dims, bn, swizzle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernel", action="append", default=[],
                        help="MxNxK[:BN[:SWIZZLE]] (BN 64|128, default 128; swizzle none|128, "
                             "default 128); repeat for several kernels in one module")
    parser.add_argument("--bundle", action="store_true",
                        help="the kernel file of scripts/gpu-check, with its lit RUN lines")
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args()
    try:
        if args.bundle:
            text = emit_module(BUNDLE_KERNELS, bundle_header())
        else:
            if not args.kernel:
                parser.error("give --kernel or --bundle")
            text = emit_module([parse_kernel(k) for k in args.kernel])
    except ValueError as error:
        print(f"gen_fp8_gemm.py: error: {error}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
