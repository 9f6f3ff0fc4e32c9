// KvCache.h - the paged KV cache's bookkeeping: a free list of blocks and the block table.
//
// Every layer has a pool of `numBlocks` blocks of `blockSize` tokens (the device owns the pool
// memory); one physical block id serves the same logical block in every layer's pool, so one
// table row per sequence slot maps logical block `position / blockSize` to a physical block.
// Blocks are taken from the free list as a sequence's positions grow and go back when the
// slot is released. Entries a slot has not reached hold 0, a valid block, so a kernel that
// reads past its sequence stays inside the pool (it must mask by position anyway).
#ifndef KILN_RUNTIME_ENGINE_KVCACHE_H
#define KILN_RUNTIME_ENGINE_KVCACHE_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kiln::engine {

class KvCache {
public:
  KvCache(uint32_t numBlocks, uint32_t blockSize, uint32_t maxBatch, uint32_t blocksPerSeq);

  uint32_t numBlocks() const { return numBlocks_; }
  uint32_t blockSize() const { return blockSize_; }
  uint32_t maxBatch() const { return maxBatch_; }
  uint32_t blocksPerSeq() const { return blocksPerSeq_; }

  /// Gives `slot` physical blocks for every logical block up to the one holding `position`.
  /// The caller checks slot < maxBatch() and position < blocksPerSeq() * blockSize(). Returns
  /// false, taking nothing more, when the free list cannot cover it.
  bool reserve(uint32_t slot, uint32_t position);
  /// Returns the slot's blocks to the free list.
  void release(uint32_t slot);

  /// Blocks `slot` holds (its logical blocks 0 .. blocksHeld(slot) - 1 are mapped).
  uint32_t blocksHeld(uint32_t slot) const { return held_[slot]; }
  uint32_t freeBlocks() const { return static_cast<uint32_t>(free_.size()); }
  /// Physical block of logical block `logical` of `slot`.
  int32_t physicalBlock(uint32_t slot, uint32_t logical) const {
    return table_[size_t{slot} * blocksPerSeq_ + logical];
  }
  /// int32 [maxBatch, blocksPerSeq], what BlockTable arguments point at.
  int32_t *table() { return table_.data(); }

private:
  uint32_t numBlocks_, blockSize_, maxBatch_, blocksPerSeq_;
  std::vector<int32_t> table_;
  std::vector<uint32_t> held_;
  std::vector<int32_t> free_; // a stack: the next block handed out is at the back
};

} // namespace kiln::engine

#endif // KILN_RUNTIME_ENGINE_KVCACHE_H
