// ThreadPool: the plugin's fixed pool of worker threads (DESIGN §1: the Plugin
// owns it; `close` joins it). Tasks run in due-time order; a task may be
// delayed (backoff, periodic refresh) without holding a thread while it waits.
//
// Thread-safety: every method may be called from any thread, including from a
// task. The queue is bounded: Post fails rather than grow without limit.
// Stop drops tasks not yet started, waits for running ones and joins; a task
// that blocks must be made to return by its owner (the HTTPS client cancels
// its requests before the pool is stopped).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/thread_annotations.h"

namespace tenzro::tee::fetch {

class ThreadPool {
 public:
  using Task = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  // REQUIRES: threads >= 1, max_tasks >= 1.
  ThreadPool(size_t threads, size_t max_tasks);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // False when the pool is stopped or max_tasks tasks are already queued.
  bool Post(Task task) { return PostAfter(std::chrono::milliseconds(0), std::move(task)); }
  bool PostAfter(std::chrono::milliseconds delay, Task task);
  // Idempotent. Must not be called from a task of this pool.
  void Stop();

  size_t thread_count() const { return threads_.size(); }
  size_t queued() const;

 private:
  void Worker();

  const size_t max_tasks_;
  Mutex stop_mu_;  // serialises Stop
  mutable Mutex mu_;
  std::condition_variable_any cv_;
  // Keyed by (due time, sequence): FIFO among equal due times.
  std::map<std::pair<Clock::time_point, uint64_t>, Task> queue_ GUARDED_BY(mu_);
  uint64_t next_seq_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // written only by the constructor; joined by Stop
};

}  // namespace tenzro::tee::fetch
