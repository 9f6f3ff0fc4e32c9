// ThreadPool.cpp - the CPU device's grid.
#include "ThreadPool.h"

namespace kiln::cpu {

ThreadPool::ThreadPool(unsigned threads) {
  try {
    for (unsigned i = 1; i < threads; ++i)
      workers_.emplace_back([this] { workerLoop(); });
  } catch (...) {
    // A thread that could not start (std::system_error): stop the ones that did, so that no
    // joinable std::thread is destroyed, and let the caller report it.
    stop();
    throw;
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
  workers_.clear();
}

void ThreadPool::drain() {
  for (uint32_t id = next_.fetch_add(1, std::memory_order_relaxed); id < count_;
       id = next_.fetch_add(1, std::memory_order_relaxed))
    fn_(context_, id);
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_)
        return;
      seen = generation_;
    }
    drain();
    std::lock_guard<std::mutex> lock(mutex_);
    if (--busy_ == 0)
      finished_.notify_one();
  }
}

void ThreadPool::run(uint32_t count, void (*fn)(void *, uint32_t), void *context) {
  if (count == 0)
    return;
  if (workers_.empty() || count == 1) {
    // Nothing to share: waking the workers would cost more than the call.
    for (uint32_t id = 0; id < count; ++id)
      fn(context, id);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    context_ = context;
    count_ = count;
    next_.store(0, std::memory_order_relaxed);
    busy_ = static_cast<unsigned>(workers_.size());
    ++generation_;
  }
  wake_.notify_all();
  drain();
  // The barrier: every worker has left drain(), so every id has been run to completion, and
  // the mutex orders their writes before whatever the caller does next.
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [&] { return busy_ == 0; });
}

} // namespace kiln::cpu
