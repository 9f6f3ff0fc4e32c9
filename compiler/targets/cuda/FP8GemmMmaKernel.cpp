//===- FP8GemmMmaKernel.cpp - builds the FP8 GEMM for sm_89 and sm_80 ------===//
//
// Per K block (128 bytes of K), each warp computes a 32 x BN/2 sub-tile as 2 m16 tiles times
// BN/16 n8 tiles of mma, over four k32 steps. ldmatrix.x4 feeds both operands. Lane L reads
// the address of row L % 8 of 8x16-byte matrix L / 8 and receives row L / 4, bytes
// 4 (L % 4) .. +3 of each matrix:
//   - A, per m16 tile: (rows 0-7, chunk 2s), (rows 8-15, 2s), (rows 0-7, 2s+1),
//     (rows 8-15, 2s+1), which are a0..a3 of m16n8k32;
//   - B, per pair of n8 tiles: (tile p, 2s), (p, 2s+1), (p+1, 2s), (p+1, 2s+1), which are b0
//     and b1 of both tiles.
// A 16-byte chunk c of row r is stored at chunk c ^ (r % 8), so the copies and ldmatrix hit
// no bank twice. sm_80 does one k32 step as two bf16 k16 mmas over a permutation of K that A
// and B share: logical k 2t + j is byte 4t + 2j, and k 8 + 2t + j is byte 4t + 1 + 2j, for
// j < 2 (the pairs kiln-expand-f8 widens without shuffling bytes). The sum over K does not
// depend on its order.
//
// The builder is a class whose members are the values its parts share (the arguments, the
// CTA's rows, the thread's place, the copy plan, the ldmatrix addresses); each part is one
// method, called in the order the ops appear.
//
//===----------------------------------------------------------------------===//
#include "compiler/targets/cuda/FP8GemmMma.h"
#include "compiler/targets/cuda/KernelBuilder.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <array>
#include <map>
#include <tuple>
#include <vector>

using namespace mlir;

namespace kiln::cuda {
namespace {

constexpr int64_t kBlockK = 128;
constexpr int64_t kMTiles = 2; // m16 tiles per warp: each warp has 32 rows of the 64-row tile

/// One 16-byte cp.async of a tile per thread and K block: where it reads and writes.
struct Copy {
  Value global, shared, rowOffset, sharedOffset; // rowOffset: the source row's first byte
  int64_t tileBytes;
};

class MmaGemmKernel {
public:
  MmaGemmKernel(OpBuilder &builder, Location loc, const MmaGemmTile &tile)
      : tile(tile), ctx(builder.getContext()), b(loc, builder), k(b), bm(kMmaGemmTileM),
        kBlocks((tile.k + kBlockK - 1) / kBlockK), kTail(tile.k % kBlockK != 0),
        stages(mmaGemmStages(tile)), warpCols(tile.bn / 2), nTiles(warpCols / 8),
        nTail(tile.n % tile.bn != 0), grouped(tile.layout != FP8GemmLayout::Dense),
        fragType(LLVM::LLVMStructType::getLiteral(ctx, {k.f32, k.f32, k.f32, k.f32})),
        quadType(LLVM::LLVMStructType::getLiteral(ctx, {k.i32, k.i32, k.i32, k.i32})) {}

  gpu::GPUFuncOp build() {
    declare();
    placeCta();
    placeThread();
    planCopies();
    planFragments();
    // Prologue: K blocks 0 .. STAGES - 2, one commit group each (empty past the last block).
    for (int64_t j = 0; j + 1 < stages; ++j) {
      if (j < kBlocks)
        issueCopies(k.c(j), k.c(j));
      NVVM::CpAsyncCommitGroupOp::create(b);
    }
    scf::ForOp loop = buildMainLoop();
    storeResult(loop);
    b.setInsertionPointToEnd(entry);
    gpu::ReturnOp::create(b);
    return func;
  }

private:
  void declare() {
    SmallVector<Type> arguments = {k.ptr, k.ptr, k.ptr, k.ptr, k.ptr, k.i32};
    if (grouped)
      arguments.append({k.ptr, k.i32});
    auto funcType = FunctionType::get(ctx, arguments, {});
    func = gpu::GPUFuncOp::create(b, mmaGemmName(tile), funcType);
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({kMmaGemmThreads, 1, 1}));
    entry = &func.getBody().front();
    aMatrix = entry->getArgument(0);
    aScale = entry->getArgument(1);
    bMatrix = entry->getArgument(2);
    bScale = entry->getArgument(3);
    out = entry->getArgument(4);
    b.setInsertionPointToStart(entry);
    c0 = k.c(0);
    c1 = k.c(1);
    rows = k.cast(k.idx, entry->getArgument(5));
  }

