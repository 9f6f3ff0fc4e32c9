// KvCache.cpp - the paged KV cache's free list and block table.
#include "KvCache.h"

namespace kiln::engine {

KvCache::KvCache(uint32_t numBlocks, uint32_t blockSize, uint32_t maxBatch,
                 uint32_t blocksPerSeq)
    : numBlocks_(numBlocks), blockSize_(blockSize), maxBatch_(maxBatch),
      blocksPerSeq_(blocksPerSeq), table_(size_t{maxBatch} * blocksPerSeq, 0),
      held_(maxBatch, 0) {
  // Lowest ids first, so a fresh cache hands out 0, 1, 2, ...
  free_.reserve(numBlocks);
  for (uint32_t block = numBlocks; block > 0; --block)
    free_.push_back(static_cast<int32_t>(block - 1));
}

bool KvCache::reserve(uint32_t slot, uint32_t position) {
  const uint32_t needed = position / blockSize_ + 1;
  if (needed <= held_[slot])
    return true;
  if (needed - held_[slot] > free_.size())
    return false;
  int32_t *row = &table_[size_t{slot} * blocksPerSeq_];
  for (; held_[slot] < needed; ++held_[slot]) {
    row[held_[slot]] = free_.back();
    free_.pop_back();
  }
  return true;
}

void KvCache::release(uint32_t slot) {
  int32_t *row = &table_[size_t{slot} * blocksPerSeq_];
  // Pushed last-first, so the slot's first block is the next one handed out again.
  for (; held_[slot] > 0; --held_[slot]) {
    free_.push_back(row[held_[slot] - 1]);
    row[held_[slot] - 1] = 0;
  }
}

} // namespace kiln::engine
