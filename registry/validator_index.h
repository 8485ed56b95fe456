// ValidatorIndex: the registry's compact in-memory index of every validator,
// in id order, sized for a million validators (issue 5: 256 MB with 1M).
//
// Two column groups, both bucketed by the first 16 bits of the id (ids are
// Ed25519 keys, so buckets fill evenly; bucket order is id order):
//  - core (id, stake): immutable buckets shared copy-on-write with epoch
//    snapshots. Freezing an epoch copies 65,536 pointers, not the set; a
//    bucket is copied only when a registration changes a stake or the
//    membership while a snapshot still holds it. 40 bytes a validator.
//  - state (status, TEE type, reason, valid_until, claims handle): mutable,
//    owned by the registry alone, never seen by a snapshot. 16 bytes.
// Everything else of a record (evidence hash, times, claims as stored) stays
// in RocksDB; claims of attested records are kept compactly in a ClaimStore.
//
// Thread-safety: none inside. The owner serialises writers; Freeze() may run
// concurrently with other const calls. Snapshots are immutable and may be
// read from any thread while the index changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/u256.h"

namespace tenzro::tee::registry {

inline constexpr unsigned kBucketBits = 16;
inline constexpr size_t kBucketCount = size_t{1} << kBucketBits;
inline size_t BucketOf(const ValidatorId& id) { return (size_t{id[0]} << 8) | id[1]; }

struct CoreEntry {
  ValidatorId id{};
  // The stake when it lies in [1, 2^64 - 1]; 0 means the bucket's `big` list
  // holds it (any 256-bit value, so a corrupt zero stake round-trips too).
  uint64_t stake = 0;
};

struct BigStake {
  ValidatorId id{};
  U256Bytes stake_be{};
};

struct CoreBucket {
  std::vector<CoreEntry> entries;  // strictly increasing ids
  std::vector<BigStake> big;       // sorted by id

  U256Bytes StakeBe(const CoreEntry& e) const;
  U256 Stake(const CoreEntry& e) const;
};

// An immutable copy of the core columns: what an epoch freezes.
struct CoreSnapshot {
  std::vector<std::shared_ptr<const CoreBucket>> buckets;  // kBucketCount; null = empty
  size_t size = 0;
};

inline constexpr uint8_t kStateBacksEvidence = 1;

struct StateEntry {
  int64_t valid_until = -1;
  uint32_t claims = 0;  // ClaimStore handle; 0 = none held in memory
  uint8_t status = 0;   // ValidatorStatus
  uint8_t tee_type = 0; // TeeType
  uint8_t reason = 0;   // FailureCode
  uint8_t flags = 0;    // kStateBacksEvidence
  friend bool operator==(const StateEntry&, const StateEntry&) = default;
};
static_assert(sizeof(StateEntry) == 16);
static_assert(sizeof(CoreEntry) == 40);

// The compact view of one validator.
struct IndexedValidator {
  ValidatorId id{};
  U256Bytes stake_be{};
  StateEntry state;
  friend bool operator==(const IndexedValidator&, const IndexedValidator&) = default;
};

class ValidatorIndex {
 public:
  ValidatorIndex();

  size_t size() const { return size_; }
  std::optional<IndexedValidator> Find(const ValidatorId& id) const;
  // Inserts or replaces. Replacing with the same stake leaves the shared core
  // untouched (a renewal copies nothing a snapshot holds).
  void Put(const ValidatorId& id, const U256Bytes& stake_be, const StateEntry& state);
  bool Erase(const ValidatorId& id);
  // REQUIRES: id is present.
  StateEntry& MutableState(const ValidatorId& id);

  // The core columns as they are now, shared with the index (O(buckets)).
  std::shared_ptr<const CoreSnapshot> Freeze() const;

  // Visits every validator in id order: f(const CoreBucket&, const CoreEntry&, const StateEntry&).
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t b = 0; b < kBucketCount; ++b) {
      const CoreBucket* cb = core_[b].get();
      if (cb == nullptr) continue;
      const auto& st = state_[b];
      for (size_t i = 0; i < cb->entries.size(); ++i) f(*cb, cb->entries[i], st[i]);
    }
  }
  // Bucket-level access for snapshot reconstruction.
  const CoreBucket* core_bucket(size_t b) const { return core_[b].get(); }
  std::shared_ptr<const CoreBucket> shared_bucket(size_t b) const { return core_[b]; }
  const std::vector<StateEntry>& state_bucket(size_t b) const { return state_[b]; }

 private:
  // The bucket to modify: copied first when a snapshot shares it.
  CoreBucket& MutableCore(size_t b);

  std::vector<std::shared_ptr<CoreBucket>> core_;
  std::vector<std::vector<StateEntry>> state_;  // parallel to core_[b]->entries
  size_t size_ = 0;
};

// Core-entry helpers shared by the index and snapshot reconstruction.
// Sets e.stake (and b.big) for `stake_be`; e.id must be set.
void SetStake(CoreBucket& b, CoreEntry& e, const U256Bytes& stake_be);
void DropBigStake(CoreBucket& b, const ValidatorId& id);

}  // namespace tenzro::tee::registry
