// Weights and the leader stream (DESIGN §7), exactly:
//   weight = stake * multiplier if attested else stake       (checked U256)
//   K      = BLAKE2b-256(key = "tenzro-tee-leader-v1", msg = seed || E as u64 LE)
//   slot s: ChaCha20-IETF keystream, key K, nonce = s u64 LE || 0u32, read as
//           32-byte little-endian words; b = bitlen(W - 1); the first word
//           masked to its low b bits that is below W is r
//   leader = i with prefix[i-1] <= r < prefix[i] over the id-ordered list.
//
// Consensus code: integers only, no clock, no random-number library. LeaderTable is
// immutable after Build and safe to share between threads.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus_hooks/snapshot.h"
#include "core/bytes.h"
#include "core/status.h"
#include "core/u256.h"

namespace tenzro::tee::consensus {

inline constexpr char kLeaderKeyTag[] = "tenzro-tee-leader-v1";

Hash32 EpochKey(const Hash32& seed, uint64_t epoch);

// kOverflow when a weight or the total does not fit in 256 bits.
Result<std::vector<U256>> ComputeWeights(const EpochSnapshot& s);

class LeaderTable {
 public:
  // kEmpty for a snapshot without validators, kOverflow as above.
  static Result<LeaderTable> Build(const EpochSnapshot& s);

  size_t size() const { return weights_.size(); }
  const std::vector<U256>& weights() const { return weights_; }
  const U256& total() const { return total_; }
  const Hash32& key() const { return key_; }

  // The slot's random value r < W (exposed for tests and the reference).
  U256 Draw(uint64_t slot) const;
  uint32_t LeaderIndex(uint64_t slot) const;
  // out[k] = LeaderIndex(first_slot + k), k < count.
  void Schedule(uint64_t first_slot, uint64_t count, uint32_t* out) const;

 private:
  LeaderTable() = default;
  uint64_t Draw64(uint64_t slot) const;

  Hash32 key_{};
  std::vector<U256> weights_;
  U256 total_ = 0;
  unsigned bits_ = 0;
  // W < 2^64: every prefix sum fits in 64 bits and only the low 8 bytes of a
  // word can survive the mask, so the hot path stays in machine integers.
  bool small_ = false;
  std::vector<uint64_t> prefix64_;
  std::vector<U256> prefix_;
};

// The inverse CDF by a linear scan over U256 weights: the spec's text made
// code, used by tests and benches to check the fast path.
uint32_t LeaderIndexLinear(const std::vector<U256>& weights, const U256& r);

}  // namespace tenzro::tee::consensus