  // The CTA's first row of A and C, the row at which its valid rows end (rows at or past it
  // are neither stored nor read for scales), and for the grouped layouts its group, whose
  // weight B [N, K] and scales [ceil(N/128), ceil(K/128)] replace the base pointers.
  void placeCta() {
    Value rowBlock = gpu::BlockIdOp::create(b, gpu::Dimension::y);
    Value group, active;
    m0 = k.mul(rowBlock, k.c(bm));
    rowLimit = rows;
    if (tile.layout == FP8GemmLayout::GroupedContiguous) {
      // groups[i] < 0: padding. Compared as i32, before it becomes an (unsigned) index.
      Value g32 = k.loadI32(entry->getArgument(6), rowBlock);
      active = k.cmp(arith::CmpIPredicate::sge, g32, k.c32(0));
      group = k.cast(k.idx, arith::MaxSIOp::create(b, g32, k.c32(0)));
    } else if (tile.layout == FP8GemmLayout::GroupedMasked) {
      Value rowBlocks = k.div(k.add(rows, k.c(bm - 1)), k.c(bm));
      group = k.div(rowBlock, rowBlocks);
      Value local = k.mul(k.rem(rowBlock, rowBlocks), k.c(bm));
      Value count = k.minu(k.cast(k.idx, k.loadI32(entry->getArgument(6), group)), rows);
      m0 = k.add(k.mul(group, rows), local);
      rowLimit = k.add(k.mul(group, rows), count);
      active = k.cmp(arith::CmpIPredicate::ult, local, count);
    }
    if (grouped) {
      // The whole CTA takes the same branch, so the barriers inside stay uniform. The rest of
      // the kernel is built inside it.
      auto work = scf::IfOp::create(b, active, /*withElseRegion=*/false);
      b.setInsertionPoint(work.thenBlock()->getTerminator());
      const int64_t scaleRows = (tile.n + 127) / 128;
      bMatrix = k.byteOffset(bMatrix, k.cast(k.i64, k.mul(group, k.c(tile.n * tile.k))));
      bScale = k.f32Element(bScale, k.mul(group, k.c(scaleRows * kBlocks)));
    }
  }

  // Four warps as 2 x 2, each a 32 x BN/2 sub-tile; lane (g, t) = (lane / 4, lane % 4).
  void placeThread() {
    lastRow = k.sub(rowLimit, c1);
    lastCol = k.c(tile.n - 1);
    tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    n0 = k.mul(gpu::BlockIdOp::create(b, gpu::Dimension::x), k.c(tile.bn));
    warp = k.div(tid, k.c(32));
    lane = k.rem(tid, k.c(32));
    g = k.div(lane, k.c(4));
    t = k.rem(lane, k.c(4));
    warpRow = k.mul(k.div(warp, k.c(2)), k.c(32));
    warpCol = k.mul(k.rem(warp, k.c(2)), k.c(warpCols));
  }

  // Copy plan: chunk q = i * 128 + tid of a tile is row q / 8, 16-byte chunk q % 8. Rows past
  // M (A) or N (B) copy the last row: finite data whose results are never stored.
  void planCopies() {
    Value globalA = LLVM::AddrSpaceCastOp::create(b, k.globalPtr, aMatrix);
    Value globalB = LLVM::AddrSpaceCastOp::create(b, k.globalPtr, bMatrix);
    sharedA = LLVM::AddressOfOp::create(b, k.smemPtr, kDynamicSharedMemory);
    sharedB = k.byteOffset(sharedA, k.c64(stages * bm * kBlockK));
    Value copyRow = k.div(tid, k.c(8));
    chunk = k.rem(tid, k.c(8));
    Value swizzled = k.andi(arith::XOrIOp::create(b, chunk, copyRow), k.c(7));
    for (auto [global, shared, firstRow, last, tileRows] :
         {std::tuple(globalA, sharedA, m0, lastRow, bm),
          std::tuple(globalB, sharedB, n0, lastCol, tile.bn)})
      for (int64_t i = 0; i < tileRows * (kBlockK / 16) / kMmaGemmThreads; ++i) {
        Value row = i ? k.add(copyRow, k.c(16 * i)) : copyRow;
        Value source = k.minu(k.add(firstRow, row), last);
        Value sharedOffset = k.add(k.mul(row, k.c(kBlockK)), k.mul(swizzled, k.c(16)));
        copies.push_back({global, shared, k.cast(k.i64, k.mul(source, k.c(tile.k))),
                          k.cast(k.i64, sharedOffset), tileRows * kBlockK});
      }
  }

