#!/usr/bin/env python3
"""Emits Kiln's FP8 e4m3 block-scaled GEMM for sm_90a, version 2: TMA + mbarrier pipeline + warp
specialisation, as MLIR (gpu + nvvm + llvm + arith/scf/memref/vector).

Same computation and numerics as version 1 (gen_fp8_gemm.py, the correctness baseline; its
docstring has the semantics, the 128-byte-swizzle shared layout, the wgmma descriptor bits and
the accumulator fragment):

    C[m, n] = sum_kb ( sum_{k in kb} a[m, k] * b[n, k] ) * a_s[m, kb] * b_s[n // 128, kb]

What version 2 adds (DeepGEMM's structure, without its persistent scheduler, TMA multicast or
shared-memory epilogue):
  - CTA = WG consumer warpgroups + 1 producer warpgroup (128 (WG + 1) threads); tile
    BM x BN with BM = 64 WG (WG 1 or 2: 64 x BN or 128 x BN); grid (N / BN, M / BM);
  - operand tiles arrive by TMA (cp.async.bulk.tensor.2d ... mbarrier::complete_tx::bytes)
    from two CUtensorMaps the host encodes (cuTensorMapEncodeTiled: uint8, 2-D {K, rows},
    box {128, BM or BN}, 128-byte swizzle), which the kernel takes as pointers to global
    memory; TMA's 128-byte swizzle is exactly v1's `sw128` layout (chunk c of row r at
    c ^ (r % 8), 1024-byte-aligned tiles), so the descriptors are v1's;
  - STAGES shared-memory stages (a 128-wide K block of A and B each) in dynamic shared memory
    (the host raises the function's dynamic shared-memory limit), with two mbarriers per stage:
    `full` (arrival count 1: the producer's arrive.expect_tx, completed by the TMA bytes) and
    `empty` (arrival count 128 WG: every consumer thread arrives after its wgmmas on the stage
    have completed);
  - one thread of the producer warpgroup runs the K loop: wait `empty[s]` (from the second round on), arrive.expect_tx on `full[s]`, two
    TMA loads; so loads of blocks k+1 .. k+STAGES-1 are in flight while the consumers compute
    block k;
  - consumer warpgroups, per K block: wait `full[s]`,
    four wgmma.mma_async.m64nBNk32.f32.e4m3.e4m3 on their 64 rows of the A tile, commit,
    wait 0, arrive on `empty[s]`, promote with a_s * b_s (as v1); epilogue as v1 (direct
    8-byte stores of the accumulator fragment).

Phases: K block kb uses stage s = kb % STAGES in round r = kb / STAGES; consumers wait `full[s]`
with parity r & 1, the producer waits `empty[s]` with parity (r - 1) & 1 for r >= 1.

Kernel ABI: (a, a_s, b, b_s, c: bare pointers as v1, tmap_a, tmap_b: pointers to the
128-byte CUtensorMaps in device memory); block 128 (WG + 1) threads; dynamic shared memory
shared_bytes(); kiln-kernel-test check "fp8_gemm_tma" (shape MxNxKxBMxBNxSTAGES) sets all of it up.

Usage:
    gen_fp8_gemm_tma.py --kernel MxNxK[:BM[:BN[:STAGES]]] [...] [-o FILE]
    gen_fp8_gemm_tma.py --bundle [-o FILE]   test/gpu/kernels/fp8_gemm_tma.mlir
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fp8_gemm import (BK, WK, Body, PIPELINE,  # noqa: E402  (v1's shared pieces)
                          emit_epilogue, emit_promotion)

TILE_MS = (64, 128)   # one or two consumer warpgroups
TILE_NS = (64, 128)
# setmaxnreg (producer .dec, consumers .inc) is off unless asked for (--setmaxnreg DEC:INC): the
# accumulators of a 64 x 128 warpgroup tile fit the 168 registers a 384-thread CTA gets (ptxas:
# 149-168, no spills), and .inc blocks until the CTA's register pool, sized by ptxas's count at
# launch, can supply the request, so a too-large INC hangs the kernel.
SETMAXNREG = None
WAIT_TICKS = 0x989680  # try_wait suspend-time hint (ns), as CUTLASS

BUNDLE_KERNELS = [
    # The correctness shapes of v1 (every element checked) ...
    (64, 128, 128, 64, 128, 4),
    (128, 256, 512, 64, 128, 4),
    (256, 384, 1024, 64, 128, 4),
    (128, 256, 512, 128, 128, 4),
    (256, 384, 1024, 128, 128, 4),
    (128, 256, 512, 64, 64, 4),
    # ... and its DeepSeek-V3 timing shapes.
    (4096, 4096, 7168, 128, 128, 6),
    (4096, 4096, 7168, 64, 128, 8),
    (4096, 2112, 7168, 128, 64, 8),
    (4096, 24576, 1536, 128, 128, 6),
    (4096, 7168, 16384, 128, 128, 6),
]
# The rest of DeepSeek-V3's (N, K) GEMM shapes at M = 4096, and all six at M = 64 and 128, for
# scripts/gpu-check's benchmark against cuBLASLt and DeepGEMM (bench/gpu/v3-gemm-baseline.py).
V3_NK = [(2112, 7168), (24576, 1536), (32768, 512), (7168, 16384), (4096, 7168), (7168, 2048)]
BUNDLE_KERNELS += [(4096, 32768, 512, 128, 128, 4), (4096, 7168, 2048, 128, 128, 6)]
BUNDLE_KERNELS += [(m, n, k, m, 64 if n % 128 else 128, 4 if k <= 512 else 6)
                   for m in (64, 128) for n, k in V3_NK]


def kernel_name(m, n, k, bm, bn, stages):
    return f"fp8_gemm_tma_bm{bm}_bn{bn}_s{stages}_{m}x{n}x{k}"


def stage_bytes(bm, bn):
    return (bm + bn) * BK


def shared_bytes(bm, bn, stages):
    """Dynamic shared memory: 1024 of alignment slack, 1024 for the mbarriers, the stages."""
    return 2048 + stages * stage_bytes(bm, bn)


def check_shape(m, n, k, bm, bn, stages):
    if bm not in TILE_MS or bn not in TILE_NS:
        raise ValueError(f"BM {bm} / BN {bn}: BM one of {TILE_MS}, BN one of {TILE_NS}")
    if m % bm or n % bn or k % BK:
        raise ValueError(f"{m}x{n}x{k}: M must be a multiple of BM={bm}, N of BN={bn}, K of {BK}")
    if not 2 <= stages <= 8 or shared_bytes(bm, bn, stages) > 227 * 1024:
        raise ValueError(f"{stages} stages: 2..8 and at most 227 KiB of shared memory")


def emit_kernel(m, n, k, bm, bn, stages, setmaxnreg=None):
    check_shape(m, n, k, bm, bn, stages)
    wgs = bm // 64
    threads = 128 * (wgs + 1)
    kb_count = k // BK
    n_scale_rows = (n + 127) // 128
    regs = bn // 2
    acc_t = "!llvm.struct<(" + ", ".join(["f32"] * regs) + ")>"
    a_t = f"memref<{m}x{k}xf8E4M3FN>"
    as_t = f"memref<{m}x{kb_count}xf32>"
    b_t = f"memref<{n}x{k}xf8E4M3FN>"
    bs_t = f"memref<{n_scale_rows}x{kb_count}xf32>"
    c_t = f"memref<{m}x{n}xf32>"
    sp = "!llvm.ptr<3>"
    name = kernel_name(m, n, k, bm, bn, stages)
    sbytes = stage_bytes(bm, bn)

    out = []
    out.append(f"    // {m}x{n}x{k}, tile {bm}x{bn}, {stages} stages: grid ({n // bn}, {m // bm}), "
               f"{threads} threads, {shared_bytes(bm, bn, stages)} bytes of dynamic shared memory.")
    out.append(f"    gpu.func @{name}(%a: {a_t}, %a_s: {as_t}, %b: {b_t}, %b_s: {bs_t}, "
               f"%c: {c_t}, %tmap_a: !llvm.ptr, %tmap_b: !llvm.ptr) kernel")
    out.append(f"        attributes {{known_block_size = array<i32: {threads}, 1, 1>}} {{")
    body = Body(6)
    e = body.emit
    c0 = body.const(0)
    c1 = body.const(1)
    c8 = body.const(8)
    tid = body.op("gpu.thread_id x", "tid")
    bx = body.op("gpu.block_id x", "bx")
    by = body.op("gpu.block_id y", "by")
    m0 = body.op(f"arith.muli {by}, {body.const(bm)} : index", "m0")
    n0 = body.op(f"arith.muli {bx}, {body.const(bn)} : index", "n0")
    wg = body.op(f"arith.divui {tid}, {body.const(128)} : index", "wg")

    # Dynamic shared memory, aligned up to 1024 bytes at run time: mbarriers in the first 1024
    # bytes, then the stages (A tile BM x 128 B, B tile BN x 128 B).
    base = body.op("llvm.mlir.addressof @kiln_fp8_dsmem : !llvm.ptr<3>", "base")
    base_i = body.op(f"llvm.ptrtoint {base} : {sp} to i64", "basei")
    bumped = body.op(f"arith.addi {base_i}, {body.const(1023, 'i64')} : i64")
    aligned = body.op(f"arith.andi {bumped}, {body.const(-1024, 'i64')} : i64", "aligned")
    slack = body.op(f"arith.subi {aligned}, {base_i} : i64")
    bars = body.op(f"llvm.getelementptr {base}[{slack}] : ({sp}, i64) -> {sp}, i8", "bars")
    tiles_i = body.op(f"arith.addi {aligned}, {body.const(1024, 'i64')} : i64", "tilesi")
    tiles_off = body.op(f"arith.addi {slack}, {body.const(1024, 'i64')} : i64")
    tiles = body.op(f"llvm.getelementptr {base}[{tiles_off}] : ({sp}, i64) -> {sp}, i8", "tiles")

    def bar_ptr(which, s_i64):
        off = s_i64 if which == 0 else body.op(
            f"arith.addi {s_i64}, {body.const(stages, 'i64')} : i64")
        off8 = body.op(f"arith.muli {off}, {body.const(8, 'i64')} : i64")
        return body.op(f"llvm.getelementptr {bars}[{off8}] : ({sp}, i64) -> {sp}, i8",
                       "full" if which == 0 else "empty")

    # Thread 0 initialises the barriers; everyone sees them after the fence and the barrier.
    is_t0 = body.op(f"arith.cmpi eq, {tid}, {c0} : index")
    e(f"scf.if {is_t0} {{")
    body.indent += 2
    one_i32 = body.const(1, "i32")
    n_cons = body.const(128 * wgs, "i32")
    for s in range(stages):
        e(f"nvvm.mbarrier.init {bar_ptr(0, body.const(s, 'i64'))}, {one_i32} : {sp}, i32")
        e(f"nvvm.mbarrier.init {bar_ptr(1, body.const(s, 'i64'))}, {n_cons} : {sp}, i32")
    e("nvvm.fence.mbarrier.init")
    body.indent -= 2
    e("}")
    e("nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}")
    e("gpu.barrier")

    def stage_of(kb):
        s = body.op(f"arith.remui {kb}, {body.const(stages)} : index", "s")
        rnd = body.op(f"arith.divui {kb}, {body.const(stages)} : index", "round")
        s64 = body.op(f"arith.index_cast {s} : index to i64", "s64")
        return s64, rnd

    def parity(rnd):
        p = body.op(f"arith.andi {rnd}, {c1} : index")
        return body.op(f"arith.index_cast {p} : index to i32", "par")

    ticks = body.const(WAIT_TICKS, "i32")
    kbn = body.const(kb_count)
    is_producer = body.op(f"arith.cmpi eq, {wg}, {body.const(wgs)} : index", "isprod")
    e(f"scf.if {is_producer} {{")
    body.indent += 2
    # ---- Producer warpgroup.
    if setmaxnreg:
        e(f"nvvm.setmaxregister decrease {setmaxnreg[0]}")
    is_leader = body.op(f"arith.cmpi eq, {tid}, {body.const(128 * wgs)} : index")
    e(f"scf.if {is_leader} {{")
    body.indent += 2
    m0_i32 = body.op(f"arith.index_cast {m0} : index to i32")
    n0_i32 = body.op(f"arith.index_cast {n0} : index to i32")
    e(f"scf.for %kbp = {c0} to {kbn} step {c1} {{")
    body.indent += 2
    s64, rnd = stage_of("%kbp")
    full = bar_ptr(0, s64)
    empty = bar_ptr(1, s64)
    reuse = body.op(f"arith.cmpi uge, %kbp, {body.const(stages)} : index")
    e(f"scf.if {reuse} {{")
    body.indent += 2
    prev = body.op(f"arith.addi {rnd}, {c1} : index")
    e(f"nvvm.mbarrier.try_wait.parity {empty}, {parity(prev)}, {ticks} : {sp}, i32, i32")
    body.indent -= 2
    e("}")
    e(f"nvvm.mbarrier.arrive.expect_tx {full}, {body.const(sbytes, 'i32')} : {sp}, i32")
    soff = body.op(f"arith.muli {s64}, {body.const(sbytes, 'i64')} : i64")
    dst_a = body.op(f"llvm.getelementptr {tiles}[{soff}] : ({sp}, i64) -> {sp}, i8", "dsta")
    soff_b = body.op(f"arith.addi {soff}, {body.const(bm * BK, 'i64')} : i64")
    dst_b = body.op(f"llvm.getelementptr {tiles}[{soff_b}] : ({sp}, i64) -> {sp}, i8", "dstb")
    # TMA writes shared::cluster addresses (address space 7); this CTA's own are valid ones.
    dst_a = body.op(f"llvm.addrspacecast {dst_a} : {sp} to !llvm.ptr<7>", "dsta")
    dst_b = body.op(f"llvm.addrspacecast {dst_b} : {sp} to !llvm.ptr<7>", "dstb")
    k0 = body.op(f"arith.muli %kbp, {body.const(BK)} : index")
    k0_i32 = body.op(f"arith.index_cast {k0} : index to i32", "k0")
    e(f"nvvm.cp.async.bulk.tensor.shared.cluster.global {dst_a}, %tmap_a, {full}, "
      f"box[{k0_i32}, {m0_i32}] : !llvm.ptr<7>, !llvm.ptr")
    e(f"nvvm.cp.async.bulk.tensor.shared.cluster.global {dst_b}, %tmap_b, {full}, "
      f"box[{k0_i32}, {n0_i32}] : !llvm.ptr<7>, !llvm.ptr")
    body.indent -= 2
    e("}")
    body.indent -= 2
    e("}")
    body.indent -= 2
    e("} else {")
    body.indent += 2
    # ---- Consumer warpgroups.
    if setmaxnreg:
        e(f"nvvm.setmaxregister increase {setmaxnreg[1]}")
    ctid = body.op(f"arith.remui {tid}, {body.const(128)} : index", "ctid")
    warp = body.op(f"arith.divui {ctid}, {body.const(32)} : index", "warp")
    lane = body.op(f"arith.remui {ctid}, {body.const(32)} : index", "lane")
    w16 = body.op(f"arith.muli {warp}, {body.const(16)} : index")
    l4 = body.op(f"arith.divui {lane}, {body.const(4)} : index")
    wrow = body.op(f"arith.muli {wg}, {body.const(64)} : index")
    r0a = body.op(f"arith.addi {w16}, {l4} : index")
    r0 = body.op(f"arith.addi {wrow}, {r0a} : index", "r0")
    r1 = body.op(f"arith.addi {r0}, {c8} : index", "r1")
    lq = body.op(f"arith.remui {lane}, {body.const(4)} : index")
    col = body.op(f"arith.muli {lq}, {body.const(2)} : index", "col")
    gr0 = body.op(f"arith.addi {m0}, {r0} : index", "gr0")
    gr1 = body.op(f"arith.addi {m0}, {r1} : index", "gr1")
    gcol = body.op(f"arith.addi {n0}, {col} : index", "gcol")
    nblk = body.op(f"arith.divui {n0}, {body.const(128)} : index", "nblk")
    # Descriptor constant part (v1's sw128: SBO 1024, LBO unused = 1, layout type 1).
    fixed = ((16 >> 4) << 16) | ((1024 >> 4) << 32) | (1 << 62)
    fixed_c = body.const(fixed, "i64")
    wg64 = body.op(f"arith.index_cast {wg} : index to i64")
    a_rows_off = body.op(f"arith.muli {wg64}, {body.const(64 * BK, 'i64')} : i64")
    a_base_i = body.op(f"arith.addi {tiles_i}, {a_rows_off} : i64", "abasei")

    def desc(addr_i64):
        masked = body.op(f"arith.andi {addr_i64}, {body.const(0x3FFFF, 'i64')} : i64")
        start = body.op(f"arith.shrui {masked}, {body.const(4, 'i64')} : i64")
        return body.op(f"arith.ori {start}, {fixed_c} : i64", "desc")

    acc0 = body.op(f"llvm.mlir.zero : {acc_t}", "acc0")
    undef = body.op(f"llvm.mlir.undef : {acc_t}", "undef")
    e(f"%acc_final = scf.for %kb = {c0} to {kbn} step {c1} iter_args(%acc = {acc0}) -> ({acc_t}) {{")
    body.indent += 2
    sa0 = body.op(f"memref.load %a_s[{gr0}, %kb] : {as_t}", "sa0")
    sa1 = body.op(f"memref.load %a_s[{gr1}, %kb] : {as_t}", "sa1")
    col_blocks = sorted({(8 * j) // 128 if bn % 128 == 0 else 0 for j in range(bn // 8)})
    sbv = {}
    for cb in col_blocks:
        row = nblk if cb == 0 else body.op(f"arith.addi {nblk}, {body.const(cb)} : index")
        sbv[cb] = body.op(f"memref.load %b_s[{row}, %kb] : {bs_t}", "sb")
    s64, rnd = stage_of("%kb")
    full = bar_ptr(0, s64)
    empty = bar_ptr(1, s64)
    soff = body.op(f"arith.muli {s64}, {body.const(sbytes, 'i64')} : i64")
    da = desc(body.op(f"arith.addi {a_base_i}, {soff} : i64"))
    b_addr = body.op(f"arith.addi {tiles_i}, {soff} : i64")
    db = desc(body.op(f"arith.addi {b_addr}, {body.const(bm * BK, 'i64')} : i64"))
    e(f"nvvm.mbarrier.try_wait.parity {full}, {parity(rnd)}, {ticks} : {sp}, i32, i32")
    e("nvvm.wgmma.fence.aligned")
    part = undef
    for s in range(BK // WK):
        das = da if s == 0 else body.op(f"arith.addi {da}, {body.const((s * 32) >> 4, 'i64')} : i64")
        dbs = db if s == 0 else body.op(f"arith.addi {db}, {body.const((s * 32) >> 4, 'i64')} : i64")
        scale_d = "zero" if s == 0 else "one"
        part = body.op(
            f"nvvm.wgmma.mma_async {das}, {dbs}, {part}, #nvvm.shape<m = 64, n = {bn}, k = 32>, "
            f"D [#nvvm.wgmma_type<f32>, #nvvm.wgmma_scale_out<{scale_d}>], "
            f"A [#nvvm.wgmma_type<e4m3>, #nvvm.wgmma_scale_in<one>, #nvvm.mma_layout<row>], "
            f"B [#nvvm.wgmma_type<e4m3>, #nvvm.wgmma_scale_in<one>, #nvvm.mma_layout<col>] "
            f": {acc_t} -> {acc_t}", "part")
    e("nvvm.wgmma.commit.group.sync.aligned")
    e("nvvm.wgmma.wait.group.sync.aligned 0")
    # The stage's shared memory has been read: hand it back to the producer.
    e(f"nvvm.mbarrier.arrive {empty} : {sp}")
    acc = emit_promotion(body, part, (sa0, sa1), sbv, col_blocks, regs, bn, acc_t, "sc")
    e(f"scf.yield {acc} : {acc_t}")
    body.indent -= 2
    e("}")
    emit_epilogue(body, gcol, (gr0, gr1), bn, acc_t, c_t)
    body.indent -= 2
    e("}")
    e("gpu.return")
    # Constants are emitted where first used; hoist them all to the top of the function so
    # every use is dominated (the Body caches them by value).
    const_lines = [l for l in body.lines if " = arith.constant " in l]
    other = [l for l in body.lines if " = arith.constant " not in l]
    out.extend(" " * 6 + l.strip() for l in const_lines)
    out.extend(other)
    out.append("    }")
    return out


def emit_module(kernels, header=(), setmaxnreg=None):
    lines = list(header)
    lines.append("module attributes {gpu.container_module} {")
    lines.append("  gpu.module @fp8_gemm_tma {")
    lines.append("    // Dynamic shared memory (size set at launch); the kernels align it to 1024 "
                 "bytes themselves.")
    lines.append("    llvm.mlir.global external @kiln_fp8_dsmem() {addr_space = 3 : i32, "
                 "alignment = 1024 : i64} : !llvm.array<0 x i8>")
    for spec in kernels:
        lines.append("")
        lines.extend(emit_kernel(*spec, setmaxnreg=setmaxnreg))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def bundle_header():
    first = kernel_name(*BUNDLE_KERNELS[0])
    lines = [
        "// GENERATED by compiler/targets/cuda/gen_fp8_gemm_tma.py --bundle; do not edit (the first",
        "// RUN line fails when this file and the generator disagree: regenerate with",
        "//   python3 compiler/targets/cuda/gen_fp8_gemm_tma.py --bundle -o test/gpu/kernels/fp8_gemm_tma.mlir).",
        "//",
        "// Kiln's FP8 e4m3 block-scaled GEMM, version 2 (see the generator's docstring): TMA loads",
        "// into the 128-byte-swizzled layout of v1 from host-encoded CUtensorMaps, a multi-stage",
        "// mbarrier pipeline, a producer warpgroup (one thread issues the TMA loads) and one or two",
        "// consumer warpgroups per BMxBN tile; wgmma and promotion as v1. sm_90a only.",
        "//",
        "// scripts/gpu-check builds it for the TARGETS below only and lists each kernel from the",
        "// BUNDLE lines: kernel, kiln-kernel-test check, shape MxNxKxBMxBNxSTAGES.",
        "// TARGETS: sm_90a",
    ]
    for spec in BUNDLE_KERNELS:
        lines.append(f"// BUNDLE: {kernel_name(*spec)}  fp8_gemm_tma  {'x'.join(map(str, spec))}")
    lines += [
        "//",
        "// The file is what the generator writes:",
        "// RUN: python3 %S/../../../compiler/targets/cuda/gen_fp8_gemm_tma.py --bundle | diff - %s",
        "// The launch ABI (a, a_s, b, b_s, c, tmap_a, tmap_b), TMA, mbarriers and wgmma",
        "// in the PTX of LLVM's NVPTX backend (fp8_gemm_tma-ptxas.test assembles it with ptxas):",
        "// RUN: kiln-opt %s --pass-pipeline='" + PIPELINE.format(format="isa") + "' \\",
        "// RUN:   | python3 %S/../extract-gpu-binary.py - -o - | FileCheck %s",
        "//",
        "// CHECK: .target sm_90a",
        "// CHECK: .extern .shared .align 1024 .b8 kiln_fp8_dsmem[];",
        f"// CHECK-LABEL: .entry {first}(",
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_0,",
        f"// CHECK-COUNT-6: .param .u64 .ptr .align 1 {first}_param_",
        "// CHECK-NEXT: )",
        "// CHECK: mbarrier.init.shared.b64",
        "// CHECK: fence.mbarrier_init.release.cluster;",
        "// CHECK: fence.proxy.async.shared::cta;",
        "// CHECK: bar.sync",
        "// CHECK-NOT: setmaxnreg",
        "// The consumer branch comes first in the PTX: wait for the stage, wgmma, free the stage.",
        "// CHECK: mbarrier.try_wait.parity.shared.b64",
        "// CHECK: wgmma.fence.sync.aligned;",
        "// CHECK-COUNT-4: wgmma.mma_async.sync.aligned.m64n128k32.f32.e4m3.e4m3",
        "// CHECK: wgmma.commit_group.sync.aligned;",
        "// CHECK-NEXT: wgmma.wait_group.sync.aligned 0;",
        "// CHECK: mbarrier.arrive.shared.b64",
        "// CHECK: fma.rn.f32",
        "// CHECK: st.global.v2.b32",
        "// The producer: expect the stage's bytes, two TMA loads completing on its mbarrier.",
        "// CHECK: mbarrier.arrive.expect_tx.shared.b64",
        "// CHECK: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes",
        "// CHECK-NEXT: cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes",
        "// CHECK-LABEL: .entry fp8_gemm_tma_bm128_bn128_s6_4096x4096x7168(",
        "// CHECK: mbarrier.try_wait.parity.shared.b64",
        "// CHECK: cp.async.bulk.tensor.2d",
        "",
    ]
    return lines


def parse_kernel(text):
    parts = text.split(":")
    dims = [int(x) for x in parts[0].split("x")]
    if len(dims) != 3:
        raise ValueError(f"{text}: want MxNxK[:BM[:BN[:STAGES]]]")
    bm = int(parts[1]) if len(parts) > 1 else 128
    bn = int(parts[2]) if len(parts) > 2 else 128
    stages = int(parts[3]) if len(parts) > 3 else 4
    return (*dims, bm, bn, stages)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernel", action="append", default=[],
                        help="MxNxK[:BM[:BN[:STAGES]]] (BM 64|128, BN 64|128, default 128, 128, "
                             "4 stages)")
    parser.add_argument("--bundle", action="store_true",
                        help="the kernel file of scripts/gpu-check, with its lit RUN lines")
    parser.add_argument("--setmaxnreg", metavar="DEC:INC",
                        help="producer setmaxnreg.dec DEC, consumers .inc INC (e.g. 40:232 with "
                             "BM 128); not in the bundle, unmeasured")
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args()
    try:
        if args.bundle:
            text = emit_module(BUNDLE_KERNELS, bundle_header())
        else:
            if not args.kernel:
                parser.error("give --kernel or --bundle")
            regs = tuple(int(x) for x in args.setmaxnreg.split(":")) if args.setmaxnreg else None
            text = emit_module([parse_kernel(k) for k in args.kernel], setmaxnreg=regs)
    except ValueError as error:
        print(f"gen_fp8_gemm_tma.py: error: {error}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
