// AWS Nitro attestation documents verified per second per core (one thread),
// next to the floor measured in the same run: OpenSSL's ECDSA P-384 / SHA-384
// verify of the document's COSE Sig_structure under its leaf key
// (x509::EcdsaVerifyRaw). Targets (issue 10):
//   cold   (a new verifier per document: 4 chain links + COSE = 5 verifies,
//           every certificate parsed)   >= 0.9 x (P-384 verifies/s / 5)
//   cached (intermediate links cached by fingerprint pair: the leaf link and
//           the COSE signature remain)  >= 0.9 x (P-384 verifies/s / 2)
// Each iteration times the verifier and one floor verify on this thread's CPU
// clock, so load on a shared host slows both alike and the ratio holds.
//
// Evidence: the real document marlin-oyster/sdk_aws.bin (AWS Root-G1 pinned,
// simulation off) when TEE_VECTORS_DIR / ../shared/vectors has it; always
// also a simulator document (dev root, simulation on).
// Run: build/benches/nitro_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "attestation/nitro/document.h"
#include "attestation/nitro/nitro_verifier.h"
#include "attestation/nitro/sim/document_builder.h"
#include "crypto/hash.h"
#include "crypto/x509.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nitro;

namespace {

struct Workload {
  std::string label;
  Policy policy;
  CommonPolicy common;
  VerifierOptions options;
  Bytes evidence;
  uint64_t now = 0;
  x509::PublicKey leaf_key;
  Bytes sig_structure, signature;
  std::string error;  // set when the workload could not be prepared

  std::unique_ptr<NitroVerifier> NewVerifier() const {
    return std::make_unique<NitroVerifier>(policy, common, options);
  }
};

void Prepare(Workload& w) {
  auto d = ParseDocument(AsView(w.evidence));
  if (!d.ok()) {
    w.error = d.status().ToString();
    return;
  }
  auto leaf = x509::Certificate::FromDer(AsView(d->certificate));
  if (!leaf.ok()) {
    w.error = leaf.status().ToString();
    return;
  }
  w.leaf_key = leaf->public_key();
  w.sig_structure = SigStructure(*d);
  w.signature = d->signature;
  VerifyRequest req;
  req.evidence = AsView(w.evidence);
  req.now = w.now;
  auto v = w.NewVerifier()->Verify(req);
  if (!v.ok() || !v->valid())
    w.error = "reference verdict is not valid: " + (v.ok() ? VerdictToJson(*v).dump() : "");
}

Workload* Real() {
  static Workload* w = [] {
    auto* out = new Workload;
    out->label = "real marlin sdk_aws.bin";
    auto dir = testing::VectorsDir();
    if (!dir) {
      out->error = "real Nitro vectors absent (set TEE_VECTORS_DIR)";
      return out;
    }
    out->evidence = testing::ReadFileBytes(*dir / "nitro" / "marlin-oyster" / "sdk_aws.bin");
    out->now = 1'734'075'478;
    Prepare(*out);
    return out;
  }();
  return w;
}

Workload* Sim() {
  static Workload* w = [] {
    auto* out = new Workload;
    out->label = "simulator document";
    out->common.simulation = true;
    out->options.dev_roots = {sim::DevRootFingerprint()};
    auto doc = sim::MakeDocument({});
    if (!doc.ok()) {
      out->error = doc.status().ToString();
      return out;
    }
    out->evidence = *doc;
    out->now = 1'767'225'660;
    Prepare(*out);
    return out;
  }();
  return w;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// `verifies`: P-384 verifies the path needs (5 cold, 2 cached).
void Paired(benchmark::State& state, Workload* w, bool cold, double verifies) {
  if (!w->error.empty()) {
    state.SkipWithError(w->error.c_str());
    return;
  }
  state.SetLabel(w->label + (cold ? ", new verifier per document" : ", warm verifier"));
  VerifyRequest req;
  req.evidence = AsView(w->evidence);
  req.now = w->now;
  std::unique_ptr<NitroVerifier> warm = w->NewVerifier();
  (void)warm->Verify(req);
  double in_verify = 0, in_floor = 0;
  for (auto _ : state) {
    const double t0 = ThreadCpuSeconds();
    if (cold) {
      auto v = w->NewVerifier()->Verify(req);
      benchmark::DoNotOptimize(v);
    } else {
      auto v = warm->Verify(req);
      benchmark::DoNotOptimize(v);
    }
    const double t1 = ThreadCpuSeconds();
    bool ok = x509::EcdsaVerifyRaw(w->leaf_key, x509::Digest::kSha384, AsView(w->sig_structure),
                                   AsView(w->signature));
    benchmark::DoNotOptimize(ok);
    in_verify += t1 - t0;
    in_floor += ThreadCpuSeconds() - t1;
  }
  const double n = static_cast<double>(state.iterations());
  const double docs = n / in_verify, p384 = n / in_floor;
  state.counters["docs/s"] = docs;
  state.counters["p384/s"] = p384;
  state.counters["floor/s"] = p384 / verifies;
  state.counters["ratio"] = docs / (p384 / verifies);
  std::printf(
      "%s %s: %.0f docs/s, P-384 %.0f verifies/s, %.0f-verify floor %.0f/s, ratio %.3f "
      "(target >= 0.9)\n",
      w->label.c_str(), cold ? "cold" : "cached", docs, p384, verifies, p384 / verifies,
      docs / (p384 / verifies));
}

void BM_Cold_Real(benchmark::State& s) { Paired(s, Real(), true, 5); }
void BM_Cached_Real(benchmark::State& s) { Paired(s, Real(), false, 2); }
void BM_Cold_Sim(benchmark::State& s) { Paired(s, Sim(), true, 5); }
void BM_Cached_Sim(benchmark::State& s) { Paired(s, Sim(), false, 2); }
BENCHMARK(BM_Cold_Real)->MinTime(3.0);
BENCHMARK(BM_Cached_Real)->MinTime(3.0);
BENCHMARK(BM_Cold_Sim)->MinTime(3.0);
BENCHMARK(BM_Cached_Sim)->MinTime(3.0);

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::InitCrypto()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
