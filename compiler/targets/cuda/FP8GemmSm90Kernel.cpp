//===- FP8GemmSm90Kernel.cpp - builds the sm_90a FP8 block-scaled GEMM -----===//
//
// One CTA computes a BM x BN tile of C with 128 * (BM/64 + 1) threads:
//   - The producer warpgroup is the last. One of its threads runs the K loop. For each K block
//     it waits until the stage is free (`empty[s]`, from the second round on), announces the
//     stage's bytes on `full[s]` (arrive.expect_tx), and issues two TMA loads (A tile, B tile)
//     that complete on `full[s]`.
//   - The consumer warpgroups (64 rows of the tile each) wait on `full[s]` for each K block,
//     issue four wgmma m64nBNk32 e4m3 on descriptors of the 128-byte-swizzled stage, wait for
//     them, hand the stage back (`empty[s]`), and promote the block's partial into the f32
//     accumulator with a_s * b_s. The epilogue stores the accumulator fragment from registers
//     (f32 atomics with split-K), or with `tmaStore` stages it in shared memory for a TMA store.
// K block kb uses stage s = kb % STAGES in round r = kb / STAGES. Consumers wait on `full[s]`
// with parity r & 1. The producer waits on `empty[s]` with parity (r - 1) & 1 for r >= 1.
//
// The wgmma accumulator fragment of a m64nBN tile: thread t of the warpgroup (warp w = t / 32,
// lane l) holds rows 16w + l/4 (h = 0) and 16w + l/4 + 8 (h = 1), and in register
// i = 4j + 2h + e the column 8j + 2(l % 4) + e.
// The shared-memory matrix descriptor for the 128-byte swizzle: start address >> 4 in bits
// 0-13, leading byte offset 16 >> 4 (unused for swizzled K-major), stride byte offset
// 1024 >> 4 (8 rows of 128 bytes) in bits 32-45, layout type 1 (128B) in bits 62-63. The k-th
// 32-byte slice of a 128-byte row starts 32k bytes further, i.e. (32k) >> 4 added to the
// address field.
//
// The builder is a class whose members are the values every part shares (the arguments, the
// schedule, the shared-memory layout, the thread's place); each part of the kernel is one
// method, called in the order the ops appear.
//
//===----------------------------------------------------------------------===//
#include "compiler/targets/cuda/FP8GemmSm90.h"
#include "compiler/targets/cuda/KernelBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <tuple>

using namespace mlir;

namespace kiln::cuda {
namespace {

constexpr int64_t kBlockK = 128;         // K block: the scale granularity; one 128-byte smem row
constexpr int64_t kWgmmaK = 32;          // K of one e4m3 wgmma
constexpr int32_t kWaitTicks = 0x989680; // try_wait suspend-time hint (ns), as CUTLASS
// Register split of a two-consumer CTA (384 threads, at most 168 registers each at launch):
// the producer warpgroup gives registers back (setmaxnreg.dec 40) and the consumers take them
// (setmaxnreg.inc 232), 128 * 40 + 256 * 232 = 384 * 168. `.inc` blocks until the CTA's pool,
// sized by ptxas's count at launch, can supply it, so that count must be 168: ptxas-report
// checks it for every kernel (a smaller count would hang the kernel, not fail it).
// One-consumer CTAs (256 threads) start with up to 255 registers each and need no split.
constexpr uint32_t kProducerRegisters = 40;
constexpr uint32_t kConsumerRegisters = 232;
// The TMA-store epilogue's staging block: 64 rows of 128 bytes (64 bf16 columns).
constexpr int64_t kStagingBlock = 64 * 128;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// What one unit of work is: a tile of C (or with a cluster, this CTA's tile of the pair) and
/// a range of K blocks.
struct Unit {
  Value index;     // u: the unit's place in the launch's sequence
  Value m0, n0, kbBegin, kbEnd;
  Value rowLimit;  // rows at or past it are neither stored nor read for scales
  Value bRow;      // B's first row (g N + n0) and scale row (g ceil(N/128) + n0 / 128)
  Value bScaleRow;
};

/// The thread's two rows of C and its first column in a unit (without swap A/B; swap A/B's
/// epilogue derives C's coordinates per register).
struct FragmentPlace {
  Value rows[2], col;
};

class Sm90GemmKernel {
public:
  Sm90GemmKernel(OpBuilder &builder, Location loc, const Sm90GemmTile &tile)
      : tile(tile), ctx(builder.getContext()), b(loc, builder), k(b),
        wgs(sm90GemmConsumers(tile)), mmaN(tile.swapAB ? tile.bm : tile.bn),
        aSlotBytes(64 * wgs * kBlockK), kBlocks(ceilDiv(tile.k, kBlockK)), regs(mmaN / 2),
        bytesPerStage(sm90GemmStageBytes(tile)), nTail(tile.n % tile.bn != 0),
        grouped(tile.layout != FP8GemmLayout::Dense),
        masked(tile.layout == FP8GemmLayout::GroupedMasked), nTiles(ceilDiv(tile.n, tile.bn)),
        cluster(tile.cluster), bRowsPerCta(tile.bn / cluster),
        accType(LLVM::LLVMStructType::getLiteral(ctx, SmallVector<Type>(regs, k.f32))) {}

