#!/usr/bin/env python3
"""Emits Kiln's FP8 e4m3 block-scaled GEMM for sm_89 and sm_80 as MLIR (gpu + nvvm + llvm +
memref/vector/arith/scf): warp-level mma.sync instead of sm_90a's wgmma.

    C[m, n] = sum_kb ( sum_{k in kb} a[m, k] * b[n, k] ) * a_s[m, kb] * b_s[n // 128, kb]

The same computation and launch ABI as gen_fp8_gemm.py (read its docstring): A e4m3 [M, K],
a_s f32 [M, K/128], B e4m3 [N, K], b_s f32 [ceil(N/128), K/128], C f32 [M, N]; bare pointers
(a, a_s, b, b_s, c); 128 threads per 64 x BN tile of C, grid (N / BN, M / 64); M % 64,
N % BN, K % 128, BN 64 or 128 (sm_80: 64 only; 128 spills). kiln-kernel-test's check
"fp8_gemm" runs both.

Two variants:
  --arch sm_89  mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 on the e4m3 bytes. MLIR 22's
                nvvm.mma.sync and nvgpu.mma.sync reject e4m3, so the op is
                `llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"`; LLVM
                selects it only with PTX ISA 8.4 (features=+ptx84), hence the file's
                `// TARGETS: sm_89:+ptx84`.
  --arch sm_80  no FP8 tensor-core op and no f8 conversion instruction: each 32-bit register of
                four e4m3 bytes is decoded by `arith.extf ... to vector<4xf32>` (expanded into
                integer arithmetic by kiln-expand-f8, exact), the f32 bits cut to bf16 (exact:
                every e4m3 value is a bf16 value, so the low 16 bits are zero) and packed in
                pairs for nvvm.mma.sync m16n8k16 bf16 (mma.sync...m16n8k16.row.col.f32.bf16).
                The products are the e4m3 products exactly; f32 accumulation.

Structure (both variants):
  - 4 warps as 2 x 2, each a 32 x BN/2 sub-tile: 2 m16 tiles x BN/16 n8 tiles of mma;
  - shared memory: A 64 x 128 B and B BN x 128 B per 128-wide K block, S stages (3 for BN 64:
    48 KiB, the static limit; 2 for BN 128); row r is 128 bytes at r * 128, its 16-byte chunk
    c stored at chunk c ^ (r % 8) (conflict-free for the copies and for ldmatrix);
  - cp.async pipeline (nvvm.cp.async.shared.global, 16 bytes, .cg): blocks kb + 1 .. kb + S - 1
    are in flight while block kb is multiplied; one commit group per block (empty past the
    end), wait_group S - 1, barrier; a barrier before each refill;
  - fragments by ldmatrix.x4 (b16 8x8 matrices = 8 rows x 16 bytes): lane l (group g = l / 4,
    t = l % 4) gets bytes k = 4t..4t+3 (+16) of rows g and g + 8 of an m16 tile of A (mma
    m16n8k32's a0..a3) from one ldmatrix, and b0, b1 of two n8 tiles of B from another;
  - sm_80: one k32 step is two bf16 k16 mmas over a permutation of K that A and B share
    (logical k 2t + j <-> byte 4t + j, logical k 8 + 2t + j <-> byte 4t + 2 + j, j < 2): the
    same e4m3 registers feed it, and a sum over K does not depend on its order;
  - per K block a fresh f32 partial (four k32 steps, the first with C = 0), promoted into the
    accumulator with fma(partial, a_s[row, kb] * b_s[n0 / 128, kb], acc);
  - epilogue: the C fragment (c0, c1 at row g, columns 2t, 2t + 1; c2, c3 at row g + 8) stored
    as 8-byte vectors straight from registers.

Accumulator fragment (PTX ISA, mma m16n8k* .f32 D): d0, d1 row g, d2, d3 row g + 8, columns
2t and 2t + 1.

Usage:
    gen_fp8_gemm_mma.py --arch sm_89|sm_80 --kernel MxNxK[:BN] [--kernel ...] [-o FILE]
    gen_fp8_gemm_mma.py --arch sm_89|sm_80 --bundle [-o FILE]   the kernel file scripts/gpu-check
                                  bundles (test/gpu/kernels/fp8_gemm_sm89.mlir, fp8_gemm_sm80.mlir)
"""
import argparse
import sys

