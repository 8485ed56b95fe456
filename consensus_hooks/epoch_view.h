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
#include <utility>
#include <optional>

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
  Status ForEachWeight(const std::function<void(size_t, const ValidatorId&, const U256Bytes&, bool)>& f) const;
  // kOverflow past 2^256 - 1 (cannot happen for sets the hooks admitted).
  Result<U256> TotalWeight() const;

  // kEmpty for a set without weight, kOverflow as above.
  Result<const LeaderTable*> Table() const;

  EpochSnapshot Materialize() const;

 private:
  // REQUIRES: i < size().
  std::pair<const registry::CoreBucket*, size_t> Locate(size_t i) const;
  // Visits (bucket, entry, attested) in id order.
  template <typename F>
  void Visit(F&& f) const {
    size_t i = 0;
    for (const auto& b : set_.core->buckets) {
      if (!b) continue;
      for (const auto& e : b->entries) {
        f(*b, e, AttestedAt(i));
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