  gpu::GPUFuncOp build() {
    declare();
    buildSchedule();
    buildBarriers();
    auto roles = scf::IfOp::create(b, k.cmp(arith::CmpIPredicate::eq, wg, k.c(wgs)),
                                   /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(roles.thenBlock()->getTerminator());
      buildProducer();
    }
    OpBuilder::InsertionGuard consumerGuard(b);
    b.setInsertionPoint(roles.elseBlock()->getTerminator());
    buildConsumers();
    b.setInsertionPointToEnd(entry);
    // No CTA of a cluster leaves while its peer may still arrive on its barriers.
    if (cluster > 1)
      clusterSync();
    gpu::ReturnOp::create(b);
    return func;
  }

private:
  // ---- The function, its arguments and the launch attributes.
  void declare() {
    SmallVector<Type> arguments = {k.ptr, k.ptr, k.ptr, k.ptr, k.ptr, k.i32, k.i32};
    if (grouped)
      arguments.append({k.ptr, k.i32});
    if (tile.tmaStore)
      arguments.push_back(k.ptr);
    auto funcType = FunctionType::get(ctx, arguments, {});
    func = gpu::GPUFuncOp::create(b, sm90GemmName(tile), funcType);
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    func.setKnownBlockSizeAttr(
        b.getDenseI32ArrayAttr({static_cast<int32_t>(sm90GemmThreads(tile)), 1, 1}));
    // One CTA per SM (.minnctapersm 1): with the block size, it fixes the register count at
    // entry (65536 / 384 -> 168), which ptxas needs to honour setmaxnreg (otherwise C7508:
    // ignored).
    func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(), b.getI32IntegerAttr(1));
    if (cluster > 1) // .reqnctapercluster: the launch forms clusters without cuLaunchKernelEx
      func->setAttr(NVVM::NVVMDialect::getClusterDimAttrName(),
                    b.getDenseI32ArrayAttr({static_cast<int32_t>(cluster), 1, 1}));
    entry = &func.getBody().front();
    aScale = entry->getArgument(0);
    bScale = entry->getArgument(1);
    out = entry->getArgument(2);
    tmapA = entry->getArgument(3);
    tmapB = entry->getArgument(4);
    b.setInsertionPointToStart(entry);

    c0 = k.c(0);
    c1 = k.c(1);
    rows = k.cast(k.idx, entry->getArgument(5));
    // bf16 output takes no split-K (see the header): splits is 1 whatever the argument says.
    splits = tile.bf16Out ? c1 : k.cast(k.idx, entry->getArgument(6));
    groups = grouped ? entry->getArgument(7) : Value();
    numGroups = grouped ? k.cast(k.idx, entry->getArgument(8)) : Value();
    tmapC = tile.tmaStore ? entry->getArgument(7) : Value(); // dense only
    tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
    wg = k.div(tid, k.c(128));
  }

  // ---- The work: ceil(M / BM) x ceil(N / BN) tiles, each split into `splits` ranges of K
  // blocks, as units u = tile * splits + split. A persistent CTA takes units blockIdx.x,
  // blockIdx.x + gridDim.x, ... The producer thread and the consumers walk the same units, so
  // they agree on a running K-block count g that gives each block its stage (g % STAGES) and
  // mbarrier phase (g / STAGES) across units: the producer loads the next unit's blocks while
  // the consumers finish the last one's epilogue.
  //
  // The tile order is chosen at run time, uniformly for the launch: N fastest or M fastest,
  // whichever touches fewer rows of A and B in one wave of gridDim.x CTAs (ceil(W / nTiles) BM
  // + min(W, nTiles) BN against min(W, mTiles) BM + ceil(W / mTiles) BN), so that a wave's
  // operands stay in L2. Measured on an H100 at M = 4096: N fastest is 12 % faster at
  // N = 2112 (33 column tiles), M fastest 12 % faster at N = 24576 (192 column tiles).
  // A grouped unit also carries its group g: B's rows start at g N, its
  // scale rows at g ceil(N/128). A unit with nothing to do (a padding block, or rows past a
  // group's count) gets an empty K range and a row limit of 0, so it loads and stores nothing
  // and the producer and consumers still agree on g.
  //
  // With a cluster of two, a unit's M coordinate is a pair of M tiles: the cluster walks the
  // units, and the CTA of rank r in it takes M tile 2 i + r. Past an odd last M tile, rank 1's
  // rows are all past M: it stores nothing, but it still runs the K loop, as its peer needs
  // its half of the weights and its releases of the stages. (DeepGEMM instead turns the
  // multicast off for such a remainder; that is a speed matter, left to measurement.)
  void buildSchedule() {
    rowBlocks = k.div(k.add(rows, k.c(tile.bm - 1)), k.c(tile.bm)); // per group if masked
    mTiles = masked ? k.mul(rowBlocks, numGroups) : rowBlocks;
    mSlots = cluster > 1 ? k.div(k.add(mTiles, k.c(cluster - 1)), k.c(cluster)) : mTiles;
    units = k.mul(k.mul(mSlots, k.c(nTiles)), splits);
    // A cluster's place and size come from the cluster registers (%cluster_ctarank,
    // %clusterid, %nclusterid), not from blockIdx arithmetic, so they stay right whatever the
    // grid's shape.
    rank = c0;
    if (cluster > 1) {
      rank = k.cast(k.idx, NVVM::ClusterId::create(b, k.i32));
      firstUnit = k.cast(k.idx, NVVM::ClusterIdXOp::create(b, k.i32));
      unitStep = k.cast(k.idx, NVVM::ClusterDimXOp::create(b, k.i32));
    } else {
      firstUnit = gpu::BlockIdOp::create(b, gpu::Dimension::x);
      unitStep = gpu::GridDimOp::create(b, gpu::Dimension::x);
    }
    nTilesValue = k.c(nTiles);
    auto waveRows = [&](Value fast, Value slow, int64_t fastRows, int64_t slowRows) {
      Value across = k.div(k.add(unitStep, k.sub(fast, c1)), fast); // ceil(W / fast tiles)
      return k.add(k.mul(k.minu(unitStep, fast), k.c(fastRows)), k.mul(across, k.c(slowRows)));
    };
    const int64_t slotRows = tile.bm * cluster;
    mFastest = k.cmp(arith::CmpIPredicate::ult, waveRows(mSlots, nTilesValue, slotRows, tile.bn),
                     waveRows(nTilesValue, mSlots, tile.bn, slotRows));
  }