  // With a K tail (K % 128 != 0; K % 16 == 0), the chunks past K copy 0 bytes and zero-fill
  // their 16 (cp.async's src-size), reading from the row's start so no address leaves it.
  void issueCopies(Value kb, Value stage) {
    Value kOffset = k.add(k.mul(kb, k.c(kBlockK)), k.mul(chunk, k.c(16)));
    Value inside, sourceOffset = kOffset, copyBytes;
    if (kTail) {
      inside = k.cmp(arith::CmpIPredicate::ult, kOffset, k.c(tile.k));
      sourceOffset = arith::SelectOp::create(b, inside, kOffset, c0);
      copyBytes = arith::SelectOp::create(b, inside, k.c32(16), k.c32(0));
    }
    Value sourceBytes = k.cast(k.i64, sourceOffset);
    Value stage64 = k.cast(k.i64, stage);
    for (const Copy &copy : copies) {
      Value source = k.byteOffset(copy.global, k.add(copy.rowOffset, sourceBytes));
      Value dest = k.byteOffset(copy.shared,
                                k.add(k.mul(stage64, k.c64(copy.tileBytes)), copy.sharedOffset));
      NVVM::CpAsyncOp::create(b, dest, source, 16, NVVM::LoadCacheModifierKind::CG, copyBytes);
    }
  }

  // ldmatrix addresses, loop-invariant parts (see the file comment), and the thread's output
  // rows (m16 tile mt, half h) with their clamped scale rows.
  void planFragments() {
    Value l8 = k.rem(lane, k.c(8));
    Value lq1 = k.rem(k.div(lane, k.c(8)), k.c(2)), lq2 = k.div(lane, k.c(16));
    auto rowBytes = [&](Value row) { return k.cast(k.i64, k.mul(row, k.c(kBlockK))); };
    for (int64_t mt = 0; mt < kMTiles; ++mt)
      aRows.push_back(
          rowBytes(k.add(k.add(k.mul(lq1, k.c(8)), l8), k.add(warpRow, k.c(16 * mt)))));
    for (int64_t pair = 0; pair < nTiles / 2; ++pair)
      bRows.push_back(
          rowBytes(k.add(k.add(k.mul(lq2, k.c(8)), l8), k.add(warpCol, k.c(16 * pair)))));
    for (int64_t s = 0; s < kBlockK / 32; ++s) {
      auto chunkBytes = [&](Value select) {
        Value c = arith::XOrIOp::create(b, k.add(select, k.c(2 * s)), l8);
        return k.cast(k.i64, k.mul(c, k.c(16)));
      };
      aChunk.push_back(chunkBytes(lq2));
      bChunk.push_back(chunkBytes(lq1));
    }
    for (int64_t mt = 0; mt < kMTiles; ++mt)
      for (int h = 0; h < 2; ++h) {
        outRow[mt][h] = k.add(k.add(m0, warpRow), k.add(k.c(16 * mt + 8 * h), g));
        scaleRow[mt][h] = k.minu(outRow[mt][h], lastRow);
      }
  }

  int64_t accIndex(int64_t mt, int64_t nt, int64_t i) const { return (mt * nTiles + nt) * 4 + i; }

