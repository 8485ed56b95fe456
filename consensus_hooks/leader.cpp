#include "consensus_hooks/leader.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "crypto/hash.h"

namespace tenzro::tee::consensus {
namespace {

constexpr std::array<uint8_t, 64> kZeros{};

// One 64-byte ChaCha20-IETF keystream block (two 32-byte words).
void KeystreamBlock(const Hash32& key, uint64_t slot, uint32_t block, uint8_t out[64]) {
  std::array<uint8_t, crypto_stream_chacha20_ietf_NONCEBYTES> nonce{};
  for (size_t i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(slot >> (8 * i));
  crypto_stream_chacha20_ietf_xor_ic(out, kZeros.data(), kZeros.size(), nonce.data(), block,
                                     key.data());
}

uint64_t Le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// The §7 rejection loop: the first keystream word, read by `read` and masked,
// that is below `total`. Each word passes with probability > 1/2; 2^33 words
// cannot all miss in practice, and the block counter bounds the loop anyway.
template <typename Word, typename Read>
Word FirstBelow(const Hash32& key, uint64_t slot, const Word& mask, const Word& total, Read read) {
  uint8_t block[64];
  for (uint32_t b = 0;; ++b) {
    KeystreamBlock(key, slot, b, block);
    for (int w = 0; w < 2; ++w) {
      Word r = read(block + 32 * w) & mask;
      if (r < total) return r;
    }
    if (b == UINT32_MAX) return Word(0);
  }
}

}  // namespace

Hash32 EpochKey(const Hash32& seed, uint64_t epoch) {
  Bytes msg(seed.begin(), seed.end());
  PutU64Le(msg, epoch);
  ByteView key(reinterpret_cast<const uint8_t*>(kLeaderKeyTag), sizeof(kLeaderKeyTag) - 1);
  return crypto::Blake2b256(AsView(msg), key);
}

Result<std::vector<U256>> ComputeWeights(const EpochSnapshot& s) {
  std::vector<U256> weights;
  weights.reserve(s.entries.size());
  try {
    U256 total = 0;
    const U256 mult = s.multiplier;
    for (const auto& e : s.entries) {
      U256 w = U256FromBe(e.stake_be);
      if (e.attested) w *= mult;
      total += w;  // checked: throws when the sum leaves 256 bits
      weights.push_back(w);
    }
  } catch (const std::overflow_error&) {
    return Error(ErrorCode::kOverflow, "total weight of epoch " + std::to_string(s.epoch) +
                                           " does not fit in 256 bits");
  }
  return weights;
}

Result<LeaderTable> LeaderTable::Build(const EpochSnapshot& s) {
  if (s.entries.size() > UINT32_MAX) {
    return Error(ErrorCode::kOverflow, "more validators than 32-bit schedule indices can name");
  }
  if (s.entries.empty()) {
    return Error(ErrorCode::kEmpty, "epoch " + std::to_string(s.epoch) + " has no validators");
  }
  LeaderTable t;
  TEE_ASSIGN_OR_RETURN(t.weights_, ComputeWeights(s));
  t.key_ = EpochKey(s.seed, s.epoch);
  t.prefix_.reserve(t.weights_.size());
  U256 acc = 0;
  for (const auto& w : t.weights_) {
    acc += w;  // cannot overflow: ComputeWeights summed the same values
    t.prefix_.push_back(acc);
  }
  t.total_ = acc;
  if (t.total_ == 0) return Error(ErrorCode::kEmpty, "total weight is zero");
  t.bits_ = BitLength(t.total_ - 1);
  t.small_ = t.total_ <= U256(UINT64_MAX);
  if (t.small_) {
    t.prefix64_.reserve(t.prefix_.size());
    for (const auto& p : t.prefix_) t.prefix64_.push_back(static_cast<uint64_t>(p));
    t.prefix_.clear();
    t.prefix_.shrink_to_fit();
  }
  return t;
}

uint64_t LeaderTable::Draw64(uint64_t slot) const {
  const uint64_t mask = bits_ == 64 ? UINT64_MAX : ((uint64_t{1} << bits_) - 1);
  return FirstBelow<uint64_t>(key_, slot, mask, prefix64_.back(), Le64);
}

U256 LeaderTable::Draw(uint64_t slot) const {
  if (small_) return U256(Draw64(slot));
  const U256 mask = bits_ == 256 ? ~U256(0) : ((U256(1) << bits_) - 1);
  return FirstBelow<U256>(key_, slot, mask, total_, U256FromLe);
}

uint32_t LeaderTable::LeaderIndex(uint64_t slot) const {
  if (small_) {
    uint64_t r = Draw64(slot);
    auto it = std::upper_bound(prefix64_.begin(), prefix64_.end(), r);
    return static_cast<uint32_t>(it - prefix64_.begin());
  }
  U256 r = Draw(slot);
  auto it = std::upper_bound(prefix_.begin(), prefix_.end(), r);
  return static_cast<uint32_t>(it - prefix_.begin());
}

void LeaderTable::Schedule(uint64_t first_slot, uint64_t count, uint32_t* out) const {
  for (uint64_t k = 0; k < count; ++k) out[k] = LeaderIndex(first_slot + k);
}

uint32_t LeaderIndexLinear(const std::vector<U256>& weights, const U256& r) {
  U256 acc = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    acc += weights[i];
    if (r < acc) return static_cast<uint32_t>(i);
  }
  return static_cast<uint32_t>(weights.size());  // r >= W: not a valid draw
}

}  // namespace tenzro::tee::consensus