  Unit unitOf(Value u) {
    Value tileIndex = k.div(u, splits), split = k.rem(u, splits);
    Value mSlot = arith::SelectOp::create(b, mFastest, k.rem(tileIndex, mSlots),
                                          k.div(tileIndex, nTilesValue));
    Value nTile = arith::SelectOp::create(b, mFastest, k.div(tileIndex, mSlots),
                                          k.rem(tileIndex, nTilesValue));
    Value mTile = cluster > 1 ? k.add(k.mul(mSlot, k.c(cluster)), rank) : mSlot;
    Unit unit;
    unit.index = u;
    unit.n0 = k.mul(nTile, k.c(tile.bn));
    unit.kbBegin = k.div(k.mul(split, k.c(kBlocks)), splits);
    unit.kbEnd = k.div(k.mul(k.add(split, c1), k.c(kBlocks)), splits);
    Value group = c0, active;
    unit.m0 = k.mul(mTile, k.c(tile.bm));
    unit.rowLimit = rows;
    if (tile.layout == FP8GemmLayout::GroupedContiguous) {
      // groups[i] < 0: padding. Compared as i32, before it becomes an (unsigned) index.
      Value g32 = k.loadI32(groups, mTile);
      active = k.cmp(arith::CmpIPredicate::sge, g32, k.c32(0));
      group = k.cast(k.idx, arith::MaxSIOp::create(b, g32, k.c32(0)));
    } else if (masked) {
      group = k.div(mTile, rowBlocks);
      Value local = k.mul(k.rem(mTile, rowBlocks), k.c(tile.bm));
      Value count = k.minu(k.cast(k.idx, k.loadI32(groups, group)), rows);
      unit.m0 = k.add(k.mul(group, rows), local);
      unit.rowLimit = k.add(k.mul(group, rows), count);
      active = k.cmp(arith::CmpIPredicate::ult, local, count);
    }
    if (active) {
      unit.kbEnd = arith::SelectOp::create(b, active, unit.kbEnd, unit.kbBegin);
      unit.rowLimit = arith::SelectOp::create(b, active, unit.rowLimit, c0);
    }
    unit.bRow = k.add(k.mul(group, k.c(tile.n)), unit.n0);
    unit.bScaleRow = k.add(k.mul(group, k.c(ceilDiv(tile.n, 128))), k.div(unit.n0, k.c(128)));
    return unit;
  }

  // scf.for over this CTA's units carrying g; `body(unit, g)` runs inside it.
  template <typename Body> void forEachUnit(Body body) {
    auto loop = scf::ForOp::create(b, firstUnit, units, unitStep, ValueRange{c0});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Unit unit = unitOf(loop.getInductionVar());
    Value g = loop.getRegionIterArgs().front();
    body(unit, g);
    scf::YieldOp::create(b, ValueRange{k.add(g, k.sub(unit.kbEnd, unit.kbBegin))});
  }

