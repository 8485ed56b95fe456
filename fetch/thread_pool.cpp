#include "fetch/thread_pool.h"

namespace tenzro::tee::fetch {

ThreadPool::ThreadPool(size_t threads, size_t max_tasks) : max_tasks_(max_tasks) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Worker(); });
}

ThreadPool::~ThreadPool() { Stop(); }

bool ThreadPool::PostAfter(std::chrono::milliseconds delay, Task task) {
  {
    MutexLock lock(&mu_);
    if (stopping_ || queue_.size() >= max_tasks_) return false;
    queue_.emplace(std::make_pair(Clock::now() + delay, next_seq_++), std::move(task));
  }
  // Workers may be waiting for a later due time: wake them all so the
  // earliest deadline is always the one watched.
  cv_.notify_all();
  return true;
}

void ThreadPool::Stop() {
  MutexLock stop_lock(&stop_mu_);
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

size_t ThreadPool::queued() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

void ThreadPool::Worker() {
  mu_.Lock();
  for (;;) {
    if (stopping_) break;
    if (queue_.empty()) {
      cv_.wait(mu_);
      continue;
    }
    auto first = queue_.begin();
    const Clock::time_point due = first->first.first;  // a copy: the node may go while we wait
    if (Clock::now() < due) {
      cv_.wait_until(mu_, due);
      continue;
    }
    Task task = std::move(first->second);
    queue_.erase(first);
    mu_.Unlock();
    try {
      task();
    } catch (...) {
      // A task must not take a worker down with it; tasks report their own
      // failures (the fetchers log and count them).
    }
    mu_.Lock();
  }
  mu_.Unlock();
}

}  // namespace tenzro::tee::fetch