  // The K loop: per block refill the stage STAGES - 1 ahead, load the scales, wait for the
  // block, multiply it and promote its partial. Carries the accumulators.
  scf::ForOp buildMainLoop() {
    zero = arith::ConstantOp::create(b, k.f32, b.getF32FloatAttr(0.0));
    const int64_t accCount = kMTiles * nTiles * 4;
    auto loop = scf::ForOp::create(b, c0, k.c(kBlocks), c1, SmallVector<Value>(accCount, zero));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kb = loop.getInductionVar();
    ValueRange acc = loop.getRegionIterArgs();
    Value stage = k.rem(kb, k.c(stages));
    // Every warp has finished reading the stage the next copy overwrites (block kb - 1's).
    gpu::BarrierOp::create(b);
    Value nextBlock = k.add(kb, k.c(stages - 1));
    k.ifThen(k.cmp(arith::CmpIPredicate::ult, nextBlock, k.c(kBlocks)),
             [&] { issueCopies(nextBlock, k.rem(nextBlock, k.c(stages))); });
    NVVM::CpAsyncCommitGroupOp::create(b);
    // The scales, while the copies fly.
    Value sb = LLVM::LoadOp::create(
        b, k.f32, k.f32Element(bScale, k.add(k.mul(k.div(n0, k.c(128)), k.c(kBlocks)), kb)));
    Value scale[2][2];
    for (int64_t mt = 0; mt < kMTiles; ++mt)
      for (int h = 0; h < 2; ++h) {
        Value sa = LLVM::LoadOp::create(
            b, k.f32, k.f32Element(aScale, k.add(k.mul(scaleRow[mt][h], k.c(kBlocks)), kb)));
        scale[mt][h] = arith::MulFOp::create(b, sa, sb);
      }
    // Block kb's group is complete (the STAGES - 1 after it may be in flight), in every thread.
    NVVM::CpAsyncWaitGroupOp::create(b, stages - 1);
    gpu::BarrierOp::create(b);
    Value stage64 = k.cast(k.i64, stage);
    Value aBase = k.mul(stage64, k.c64(bm * kBlockK));
    Value bBase = k.mul(stage64, k.c64(tile.bn * kBlockK));
    Partials part = multiplyBlock(aBase, bBase);
    // Promotion: acc = fma(partial, a_s[row, kb] * b_s[n0 / 128, kb], acc).
    SmallVector<Value> next;
    for (int64_t mt = 0; mt < kMTiles; ++mt)
      for (int64_t nt = 0; nt < nTiles; ++nt)
        for (int64_t i = 0; i < 4; ++i)
          next.push_back(LLVM::FMAOp::create(b, part[{mt, nt}][i], scale[mt][i / 2],
                                             acc[accIndex(mt, nt, i)]));
    scf::YieldOp::create(b, next);
    return loop;
  }

  // The fragments of one K block (four k32 steps) per (m16 tile, n8 tile).
  using Partials = std::map<std::pair<int64_t, int64_t>, std::array<Value, 4>>;
  Partials multiplyBlock(Value aBase, Value bBase) {
    Partials part;
    for (int64_t s = 0; s < kBlockK / 32; ++s) {
      std::vector<std::array<Value, 4>> aWords, bWords;
      for (int64_t mt = 0; mt < kMTiles; ++mt)
        aWords.push_back(ldmatrix(sharedA, aBase, aRows[mt], aChunk[s]));
      for (int64_t pair = 0; pair < nTiles / 2; ++pair)
        bWords.push_back(ldmatrix(sharedB, bBase, bRows[pair], bChunk[s]));
      // B word j (0, 1) of n8 tile nt: word 2 (nt % 2) + j of its pair's ldmatrix.
      auto bWord = [&](int64_t nt, int64_t j) { return bWords[nt / 2][2 * (nt % 2) + j]; };
      for (int64_t mt = 0; mt < kMTiles; ++mt)
        for (int64_t nt = 0; nt < nTiles; ++nt) {
          std::array<Value, 4> c =
              s ? part[{mt, nt}] : std::array<Value, 4>{zero, zero, zero, zero};
          if (tile.e4m3Mma) {
            const std::array<Value, 4> &a = aWords[mt];
            Value d = LLVM::CallIntrinsicOp::create(
                          b, fragType,
                          b.getStringAttr("llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"),
                          ValueRange{a[0], a[1], a[2], a[3], bWord(nt, 0), bWord(nt, 1), c[0],
                                     c[1], c[2], c[3]})
                          .getResult(0);
            part[{mt, nt}] = unpack(d);
            continue;
          }
          for (int64_t half = 0; half < 2; ++half) {
            auto a0 = toBF16Pairs(aWords[mt][2 * half]);
            auto a1 = toBF16Pairs(aWords[mt][2 * half + 1]);
            auto bPairs = toBF16Pairs(bWord(nt, half));
            Value d = NVVM::MmaOp::create(
                b, fragType, ValueRange{a0[0], a1[0], a0[1], a1[1]},
                ValueRange{bPairs[0], bPairs[1]}, ValueRange{c[0], c[1], c[2], c[3]},
                ArrayRef<int64_t>{16, 8, 16}, std::nullopt, std::nullopt,
                std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
                std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row, NVVM::MMALayout::col});
            c = unpack(d);
          }
          part[{mt, nt}] = c;
        }
    }
    return part;
  }

