// The CPU device's thread pool: every workgroup id runs exactly once, whatever the grid and the
// number of threads, and run() returns only when all have finished (the launch barrier).
#include "ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using kiln::cpu::ThreadPool;

TEST(ThreadPool, EveryIdOnceForAnyGridAndPoolSize) {
  for (unsigned threads : {1u, 2u, 3u, 5u}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (uint32_t count : {0u, 1u, 2u, 3u, 7u, 100u, 1000u}) {
      std::vector<std::atomic<int>> calls(count);
      pool.parallelFor(count, [&](uint32_t id) { calls[id].fetch_add(1); });
      for (uint32_t id = 0; id < count; ++id)
        EXPECT_EQ(calls[id].load(), 1) << "id " << id << " of " << count << ", " << threads
                                       << " threads";
    }
  }
}

TEST(ThreadPool, RunIsABarrier) {
  // Launch k reads what every workgroup of launch k - 1 wrote (double-buffered, so nothing
  // within one launch conflicts), as a plan's launches do: a run that returned early, or
  // returned without publishing its writes, shows a stale value.
  ThreadPool pool(3);
  constexpr uint32_t kGrid = 13;
  std::vector<int> previous(kGrid, 0), current(kGrid, 0);
  for (int launch = 1; launch <= 2000; ++launch) {
    pool.parallelFor(kGrid, [&](uint32_t id) {
      const bool fresh = previous[(id + 1) % kGrid] == launch - 1 &&
                         previous[(id + 5) % kGrid] == launch - 1;
      current[id] = fresh ? launch : -1;
    });
    for (uint32_t id = 0; id < kGrid; ++id)
      ASSERT_EQ(current[id], launch) << "launch " << launch << " id " << id;
    std::swap(previous, current);
  }
}

TEST(ThreadPool, GridLargerThanThePoolUsesEveryThread) {
  ThreadPool pool(2);
  std::mutex mutex;
  std::set<std::thread::id> seen;
  // Enough work per id that both threads take some.
  for (int attempt = 0; attempt < 50 && seen.size() < 2; ++attempt)
    pool.parallelFor(64, [&](uint32_t) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      std::lock_guard<std::mutex> lock(mutex);
      seen.insert(std::this_thread::get_id());
    });
  EXPECT_EQ(seen.size(), 2u);
}
