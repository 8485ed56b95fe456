// EpochView: one epoch's frozen validator set (DESIGN §6) and, built on first
// use, its leader table (§7).
//
// The set shares the registry's immutable core buckets (id, stake) and holds
// its own attested bits, so freezing an epoch of a million validators costs a
// pointer array and 125 KB, not a copy of the set. The leader table is built
// lazily by the first call that needs it (leader, schedule), once.
//
// Thread-safety: immutable after construction except the lazily built table,
// which is built under std::call_once; every method may be called from any
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "consensus_hooks/leader.h"
#include "consensus_hooks/snapshot.h"
#include "registry/tee_registry.h"

namespace tenzro::tee::consensus {

class EpochView {
 public:
  EpochView(SnapshotHeader header, registry::FrozenSet set);

  const SnapshotHeader& header() const { return header_; }
  uint64_t epoch() const { return header_.epoch; }
  size_t size() const { return set_.core->size; }

  // REQUIRES: i < size().
  const ValidatorId& IdAt(size_t i) const;
  bool AttestedAt(size_t i) const { return ((set_.attested[i / 64] >> (i % 64)) & 1u) != 0; }
  U256 StakeAt(size_t i) const;
  // Visits every validator in id order: f(index, id, weight_be, attested).
  // kOverflow when a weight does not fit in 256 bits.
  Status ForEachWeight(
      const std::function<void(size_t, const ValidatorId&, const U256Bytes&, bool)>& f) const;
  // kOverflow past 2^256 - 1 (cannot happen for sets the hooks admitted).
  Result<U256> TotalWeight() const;

  // kEmpty for a set without weight, kOverflow as above.
  Result<const LeaderTable*> Table() const;

  EpochSnapshot Materialize() const;

 private:
  // REQUIRES: i < size().
  std::pair<const registry::CoreBucket*, size_t> Locate(size_t i) const;
  // Visits (bucket, k, attested) in id order. Buckets are separate
  // allocations, so the walk prefetches the stake columns a few buckets
  // ahead: at a million validators it is bound by memory latency otherwise.
  template <typename F>
  void Visit(F&& f) const {
    constexpr size_t kAhead = 2;
    const auto& buckets = set_.core->buckets;
    size_t i = 0;
    for (size_t b = 0; b < buckets.size(); ++b) {
      if (b + 2 * kAhead < buckets.size()) __builtin_prefetch(buckets[b + 2 * kAhead].get());
      if (b + kAhead < buckets.size()) {
        if (const registry::CoreBucket* ahead = buckets[b + kAhead].get(); ahead != nullptr) {
          const char* p = reinterpret_cast<const char*>(ahead->stakes.data());
          const size_t bytes = ahead->stakes.size() * sizeof(uint64_t);
          for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
        }
      }
      const registry::CoreBucket* cb = buckets[b].get();
      if (cb == nullptr) continue;
      for (size_t k = 0; k < cb->size(); ++k) {
        f(*cb, k, AttestedAt(i));
        ++i;
      }
    }
  }

  SnapshotHeader header_;
  registry::FrozenSet set_;
  std::vector<uint32_t> bucket_start_;  // index of each bucket's first entry; kBucketCount + 1
  mutable std::once_flag table_once_;
  mutable std::optional<LeaderTable> table_;
  mutable Status table_status_;
};

}  // namespace tenzro::tee::consensus