BM = 64            # rows of A / C per CTA (the fp8_gemm check's tile M)
BK = 128           # K block: the scale granularity; one smem row of 128 e4m3 bytes
THREADS = 128      # 4 warps, 2 x 2


def stages(bn):
    """cp.async stages: 3 for BN 64 (48 KiB, the static shared-memory limit), 2 for BN 128."""
    return 3 if bn == 64 else 2

# BN 128 on sm_80 spills (the bf16 conversions of 8 n8 tiles of B live beside 128 accumulators).
TILE_NS = {"sm_89": (64, 128), "sm_80": (64,)}
ARCHS = {
    # chip: (PTX features, kernel name tag)
    "sm_89": ("+ptx84", "e4m3"),
    "sm_80": ("+ptx70", "bf16"),
}

# The kernels scripts/gpu-check bundles: small shapes checked on every element, one DeepSeek-V3
# shape (M 4096, BN 64 since 2112 % 128 != 0) for timing, checked on a sample.
BUNDLE_KERNELS = [
    (64, 64, 128, 64),
    (64, 128, 128, 128),
    (128, 256, 512, 64),
    (128, 256, 512, 128),
    (256, 384, 1024, 64),
    (4096, 2112, 7168, 64),
]


def bundle_kernels(arch):
    return [spec for spec in BUNDLE_KERNELS if spec[3] in TILE_NS[arch]]


def kernel_name(arch, m, n, k, bn):
    return f"fp8_gemm_{arch.replace('_', '')}_{ARCHS[arch][1]}_bn{bn}_{m}x{n}x{k}"


def check_shape(arch, m, n, k, bn):
    if bn not in TILE_NS[arch]:
        raise ValueError(f"BN {bn}: one of {', '.join(map(str, TILE_NS[arch]))} for {arch}")
    if m % BM or n % bn or k % BK:
        raise ValueError(f"{m}x{n}x{k}: M must be a multiple of {BM}, N of BN={bn}, K of {BK}")


class Body:
    """SSA text with fresh value names and a cache of constants."""

    def __init__(self, indent):
        self.lines = []
        self.indent = indent
        self.count = 0
        self.consts = {}
        self.const_lines = []   # emitted first, so every region can use them

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
            label = "f0" if type_ == "f32" else str(value).replace("-", "m")
            name = f"%c{label}_{type_}"
            self.const_lines.append(" " * 6 + f"{name} = arith.constant {value} : {type_}")
            self.consts[key] = name
        return self.consts[key]


