// The weight rule of DESIGN §7, written once:
//
//   weight = stake * multiplier   if attested
//          = stake                otherwise
//
// in unsigned integers, checked at 2^256 - 1. Every place that computes a
// weight or a sum of weights (epoch transitions, epoch views, the leader
// table, the registration bound) goes through WeightRule and WeightSum, so
// the rule and its fast path cannot drift apart.
//
// Fast path: a stake below 2^64 times a 64-bit multiplier is below 2^128, so
// one weight is exact in a 128-bit machine word. WeightSum adds such weights
// in a 128-bit word and counts its wraps past 2^128 (at most one an
// addition); wider stakes go straight into a 512-bit total. The exact sum is
// wraps * 2^128 + word + wide total; 512 bits cannot overflow for fewer than
// 2^192 validators, so the only check is the final one against 2^256 - 1.
//
// Consensus code: integers only. Thread-safety: WeightRule is immutable;
// a WeightSum belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <boost/multiprecision/cpp_int.hpp>

#include "core/u256.h"
#include "registry/validator_index.h"

namespace tenzro::tee::consensus {

using WideU = boost::multiprecision::uint512_t;  // exact: cannot overflow for our sums
__extension__ typedef unsigned __int128 Uint128;

// True when v fits in 256 bits.
inline bool FitsU256(const WideU& v) { return (v >> 256) == 0; }
inline WideU ToWide(Uint128 v) {
  return (WideU(static_cast<uint64_t>(v >> 64)) << 64) | WideU(static_cast<uint64_t>(v));
}
// REQUIRES: FitsU256(v).
inline U256 ToU256(const WideU& v) {
  return U256(static_cast<boost::multiprecision::uint256_t>(v));
}

class WeightRule {
 public:
  explicit WeightRule(uint64_t multiplier) : multiplier_(multiplier) {}
  uint64_t multiplier() const { return multiplier_; }

  // Exact for every stake below 2^64: (2^64 - 1)^2 < 2^128.
  Uint128 Of(uint64_t stake, bool attested) const {
    return static_cast<Uint128>(stake) * (attested ? multiplier_ : uint64_t{1});
  }
  // Exact for every 256-bit stake.
  WideU Of(const U256& stake, bool attested) const {
    WideU w(static_cast<boost::multiprecision::uint256_t>(stake));
    if (attested) w *= multiplier_;
    return w;
  }
  // nullopt when the weight passes 2^256 - 1.
  std::optional<U256> Checked(const U256& stake, bool attested) const {
    const WideU w = Of(stake, attested);
    if (!FitsU256(w)) return std::nullopt;
    return ToU256(w);
  }
  // Validator k of a registry bucket, whose stake column holds 0 for a stake
  // past 2^64 - 1 (the side list holds it).
  WideU Of(const registry::CoreBucket& b, size_t k, bool attested) const {
    if (const uint64_t stake = b.stakes[k]; stake != 0) return ToWide(Of(stake, attested));
    return Of(b.Stake(k), attested);
  }
  // The same, big-endian; false when the weight passes 2^256 - 1.
  bool WeightBe(const registry::CoreBucket& b, size_t k, bool attested, U256Bytes& out) const {
    if (const uint64_t stake = b.stakes[k]; stake != 0) {
      const Uint128 w = Of(stake, attested);
      out.fill(0);
      for (size_t i = 0; i < 16; ++i) out[31 - i] = static_cast<uint8_t>(w >> (8 * i));
      return true;
    }
    const WideU w = Of(b.Stake(k), attested);
    if (!FitsU256(w)) return false;
    out = U256ToBe(ToU256(w));
    return true;
  }

 private:
  uint64_t multiplier_;
};

// The sum of weights under one rule, exact; Total() is checked.
class WeightSum {
 public:
  explicit WeightSum(WeightRule rule) : rule_(rule) {}

  // The per-validator calls are forced inline and the wide path kept out of
  // line: an epoch sums a million of them.
  [[gnu::always_inline]] void Add(uint64_t stake, bool attested) {
    AddSmall(rule_.Of(stake, attested));
  }
  [[gnu::noinline]] void Add(const U256& stake, bool attested) {
    wide_ += rule_.Of(stake, attested);
  }
  [[gnu::always_inline]] void Add(const registry::CoreBucket& b, size_t k, bool attested) {
    if (const uint64_t stake = b.stakes[k]; __builtin_expect(stake != 0, 1)) {
      Add(stake, attested);
    } else {
      Add(b.Stake(k), attested);
    }
  }
  // A weight this rule computed (WeightRule::Of), added as it is.
  void AddWeight(const WideU& weight) { wide_ += weight; }

  // The exact sum, however large.
  WideU Wide() const { return wide_ + (WideU(carries_) << 128) + ToWide(small_); }
  // nullopt when the sum passes 2^256 - 1.
  std::optional<U256> Total() const {
    const WideU w = Wide();
    if (!FitsU256(w)) return std::nullopt;
    return ToU256(w);
  }

 private:
  // The 128-bit word wraps at most once an addition (w < 2^128): count the
  // wraps instead of flushing, so the hot loop touches machine words only.
  void AddSmall(Uint128 w) {
    small_ += w;
    carries_ += small_ < w ? 1u : 0u;
  }

  WeightRule rule_;
  Uint128 small_ = 0;
  uint64_t carries_ = 0;  // wraps of small_ past 2^128 (fewer than 2^64 additions)
  WideU wide_ = 0;
};

}  // namespace tenzro::tee::consensus
