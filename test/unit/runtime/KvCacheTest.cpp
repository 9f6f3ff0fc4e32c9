// The paged KV cache's bookkeeping: blocks on demand, the free list, the block table.
#include "KvCache.h"

#include <gtest/gtest.h>

using kiln::engine::KvCache;

TEST(KvCache, BlocksComeAsPositionsGrow) {
  KvCache cache(/*numBlocks=*/6, /*blockSize=*/4, /*maxBatch=*/2, /*blocksPerSeq=*/3);
  EXPECT_EQ(cache.freeBlocks(), 6u);
  EXPECT_TRUE(cache.reserve(0, 0));
  EXPECT_EQ(cache.blocksHeld(0), 1u);
  EXPECT_TRUE(cache.reserve(0, 3)); // same block
  EXPECT_EQ(cache.blocksHeld(0), 1u);
  EXPECT_TRUE(cache.reserve(1, 5)); // slot 1: logical blocks 0 and 1
  EXPECT_EQ(cache.blocksHeld(1), 2u);
  EXPECT_TRUE(cache.reserve(0, 4)); // slot 0's second block comes after slot 1's
  EXPECT_EQ(cache.physicalBlock(0, 0), 0);
  EXPECT_EQ(cache.physicalBlock(1, 0), 1);
  EXPECT_EQ(cache.physicalBlock(1, 1), 2);
  EXPECT_EQ(cache.physicalBlock(0, 1), 3);
  EXPECT_EQ(cache.freeBlocks(), 2u);
  // The table the kernels read: row-major [maxBatch, blocksPerSeq], unreached entries 0.
  const int32_t expected[] = {0, 3, 0, 1, 2, 0};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(cache.table()[i], expected[i]) << i;
}

TEST(KvCache, ReleaseReturnsBlocksForReuse) {
  KvCache cache(4, 4, 2, 4);
  ASSERT_TRUE(cache.reserve(0, 11)); // 3 blocks: 0 1 2
  ASSERT_TRUE(cache.reserve(1, 0));  // block 3
  EXPECT_EQ(cache.freeBlocks(), 0u);
  cache.release(0);
  EXPECT_EQ(cache.blocksHeld(0), 0u);
  EXPECT_EQ(cache.freeBlocks(), 3u);
  EXPECT_EQ(cache.table()[0], 0);
  EXPECT_EQ(cache.table()[1], 0);
  ASSERT_TRUE(cache.reserve(1, 7)); // slot 1 grows into a freed block
  EXPECT_EQ(cache.physicalBlock(1, 1), 0);
  cache.release(1);
  cache.release(1); // twice is harmless
  EXPECT_EQ(cache.freeBlocks(), 4u);
}

TEST(KvCache, ExhaustionTakesNothing) {
  KvCache cache(3, 2, 2, 4);
  ASSERT_TRUE(cache.reserve(0, 3)); // 2 blocks
  EXPECT_FALSE(cache.reserve(1, 3)); // needs 2, 1 free
  EXPECT_EQ(cache.blocksHeld(1), 0u);
  EXPECT_EQ(cache.freeBlocks(), 1u);
  EXPECT_TRUE(cache.reserve(1, 1));
  EXPECT_EQ(cache.freeBlocks(), 0u);
}
