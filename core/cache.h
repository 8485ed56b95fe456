// Cache<K, V>: the one cache type of the plugin (issue 9).
//
// Contract (DESIGN §2, "caches never decide"): a cache holds only facts that
// are functions of its key, such as the parse of some bytes keyed by their
// hash, or "the signature of A verifies under B" keyed by both fingerprints.
// Nothing that depends on a caller's other inputs (the admitted set, policy,
// time) may be stored, so a hit and a miss always give the same answer.
//
// GetOrInsert(key, make) returns the resident shared_ptr: racing threads
// that miss together both run make(), the first insert wins, and both get
// the winner's object. A caller keeps its own owner for as long as it reads
// (STYLE: never iterate a member of a temporary shared_ptr).
//
// Bounded by entry count and by a byte budget (cost of each value, default
// sizeof(V)); when full, the least recently used entries are evicted one by
// one, never all at once. Thread-safe; make() runs outside the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <utility>

#include "core/thread_annotations.h"

namespace tenzro::tee {

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  size_t entries = 0;
  size_t bytes = 0;
};

template <typename K, typename V>
class Cache {
 public:
  using Ptr = std::shared_ptr<const V>;
  using CostFn = std::function<size_t(const V&)>;

  // REQUIRES: max_entries >= 1
  explicit Cache(size_t max_entries, size_t max_bytes = SIZE_MAX, CostFn cost = nullptr)
      : max_entries_(max_entries == 0 ? 1 : max_entries),
        max_bytes_(max_bytes),
        cost_(std::move(cost)) {}
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // The resident value of key, or nullptr (counts a hit or a miss).
  Ptr Get(const K& key) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = map_.find(key);
    if (it == map_.end()) {
      ++stats_.misses;
      return nullptr;
    }
    ++stats_.hits;
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    return it->second.value;
  }

  // make() -> Ptr (or anything convertible): the value for key. nullptr from
  // make() caches nothing and returns nullptr (e.g. bytes that do not parse
  // when the caller wants to report the error itself).
  template <typename Make>
  Ptr GetOrInsert(const K& key, Make&& make) EXCLUDES(mu_) {
    if (Ptr hit = Get(key)) return hit;
    Ptr made = std::forward<Make>(make)();
    if (made == nullptr) return nullptr;
    return Insert(key, std::move(made));
  }

  // Inserts unless key is resident; returns the resident value either way.
  Ptr Insert(const K& key, Ptr value) EXCLUDES(mu_) {
    const size_t cost = cost_ ? cost_(*value) : sizeof(V);
    MutexLock lock(&mu_);
    auto it = map_.find(key);
    if (it != map_.end()) return it->second.value;  // a racing insert won
    lru_.push_front(key);
    map_.emplace(key, Entry{value, lru_.begin(), cost});
    stats_.bytes += cost;
    while (map_.size() > 1 && (map_.size() > max_entries_ || stats_.bytes > max_bytes_)) {
      EvictOldest();
    }
    stats_.entries = map_.size();
    return value;
  }

  void Clear() EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    map_.clear();
    lru_.clear();
    stats_.bytes = 0;
    stats_.entries = 0;
  }

  CacheStats stats() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return stats_;
  }

 private:
  struct Entry {
    Ptr value;
    typename std::list<K>::iterator pos;
    size_t cost = 0;
  };

  void EvictOldest() REQUIRES(mu_) {
    auto it = map_.find(lru_.back());
    stats_.bytes -= it->second.cost;
    map_.erase(it);
    lru_.pop_back();
    ++stats_.evictions;
  }

  const size_t max_entries_;
  const size_t max_bytes_;
  const CostFn cost_;
  mutable Mutex mu_;
  std::map<K, Entry> map_ GUARDED_BY(mu_);
  std::list<K> lru_ GUARDED_BY(mu_);  // most recently used first
  CacheStats stats_ GUARDED_BY(mu_);
};

}  // namespace tenzro::tee
