// Workload model shared by the simulation and the micro benches: validator
// ids, a heavy-tailed stake distribution and a small PRNG, all from a fixed
// seed. Bench code, not consensus code: floating point shapes the stakes
// here, and the plugin only ever sees the resulting integers.
#pragma once

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace tenzro::workload {

// SplitMix64 (Steele, Lea, Flood 2014): small, fast, good enough for a workload.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1].
  double Unit() { return static_cast<double>((Next() >> 11) + 1) * 0x1.0p-53; }

 private:
  uint64_t s_;
};

// Validator i's id: BLAKE2b-256 keyed by the run seed (uniform, like Ed25519 keys).
inline void MakeValidatorId(uint64_t seed, uint64_t i, uint8_t out[32]) {
  uint8_t key[16];
  uint8_t msg[8];
  for (int k = 0; k < 8; ++k) {
    key[k] = static_cast<uint8_t>(seed >> (8 * k));
    key[8 + k] = static_cast<uint8_t>(0xa5 ^ k);
    msg[k] = static_cast<uint8_t>(i >> (8 * k));
  }
  crypto_generichash(out, 32, msg, sizeof msg, key, sizeof key);
}

// Pareto(alpha) stakes from `min`, capped: the usual shape of proof-of-stake
// networks (a few whales, a long tail). alpha 1.16 is the "80/20" law.
struct StakeModel {
  double alpha = 1.16;
  uint64_t min = 1'000'000'000;           // 1 token of 10^9 base units
  uint64_t cap = 10'000'000'000'000'000;  // 10^7 tokens
  uint64_t Draw(SplitMix64& rng) const {
    const double x = static_cast<double>(min) / std::pow(rng.Unit(), 1.0 / alpha);
    if (!(x < static_cast<double>(cap))) return cap;
    return std::max<uint64_t>(min, static_cast<uint64_t>(x));
  }
};

}  // namespace tenzro::workload
