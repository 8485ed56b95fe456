// Micro benches of the consensus hot paths, each next to a baseline measured
// in the same process (issue 5):
//  - schedule of 432,000 slots from an in-memory epoch snapshot of 1k, 100k
//    and 1M validators (lookup table build included) vs. the same stream
//    with a binary search over 64-bit and over 256-bit prefix sums, and vs.
//    the bare keystream (libsodium, and OpenSSL EVP with context reuse);
//  - weight computation, one draw, one lookup;
//  - record encode/decode, registry put/get, index find;
//  - the epoch transition: 100k attested validators all re-evaluated, 10%
//    demoted by an admitted revocation list, RocksDB batch included;
//  - registrations per second, single and batch, Simulated evidence verified.
// Run: build/benches/plugin_bench [--benchmark_filter=...]  (one core: taskset -c 1)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "attestation/sim/simulator.h"
#include "attestation/simulated/simulated_verifier.h"
#include "benches/sim/workload.h"
#include "consensus_hooks/hooks.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;

namespace {
constexpr uint64_t kSlots = 432'000;
constexpr uint64_t kT0 = 1'767'225'600;

Hash32 Label(const std::string& s) {
  return crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

U256Bytes StakeBe(uint64_t v) { return U256ToBe(U256(v)); }

// An in-memory epoch snapshot as the plugin holds it: frozen core buckets of
// a ValidatorIndex and the attested bits; a third of the validators attested.
struct Frozen {
  SnapshotHeader header;
  registry::FrozenSet set;
};

Frozen MakeFrozen(size_t n, unsigned stake_shift = 0) {
  registry::ValidatorIndex index;
  ::tenzro::workload::SplitMix64 rng(0x5eed);
  ::tenzro::workload::StakeModel model;
  for (size_t i = 0; i < n; ++i) {
    ValidatorId id{};
    ::tenzro::workload::MakeValidatorId(7, i, id.data());
    registry::StateEntry st;
    st.status = static_cast<uint8_t>(i % 3 == 0 ? registry::ValidatorStatus::kAttested
                                                : registry::ValidatorStatus::kUnattested);
    index.Put(id, U256ToBe(U256(model.Draw(rng)) << stake_shift), st);
  }
  Frozen f;
  f.header.epoch = 1;
  f.header.seed = Label("bench-seed");
  f.header.multiplier = 2;
  f.header.size = n;
  f.set.core = index.Freeze();
  f.set.attested.assign((n + 63) / 64, 0);
  size_t i = 0;
  index.ForEach([&](const registry::CoreBucket&, size_t, const registry::StateEntry& st) {
    if (st.status == static_cast<uint8_t>(registry::ValidatorStatus::kAttested)) {
      f.set.attested[i / 64] |= uint64_t{1} << (i % 64);
    }
    ++i;
  });
  return f;
}

const Frozen& FrozenOf(size_t n) {
  static std::map<size_t, Frozen> cache;
  auto it = cache.find(n);
  if (it == cache.end()) it = cache.emplace(n, MakeFrozen(n)).first;
  return it->second;
}

void SetDraws(benchmark::State& state) {
  state.counters["draws/s"] = benchmark::Counter(static_cast<double>(kSlots),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// The plugin's path: a fresh view, its table built on first use, the schedule.
void BM_Schedule_Plugin(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  std::vector<uint32_t> out(kSlots);
  for (auto _ : state) {
    EpochView view(f.header, f.set);
    auto t = view.Table();
    (*t)->Schedule(0, kSlots, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  SetDraws(state);
}
BENCHMARK(BM_Schedule_Plugin)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// The schedule's two halves apart, on a built table: the draws alone (the
// keystream with its rejection loop), and the lookups alone over stored draws.
void BM_Schedule_DrawsOnly(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  EpochView view(f.header, f.set);
  const LeaderTable* t = *view.Table();
  uint64_t blocks = 0;
  for (uint64_t s = 0; s < kSlots; ++s) {
    // Blocks this slot's draw reads: one more per two rejected words.
    const Hash32& key = t->key();
    uint8_t block[64];
    const unsigned bits = BitLength(t->total() - 1);
    const uint64_t mask = bits >= 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    for (uint32_t b = 0;; ++b) {
      ++blocks;
      LeaderKeystreamBlock(key, s, b, block);
      uint64_t r0, r1;
      std::memcpy(&r0, block, 8);
      std::memcpy(&r1, block + 32, 8);
      if ((r0 & mask) < t->prefix64().back() || (r1 & mask) < t->prefix64().back()) break;
    }
  }
  uint64_t sink = 0;
  for (auto _ : state) {
    for (uint64_t s = 0; s < kSlots; ++s) sink += t->Draw64(s);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["blocks/slot"] = static_cast<double>(blocks) / kSlots;
  SetDraws(state);
}
BENCHMARK(BM_Schedule_DrawsOnly)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

void BM_Schedule_LookupsOnly(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  EpochView view(f.header, f.set);
  const LeaderTable* t = *view.Table();
  std::vector<uint64_t> rs(kSlots);
  for (uint64_t s = 0; s < kSlots; ++s) rs[s] = t->Draw64(s);
  uint64_t sink = 0;
  for (auto _ : state) {
    for (uint64_t s = 0; s < kSlots; ++s) sink += t->IndexOf(U256(rs[s]));
    benchmark::DoNotOptimize(sink);
  }
  SetDraws(state);
}
BENCHMARK(BM_Schedule_LookupsOnly)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// The table build alone (weights, 64-bit prefix sums, guide table).
void BM_TableBuild(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    EpochView view(f.header, f.set);
    benchmark::DoNotOptimize(view.Table().ok());
  }
}
BENCHMARK(BM_TableBuild)->Arg(1'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Prefix sums of the view's weights, built the way the baselines do.
template <typename P, typename Make>
std::vector<P> Prefix(const Frozen& f, Make make) {
  std::vector<P> prefix;
  prefix.reserve(f.header.size);
  P acc = 0;
  size_t i = 0;
  for (const auto& b : f.set.core->buckets) {
    if (!b) continue;
    for (size_t k = 0; k < b->size(); ++k) {
      const bool attested = ((f.set.attested[i / 64] >> (i % 64)) & 1u) != 0;
      acc += make(*b, k) * P(attested ? f.header.multiplier : 1);
      prefix.push_back(acc);
      ++i;
    }
  }
  return prefix;
}

unsigned BitLength64(uint64_t v) {
  return v == 0 ? 0 : 64 - static_cast<unsigned>(__builtin_clzll(v));
}

// Baseline (how Solana builds its schedule): the same stream, inverse CDF by
// binary search over 64-bit prefix sums.
void BM_Schedule_BinarySearch64(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  const Hash32 key = EpochKey(f.header.seed, f.header.epoch);
  std::vector<uint32_t> out(kSlots);
  for (auto _ : state) {
    auto prefix =
        Prefix<uint64_t>(f, [](const registry::CoreBucket& b, size_t k) { return b.stakes[k]; });
    const uint64_t w = prefix.back();
    const unsigned bits = BitLength64(w - 1);
    const uint64_t mask = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
    uint8_t block[64];
    for (uint64_t s = 0; s < kSlots; ++s) {
      uint64_t r = 0;
      for (uint32_t b = 0;; ++b) {
        LeaderKeystreamBlock(key, s, b, block);
        uint64_t r0, r1;
        std::memcpy(&r0, block, 8);
        std::memcpy(&r1, block + 32, 8);
        if ((r0 & mask) < w) {
          r = r0 & mask;
          break;
        }
        if ((r1 & mask) < w) {
          r = r1 & mask;
          break;
        }
      }
      out[s] =
          static_cast<uint32_t>(std::upper_bound(prefix.begin(), prefix.end(), r) - prefix.begin());
    }
    benchmark::DoNotOptimize(out.data());
  }
  SetDraws(state);
}
BENCHMARK(BM_Schedule_BinarySearch64)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// Baseline: the generic 256-bit path (U256 words and prefix sums).
void BM_Schedule_BinarySearch256(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  const Hash32 key = EpochKey(f.header.seed, f.header.epoch);
  std::vector<uint32_t> out(kSlots);
  for (auto _ : state) {
    auto prefix =
        Prefix<U256>(f, [](const registry::CoreBucket& b, size_t k) { return b.Stake(k); });
    const U256 w = prefix.back();
    const U256 mask = (U256(1) << BitLength(w - 1)) - 1;
    uint8_t block[64];
    for (uint64_t s = 0; s < kSlots; ++s) {
      U256 r = 0;
      for (uint32_t b = 0;; ++b) {
        LeaderKeystreamBlock(key, s, b, block);
        U256 r0 = U256FromLe(block) & mask, r1 = U256FromLe(block + 32) & mask;
        if (r0 < w) {
          r = r0;
          break;
        }
        if (r1 < w) {
          r = r1;
          break;
        }
      }
      out[s] =
          static_cast<uint32_t>(std::upper_bound(prefix.begin(), prefix.end(), r) - prefix.begin());
    }
    benchmark::DoNotOptimize(out.data());
  }
  SetDraws(state);
}
BENCHMARK(BM_Schedule_BinarySearch256)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// The 256-bit table path of the plugin (W > 2^64): stakes shifted by 2^80.
void BM_Schedule_Plugin_Wide(benchmark::State& state) {
  static const Frozen f = MakeFrozen(static_cast<size_t>(state.range(0)), 80);
  std::vector<uint32_t> out(kSlots);
  for (auto _ : state) {
    EpochView view(f.header, f.set);
    auto t = view.Table();
    if (!t.ok() || (*t)->small()) state.SkipWithError("expected the 256-bit path");
    (*t)->Schedule(0, kSlots, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  SetDraws(state);
}
BENCHMARK(BM_Schedule_Plugin_Wide)->Arg(100'000)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// Floor: one ChaCha20-IETF block per slot through libsodium (the plugin's call).
void BM_Keystream_Sodium(benchmark::State& state) {
  const Hash32 key = EpochKey(Label("bench-seed"), 1);
  uint8_t block[64];
  uint64_t sink = 0;
  for (auto _ : state) {
    for (uint64_t s = 0; s < kSlots; ++s) {
      LeaderKeystreamBlock(key, s, 0, block);
      sink += block[0];
    }
    benchmark::DoNotOptimize(sink);
  }
  SetDraws(state);
}
BENCHMARK(BM_Keystream_Sodium)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The same blocks through OpenSSL's EVP ChaCha20 (16-byte IV = 32-bit LE
// counter || 96-bit nonce), one context reused and re-keyed by IV per slot.
void BM_Keystream_OpenSsl(benchmark::State& state) {
  const Hash32 key = EpochKey(Label("bench-seed"), 1);
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  uint8_t iv[16] = {};
  uint8_t zeros[64] = {};
  uint8_t block[64], check[64];
  if (cipher == nullptr || ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx, cipher, key.data(), iv, nullptr) != 1) {
    state.SkipWithError("OpenSSL ChaCha20 unavailable");
  }
  // Same bytes as libsodium for a sample slot, or the comparison is void.
  const uint64_t sample = 12345;
  for (int i = 0; i < 8; ++i) iv[4 + i] = static_cast<uint8_t>(sample >> (8 * i));
  int len = 0;
  EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr);
  EVP_EncryptUpdate(ctx, block, &len, zeros, 64);
  LeaderKeystreamBlock(key, sample, 0, check);
  if (std::memcmp(block, check, 64) != 0)
    state.SkipWithError("OpenSSL and libsodium streams differ");
  uint64_t sink = 0;
  for (auto _ : state) {
    for (uint64_t s = 0; s < kSlots; ++s) {
      for (int i = 0; i < 8; ++i) iv[4 + i] = static_cast<uint8_t>(s >> (8 * i));
      EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr);
      EVP_EncryptUpdate(ctx, block, &len, zeros, 64);
      sink += block[0];
    }
    benchmark::DoNotOptimize(sink);
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  SetDraws(state);
}
BENCHMARK(BM_Keystream_OpenSsl)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Reference point, not usable by §7: eight consecutive blocks of one nonce
// per call (libsodium's multi-block AVX2 path) -- what a stream that put the
// slot in the block counter could cost.
void BM_Keystream_Sodium_8Blocks(benchmark::State& state) {
  const Hash32 key = EpochKey(Label("bench-seed"), 1);
  uint8_t zeros[512] = {};
  uint8_t blocks[512];
  uint8_t nonce[12] = {};
  uint64_t sink = 0;
  for (auto _ : state) {
    for (uint64_t s = 0; s < kSlots / 8; ++s) {
      for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(s >> (8 * i));
      crypto_stream_chacha20_ietf_xor_ic(blocks, zeros, sizeof zeros, nonce, 0, key.data());
      sink += blocks[0];
    }
    benchmark::DoNotOptimize(sink);
  }
  SetDraws(state);
}
BENCHMARK(BM_Keystream_Sodium_8Blocks)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// ---- weights, one draw, one lookup -------------------------------------

void BM_Weights_TotalFromView(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  EpochView view(f.header, f.set);
  for (auto _ : state) benchmark::DoNotOptimize(view.TotalWeight().ok());
  state.counters["validators/s"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Weights_TotalFromView)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The checked 256-bit weights of a materialised snapshot (ComputeWeights).
void BM_Weights_U256(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  const EpochSnapshot snap = EpochView(f.header, f.set).Materialize();
  for (auto _ : state) benchmark::DoNotOptimize(ComputeWeights(snap).ok());
  state.counters["validators/s"] = benchmark::Counter(
      static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Weights_U256)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_Draw64(benchmark::State& state) {
  const Frozen& f = FrozenOf(100'000);
  EpochView view(f.header, f.set);
  const LeaderTable* t = *view.Table();
  uint64_t slot = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t->Draw64(slot++));
}
BENCHMARK(BM_Draw64);

void BM_LeaderIndex(benchmark::State& state) {
  const Frozen& f = FrozenOf(static_cast<size_t>(state.range(0)));
  EpochView view(f.header, f.set);
  const LeaderTable* t = *view.Table();
  uint64_t slot = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t->LeaderIndex(slot++));
}
BENCHMARK(BM_LeaderIndex)->Arg(100'000)->Arg(1'000'000);

// ---- records and the registry --------------------------------------------

registry::ValidatorRecord AttestedRecord(const ValidatorId& id, const simulated::Measurement& m) {
  registry::ValidatorRecord r;
  r.id = id;
  r.stake_be = StakeBe(5'000'000'000);
  r.tee_type = TeeType::Simulated;
  r.status = registry::ValidatorStatus::kAttested;
  r.evidence_hash = crypto::Sha256(AsView(id));
  r.valid_until = static_cast<int64_t>(kT0 + 10 * 86400);
  r.valid_from = kT0;
  r.registered_at = kT0;
  r.claims["measurement"] = Bytes(m.begin(), m.end());
  Bytes issued;
  PutU64Le(issued, kT0);
  r.claims["issued_at"] = issued;
  return r;
}

void BM_Record_Encode(benchmark::State& state) {
  const auto r = AttestedRecord(Label("rec"), sim::DefaultMeasurement());
  for (auto _ : state) benchmark::DoNotOptimize(registry::EncodeRecord(r).size());
}
BENCHMARK(BM_Record_Encode);

void BM_Record_Decode(benchmark::State& state) {
  const Bytes enc = registry::EncodeRecord(AttestedRecord(Label("rec"), sim::DefaultMeasurement()));
  for (auto _ : state) benchmark::DoNotOptimize(registry::DecodeRecord(AsView(enc)).ok());
}
BENCHMARK(BM_Record_Decode);

struct Env {
  std::string dir;
  std::unique_ptr<AttestationVerifier> verifier;
  std::unique_ptr<registry::TeeRegistry> reg;
  std::unique_ptr<ConsensusHooks> hooks;

  explicit Env(const std::string& name) {
    dir = (std::filesystem::temp_directory_path() / ("tenzro-bench-" + name)).string();
    std::filesystem::remove_all(dir);
    verifier = std::make_unique<AttestationVerifier>();
    simulated::Policy p;
    p.common.simulation = true;
    verifier->Install(std::make_unique<simulated::SimulatedVerifier>(p));
    storage::RocksOptions o;
    o.path = dir;
    auto store = storage::OpenRocksStore(o);
    if (!store.ok()) throw std::runtime_error(store.status().ToString());
    auto r = registry::TeeRegistry::Open(std::move(store).value());
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    reg = std::move(r).value();
    hooks = std::make_unique<ConsensusHooks>(*reg, *verifier, HookParams{}, nullptr);
  }
  ~Env() {
    hooks.reset();
    reg.reset();
    std::filesystem::remove_all(dir);
  }
};

// One record, one synced batch.
void BM_Registry_Put(benchmark::State& state) {
  Env env("put");
  uint64_t i = 0;
  for (auto _ : state) {
    auto r = AttestedRecord(Label("put-" + std::to_string(i++)), sim::DefaultMeasurement());
    benchmark::DoNotOptimize(env.reg->Upsert({r}).ok());
  }
}
BENCHMARK(BM_Registry_Put)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

void BM_Registry_Get(benchmark::State& state) {
  Env env("get");
  std::vector<registry::ValidatorRecord> rs;
  for (int i = 0; i < 10'000; ++i)
    rs.push_back(AttestedRecord(Label("get-" + std::to_string(i)), sim::DefaultMeasurement()));
  if (!env.reg->Upsert(rs).ok()) state.SkipWithError("setup failed");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(env.reg->Get(rs[i++ % rs.size()].id).ok());
}
BENCHMARK(BM_Registry_Get)->Unit(benchmark::kMicrosecond);

void BM_Index_Find(benchmark::State& state) {
  registry::ValidatorIndex index;
  std::vector<ValidatorId> ids(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < ids.size(); ++i) {
    ::tenzro::workload::MakeValidatorId(3, i, ids[i].data());
    index.Put(ids[i], StakeBe(1000 + i), {});
  }
  size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(index.Find(ids[(i++ * 7919) % ids.size()]).has_value());
}
BENCHMARK(BM_Index_Find)->Arg(1'000'000);

// ---- the epoch transition ---------------------------------------------------

// range(0) validators, range(1) of them attested; a tenth of the attested
// carry a measurement that an admitted revocation list revokes, so every
// epoch re-evaluates all attested records and demotes 10% of them. Between
// iterations (untimed) the demoted records are registered attested again.
void BM_EpochTransition(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t attested = static_cast<size_t>(state.range(1));
  Env env("epoch-" + std::to_string(n));
  simulated::Measurement bad = sim::DefaultMeasurement();
  bad[0] ^= 0xff;
  std::vector<registry::ValidatorRecord> revoked;
  ::tenzro::workload::SplitMix64 rng(11);
  ::tenzro::workload::StakeModel model;
  for (size_t base = 0; base < n; base += 20'000) {
    std::vector<registry::ValidatorRecord> batch;
    for (size_t i = base; i < std::min(n, base + 20'000); ++i) {
      ValidatorId id{};
      ::tenzro::workload::MakeValidatorId(5, i, id.data());
      registry::ValidatorRecord r;
      if (i < attested) {
        r = AttestedRecord(id, i % 10 == 0 ? bad : sim::DefaultMeasurement());
      } else {
        r.id = id;
      }
      r.stake_be = StakeBe(model.Draw(rng));
      if (i < attested && i % 10 == 0) revoked.push_back(r);
      batch.push_back(std::move(r));
    }
    if (!env.reg->Upsert(batch).ok()) state.SkipWithError("setup failed");
  }
  const Bytes list = sim::MakeRevocationList(kT0, kT0 + 365 * 86400, {bad});
  if (!env.hooks->SubmitCollateral(TeeType::Simulated, AsView(list), kT0).ok())
    state.SkipWithError("collateral");
  uint64_t epoch = 1;
  uint64_t demoted = 0;
  for (auto _ : state) {
    auto rep =
        env.hooks->OnEpoch(epoch, kT0 + epoch * 3600, Label("seed-" + std::to_string(epoch)));
    if (!rep.ok()) state.SkipWithError(rep.status().ToString().c_str());
    demoted = rep->demoted;
    ++epoch;
    state.PauseTiming();
    if (!env.reg->Upsert(revoked).ok()) state.SkipWithError("re-registration failed");
    state.ResumeTiming();
  }
  state.counters["demoted"] = static_cast<double>(demoted);
  state.counters["reevaluated"] = static_cast<double>(attested);
}
BENCHMARK(BM_EpochTransition)
    ->Args({100'000, 100'000})
    ->Args({1'000'000, 100'000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(8);

// ---- registrations ----------------------------------------------------------

struct Prepared {
  std::vector<Bytes> evidence;
  std::vector<Registration> regs;
};

Prepared Prepare(size_t n, size_t offset) {
  Prepared p;
  p.evidence.reserve(n);
  Hash32 challenge = Label("bench-challenge");
  for (size_t i = 0; i < n; ++i) {
    sim::EvidenceSpec spec;
    spec.binding = BindingInput{Label("reg-v" + std::to_string(offset + i)), challenge};
    spec.issued_at = kT0;
    p.evidence.push_back(sim::MakeEvidence(spec));
  }
  for (size_t i = 0; i < n; ++i) {
    Registration r;
    r.id = Label("reg-v" + std::to_string(offset + i));
    r.stake_be = StakeBe(1000 + i);
    r.tee_type = TeeType::Simulated;
    r.evidence = AsView(p.evidence[i]);
    r.challenge = challenge;
    r.registered_at = kT0;
    p.regs.push_back(r);
  }
  return p;
}

void BM_Register_Single(benchmark::State& state) {
  Env env("single");
  const size_t n = static_cast<size_t>(state.range(0));
  size_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Prepared p = Prepare(n, round++ * n);
    state.ResumeTiming();
    for (const auto& r : p.regs) benchmark::DoNotOptimize(env.hooks->RegisterValidator(r).ok());
  }
  state.counters["registrations/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Register_Single)->Arg(500)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_Register_Batch(benchmark::State& state) {
  Env env("batch");
  const size_t n = static_cast<size_t>(state.range(0));
  size_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Prepared p = Prepare(n, round++ * n);
    state.ResumeTiming();
    benchmark::DoNotOptimize(env.hooks->RegisterBatch(p.regs).ok());
  }
  state.counters["registrations/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Register_Batch)->Arg(10'000)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// The verification alone, to show where registration time goes.
void BM_VerifySimulated(benchmark::State& state) {
  Prepared p = Prepare(1, 0);
  simulated::Policy pol;
  pol.common.simulation = true;
  simulated::SimulatedVerifier v(pol);
  VerifyRequest req;
  req.evidence = AsView(p.evidence[0]);
  req.now = kT0;
  req.binding = BindingInput{p.regs[0].id, *p.regs[0].challenge};
  for (auto _ : state) benchmark::DoNotOptimize(v.Verify(req).ok());
}
BENCHMARK(BM_VerifySimulated);

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::InitCrypto()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