  // ---- Dynamic shared memory aligned up to 1024 bytes at run time (the swizzle atom): the
  // mbarriers in its first 1024 bytes, then the stages (A tile BM x 128 B, B tile BN x 128 B).
  void buildBarriers() {
    Value base = LLVM::AddressOfOp::create(b, k.smemPtr, kDynamicSharedMemory);
    Value baseInt = LLVM::PtrToIntOp::create(b, k.i64, base);
    Value aligned = k.andi(k.add(baseInt, k.c64(1023)), k.c64(-1024));
    Value slack = k.sub(aligned, baseInt);
    bars = k.byteOffset(base, slack);
    tilesInt = k.add(aligned, k.c64(1024));
    tiles = k.byteOffset(base, k.add(slack, k.c64(1024)));

    // Thread 0 initialises the barriers; the fence and the CTA barrier publish them (and the
    // cluster barrier to the peer CTA, whose multicasts and arrivals land on them). A stage is
    // released by every consumer thread, or with a cluster by one lane per consumer warp for
    // each CTA of the cluster.
    const int64_t releases = cluster > 1 ? cluster * 4 * wgs : 128 * wgs;
    k.ifThen(k.cmp(arith::CmpIPredicate::eq, tid, c0), [&] {
      for (int64_t s = 0; s < tile.stages; ++s) {
        NVVM::MBarrierInitOp::create(b, barrier(false, k.c64(s)), k.c32(1), Value());
        NVVM::MBarrierInitOp::create(b, barrier(true, k.c64(s)), k.c32(releases), Value());
      }
      NVVM::FenceMbarrierInitOp::create(b);
    });
    NVVM::FenceProxyOp::create(b, NVVM::ProxyKind::async_shared,
                               NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
    gpu::BarrierOp::create(b);
    if (cluster > 1)
      clusterSync();
    ticks = k.c32(kWaitTicks);
  }

  Value barrier(bool empty, Value stage64) {
    Value slot = empty ? k.add(stage64, k.c64(tile.stages)) : stage64;
    return k.byteOffset(bars, k.mul(slot, k.c64(8)));
  }

  void clusterSync() {
    NVVM::ClusterArriveOp::create(b, UnitAttr());
    NVVM::ClusterWaitOp::create(b, UnitAttr());
  }

  // Stage (i64) and round of the running K-block count g.
  std::pair<Value, Value> stageOf(Value g) {
    return std::make_pair(k.cast(k.i64, k.rem(g, k.c(tile.stages))), k.div(g, k.c(tile.stages)));
  }
  Value parity(Value round) { return k.cast(k.i32, k.andi(round, c1)); }

  // ---- Producer warpgroup: one thread streams the K blocks into the ring.
  void buildProducer() {
    if (wgs == 2)
      NVVM::SetMaxRegisterOp::create(b, kProducerRegisters, NVVM::SetMaxRegisterAction::decrease);
    k.ifThen(k.cmp(arith::CmpIPredicate::eq, tid, k.c(128 * wgs)),
             [&] { forEachUnit([&](const Unit &unit, Value g0) { loadUnit(unit, g0); }); });
  }

  void loadUnit(const Unit &unit, Value g0) {
    // With a cluster, no box starts past its tensor: the second CTA of a last, odd M tile
    // loads the tile before it (its rows are past M: it stores nothing), and a weight half
    // past N (an N tail of at most BN / 2) starts at row N - 1 (those rows only meet columns
    // past N, which are not stored). Everything loaded stays real data.
    Value aRow = unit.m0, bRow = unit.bRow;
    if (cluster > 1) {
      aRow = k.minu(aRow, k.mul(k.sub(mTiles, c1), k.c(tile.bm)));
      bRow = k.minu(k.add(bRow, k.mul(rank, k.c(bRowsPerCta))), k.c(tile.n - 1));
    }
    Value m0i = k.cast(k.i32, aRow), n0i = k.cast(k.i32, bRow);
    auto loop = scf::ForOp::create(b, unit.kbBegin, unit.kbEnd, c1);
    OpBuilder::InsertionGuard loopGuard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value kb = loop.getInductionVar();
    Value g = k.add(g0, k.sub(kb, unit.kbBegin));
    auto [stage, round] = stageOf(g);
    Value full = barrier(false, stage), empty = barrier(true, stage);
    k.ifThen(k.cmp(arith::CmpIPredicate::uge, g, k.c(tile.stages)), [&, round = round] {
      NVVM::MBarrierTryWaitParityOp::create(b, empty, parity(k.add(round, c1)), ticks);
    });
    NVVM::MBarrierArriveExpectTxOp::create(b, Type(), full, k.c32(bytesPerStage),
                                           NVVM::MemScopeKind::CTA, false, Value());
    Value offset = k.mul(stage, k.c64(bytesPerStage));
    // TMA writes shared::cluster addresses; this CTA's own shared addresses are such.
    // Tokens (tmap_a) and weights (tmap_b) into wgmma's A and B slots, or B and A swapped.
    Value tokens = k.byteOffset(tiles, tile.swapAB ? k.add(offset, k.c64(aSlotBytes)) : offset);
    Value weights = k.byteOffset(tiles, tile.swapAB ? offset : k.add(offset, k.c64(aSlotBytes)));
    if (cluster > 1) // this CTA's half of the weight tile
      weights = k.byteOffset(weights, k.mul(k.cast(k.i64, rank), k.c64(bRowsPerCta * kBlockK)));
    Value dstA = LLVM::AddrSpaceCastOp::create(b, k.clusterPtr, tokens);
    Value dstB = LLVM::AddrSpaceCastOp::create(b, k.clusterPtr, weights);
    Value k0 = k.cast(k.i32, k.mul(kb, k.c(kBlockK)));
    // The weights go to every CTA of the cluster: the same offset in each one's stage,
    // completing on each one's full[s].
    Value everyCta =
        cluster > 1 ? Value(arith::ConstantIntOp::create(b, b.getI16Type(), (1 << cluster) - 1))
                    : Value();
    for (auto [dst, map, row, multicast] :
         {std::tuple(dstA, tmapA, m0i, Value()), std::tuple(dstB, tmapB, n0i, everyCta)})
      NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
          b, dst, map, ValueRange{k0, row}, full, ValueRange{}, multicast, Value(),
          NVVM::TMALoadMode::TILE, /*isCTAOnly=*/false, NVVM::CTAGroupKindAttr(), Value());
  }