  std::array<Value, 4> ldmatrix(Value shared, Value base, Value row, Value chunkOffset) {
    Value at = k.byteOffset(shared, k.add(k.add(base, row), chunkOffset));
    Value quad = NVVM::LdMatrixOp::create(b, quadType, at, 4, NVVM::MMALayout::row,
                                          NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8),
                                          NVVM::LdStMatrixEltType::B16);
    std::array<Value, 4> words;
    for (int64_t i = 0; i < 4; ++i)
      words[i] = LLVM::ExtractValueOp::create(b, quad, ArrayRef<int64_t>{i});
    return words;
  }

  // sm_80: four e4m3 bytes -> (bf16x2 of bytes 0, 2; bf16x2 of bytes 1, 3), exactly.
  // kiln-expand-f8 expands the extf word-wide: it builds exactly these two pairs (the code bits
  // placed in bf16 lanes, then one bf16x2 multiply by 2^120 each) and interleaves them into
  // byte order, which this shuffle undoes; LLVM folds the two shuffles away.
  std::array<Value, 2> toBF16Pairs(Value word) {
    Value one = vector::FromElementsOp::create(b, VectorType::get({1}, k.i32), ValueRange{word});
    Value bytes = vector::BitCastOp::create(
        b, VectorType::get({4}, b.getType<Float8E4M3FNType>()), one);
    Value wide = arith::ExtFOp::create(b, VectorType::get({4}, b.getBF16Type()), bytes);
    Value evenOdd = vector::ShuffleOp::create(b, wide, wide, ArrayRef<int64_t>{0, 2, 1, 3});
    Value pairs = vector::BitCastOp::create(b, VectorType::get({2}, k.i32), evenOdd);
    return std::array<Value, 2>{vector::ExtractOp::create(b, pairs, ArrayRef<int64_t>{0}),
                                vector::ExtractOp::create(b, pairs, ArrayRef<int64_t>{1})};
  }

  std::array<Value, 4> unpack(Value fragment) {
    std::array<Value, 4> v;
    for (int64_t i = 0; i < 4; ++i)
      v[i] = LLVM::ExtractValueOp::create(b, fragment, ArrayRef<int64_t>{i});
    return v;
  }

  // Epilogue: d0, d1 at row g, columns 2t, 2t + 1; d2, d3 at row g + 8. Rows past M and (with
  // an N tail) columns past N are not stored.
  void storeResult(scf::ForOp loop) {
    Value column = k.add(k.add(n0, warpCol), k.mul(t, k.c(2)));
    auto pairType = VectorType::get({2}, k.f32);
    for (int64_t mt = 0; mt < kMTiles; ++mt)
      for (int h = 0; h < 2; ++h)
        k.ifThen(k.cmp(arith::CmpIPredicate::ult, outRow[mt][h], rowLimit), [&] {
          Value rowStart = k.mul(outRow[mt][h], k.c(tile.n));
          for (int64_t nt = 0; nt < nTiles; ++nt) {
            Value col = nt ? k.add(column, k.c(8 * nt)) : column;
            auto store = [&] {
              Value pair = LLVM::UndefOp::create(b, pairType);
              pair = LLVM::InsertElementOp::create(
                  b, pair, loop.getResult(accIndex(mt, nt, 2 * h)), k.c32(0));
              pair = LLVM::InsertElementOp::create(
                  b, pair, loop.getResult(accIndex(mt, nt, 2 * h + 1)), k.c32(1));
              LLVM::StoreOp::create(b, pair, k.f32Element(out, k.add(rowStart, col)),
                                    /*alignment=*/8);
            };
            if (nTail)
              k.ifThen(k.cmp(arith::CmpIPredicate::ult, col, k.c(tile.n)), store);
            else
              store();
          }
        });
  }

  const MmaGemmTile &tile;
  MLIRContext *ctx;
  ImplicitLocOpBuilder b;
  KernelBuilder k;
  const int64_t bm, kBlocks;
  const bool kTail;
  const int64_t stages, warpCols, nTiles;
  const bool nTail, grouped;
  Type fragType, quadType;

  gpu::GPUFuncOp func;
  Block *entry = nullptr;
  Value aMatrix, aScale, bMatrix, bScale, out, c0, c1, rows, zero;
  // The CTA's rows (placeCta) and the thread's place (placeThread).
  Value m0, rowLimit, lastRow, lastCol, tid, n0, warp, lane, g, t, warpRow, warpCol;
  // The copy plan (planCopies) and the ldmatrix addresses (planFragments).
  Value sharedA, sharedB, chunk;
  std::vector<Copy> copies;
  std::vector<Value> aRows, bRows, aChunk, bChunk;
  Value outRow[2][2], scaleRow[2][2];
};

} // namespace

gpu::GPUFuncOp buildMmaFP8Gemm(OpBuilder &builder, Location loc, const MmaGemmTile &tile) {
  return MmaGemmKernel(builder, loc, tile).build();
}

} // namespace kiln::cuda
