// Micro benches for the figures of the foundation issue, each next to a
// baseline measured in the same process:
//  - schedule of 432,000 slots from a 100k-validator snapshot (table build
//    included) vs. the same stream with a 256-bit binary search (the generic
//    path) and vs. the bare ChaCha20 keystream (the floor);
//  - registrations per second, one synced batch per call vs. one batch for
//    all (genesis), with Simulated evidence verified.
// Run: build/benches/plugin_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "attestation/sim/simulator.h"
#include "attestation/simulated/simulated_verifier.h"
#include "consensus_hooks/hooks.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;

namespace {
constexpr uint64_t kSlots = 432'000;

Hash32 Label(const std::string& s) {
  return crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

EpochSnapshot MakeSnapshot(size_t n) {
  EpochSnapshot s;
  s.epoch = 1;
  s.seed = Label("bench-seed");
  for (size_t i = 0; i < n; ++i) {
    Hash32 id = Label("bench-v" + std::to_string(i));
    // Heavy-tailed stakes: 1e6 .. ~1e9 lamport-like units.
    uint64_t stake = 1'000'000 + (uint64_t{id[0]} * id[1] * id[2]) * 61;
    s.entries.push_back({id, U256ToBe(U256(stake)), (id[3] & 1) != 0});
  }
  std::sort(s.entries.begin(), s.entries.end(),
            [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.id < b.id; });
  return s;
}

const EpochSnapshot& Snapshot100k() {
  static const EpochSnapshot s = MakeSnapshot(100'000);
  return s;
}

void BM_Schedule_FastPath(benchmark::State& state) {
  const auto& snap = Snapshot100k();
  std::vector<uint32_t> out(kSlots);
  for (auto _ : state) {
    auto t = LeaderTable::Build(snap);
    t->Schedule(0, kSlots, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["draws/s"] = benchmark::Counter(static_cast<double>(kSlots), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Schedule_FastPath)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Baseline: the same draws, looked up by binary search over 256-bit prefix sums.
void BM_Schedule_U256BinarySearch(benchmark::State& state) {
  const auto& snap = Snapshot100k();
  std::vector<uint32_t> out(kSlots);
  for (auto _ : state) {
    auto t = LeaderTable::Build(snap);
    std::vector<U256> prefix;
    prefix.reserve(t->weights().size());
    U256 acc = 0;
    for (const auto& w : t->weights()) prefix.push_back(acc += w);
    for (uint64_t s = 0; s < kSlots; ++s) {
      U256 r = t->Draw(s);
      out[s] = static_cast<uint32_t>(std::upper_bound(prefix.begin(), prefix.end(), r) - prefix.begin());
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Schedule_U256BinarySearch)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Floor: one ChaCha20-IETF block per slot, nothing else.
void BM_Keystream_Floor(benchmark::State& state) {
  Hash32 key = EpochKey(Label("bench-seed"), 1);
  uint8_t zeros[64] = {};
  uint8_t block[64];
  uint8_t nonce[12] = {};
  uint64_t sink = 0;
  for (auto _ : state) {
    for (uint64_t s = 0; s < kSlots; ++s) {
      for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(s >> (8 * i));
      crypto_stream_chacha20_ietf_xor_ic(block, zeros, 64, nonce, 0, key.data());
      sink += block[0];
    }
    benchmark::DoNotOptimize(sink);
  }
}
BENCHMARK(BM_Keystream_Floor)->Unit(benchmark::kMillisecond)->MinTime(2.0);

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
    spec.issued_at = 1'767'225'600;
    p.evidence.push_back(sim::MakeEvidence(spec));
  }
  for (size_t i = 0; i < n; ++i) {
    Registration r;
    r.id = Label("reg-v" + std::to_string(offset + i));
    r.stake_be = U256ToBe(U256(1000 + i));
    r.tee_type = TeeType::Simulated;
    r.evidence = AsView(p.evidence[i]);
    r.challenge = challenge;
    r.registered_at = 1'767'225'600;
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
  req.now = 1'767'225'600;
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