def emit_kernel(arch, m, n, k, bn):
    check_shape(arch, m, n, k, bn)
    kb_count = k // BK
    n_scale_rows = (n + 127) // 128
    wn_cols = bn // 2          # columns per warp
    nt_count = wn_cols // 8    # n8 tiles per warp
    mt_count = 2               # m16 tiles per warp (32 rows)
    a_t = f"memref<{m}x{k}xf8E4M3FN>"
    as_t = f"memref<{m}x{kb_count}xf32>"
    b_t = f"memref<{n}x{k}xf8E4M3FN>"
    bs_t = f"memref<{n_scale_rows}x{kb_count}xf32>"
    c_t = f"memref<{m}x{n}xf32>"
    ns = stages(bn)
    sa_words = ns * BM * BK // 4
    sb_words = ns * bn * BK // 4
    sa_t = f"memref<{sa_words}xi32, #gpu.address_space<workgroup>>"
    sb_t = f"memref<{sb_words}xi32, #gpu.address_space<workgroup>>"
    name = kernel_name(arch, m, n, k, bn)
    frag_t = "!llvm.struct<(f32, f32, f32, f32)>"

    out = []
    out.append(f"    // {m}x{n}x{k}, tile 64x{bn} (4 warps of 32x{wn_cols}): grid ({n // bn}, {m // BM}), "
               f"128 threads, {ns} stages, {ns * (BM + bn) * BK} bytes of shared memory.")
    out.append(f"    gpu.func @{name}(%a: {a_t}, %a_s: {as_t}, %b: {b_t}, %b_s: {bs_t}, "
               f"%c: {c_t}) kernel")
    out.append(f"        attributes {{known_block_size = array<i32: {THREADS}, 1, 1>}} {{")
    body = Body(6)
    e = body.emit
    ix = lambda v: body.const(v)
    i64 = lambda v: body.const(v, "i64")
    c0, c1 = ix(0), ix(1)
    zero = body.const("0.000000e+00", "f32")
    tid = body.op("gpu.thread_id x", "tid")
    bx = body.op("gpu.block_id x", "bx")
    by = body.op("gpu.block_id y", "by")
    m0 = body.op(f"arith.muli {by}, {ix(BM)} : index", "m0")
    n0 = body.op(f"arith.muli {bx}, {ix(bn)} : index", "n0")
    nblk = body.op(f"arith.divui {n0}, {ix(128)} : index", "nblk")
    warp = body.op(f"arith.divui {tid}, {ix(32)} : index", "warp")
    lane = body.op(f"arith.remui {tid}, {ix(32)} : index", "lane")
    g = body.op(f"arith.divui {lane}, {ix(4)} : index", "g")
    t = body.op(f"arith.remui {lane}, {ix(4)} : index", "t")
    wm = body.op(f"arith.divui {warp}, {ix(2)} : index", "wm")
    wn = body.op(f"arith.remui {warp}, {ix(2)} : index", "wn")
    wrow = body.op(f"arith.muli {wm}, {ix(32)} : index", "wrow")
    wcol = body.op(f"arith.muli {wn}, {ix(wn_cols)} : index", "wcol")

    # Base pointers: global (generic -> global once), shared.
    def gptr(arg, type_):
        p = body.op(f"memref.extract_aligned_pointer_as_index {arg} : {type_} -> index")
        p64 = body.op(f"arith.index_cast {p} : index to i64")
        gen = body.op(f"llvm.inttoptr {p64} : i64 to !llvm.ptr")
        return body.op(f"llvm.addrspacecast {gen} : !llvm.ptr to !llvm.ptr<1>", "gp")

    def sptr(buf, type_):
        p = body.op(f"memref.extract_aligned_pointer_as_index {buf} : {type_} -> index")
        p64 = body.op(f"arith.index_cast {p} : index to i64")
        return body.op(f"llvm.inttoptr {p64} : i64 to !llvm.ptr<3>", "sp")

    sa = body.op(f"memref.get_global @kiln_mma_smem_a{ns} : {sa_t}", "sa")
    sb = body.op(f"memref.get_global @kiln_mma_smem_b{bn} : {sb_t}", "sb")
    ga, gb = gptr("%a", a_t), gptr("%b", b_t)
    spa, spb = sptr(sa, sa_t), sptr(sb, sb_t)

    # Copy plan: chunk q = i * 128 + tid of a tile is row q / 8, 16-byte chunk q % 8; its
    # global offset (without the K block) and its swizzled shared offset (without the stage).
    crow = body.op(f"arith.divui {tid}, {ix(8)} : index", "crow")
    cch = body.op(f"arith.remui {tid}, {ix(8)} : index", "cch")
    csw = body.op(f"arith.xori {cch}, {crow} : index")  # crow < 16: (crow % 8) differs by 8 only
    csw = body.op(f"arith.andi {csw}, {ix(7)} : index", "csw")
    csw16 = body.op(f"arith.muli {csw}, {ix(16)} : index")
    cch16 = body.op(f"arith.muli {cch}, {ix(16)} : index")
    copies = []
    for label, gp, sp, base_row, rows in (("a", ga, spa, m0, BM), ("b", gb, spb, n0, bn)):
        for i in range(rows * (BK // 16) // THREADS):
            row = body.op(f"arith.addi {crow}, {ix(16 * i)} : index") if i else crow
            grow = body.op(f"arith.addi {base_row}, {row} : index")
            goff = body.op(f"arith.muli {grow}, {ix(k)} : index")
            goff = body.op(f"arith.addi {goff}, {cch16} : index")
            goff = body.op(f"arith.index_cast {goff} : index to i64", f"go{label}")
            soff = body.op(f"arith.muli {row}, {ix(BK)} : index")
            soff = body.op(f"arith.addi {soff}, {csw16} : index")
            soff = body.op(f"arith.index_cast {soff} : index to i64", f"so{label}")
            copies.append((gp, sp, goff, soff, rows * BK))

    def issue_copies(kb, stage):
        kbytes = body.op(f"arith.muli {kb}, {ix(BK)} : index")
        kbytes = body.op(f"arith.index_cast {kbytes} : index to i64")
        stage64 = body.op(f"arith.index_cast {stage} : index to i64")
        for gp, sp, goff, soff, tile_bytes in copies:
            go = body.op(f"arith.addi {goff}, {kbytes} : i64")
            so = body.op(f"arith.muli {stage64}, {i64(tile_bytes)} : i64")
            so = body.op(f"arith.addi {so}, {soff} : i64")
            src = body.op(f"llvm.getelementptr {gp}[{go}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i8")
            dst = body.op(f"llvm.getelementptr {sp}[{so}] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8")
            e(f"nvvm.cp.async.shared.global {dst}, {src}, 16, cache = cg : !llvm.ptr<3>, !llvm.ptr<1>")

    # ldmatrix addresses (loop-invariant parts): lane L gives the address of row L % 8 of 8x16-byte
    # matrix L / 8. A, per m16 tile: matrices (rows 0-7, chunk 2s), (rows 8-15, 2s),
    # (rows 0-7, 2s + 1), (rows 8-15, 2s + 1) -> a0..a3 of mma m16n8k32. B, per pair of n8
    # tiles: (tile p, 2s), (p, 2s + 1), (p + 1, 2s), (p + 1, 2s + 1) -> b0, b1 of both. Lane
    # T of the warp receives row T / 4 = g, bytes 4t..4t+3 of each matrix. The chunk is stored
    # at chunk ^ (row % 8), and row % 8 == L % 8 here.
    l8 = body.op(f"arith.remui {lane}, {ix(8)} : index", "l8")
    lq = body.op(f"arith.divui {lane}, {ix(8)} : index", "lq")
    lq1 = body.op(f"arith.remui {lq}, {ix(2)} : index", "lq1")    # (L / 8) % 2
    lq2 = body.op(f"arith.divui {lane}, {ix(16)} : index", "lq2")  # L / 16

    def row_bytes(row):
        b = body.op(f"arith.muli {row}, {ix(BK)} : index")
        return body.op(f"arith.index_cast {b} : index to i64", "rb")
    a_rows = {}
    for mt in range(mt_count):
        r = body.op(f"arith.muli {lq1}, {ix(8)} : index")
        r = body.op(f"arith.addi {r}, {l8} : index")
        r = body.op(f"arith.addi {r}, {wrow} : index")
        r = body.op(f"arith.addi {r}, {ix(16 * mt)} : index") if mt else r
        a_rows[mt] = row_bytes(r)
    b_rows = {}
    for pair in range(nt_count // 2):
        r = body.op(f"arith.muli {lq2}, {ix(8)} : index")
        r = body.op(f"arith.addi {r}, {l8} : index")
        r = body.op(f"arith.addi {r}, {wcol} : index")
        r = body.op(f"arith.addi {r}, {ix(16 * pair)} : index") if pair else r
        b_rows[pair] = row_bytes(r)
    xo = {}
    for s in range(BK // 32):
        for label, sel in (("a", lq2), ("b", lq1)):
            x = body.op(f"arith.addi {sel}, {ix(2 * s)} : index")
            x = body.op(f"arith.xori {x}, {l8} : index")
            x = body.op(f"arith.muli {x}, {ix(16)} : index")
            xo[(label, s)] = body.op(f"arith.index_cast {x} : index to i64", "xo")
    # Output rows / columns and the rows of a_s.
    grows = {}
    for mt in range(mt_count):
        for h in range(2):
            r = body.op(f"arith.addi {m0}, {wrow} : index")
            r = body.op(f"arith.addi {r}, {ix(16 * mt + 8 * h)} : index")
            grows[(mt, h)] = body.op(f"arith.addi {r}, {g} : index", "gr")

    # Prologue: K blocks 0 .. ns - 2 into stages 0 .. ns - 2, one commit group each (empty
    # groups past the last block keep the count uniform).
    for j in range(ns - 1):
        if j < kb_count:
            issue_copies(ix(j), ix(j))
        e("nvvm.cp.async.commit.group")

    accs = [(mt, nt, i) for mt in range(mt_count) for nt in range(nt_count) for i in range(4)]
    acc_names = {key: f"%acc_{key[0]}_{key[1]}_{key[2]}" for key in accs}
    acc_types = ", ".join(["f32"] * len(accs))
    inits = ", ".join(f"{acc_names[key]} = {zero}" for key in accs)
    results = "%res:" + str(len(accs))
    kbn = ix(kb_count)
    e(f"{results} = scf.for %kb = {c0} to {kbn} step {c1} iter_args({inits}) -> ({acc_types}) {{")
    body.indent += 2
    stage = body.op(f"arith.remui %kb, {ix(ns)} : index", "stage")
    # Every warp has finished reading the stage the next copy overwrites (block kb - 1's).
    e("gpu.barrier")
    nkb = body.op(f"arith.addi %kb, {ix(ns - 1)} : index", "nkb")
    more = body.op(f"arith.cmpi ult, {nkb}, {kbn} : index", "more")
    e(f"scf.if {more} {{")
    body.indent += 2
    nstage = body.op(f"arith.remui {nkb}, {ix(ns)} : index")
    issue_copies(nkb, nstage)
    body.indent -= 2
    e("}")
    e("nvvm.cp.async.commit.group")
    # Scales while the copies fly.
    sbv = body.op(f"memref.load %b_s[{nblk}, %kb] : {bs_t}", "sbv")
    scale = {}
    for key, gr in grows.items():
        sav = body.op(f"memref.load %a_s[{gr}, %kb] : {as_t}", "sav")
        scale[key] = body.op(f"arith.mulf {sav}, {sbv} : f32", "sc")
    # Block kb's group is complete (the ns - 1 after it may still be in flight), in every thread.
    e(f"nvvm.cp.async.wait.group {ns - 1}")
    e("gpu.barrier")
    stage64 = body.op(f"arith.index_cast {stage} : index to i64")
    sa_base = body.op(f"arith.muli {stage64}, {i64(BM * BK)} : i64", "sab")
    sb_base = body.op(f"arith.muli {stage64}, {i64(bn * BK)} : i64", "sbb")
    quad_t = "!llvm.struct<(i32, i32, i32, i32)>"

    def ldmatrix(sp, base, row_b, x):
        off = body.op(f"arith.addi {base}, {row_b} : i64")
        off = body.op(f"arith.addi {off}, {x} : i64")
        ptr = body.op(f"llvm.getelementptr {sp}[{off}] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8")
        q = body.op(f"nvvm.ldmatrix {ptr} {{num = 4 : i32, layout = #nvvm.mma_layout<row>, "
                    f"shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>, "
                    f"eltType = #nvvm.ld_st_matrix_elt_type<b16>}} : (!llvm.ptr<3>) -> {quad_t}",
                    "lm")
        return [body.op(f"llvm.extractvalue {q}[{i}] : {quad_t}", "w") for i in range(4)]

    def to_bf16_pairs(word):
        """Four e4m3 bytes (k = 4t + 0..3) -> (bf16x2 of bytes 0, 1; bf16x2 of bytes 2, 3)."""
        v1 = body.op(f"vector.from_elements {word} : vector<1xi32>")
        f8 = body.op(f"vector.bitcast {v1} : vector<1xi32> to vector<4xf8E4M3FN>")
        f32 = body.op(f"arith.extf {f8} : vector<4xf8E4M3FN> to vector<4xf32>")
        bits = body.op(f"arith.bitcast {f32} : vector<4xf32> to vector<4xi32>")
        el = [body.op(f"vector.extract {bits}[{j}] : i32 from vector<4xi32>") for j in range(4)]
        pairs = []
        for lo, hi in ((el[0], el[1]), (el[2], el[3])):
            x = body.op(f"arith.shrui {lo}, {body.const(16, 'i32')} : i32")
            y = body.op(f"arith.andi {hi}, {body.const(-65536, 'i32')} : i32")
            pairs.append(body.op(f"arith.ori {x}, {y} : i32", "bf"))
        return pairs

    part = {}
    for s in range(BK // 32):
        afr = {}
        for mt in range(mt_count):
            w = ldmatrix(spa, sa_base, a_rows[mt], xo[("a", s)])
            afr[(mt, 0, 0)], afr[(mt, 0, 1)], afr[(mt, 1, 0)], afr[(mt, 1, 1)] = w
        bfr = {}
        for pair in range(nt_count // 2):
            w = ldmatrix(spb, sb_base, b_rows[pair], xo[("b", s)])
            bfr[(2 * pair, 0)], bfr[(2 * pair, 1)], bfr[(2 * pair + 1, 0)], bfr[(2 * pair + 1, 1)] = w
        if arch == "sm_80":
            afr = {key: to_bf16_pairs(w) for key, w in afr.items()}
            bfr = {key: to_bf16_pairs(w) for key, w in bfr.items()}
        for mt in range(mt_count):
            for nt in range(nt_count):
                cin = [zero] * 4 if s == 0 else part[(mt, nt)]
                if arch == "sm_89":
                    regs = [afr[(mt, 0, 0)], afr[(mt, 0, 1)], afr[(mt, 1, 0)], afr[(mt, 1, 1)],
                            bfr[(nt, 0)], bfr[(nt, 1)]] + cin
                    d = body.op(
                        'llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"('
                        + ", ".join(regs) + ') : '
                        '(i32, i32, i32, i32, i32, i32, f32, f32, f32, f32) -> ' + frag_t, "d")
                    vals = [body.op(f"llvm.extractvalue {d}[{i}] : {frag_t}", "p") for i in range(4)]
                else:
                    vals = cin
                    for half in range(2):
                        a_regs = [afr[(mt, half, 0)][0], afr[(mt, half, 1)][0],
                                  afr[(mt, half, 0)][1], afr[(mt, half, 1)][1]]
                        b_regs = [bfr[(nt, half)][0], bfr[(nt, half)][1]]
                        d = body.op(
                            f"nvvm.mma.sync A[{', '.join(a_regs)}] B[{', '.join(b_regs)}] "
                            f"C[{', '.join(vals)}] {{layoutA = #nvvm.mma_layout<row>, "
                            f"layoutB = #nvvm.mma_layout<col>, "
                            f"multiplicandAPtxType = #nvvm.mma_type<bf16>, "
                            f"multiplicandBPtxType = #nvvm.mma_type<bf16>, "
                            f"shape = #nvvm.shape<m = 16, n = 8, k = 16>}} : "
                            f"(i32, i32, f32) -> {frag_t}", "d")
                        vals = [body.op(f"llvm.extractvalue {d}[{i}] : {frag_t}", "p")
                                for i in range(4)]
                part[(mt, nt)] = vals
    # Promotion: acc = fma(partial, a_s[row, kb] * b_s[n0 / 128, kb], acc).
    new = []
    for (mt, nt, i) in accs:
        sc = scale[(mt, i // 2)]
        new.append(body.op(f"llvm.intr.fma({part[(mt, nt)][i]}, {sc}, {acc_names[(mt, nt, i)]}) : "
                           "(f32, f32, f32) -> f32", "nf"))
    e(f"scf.yield {', '.join(new)} : {acc_types}")
    body.indent -= 2
    e("}")

    # Epilogue: d0, d1 at row g, columns 2t, 2t + 1; d2, d3 at row g + 8.
    col = body.op(f"arith.muli {t}, {ix(2)} : index")
    col = body.op(f"arith.addi {col}, {wcol} : index")
    col = body.op(f"arith.addi {col}, {n0} : index", "gcol")
    for mt in range(mt_count):
        for nt in range(nt_count):
            cj = body.op(f"arith.addi {col}, {ix(8 * nt)} : index") if nt else col
            for h in range(2):
                idx = accs.index((mt, nt, 2 * h))
                v = body.op(f"vector.from_elements %res#{idx}, %res#{idx + 1} : vector<2xf32>")
                e(f"vector.store {v}, %c[{grows[(mt, h)]}, {cj}] {{alignment = 8 : i64}} : "
                  f"{c_t}, vector<2xf32>")
    e("gpu.return")
    out.extend(body.const_lines)
    out.extend(body.lines)
    out.append("    }")
    return out


def emit_module(arch, kernels, header=()):
    tile_ns = sorted({bn for (_, _, _, bn) in kernels})
    lines = list(header)
    lines.append("module attributes {gpu.container_module} {")
    lines.append(f"  gpu.module @fp8_gemm_{arch.replace('_', '')} {{")
    lines.append("    // Shared tiles: stages of 128-byte rows (A 64 rows, B BN rows), as 32-bit words.")
    for ns in sorted({stages(bn) for bn in tile_ns}):
        lines.append(f"    memref.global \"private\" @kiln_mma_smem_a{ns} : memref<{ns * BM * BK // 4}xi32, "
                     "#gpu.address_space<workgroup>> = uninitialized {alignment = 128 : i64}")
    for bn in tile_ns:
        lines.append(f"    memref.global \"private\" @kiln_mma_smem_b{bn} : memref<{stages(bn) * bn * BK // 4}xi32, "
                     "#gpu.address_space<workgroup>> = uninitialized {alignment = 128 : i64}")
    for spec in kernels:
        lines.append("")
        lines.extend(emit_kernel(arch, *spec))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def pipeline(arch, format_):
    return (f"builtin.module(nvvm-attach-target{{chip={arch} features={ARCHS[arch][0]} O=3}}, "
            "gpu.module(kiln-expand-f8, convert-scf-to-cf, "
            "convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true}, "
            "convert-nvvm-to-llvm, canonicalize, cse, reconcile-unrealized-casts), "
            f"gpu-module-to-binary{{format={format_}}})")


def bundle_file(arch):
    return f"test/gpu/kernels/fp8_gemm_{arch.replace('_', '')}.mlir"


def bundle_header(arch):
    first = kernel_name(arch, *bundle_kernels(arch)[0])
    if arch == "sm_89":
        what = ["// sm_89 (Ada): mma.sync m16n8k32 e4m3 through llvm.call_intrinsic (PTX ISA 8.4)."]
        checks = [
            "// CHECK: .version 8.4",
            "// CHECK: .target sm_89",
        ]
        mma = ["// CHECK: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32"]
    else:
        what = ["// sm_80 (Ampere): e4m3 decoded in registers (arith.extf, expanded by kiln-expand-f8)",
                "// to bf16, exact, then mma.sync m16n8k16 bf16."]
        checks = ["// CHECK: .target sm_80"]
        mma = ["// CHECK-NOT: cvt.{{.*}}e4m3",
               "// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"]
    lines = [
        f"// GENERATED by compiler/targets/cuda/gen_fp8_gemm_mma.py --arch {arch} --bundle; do not edit",
        "// (the first RUN line fails when this file and the generator disagree: regenerate with",
        f"//   python3 compiler/targets/cuda/gen_fp8_gemm_mma.py --arch {arch} --bundle -o {bundle_file(arch)}).",
        "//",
        "// Kiln's FP8 e4m3 block-scaled GEMM without wgmma (see the generator's docstring): 4 warps",
        "// per 64xBN tile of C, 128-wide K blocks copied to shared memory by a cp.async pipeline",
        "// (3 stages for BN 64, 2 for BN 128), ldmatrix, warp-level mma.sync, per-block promotion",
        "// with a_s[m, kb] * b_s[n / 128, kb].",
    ] + what + [
        "// Same launch ABI and check (fp8_gemm, shape MxNxKxBN) as fp8_gemm.mlir.",
        "//",
        "// scripts/gpu-check builds it for the TARGETS below only (chip:features overrides the",
        "// target's PTX ISA) and lists each kernel from the BUNDLE lines.",
        f"// TARGETS: {arch}:{ARCHS[arch][0]}",
    ]
    for spec in bundle_kernels(arch):
        m, n, k, bn = spec
        lines.append(f"// BUNDLE: {kernel_name(arch, *spec)}  fp8_gemm  {m}x{n}x{k}x{bn}")
    lines += [
        "//",
        "// The file is what the generator writes:",
        f"// RUN: python3 %S/../../../compiler/targets/cuda/gen_fp8_gemm_mma.py --arch {arch} --bundle | diff - %s",
        "// The launch ABI (bare pointers: a, a_s, b, b_s, c), the cp.async pipeline and the mma",
        f"// in the PTX of LLVM's NVPTX backend ({os_basename(arch)}-ptxas.test assembles it):",
        "// RUN: kiln-opt %s --pass-pipeline='" + pipeline(arch, "isa") + "' \\",
        "// RUN:   | python3 %S/../extract-gpu-binary.py - -o - | FileCheck %s",
        "//",
    ] + checks + [
        f"// CHECK-LABEL: .entry {first}(",
    ] + [f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_{i}," for i in range(4)] + [
        f"// CHECK-NEXT: .param .u64 .ptr .align 1 {first}_param_4",
        "// CHECK-NEXT: )",
        "// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;",
        "// CHECK: cp.async.commit_group;",
        "// CHECK: cp.async.wait_group 2;",
        "// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16",
    ] + mma + [
        "// CHECK: fma.rn.f32",
        "// CHECK: st.global.v2.b32",
        "",
    ]
    return lines


def os_basename(arch):
    return f"fp8_gemm_{arch.replace('_', '')}"


def parse_kernel(text):
    parts = text.split(":")
    dims = [int(x) for x in parts[0].split("x")]
    if len(dims) != 3:
        raise ValueError(f"{text}: want MxNxK[:BN]")
    bn = int(parts[1]) if len(parts) > 1 else 64
    return (*dims, bn)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", required=True, choices=sorted(ARCHS))
    parser.add_argument("--kernel", action="append", default=[],
                        help="MxNxK[:BN] (BN 64|128, default 64); repeat for several kernels")
    parser.add_argument("--bundle", action="store_true",
                        help="the kernel file of scripts/gpu-check, with its lit RUN lines")
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args()
    try:
        if args.bundle:
            text = emit_module(args.arch, bundle_kernels(args.arch), bundle_header(args.arch))
        else:
            if not args.kernel:
                parser.error("give --kernel or --bundle")
            text = emit_module(args.arch, [parse_kernel(k) for k in args.kernel])
    except ValueError as error:
        print(f"gen_fp8_gemm_mma.py: error: {error}", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
