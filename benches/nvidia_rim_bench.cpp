// NVIDIA RIM signature verifications and NRAS detached-EAT verifications per
// second per core (one thread), next to the floor measured in the same run:
// OpenSSL's ECDSA P-384 / SHA-384 verify under a prepared key
// (x509::EcdsaVerifyRaw), which both are built on.
//
// - RIM: VerifyRim end to end (libxml2 parse, xmlsec c14n 1.1 + SHA-384 +
//   ECDSA, the signer chain by crypto/x509: three more P-384 verifies, windows).
//   The real driver RIM NV_GPU_DRIVER_GH100_550.144.03.xml when TEE_VECTORS_DIR
//   / ../shared/vectors has it; always the simulator's 64-measurement RIM.
//   ParseRim alone shows how much of it is XML; RimVerifyCached with warm
//   RimCaches what the same RIM costs again.
// - EAT: VerifyDetachedEat of the simulator's token (one GPU: two ES384
//   verifies, one SHA-256 digest, JSON parsing).
// Paired_* time each verification and one floor verify in the same loop on the
// thread CPU clock, so load on a shared host slows both alike: its `ratio` is
// the figure to quote (verifications/s divided by P-384 verifies/s).
// Run: build/benches/nvidia_rim_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <ctime>
#include <functional>
#include <string>

#include "attestation/nvidia/nras.h"
#include "attestation/nvidia/rim.h"
#include "attestation/nvidia/sim/nras_signer.h"
#include "attestation/nvidia/sim/rim_signer.h"
#include "crypto/hash.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

// Before any benchmark runs (static initialisation of this one file).
const bool kCryptoReady = crypto::InitCrypto();

constexpr uint64_t kRimNow = 1'767'225'600;
constexpr uint64_t kEatNow = 1'749'601'900;

struct Floor {
  x509::PublicKey key;
  Bytes message, signature;
};

const Floor& P384() {
  static const Floor f = [] {
    Floor out;
    const auto& k = sim::DevNrasKey();
    out.key = k.key.public_key();
    out.message = Bytes(512, 0x42);
    out.signature = k.key.EcdsaSignRaw(x509::Digest::kSha384, out.message).value();
    return out;
  }();
  return f;
}

bool FloorVerify() {
  const Floor& f = P384();
  return x509::EcdsaVerifyRaw(f.key, x509::Digest::kSha384, f.message, f.signature);
}

struct Rim {
  std::string label, error;
  Bytes xml;
  Hash32 root{};
};

const Rim& SimRim() {
  static const Rim r = [] {
    Rim out{"simulator, 64 measurements", "", {}, sim::DevRimRootSha256()};
    auto xml = sim::MakeRim(sim::SpecWithMeasurements("550.90.07", 0, 64, 3));
    if (!xml.ok()) out.error = xml.status().ToString();
    if (xml.ok()) out.xml.assign(xml->begin(), xml->end());
    return out;
  }();
  return r;
}

const Rim& RealRim() {
  static const Rim r = [] {
    Rim out{"real NV_GPU_DRIVER_GH100_550.144.03", "", {}, {}};
    auto dir = testing::VectorsDir();
    if (!dir) {
      out.error = "vectors absent (set TEE_VECTORS_DIR)";
      return out;
    }
    const auto base = *dir / "nvidia" / "nvidia-attestation-sdk-cpp" / "testdata";
    out.xml = testing::ReadFileBytes(base / "NV_GPU_DRIVER_GH100_550.144.03.xml");
    auto root = x509::Certificate::ParseAll(
        testing::ReadFileBytes(base / "trusted_certs" / "rim_root.crt"));
    if (!root.ok()) out.error = root.status().ToString();
    if (root.ok()) out.root = root->front().fingerprint();
    return out;
  }();
  return r;
}

bool RimOk(const Rim& r, rim::RimCaches* caches = nullptr) {
  auto v = rim::VerifyRim(r.xml, {}, r.root, kRimNow, caches);
  return v.ok() && v->ok();
}

struct Eat {
  std::string error;
  std::string text;
  nras::Jwks jwks;
  nras::Expectations expect;
};

