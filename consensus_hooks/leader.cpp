#include "consensus_hooks/leader.h"

#include <sodium.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>

#include "consensus_hooks/weight.h"
#include "crypto/hash.h"

namespace tenzro::tee::consensus {
namespace {

constexpr std::array<uint8_t, 64> kZeros{};
// A bucket with at most this many boundaries is scanned, a wider one searched.
constexpr uint32_t kLinearScan = 8;

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
    LeaderKeystreamBlock(key, slot, b, block);
    for (int w = 0; w < 2; ++w) {
      Word r = read(block + 32 * w) & mask;
      if (r < total) return r;
    }
    if (b == UINT32_MAX) return Word(0);
  }
}

constexpr size_t kHugePage = size_t{2} << 20;

unsigned CeilLog2(size_t n) {
  unsigned k = 0;
  while ((size_t{1} << k) < n) ++k;
  return k;
}

// Builds guide[j] = upper_bound(prefix, j << shift) for j < 2^k (the end of
// the last bucket, 2^b >= W, would give n: the lookup knows that without an
// entry, which keeps the table a power of two in size).
template <typename Vec>
HugeVector<uint32_t> MakeGuide(const Vec& prefix, unsigned k, unsigned shift) {
  using P = typename Vec::value_type;
  const size_t g = size_t{1} << k;
  HugeVector<uint32_t> guide(g);
  size_t i = 0;
  for (size_t j = 0; j < g; ++j) {
    const P t = P(j) << shift;
    while (i < prefix.size() && prefix[i] <= t) ++i;
    guide[j] = static_cast<uint32_t>(i);
  }
  return guide;
}

// The inverse-CDF index of r, knowing it lies in [lo, hi] (hi may be n).
template <typename Vec, typename P>
uint32_t Resolve(const Vec& prefix, const P& r, uint32_t lo, uint32_t hi) {
  if (hi - lo <= kLinearScan) {
    // Stops at n - 1 at the latest: prefix[n - 1] = W > r.
    uint32_t i = lo;
    while (prefix[i] <= r) ++i;
    return i;
  }
  const size_t end = std::min<size_t>(size_t{hi} + 1, prefix.size());
  return static_cast<uint32_t>(
      std::upper_bound(prefix.begin() + lo, prefix.begin() + static_cast<std::ptrdiff_t>(end), r) -
      prefix.begin());
}

}  // namespace

void* AllocateHuge(size_t bytes) {
  if (bytes < kHugePage) {
    void* p = ::operator new(bytes);
    return p;
  }
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
  // Advice only: without transparent huge pages the array works the same.
  (void)madvise(p, rounded, MADV_HUGEPAGE);
  return p;
}

void FreeHuge(void* p, size_t bytes) {
  if (bytes < kHugePage)
    ::operator delete(p);
  else
    std::free(p);
}

