// ValidatorIndex: the registry's compact in-memory index of every validator,
// in id order, sized for a million validators (issue 5: 256 MB with 1M).
//
// Validators are bucketed by the first 12 bits of the id (ids are Ed25519
// keys, so buckets fill evenly; bucket order is id order). Each bucket holds
// columns:
//  - ids: shared between bucket versions while the bucket's membership is
//    unchanged (32 bytes a validator, held once however many epochs share it);
//  - stakes: 8 bytes a validator (wider stakes in a side list);
//  - state (status, TEE type, reason, valid_until, claims handle): 16 bytes,
//    mutable, owned by the registry alone and never seen by a snapshot.
// Ids and stakes are copy-on-write: freezing an epoch copies 4,096 bucket
// pointers, not the set. A stake change after a freeze copies that bucket's
// stake column (about 2 KB at a million validators); a new or removed
// validator also copies its id column; a renewal with the same stake copies
// nothing a snapshot holds. The leader table is built from the stake columns
// alone, so building it streams 8 bytes a validator.
// Everything else of a record (evidence hash, times, claims as stored) stays
// in RocksDB; claims of attested records are kept compactly in a ClaimStore.
//
// Thread-safety: none inside. The owner serialises writers; Freeze() may run
// concurrently with other const calls. Frozen buckets are immutable and may
// be read from any thread while the index changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/u256.h"

namespace tenzro::tee::registry {

#ifndef TEE_INDEX_BUCKET_BITS
#define TEE_INDEX_BUCKET_BITS 12
#endif
inline constexpr unsigned kBucketBits = TEE_INDEX_BUCKET_BITS;
static_assert(kBucketBits >= 1 && kBucketBits <= 16);
inline constexpr size_t kBucketCount = size_t{1} << kBucketBits;
inline size_t BucketOf(const ValidatorId& id) {
  return ((size_t{id[0]} << 8) | id[1]) >> (16 - kBucketBits);
}

struct BigStake {
  ValidatorId id{};
  U256Bytes stake_be{};
};

struct CoreBucket {
  // Strictly increasing ids; shared with other versions of the bucket.
  std::shared_ptr<std::vector<ValidatorId>> ids = std::make_shared<std::vector<ValidatorId>>();
  // stakes[k] is validator k's stake when it lies in [1, 2^64 - 1]; 0 means
  // `big` holds it (any 256-bit value, so a corrupt zero stake round-trips).
  std::vector<uint64_t> stakes;
  std::vector<BigStake> big;  // sorted by id

  size_t size() const { return stakes.size(); }
  const ValidatorId& id(size_t k) const { return (*ids)[k]; }
  U256Bytes StakeBe(size_t k) const;
  U256 Stake(size_t k) const;
};

// An immutable copy of the core columns: what an epoch freezes.
struct CoreSnapshot {
  std::vector<std::shared_ptr<const CoreBucket>> buckets;  // kBucketCount; null = empty
  size_t size = 0;
};

inline constexpr uint8_t kStateBacksEvidence = 1;
inline constexpr uint8_t kStateHasOverlay = 2;  // a status overlay is stored (TeeRegistry)

struct StateEntry {
  int64_t valid_until = -1;
  uint32_t claims = 0;   // ClaimStore handle; 0 = none held in memory
  uint8_t status = 0;    // ValidatorStatus
  uint8_t tee_type = 0;  // TeeType
  uint8_t reason = 0;    // FailureCode
  uint8_t flags = 0;     // kStateBacksEvidence | kStateHasOverlay
  friend bool operator==(const StateEntry&, const StateEntry&) = default;
};
static_assert(sizeof(StateEntry) == 16);

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
  // Inserts or replaces. Replacing with the same stake leaves the shared
  // columns untouched (a renewal copies nothing a snapshot holds).
  void Put(const ValidatorId& id, const U256Bytes& stake_be, const StateEntry& state);
  bool Erase(const ValidatorId& id);
  // REQUIRES: id is present.
  StateEntry& MutableState(const ValidatorId& id);

  // The core columns as they are now, shared with the index (O(buckets)).
  std::shared_ptr<const CoreSnapshot> Freeze() const;

  // Visits every validator in id order: f(const CoreBucket&, size_t k, const StateEntry&).
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t b = 0; b < kBucketCount; ++b) {
      const CoreBucket* cb = core_[b].get();
      if (cb == nullptr) continue;
      const auto& st = state_[b];
      for (size_t k = 0; k < cb->size(); ++k) f(*cb, k, st[k]);
    }
  }
  // Bucket-level access for snapshot reconstruction.
  const CoreBucket* core_bucket(size_t b) const { return core_[b].get(); }
  std::shared_ptr<const CoreBucket> shared_bucket(size_t b) const { return core_[b]; }
  const std::vector<StateEntry>& state_bucket(size_t b) const { return state_[b]; }

 private:
  // The bucket to modify: copied first when a snapshot shares it (the id
  // column stays shared until MutableIds).
  CoreBucket& MutableCore(size_t b);

  std::vector<std::shared_ptr<CoreBucket>> core_;
  std::vector<std::vector<StateEntry>> state_;  // parallel to core_[b]'s columns
  size_t size_ = 0;
};

// Column helpers shared by the index and snapshot reconstruction.
// The id column of b, copied first when another bucket version shares it.
std::vector<ValidatorId>& MutableIds(CoreBucket& b);
// Position of id in b (lower bound) and whether it is there.
std::pair<size_t, bool> Locate(const CoreBucket& b, const ValidatorId& id);
// Inserts id at pos (REQUIRES: Locate gave pos, false) with stake_be.
void InsertAt(CoreBucket& b, size_t pos, const ValidatorId& id, const U256Bytes& stake_be);
void EraseAt(CoreBucket& b, size_t pos);
void SetStake(CoreBucket& b, size_t k, const U256Bytes& stake_be);

}  // namespace tenzro::tee::registry