  // ---- Consumer warpgroups: the thread's place, then per unit the K loop and the epilogue.
  void buildConsumers() {
    if (wgs == 2)
      NVVM::SetMaxRegisterOp::create(b, kConsumerRegisters, NVVM::SetMaxRegisterAction::increase);
    ctid = k.rem(tid, k.c(128));
    warp = k.div(ctid, k.c(32));
    lane = k.rem(ctid, k.c(32));
    r0 = k.add(k.mul(wg, k.c(64)), k.add(k.mul(warp, k.c(16)), k.div(lane, k.c(4))));
    colInTile = k.mul(k.rem(lane, k.c(4)), k.c(2));
    const int64_t fixed =
        (int64_t(16 >> 4) << 16) | (int64_t(1024 >> 4) << 32) | (int64_t(1) << 62);
    fixedBits = k.c64(fixed);
    aBase = k.add(tilesInt, k.mul(k.cast(k.i64, wg), k.c64(64 * kBlockK)));
    splitK = k.cmp(arith::CmpIPredicate::ugt, splits, c1);
    outType = tile.bf16Out ? Type(b.getBF16Type()) : k.f32;
    pairType = VectorType::get({2}, outType);
    // The TMA-store epilogue's staging tile: this warpgroup's 64 x BN bf16, after the stages.
    if (tile.tmaStore)
      staging = k.byteOffset(tiles, k.add(k.c64(tile.stages * bytesPerStage),
                                          k.mul(k.cast(k.i64, wg), k.c64(64 * tile.bn * 2))));
    leader = k.cmp(arith::CmpIPredicate::eq, ctid, c0);

    forEachUnit([&](const Unit &unit, Value g0) {
      FragmentPlace place = placeOf(unit);
      Value result = multiplyUnit(unit, g0, place);
      if (tile.prefetchScales)
        prefetchNextScales(unit);
      storeUnit(unit, place, result);
    });
    // The last unit's TMA stores must be done before the CTA exits.
    if (tile.tmaStore)
      k.ifThen(leader, [&] { NVVM::CpAsyncBulkWaitGroupOp::create(b, /*group=*/0, UnitAttr()); });
  }

  Value descriptor(Value address) {
    return k.ori(k.shr(k.andi(address, k.c64(0x3FFFF)), k.c64(4)), fixedBits);
  }

  FragmentPlace placeOf(const Unit &unit) {
    FragmentPlace place;
    if (!tile.swapAB) {
      place.rows[0] = k.add(unit.m0, r0);
      place.rows[1] = k.add(unit.m0, k.add(r0, k.c(8)));
      place.col = k.add(unit.n0, colInTile);
    }
    return place;
  }

  // The token rows whose a_s the thread's registers need in `unit`. Register i takes
  // scaleRows[scaleOf(i)]: the fragment's two rows (i % 4) / 2, or with swap A/B its columns
  // 8j + 2(l % 4) + e, j = i / 4, e = i % 2. Rows past M read the last row's scale (their
  // partial sums are zero: TMA filled A's rows with zeros) and store nothing. (An empty unit's
  // row limit is 0: it runs no K block, so the clamp's wrap to the largest index is never
  // loaded.)
  SmallVector<Value> scaleRows(const Unit &unit, const FragmentPlace &place) {
    Value lastRow = k.sub(unit.rowLimit, c1);
    SmallVector<Value> rows;
    if (tile.swapAB) {
      for (int64_t c = 0; c < mmaN / 4; ++c)
        rows.push_back(
            k.minu(k.add(unit.m0, k.add(colInTile, k.c(8 * (c / 2) + c % 2))), lastRow));
    } else {
      rows = {k.minu(place.rows[0], lastRow), k.minu(place.rows[1], lastRow)};
    }
    return rows;
  }
  int64_t scaleOf(int64_t i) const { return tile.swapAB ? (i / 4) * 2 + i % 2 : (i % 4) / 2; }
  // a_s[row, kb], and b_s[kb] of the weight block whose scale row starts at `blockRowStart`
  // (bScaleRow * ceil(K/128)). The K loop loads these and the prefetch touches them.
  Value tokenScaleAt(Value row, Value kb) {
    return k.f32Element(aScale, k.add(k.mul(row, k.c(kBlocks)), kb));
  }
  Value weightScaleAt(Value blockRowStart, Value kb) {
    return k.f32Element(bScale, k.add(blockRowStart, kb));
  }