void LeaderKeystreamBlock(const Hash32& key, uint64_t slot, uint32_t block, uint8_t out[64]) {
  std::array<uint8_t, crypto_stream_chacha20_ietf_NONCEBYTES> nonce{};
  for (size_t i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(slot >> (8 * i));
  crypto_stream_chacha20_ietf_xor_ic(out, kZeros.data(), kZeros.size(), nonce.data(), block,
                                     key.data());
}

Hash32 EpochKey(const Hash32& seed, uint64_t epoch) {
  Bytes msg(seed.begin(), seed.end());
  PutU64Le(msg, epoch);
  ByteView key(reinterpret_cast<const uint8_t*>(kLeaderKeyTag), sizeof(kLeaderKeyTag) - 1);
  return crypto::Blake2b256(AsView(msg), key);
}

Result<std::vector<U256>> ComputeWeights(const EpochSnapshot& s) {
  const WeightRule rule(s.multiplier);
  WeightSum sum(rule);
  std::vector<U256> weights;
  weights.reserve(s.entries.size());
  bool overflow = false;
  for (const auto& e : s.entries) {
    const U256 stake = U256FromBe(e.stake_be);
    if (stake <= UINT64_MAX) {  // the 128-bit path: cannot overflow
      const auto small = static_cast<uint64_t>(stake);
      const Uint128 w = rule.Of(small, e.attested);
      sum.Add(small, e.attested);
      weights.push_back((U256(static_cast<uint64_t>(w >> 64)) << 64) |
                        U256(static_cast<uint64_t>(w)));
      continue;
    }
    const WideU w = rule.Of(stake, e.attested);
    if (!FitsU256(w)) {
      overflow = true;
      break;
    }
    sum.AddWeight(w);
    weights.push_back(ToU256(w));
  }
  // Weights are not negative: the total fits only if every prefix does.
  if (overflow || !sum.Total()) {
    return Error(ErrorCode::kOverflow,
                 "total weight of epoch " + std::to_string(s.epoch) + " does not fit in 256 bits");
  }
  return weights;
}

// ---- Builder ----------------------------------------------------------------

LeaderTable::Builder::Builder(const Hash32& seed, uint64_t epoch, uint64_t multiplier,
                              size_t size_hint)
    : epoch_(epoch), multiplier_(multiplier), key_(EpochKey(seed, epoch)) {
  prefix64_.reserve(size_hint);
}

void LeaderTable::Builder::Spill() {
  big_ = true;
  prefix_.reserve(prefix64_.capacity());
  for (uint64_t p : prefix64_) prefix_.emplace_back(p);
  acc_ = acc64_;
  prefix64_.clear();
  prefix64_.shrink_to_fit();
}

void LeaderTable::Builder::Add(uint64_t stake, bool attested) {
  ++count_;
  if (!big_) {
    const Uint128 w = WeightRule(multiplier_).Of(stake, attested);
    uint64_t acc = 0;
    if ((w >> 64) == 0 && !__builtin_add_overflow(acc64_, static_cast<uint64_t>(w), &acc)) {
      acc64_ = acc;
      prefix64_.push_back(acc);
      return;
    }
    Spill();
  }
  AddBig(U256(stake), attested);
}

void LeaderTable::Builder::Add(const U256& stake, bool attested) {
  if (stake <= U256(UINT64_MAX)) {
    Add(static_cast<uint64_t>(stake), attested);
    return;
  }
  ++count_;
  if (!big_) Spill();
  AddBig(stake, attested);
}

void LeaderTable::Builder::AddBig(const U256& stake, bool attested) {
  if (overflow_) return;
  const WideU acc = WideU(static_cast<boost::multiprecision::uint256_t>(acc_)) +
                    WeightRule(multiplier_).Of(stake, attested);
  if (!FitsU256(acc)) {
    overflow_ = true;
    return;
  }
  acc_ = ToU256(acc);
  prefix_.push_back(acc_);
}

Result<LeaderTable> LeaderTable::Builder::Finish() && {
  if (count_ > UINT32_MAX) {
    return Error(ErrorCode::kOverflow, "more validators than 32-bit schedule indices can name");
  }
  if (overflow_) {
    return Error(ErrorCode::kOverflow,
                 "total weight of epoch " + std::to_string(epoch_) + " does not fit in 256 bits");
  }
  if (count_ == 0)
    return Error(ErrorCode::kEmpty, "epoch " + std::to_string(epoch_) + " has no validators");
  LeaderTable t;
  t.key_ = key_;
  t.n_ = count_;
  t.big_ = big_;
  if (big_) {
    t.total_ = acc_;
    t.prefix_ = std::move(prefix_);
  } else {
    t.total_ = acc64_;
    t.prefix64_ = std::move(prefix64_);
  }
  if (t.total_ == 0) return Error(ErrorCode::kEmpty, "total weight is zero");
  t.bits_ = BitLength(t.total_ - 1);
  t.BuildGuide();
  return t;
}

// ---- LeaderTable ------------------------------------------------------------

Result<LeaderTable> LeaderTable::Build(const EpochSnapshot& s) {
  Builder b(s.seed, s.epoch, s.multiplier, s.entries.size());
  for (const auto& e : s.entries) {
    bool small = true;
    for (size_t i = 0; i < 24 && small; ++i) small = e.stake_be[i] == 0;
    if (small) {
      uint64_t v = 0;
      for (size_t i = 24; i < 32; ++i) v = (v << 8) | e.stake_be[i];
      b.Add(v, e.attested);
    } else {
      b.Add(U256FromBe(e.stake_be), e.attested);
    }
  }
  return std::move(b).Finish();
}

void LeaderTable::BuildGuide() {
  // About n/2 buckets (at least 2 once W > 1), never narrower than one value.
  const unsigned want = std::max(1u, CeilLog2(n_) > 0 ? CeilLog2(n_) - 1 : 0u);
  const unsigned k = std::min(bits_, want);
  shift_ = bits_ - k;
  guide_ = big_ ? MakeGuide(prefix_, k, shift_) : MakeGuide(prefix64_, k, shift_);
}

U256 LeaderTable::Weight(size_t i) const {
  if (!big_) return U256(prefix64_[i] - (i > 0 ? prefix64_[i - 1] : 0));
  return i > 0 ? U256(prefix_[i] - prefix_[i - 1]) : prefix_[0];
}

std::vector<U256> LeaderTable::weights() const {
  std::vector<U256> w;
  w.reserve(n_);
  for (size_t i = 0; i < n_; ++i) w.push_back(Weight(i));
  return w;
}

uint64_t LeaderTable::Draw64(uint64_t slot) const {
  const uint64_t mask = bits_ == 64 ? UINT64_MAX : ((uint64_t{1} << bits_) - 1);
  return FirstBelow<uint64_t>(key_, slot, mask, prefix64_.back(), Le64);
}

U256 LeaderTable::Draw(uint64_t slot) const {
  if (!big_) return U256(Draw64(slot));
  const U256 mask = bits_ == 256 ? ~U256(0) : ((U256(1) << bits_) - 1);
  return FirstBelow<U256>(key_, slot, mask, total_, U256FromLe);
}

uint32_t LeaderTable::GuideEnd(size_t j) const {
  return j + 1 < guide_.size() ? guide_[j + 1] : static_cast<uint32_t>(n_);
}

uint32_t LeaderTable::Find64(uint64_t r) const {
  const size_t j = static_cast<size_t>(r >> shift_);
  return Resolve(prefix64_, r, guide_[j], GuideEnd(j));
}

uint32_t LeaderTable::FindBig(const U256& r) const {
  const size_t j = static_cast<size_t>(r >> shift_);
  return Resolve(prefix_, r, guide_[j], GuideEnd(j));
}

uint32_t LeaderTable::IndexOf(const U256& r) const {
  return big_ ? FindBig(r) : Find64(static_cast<uint64_t>(r));
}

uint32_t LeaderTable::LeaderIndex(uint64_t slot) const {
  if (!big_) return Find64(Draw64(slot));
  return FindBig(Draw(slot));
}

void LeaderTable::Schedule(uint64_t first_slot, uint64_t count, uint32_t* out) const {
  if (!big_) {
    Schedule64(first_slot, count, out);
    return;
  }
  for (uint64_t k = 0; k < count; ++k) out[k] = FindBig(Draw(first_slot + k));
}

// A three-stage software pipeline. Iteration k draws slot k (a latency-bound
// ChaCha20 block) and prefetches its guide entry; then reads the guide entry
// of slot k-1, prefetched one draw ago, and prefetches its prefix sums; then
// resolves slot k-2, whose prefix sums arrived during this iteration's draw.
// At a million validators the lookups then cost almost nothing beside the stream.
void LeaderTable::Schedule64(uint64_t first_slot, uint64_t count, uint32_t* out) const {
#ifndef TEE_PIPELINE_DISTANCE
#define TEE_PIPELINE_DISTANCE 2
#endif
  constexpr uint64_t kD = TEE_PIPELINE_DISTANCE;  // draws between a prefetch and its use
  constexpr uint64_t kRing = 4 * kD;
  struct Stage {
    uint64_t r = 0;
    size_t j = 0;
    uint32_t lo = 0;
    uint32_t hi = 0;
  };
  std::array<Stage, kRing> ring{};
  for (uint64_t k = 0; k < count + 2 * kD; ++k) {
    if (k < count) {
      Stage& s = ring[k % kRing];
      s.r = Draw64(first_slot + k);
      s.j = static_cast<size_t>(s.r >> shift_);
      __builtin_prefetch(&guide_[s.j]);
    }
    if (k >= kD && k - kD < count) {
      Stage& s = ring[(k - kD) % kRing];
      s.lo = guide_[s.j];
      s.hi = GuideEnd(s.j);
      __builtin_prefetch(&prefix64_[s.lo]);
    }
    if (k >= 2 * kD) {
      const Stage& s = ring[(k - 2 * kD) % kRing];
      out[k - 2 * kD] = Resolve(prefix64_, s.r, s.lo, s.hi);
    }
  }
}

size_t LeaderTable::memory_bytes() const {
  return prefix64_.capacity() * sizeof(uint64_t) + prefix_.capacity() * sizeof(U256) +
         guide_.capacity() * sizeof(uint32_t);
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
