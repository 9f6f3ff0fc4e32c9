// ThreadPool.h - the CPU device's grid: a fixed set of threads that runs one launch at a time.
//
// A launch of `grid` workgroups is a parallel loop over workgroup ids; the calling thread takes
// part, so a pool of N threads starts N - 1 workers. Ids are handed out one at a time from an
// atomic counter (a workgroup of a generated kernel may cost more or less than another), and
// run() returns only when every id has finished: the barrier between two launches of a plan.
#ifndef KILN_RUNTIME_CPU_THREADPOOL_H
#define KILN_RUNTIME_CPU_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::cpu {

class ThreadPool {
public:
  /// `threads` >= 1 counts the caller: ThreadPool(1) runs everything on the calling thread.
  /// Throws std::system_error when a thread cannot be started.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }

  /// Calls fn(context, id) once for every id in [0, count), on all threads, and returns when
  /// all calls have returned. Not reentrant: one run at a time, from one thread.
  void run(uint32_t count, void (*fn)(void *context, uint32_t id), void *context);

  template <typename F> void parallelFor(uint32_t count, F &&body) {
    run(count, [](void *context, uint32_t id) { (*static_cast<F *>(context))(id); },
        const_cast<void *>(static_cast<const void *>(&body)));
  }

private:
  void workerLoop();
  void drain();
  void stop();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  uint64_t generation_ = 0; // bumped for every run that wakes the workers
  unsigned busy_ = 0;       // workers still inside the current run
  bool stopping_ = false;
  // The current run; written under mutex_ before generation_ is bumped.
  void (*fn_)(void *, uint32_t) = nullptr;
  void *context_ = nullptr;
  uint32_t count_ = 0;
  std::atomic<uint32_t> next_{0};
};

} // namespace kiln::cpu

#endif // KILN_RUNTIME_CPU_THREADPOOL_H