  // The unit's K loop: per K block wait for the stage, four wgmma, release the stage, promote.
  // Returns the f32 accumulator (a struct of `regs` floats).
  Value multiplyUnit(const Unit &unit, Value g0, const FragmentPlace &place) {
    SmallVector<Value> scaleRow = scaleRows(unit, place);
    Value scaleBlockRow = k.mul(unit.bScaleRow, k.c(kBlocks));
    Value acc0 = LLVM::ZeroOp::create(b, accType);
    auto loop = scf::ForOp::create(b, unit.kbBegin, unit.kbEnd, c1, ValueRange{acc0});
    OpBuilder::InsertionGuard loopGuard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kb = loop.getInductionVar();
    Value acc = loop.getRegionIterArgs().front();
    SmallVector<Value> sa;
    for (Value row : scaleRow)
      sa.push_back(LLVM::LoadOp::create(b, k.f32, tokenScaleAt(row, kb)));
    Value sb = LLVM::LoadOp::create(b, k.f32, weightScaleAt(scaleBlockRow, kb));
    auto [stage, round] = stageOf(k.add(g0, k.sub(kb, unit.kbBegin)));
    Value full = barrier(false, stage), empty = barrier(true, stage);
    Value offset = k.mul(stage, k.c64(bytesPerStage));
    Value descA = descriptor(k.add(aBase, offset));
    Value descB = descriptor(k.add(k.add(tilesInt, offset), k.c64(aSlotBytes)));
    NVVM::MBarrierTryWaitParityOp::create(b, full, parity(round), ticks);
    NVVM::WgmmaFenceAlignedOp::create(b);
    Value part = LLVM::UndefOp::create(b, accType);
    for (int64_t s = 0; s < kBlockK / kWgmmaK; ++s) {
      Value step = k.c64((s * kWgmmaK) >> 4);
      part = NVVM::WgmmaMmaAsyncOp::create(
          b, accType, part, s ? k.add(descA, step) : descA, s ? k.add(descB, step) : descB,
          NVVM::MMAShapeAttr::get(ctx, 64, mmaN, kWgmmaK), NVVM::WGMMATypes::e4m3,
          NVVM::WGMMATypes::e4m3, NVVM::WGMMATypes::f32,
          s ? NVVM::WGMMAScaleOut::one : NVVM::WGMMAScaleOut::zero, NVVM::WGMMAScaleIn::one,
          NVVM::WGMMAScaleIn::one, NVVM::MMALayout::row, NVVM::MMALayout::col,
          NVVM::MMAIntOverflowAttr());
    }
    NVVM::WgmmaGroupSyncAlignedOp::create(b);
    NVVM::WgmmaWaitGroupSyncOp::create(b, 0);
    releaseStage(empty);
    // Promotion: acc += partial * a_s[token] * b_s[weight block] (one 128-row weight block
    // per tile).
    SmallVector<Value> scale;
    for (Value tokenScale : sa)
      scale.push_back(arith::MulFOp::create(b, tokenScale, sb));
    for (int64_t i = 0; i < regs; ++i) {
      Value p = LLVM::ExtractValueOp::create(b, part, ArrayRef<int64_t>{i});
      Value f = LLVM::ExtractValueOp::create(b, acc, ArrayRef<int64_t>{i});
      Value sum = LLVM::FMAOp::create(b, p, scale[scaleOf(i)], f);
      acc = LLVM::InsertValueOp::create(b, acc, sum, ArrayRef<int64_t>{i});
    }
    scf::YieldOp::create(b, acc);
    return loop.getResult(0);
  }

  // `prefetchScales`: between a unit's K loop and its epilogue, the L1 lines of the a_s and b_s
  // that the CTA's next unit loads in its first K block. Only for a next unit that exists and
  // has K blocks, so every address is one its K loop is about to load (and a grouped unit's
  // groups entry is in bounds). The epilogue's stores then hide the lines' latency, which
  // otherwise holds back the next unit's fourth wgmma.
  void prefetchNextScales(const Unit &unit) {
    Value nextIndex = k.add(unit.index, unitStep);
    k.ifThen(k.cmp(arith::CmpIPredicate::ult, nextIndex, units), [&] {
      Unit next = unitOf(nextIndex);
      k.ifThen(k.cmp(arith::CmpIPredicate::ult, next.kbBegin, next.kbEnd), [&] {
        // The scales are global memory: a global pointer makes it prefetch.global.L1, where a
        // generic one would cost a cvta per address.
        auto prefetch = [&](Value address) {
          NVVM::PrefetchOp::create(
              b, NVVM::PrefetchCacheLevelAttr::get(ctx, NVVM::PrefetchCacheLevel::L1),
              NVVM::CacheEvictionPriorityAttr(),
              LLVM::AddrSpaceCastOp::create(b, k.globalPtr, address), /*predicate=*/Value(),
              /*tensormap=*/false);
        };
        for (Value row : scaleRows(next, placeOf(next)))
          prefetch(tokenScaleAt(row, next.kbBegin));
        prefetch(weightScaleAt(k.mul(next.bScaleRow, k.c(kBlocks)), next.kbBegin));
      });
    });
  }

  // The stage has been read: hand it back to the producer, or with a cluster to the producers
  // of both CTAs (the peer's writes its half of the weights here): lane r of each warp
  // arrives on CTA r's empty[s]. wgmma.wait_group is warpgroup-wide, so the whole warp has
  // finished reading. (LLVM hoists the mapa out of the lane test for BM 64, so lanes past the
  // cluster compute a peer address they never use; LLVM's NVVM intrinsic for mapa is pure and
  // speculatable, a mapping with no memory access, so that is harmless.)
  void releaseStage(Value empty) {
    if (cluster == 1) {
      NVVM::MBarrierArriveOp::create(b, Type(), empty, Value());
      return;
    }
    k.ifThen(k.cmp(arith::CmpIPredicate::ult, lane, k.c(cluster)), [&] {
      Value there = NVVM::MapaOp::create(b, k.clusterPtr, empty, k.cast(k.i32, lane));
      NVVM::MBarrierArriveOp::create(b, Type(), there, Value(),
                                     NVVM::MemScopeKindAttr::get(ctx, NVVM::MemScopeKind::CLUSTER));
    });
  }