const Eat& SimEat() {
  static const Eat e = [] {
    Eat out;
    const sim::EatSpec spec;
    auto text = sim::MakeDetachedEat(spec, sim::DevNrasKey());
    const std::string jwks_text = sim::JwksJson(sim::DevNrasKey());
    auto jwks = nras::ParseJwks(
        ByteView(reinterpret_cast<const uint8_t*>(jwks_text.data()), jwks_text.size()));
    if (!text.ok() || !jwks.ok()) {
      out.error = "simulator EAT or JWKS failed";
      return out;
    }
    out.text = *text;
    out.jwks = *jwks;
    out.expect.nonce = spec.nonce;
    return out;
  }();
  return e;
}

bool EatOk(const Eat& e) {
  const ByteView text(reinterpret_cast<const uint8_t*>(e.text.data()), e.text.size());
  auto v = nras::VerifyDetachedEat(text, e.jwks, e.expect, kEatNow);
  return v.ok() && v->ok();
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// `op` alone; it must succeed once before timing.
void Rate(benchmark::State& state, const std::string& error, const std::function<bool()>& op) {
  if (!kCryptoReady || !error.empty() || !op()) {
    state.SkipWithError(error.empty() ? "reference run failed" : error.c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(op());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// `op` and one floor verify per iteration, each on the thread CPU clock.
void Paired(benchmark::State& state, const std::string& error, const std::function<bool()>& op) {
  if (!kCryptoReady || !error.empty() || !op() || !FloorVerify()) {
    state.SkipWithError(error.empty() ? "reference run failed" : error.c_str());
    return;
  }
  double in_op = 0, in_floor = 0;
  for (auto _ : state) {
    const double t0 = ThreadCpuSeconds();
    benchmark::DoNotOptimize(op());
    const double t1 = ThreadCpuSeconds();
    benchmark::DoNotOptimize(FloorVerify());
    in_op += t1 - t0;
    in_floor += ThreadCpuSeconds() - t1;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["verifications/s"] = n / in_op;
  state.counters["p384/s"] = n / in_floor;
  state.counters["ratio"] = in_floor / in_op;
}

void BM_P384Verify(benchmark::State& s) { Rate(s, "", FloorVerify); }
void BM_RimVerify_Real(benchmark::State& s) {
  Rate(s, RealRim().error, [] { return RimOk(RealRim()); });
}
void BM_RimVerify_Sim(benchmark::State& s) {
  Rate(s, SimRim().error, [] { return RimOk(SimRim()); });
}
// With RimCaches warm (chain links and the document's XML-DSig remembered by
// content): what a node pays for the same RIM again.
void BM_RimVerifyCached_Real(benchmark::State& s) {
  static rim::RimCaches caches;
  Rate(s, RealRim().error, [] { return RimOk(RealRim(), &caches); });
}
void BM_RimParseOnly_Real(benchmark::State& s) {
  Rate(s, RealRim().error, [] { return rim::ParseRim(RealRim().xml).ok(); });
}
void BM_EatVerify_Sim(benchmark::State& s) {
  Rate(s, SimEat().error, [] { return EatOk(SimEat()); });
}
void BM_Paired_RimReal(benchmark::State& s) {
  Paired(s, RealRim().error, [] { return RimOk(RealRim()); });
}
void BM_Paired_RimSim(benchmark::State& s) {
  Paired(s, SimRim().error, [] { return RimOk(SimRim()); });
}
void BM_Paired_Eat(benchmark::State& s) {
  Paired(s, SimEat().error, [] { return EatOk(SimEat()); });
}

BENCHMARK(BM_P384Verify)->MinTime(1.0);
BENCHMARK(BM_RimVerify_Real)->MinTime(1.0);
BENCHMARK(BM_RimVerify_Sim)->MinTime(1.0);
BENCHMARK(BM_RimVerifyCached_Real)->MinTime(1.0);
BENCHMARK(BM_RimParseOnly_Real)->MinTime(1.0);
BENCHMARK(BM_EatVerify_Sim)->MinTime(1.0);
BENCHMARK(BM_Paired_RimReal)->MinTime(2.0);
BENCHMARK(BM_Paired_RimSim)->MinTime(2.0);
BENCHMARK(BM_Paired_Eat)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
