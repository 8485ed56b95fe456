// Weights and the leader stream (DESIGN §7), exactly:
//   weight = stake * multiplier if attested else stake       (exact integers)
//   K      = BLAKE2b-256(key = "tenzro-tee-leader-v1", msg = seed || E as u64 LE)
//   slot s: ChaCha20-IETF keystream, key K, nonce = s u64 LE || 0u32, read as
//           32-byte little-endian words; b = bitlen(W - 1); the first word
//           masked to its low b bits that is below W is r
//   leader = i with prefix[i-1] <= r < prefix[i] over the id-ordered list.
//
// The lookup is a guide table over the prefix sums (Chen & Asau): 2^k
// buckets of equal width 2^(b-k) over [0, 2^b), guide[j] = the inverse-CDF
// index of j * 2^(b-k). A draw r in bucket j has its index in
// [guide[j], guide[j+1]] because the inverse CDF is monotone, so a short scan
// from guide[j] gives exactly the index of §7 (a binary search when a bucket
// holds many boundaries). With 2^k about n/2 buckets a lookup reads one guide
// entry and one or two cache lines of prefix sums.
//
// While W < 2^64 every weight, prefix sum and masked draw is a machine word
// (and only the low 8 bytes of a keystream word can survive the mask), so the
// table is built and searched in 64-bit integers with explicit overflow
// checks; only a set whose total passes 2^64 - 1 uses 256-bit integers.
//
// Consensus code: integers only, no clock, no random-number library. A
// LeaderTable is immutable after it is built and safe to share between threads.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus_hooks/snapshot.h"
#include "core/bytes.h"
#include "core/status.h"
#include "core/u256.h"

namespace tenzro::tee::consensus {

// Allocates arrays of 2 MiB and more on 2 MiB boundaries and asks the kernel
// for transparent huge pages (madvise): the schedule reads the prefix sums
// and the guide table at random, and with 4 KiB pages nearly every lookup of
// a million-validator table misses the TLB (a nested page walk in a VM).
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n);
  void deallocate(T* p, size_t n);
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};
void* AllocateHuge(size_t bytes);
void FreeHuge(void* p, size_t bytes);
template <typename T>
T* HugePageAllocator<T>::allocate(size_t n) {
  return static_cast<T*>(AllocateHuge(n * sizeof(T)));
}
template <typename T>
void HugePageAllocator<T>::deallocate(T* p, size_t n) {
  FreeHuge(p, n * sizeof(T));
}
template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

inline constexpr char kLeaderKeyTag[] = "tenzro-tee-leader-v1";

Hash32 EpochKey(const Hash32& seed, uint64_t epoch);

// kOverflow when a weight or the total does not fit in 256 bits.
Result<std::vector<U256>> ComputeWeights(const EpochSnapshot& s);

// One 64-byte block of the §7 keystream (libsodium ChaCha20-IETF).
void LeaderKeystreamBlock(const Hash32& key, uint64_t slot, uint32_t block, uint8_t out[64]);

class LeaderTable {
 public:
  // kEmpty for a snapshot without validators or with total weight zero,
  // kOverflow as above.
  static Result<LeaderTable> Build(const EpochSnapshot& s);

  // Builds a table from validators given in id order.
  class Builder {
   public:
    Builder(const Hash32& seed, uint64_t epoch, uint64_t multiplier, size_t size_hint);
    void Add(uint64_t stake, bool attested);
    void Add(const U256& stake, bool attested);
    Result<LeaderTable> Finish() &&;

   private:
    void Spill();  // from 64-bit to 256-bit prefix sums
    void AddBig(const U256& stake, bool attested);
    uint64_t epoch_;
    uint64_t multiplier_;
    Hash32 key_;
    bool big_ = false;
    bool overflow_ = false;
    size_t count_ = 0;
    uint64_t acc64_ = 0;
    U256 acc_ = 0;
    HugeVector<uint64_t> prefix64_;
    std::vector<U256> prefix_;
  };

  size_t size() const { return n_; }
  const U256& total() const { return total_; }
  const Hash32& key() const { return key_; }
  // W <= 2^64 - 1: the 64-bit path.
  bool small() const { return !big_; }
  U256 Weight(size_t i) const;
  std::vector<U256> weights() const;

  // The slot's random value r < W (exposed for tests, benches and the reference).
  U256 Draw(uint64_t slot) const;
  // REQUIRES: small().
  uint64_t Draw64(uint64_t slot) const;
  uint32_t LeaderIndex(uint64_t slot) const;
  // The inverse-CDF index of r through the guide table. REQUIRES: r < total().
  uint32_t IndexOf(const U256& r) const;
  // out[k] = LeaderIndex(first_slot + k), k < count.
  void Schedule(uint64_t first_slot, uint64_t count, uint32_t* out) const;

  // For baselines and benches. REQUIRES: small() for prefix64().
  const HugeVector<uint64_t>& prefix64() const { return prefix64_; }
  size_t guide_size() const { return guide_.size(); }
  size_t memory_bytes() const;

 private:
  LeaderTable() = default;
  void BuildGuide();
  uint32_t GuideEnd(size_t j) const;  // guide[j + 1], or n past the last bucket
  uint32_t Find64(uint64_t r) const;
  uint32_t FindBig(const U256& r) const;
  void Schedule64(uint64_t first_slot, uint64_t count, uint32_t* out) const;

  Hash32 key_{};
  size_t n_ = 0;
  U256 total_ = 0;
  unsigned bits_ = 0;  // bit length of W - 1
  bool big_ = false;
  HugeVector<uint64_t> prefix64_;  // !big_
  std::vector<U256> prefix_;       // big_
  unsigned shift_ = 0;             // bucket width 2^shift_
  HugeVector<uint32_t> guide_;     // 2^k entries
};

// The inverse CDF by a linear scan over U256 weights: the spec's text made
// code, used by tests and benches to check the fast path.
uint32_t LeaderIndexLinear(const std::vector<U256>& weights, const U256& r);

}  // namespace tenzro::tee::consensus