  // ---- Epilogue: two consecutive floats per row per 8-column group, rows past M and (with an
  // N tail) columns past N masked. With split-K each unit adds its partial sum to C (zeroed by
  // the host) with f32 atomics; without, it stores.
  void storeUnit(const Unit &unit, const FragmentPlace &place, Value result) {
    if (tile.tmaStore) {
      storeThroughSharedMemory(unit, result);
      return;
    }
    if (tile.bf16Out) {
      storeFragment(unit, place, result, /*atomic=*/false);
      return;
    }
    auto epilogue = scf::IfOp::create(b, splitK, /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(epilogue.thenBlock()->getTerminator());
    storeFragment(unit, place, result, /*atomic=*/true);
    b.setInsertionPoint(epilogue.elseBlock()->getTerminator());
    storeFragment(unit, place, result, /*atomic=*/false);
  }

  void storeFragment(const Unit &unit, const FragmentPlace &place, Value result, bool atomic) {
    if (tile.swapAB)
      return storeTransposed(unit, result, atomic);
    for (int h = 0; h < 2; ++h) {
      k.ifThen(k.cmp(arith::CmpIPredicate::ult, place.rows[h], unit.rowLimit), [&] {
        Value rowStart = k.mul(place.rows[h], k.c(tile.n));
        for (int64_t j = 0; j < tile.bn / 8; ++j) {
          Value col = j ? k.add(place.col, k.c(8 * j)) : place.col;
          auto store = [&] {
            Value x = LLVM::ExtractValueOp::create(b, result, ArrayRef<int64_t>{4 * j + 2 * h});
            Value y =
                LLVM::ExtractValueOp::create(b, result, ArrayRef<int64_t>{4 * j + 2 * h + 1});
            Value index = k.add(rowStart, col);
            Value at = tile.bf16Out ? Value(LLVM::GEPOp::create(b, k.ptr, outType, out,
                                                                ValueRange{k.cast(k.i64, index)}))
                                    : k.f32Element(out, index);
            if (atomic) {
              Value next = k.f32Element(out, k.add(k.add(rowStart, col), c1));
              LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::fadd, at, x,
                                        LLVM::AtomicOrdering::monotonic);
              LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::fadd, next, y,
                                        LLVM::AtomicOrdering::monotonic);
              return;
            }
            if (tile.bf16Out) {
              x = arith::TruncFOp::create(b, outType, x);
              y = arith::TruncFOp::create(b, outType, y);
            }
            Value pair = LLVM::UndefOp::create(b, pairType);
            pair = LLVM::InsertElementOp::create(b, pair, x, k.c32(0));
            pair = LLVM::InsertElementOp::create(b, pair, y, k.c32(1));
            LLVM::StoreOp::create(b, pair, at, /*alignment=*/tile.bf16Out ? 4 : 8);
          };
          if (nTail)
            k.ifThen(k.cmp(arith::CmpIPredicate::ult, col, k.c(tile.n)), store);
          else
            store();
        }
      });
    }
  }

  // Swap A/B: register i is C[m0 + 8j + 2(l % 4) + e, n0 + r0 + 8h] (j = i / 4, h = (i % 4)
  // / 2, e = i % 2), stored one element at a time: tokens past M and (with an N tail) weights
  // past N are masked.
  void storeTransposed(const Unit &unit, Value result, bool atomic) {
    for (int64_t i = 0; i < regs; ++i) {
      Value token = k.add(unit.m0, k.add(colInTile, k.c(8 * (i / 4) + i % 2)));
      Value weight = k.add(unit.n0, k.add(r0, k.c(8 * ((i % 4) / 2))));
      Value inside = k.cmp(arith::CmpIPredicate::ult, token, unit.rowLimit);
      if (nTail)
        inside = arith::AndIOp::create(b, inside,
                                       k.cmp(arith::CmpIPredicate::ult, weight, k.c(tile.n)));
      k.ifThen(inside, [&] {
        Value x = LLVM::ExtractValueOp::create(b, result, ArrayRef<int64_t>{i});
        Value index = k.add(k.mul(token, k.c(tile.n)), weight);
        if (atomic) {
          LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::fadd, k.f32Element(out, index), x,
                                    LLVM::AtomicOrdering::monotonic);
          return;
        }
        if (tile.bf16Out)
          x = arith::TruncFOp::create(b, outType, x);
        Value at = LLVM::GEPOp::create(b, k.ptr, outType, out, ValueRange{k.cast(k.i64, index)});
        LLVM::StoreOp::create(b, x, at, /*alignment=*/tile.bf16Out ? 2 : 4);
      });
    }
  }

  // The id is a register: constant ids in two branches come back from LLVM's SimplifyCFG as
  // one bar.sync on a select, so ptxas reserves all 16 named barriers. That costs nothing at
  // one CTA per SM, which the shared memory these kernels ask for already implies.
  void warpgroupBarrier() {
    NVVM::BarrierOp::create(b, Type(), k.add(k.cast(k.i32, wg), k.c32(1)), k.c32(128),
                            NVVM::BarrierReductionAttr(), Value());
  }

  // The TMA-store epilogue (tile.tmaStore, bf16). The warpgroup's 64 x BN tile is staged as
  // BN / 64 blocks of 64 rows x 128 bytes after the stages, in TMA's 128-byte swizzle: the
  // 16-byte chunk c of row r sits at chunk c ^ (r % 8). A thread's pair (row r, columns 8j +
  // 2(l % 4) + {0, 1}) goes to block j / 8, chunk j % 8, byte 4 (l % 4) of it; r % 8 = l / 4,
  // so a warp's 32 writes fall in 32 different banks. Named barrier 1 + wg (its 128 threads)
  // orders the warpgroup's writes, the fence makes them visible to the TMA unit, and thread 0
  // of the warpgroup issues the stores and commits them as one bulk group.
  void storeThroughSharedMemory(const Unit &unit, Value result) {
    // The last unit's stores must have read the staging tile before it is written again.
    k.ifThen(leader, [&] { NVVM::CpAsyncBulkWaitGroupOp::create(b, 0, b.getUnitAttr()); });
    warpgroupBarrier();
    Value quad = k.rem(lane, k.c(4)), rowInAtom = k.div(lane, k.c(4));
    for (int h = 0; h < 2; ++h) {
      Value row = k.add(k.mul(warp, k.c(16)), k.add(rowInAtom, k.c(8 * h)));
      Value rowBytes = k.add(k.mul(row, k.c(128)), k.mul(quad, k.c(4)));
      for (int64_t j = 0; j < tile.bn / 8; ++j) {
        Value chunk = k.xori(rowInAtom, k.c(j % 8));
        Value at = k.add(k.add(k.c((j / 8) * kStagingBlock), rowBytes), k.mul(chunk, k.c(16)));
        Value x = LLVM::ExtractValueOp::create(b, result, ArrayRef<int64_t>{4 * j + 2 * h});
        Value y = LLVM::ExtractValueOp::create(b, result, ArrayRef<int64_t>{4 * j + 2 * h + 1});
        Value pair = LLVM::UndefOp::create(b, pairType);
        pair = LLVM::InsertElementOp::create(b, pair, arith::TruncFOp::create(b, outType, x),
                                             k.c32(0));
        pair = LLVM::InsertElementOp::create(b, pair, arith::TruncFOp::create(b, outType, y),
                                             k.c32(1));
        LLVM::StoreOp::create(b, pair, k.byteOffset(staging, k.cast(k.i64, at)),
                              /*alignment=*/4);
      }
    }
    NVVM::FenceProxyOp::create(b, NVVM::ProxyKind::async_shared,
                               NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
    warpgroupBarrier();
    // Blocks wholly past M or N are skipped: every box TMA stores starts inside C.
    Value rowStart = k.add(unit.m0, k.mul(wg, k.c(64)));
    Value rowsLeft = k.cmp(arith::CmpIPredicate::ult, rowStart, unit.rowLimit);
    k.ifThen(arith::AndIOp::create(b, leader, rowsLeft), [&] {
      for (int64_t block = 0; block < tile.bn / 64; ++block) {
        Value col = k.add(unit.n0, k.c(64 * block));
        auto storeBlock = [&] {
          NVVM::CpAsyncBulkTensorSharedCTAToGlobalOp::create(
              b, tmapC, k.byteOffset(staging, k.c64(block * kStagingBlock)),
              ValueRange{k.cast(k.i32, col), k.cast(k.i32, rowStart)}, Value(),
              NVVM::TMAStoreMode::TILE, Value());
        };
        if (nTail)
          k.ifThen(k.cmp(arith::CmpIPredicate::ult, col, k.c(tile.n)), storeBlock);
        else
          storeBlock();
      }
      NVVM::CpAsyncBulkCommitGroupOp::create(b);
    });
  }

  const Sm90GemmTile &tile;
  MLIRContext *ctx;
  ImplicitLocOpBuilder b;
  KernelBuilder k;

  // From the tile. wgmma's N is the weight tile's rows, or with swap A/B the tokens; the stage
  // holds wgmma's A operand (64 rows per consumer warpgroup) first, then its B operand. With a
  // cluster, CTA rank r of a pair loads weight rows [r BN/2, (r+1) BN/2) of the tile and
  // multicasts them into the same place of both CTAs' stage.
  const int64_t wgs, mmaN, aSlotBytes, kBlocks, regs, bytesPerStage;
  const bool nTail, grouped, masked;
  const int64_t nTiles, cluster, bRowsPerCta;
  Type accType;

  // The function and its arguments (declare).
  gpu::GPUFuncOp func;
  Block *entry = nullptr;
  Value aScale, bScale, out, tmapA, tmapB, tmapC, groups, numGroups;
  Value c0, c1, rows, splits, tid, wg;
  // The schedule (buildSchedule).
  Value rowBlocks, mTiles, mSlots, units, rank, firstUnit, unitStep, nTilesValue, mFastest;
  // Shared memory (buildBarriers): the mbarriers, the stages (as a pointer and an integer).
  Value bars, tiles, tilesInt, ticks;
  // The consumer thread's place (buildConsumers).
  Value ctid, warp, lane, r0, colInTile, fixedBits, aBase, splitK, staging, leader;
  Type outType, pairType;
};

} // namespace

void buildSm90DynamicSharedMemory(OpBuilder &builder, Location loc) {
  auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), 0);
  LLVM::GlobalOp::create(builder, loc, type, /*isConstant=*/false, LLVM::Linkage::External,
                         kDynamicSharedMemory, Attribute(), /*alignment=*/1024, /*addrSpace=*/3);
}

gpu::GPUFuncOp buildSm90FP8Gemm(OpBuilder &builder, Location loc, const Sm90GemmTile &tile) {
  return Sm90GemmKernel(builder, loc, tile).build();
}

} // namespace kiln::cuda
