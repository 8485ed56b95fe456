// NVIDIA GPU reports verified per second per core (one thread), with the
// device chain's links cached by the verifier (core/cache.h, by fingerprint
// pair), next to the floor measured in the same loop: OpenSSL's ECDSA P-384
// / SHA-384 verify of the same signed bytes under a prepared key
// (x509::EcdsaVerifyRaw). Target (issue 11): reports/s >= 0.9 x the floor.
// Also cold (a fresh verifier per report: every chain link verified) and
// where the time goes (parse alone, report signature alone).
//
// Evidence: the real Hopper report of the vectors (case
// "hopper-nvtrust-sample", NVIDIA's pinned root) when TEE_VECTORS_DIR /
// ../shared/vectors has it; always the simulator's report (dev root,
// simulation on). "With RIMs": the simulator's report with a driver and a
// VBIOS RIM (rim_signer, 32 active measurements each) as collateral, warm
// (RIM signatures and chain links cached by the verifier) and cold (a fresh
// verifier per report: both RIMs' XML-DSig and chains verified again); and
// one RIM's VerifyRim alone without caches (where the cold time goes). NRAS
// tokens (mode nras/both) are not benched here: nvidia_rim_bench measures the
// EAT verification alone.
// Run: build/benches/nvidia_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <ctime>
#include <memory>
#include <string>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/rim.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "attestation/nvidia/sim/rim_signer.h"
#include "crypto/hash.h"
#include "crypto/x509.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

struct Workload {
  std::string label;
  Policy policy;
  CommonPolicy common;
  VerifierOptions options;
  std::unique_ptr<NvidiaVerifier> verifier;
  CollateralSet collateral;
  Bytes evidence;
  uint64_t now = 1'767'225'600;
  Report report;
  x509::PublicKey leaf_key;
  std::string error;

  VerifyRequest Request() const {
    VerifyRequest req;
    req.evidence = AsView(evidence);
    req.collateral = &collateral;
    req.now = now;
    return req;
  }
};

void Prepare(Workload& w, const Bytes& chain_pem, const std::vector<Bytes>& rims = {}) {
  w.verifier = std::make_unique<NvidiaVerifier>(w.policy, w.common, w.options);
  auto doc = w.verifier->ParseCollateral(AsView(chain_pem), w.now);
  CollateralSet with_rims;
  for (const auto& r : rims) {
    auto rim_doc = w.verifier->ParseCollateral(AsView(r), with_rims, w.now);
    if (!rim_doc.ok()) {
      w.error = "a RIM is refused: " + rim_doc.status().message();
      return;
    }
    with_rims = with_rims.With(std::move(*rim_doc));
  }
  auto report = ParseReport(AsView(w.evidence));
  auto certs = x509::Certificate::ParseAll(AsView(chain_pem));
  if (!doc.ok() || !report.ok() || !certs.ok()) {
    w.error = "workload does not parse";
    return;
  }
  w.collateral = with_rims.With(std::move(*doc));
  w.report = std::move(*report);
  w.leaf_key = certs->front().public_key();
  auto v = w.verifier->Verify(w.Request());
  if (!v.ok() || !v->valid()) w.error = "reference verdict is not valid";
  if (v.ok() && !rims.empty() && !v->measurements_valid) w.error = "RIMs were not compared";
}

Workload* Real() {
  static Workload* w = [] {
    auto* out = new Workload;
    out->label = "real hopper-nvtrust-sample";
    try {
      for (auto& c : testing::LoadCases("nvidia")) {
        if (c.name != "hopper-nvtrust-sample") continue;
        out->evidence = c.Evidence();
        out->now = c.verify_at;
        Prepare(*out, c.Collateral("cert_chain"));
        return out;
      }
    } catch (const std::exception& e) {
      out->error = e.what();
      return out;
    }
    out->error = "vector case hopper-nvtrust-sample absent (set TEE_VECTORS_DIR)";
    return out;
  }();
  return w;
}

// The simulator's driver (blocks 1..32) and VBIOS (33..64) RIMs for its
// Hopper measurements (RIM index = block index - 1).
std::vector<Bytes> SimRimDocs() {
  const auto m = sim::HopperMeasurements();
  std::vector<Bytes> out;
  for (auto [version, first] : {std::pair<const char*, uint8_t>{"550.90.07", 1},
                                std::pair<const char*, uint8_t>{"96.00.9F.00.01", 33}}) {
    sim::RimSpec spec;
    spec.tag_id = std::string("bench-") + version;
    spec.colloquial_version = version;
    for (uint32_t i = first; i < first + 32u; ++i) {
      sim::GoldenSpec g;
      g.index = i - 1u;
      g.alternatives = {m.at(static_cast<uint8_t>(i))};
      spec.measurements.push_back(g);
    }
    auto xml = sim::MakeRim(spec);
    if (!xml.ok()) return {};
    out.emplace_back(xml->begin(), xml->end());
  }
  return out;
}

Workload* MakeSim(bool with_rims) {
  auto* out = new Workload;
  out->label = with_rims ? "simulator Hopper with RIMs" : "simulator Hopper";
  out->common.simulation = true;
  out->options.dev_roots = {sim::DevRootFingerprint()};
  out->options.dev_rim_roots = {sim::DevRimRootSha256()};
  sim::ChainSpec cs;
  cs.fwid.fill(0xF1);
  auto chain = sim::IssueDevChain(cs);
  sim::ReportSpec spec;
  spec.measurements = sim::HopperMeasurements();
  spec.opaque = sim::GpuOpaque("550.90.07", {0, 0x9f, 0, 0x96, 1, 0, 0, 0}, cs.fwid);
  auto report = chain.ok() ? sim::SignedReport(spec, chain->leaf_key()) : chain.status();
  const std::vector<Bytes> rims = with_rims ? SimRimDocs() : std::vector<Bytes>{};
  if (!report.ok() || (with_rims && rims.size() != 2)) {
    out->error = "simulator failed";
    return out;
  }
  out->evidence = std::move(*report);
  const std::string pem = chain->Pem();
  Prepare(*out, Bytes(pem.begin(), pem.end()), rims);
  return out;
}

Workload* Sim() {
  static Workload* w = MakeSim(false);
  return w;
}

Workload* SimRims() {
  static Workload* w = MakeSim(true);
  return w;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

bool Floor(const Workload& w) {
  return x509::EcdsaVerifyRaw(w.leaf_key, x509::Digest::kSha384, w.report.signed_bytes(),
                              AsView(w.report.signature));
}

// Verify and the P-384 floor side by side in one loop, each timed on this
// thread's CPU clock, so host load slows both alike. Warm: the workload's
// verifier, chain links cached. Cold: a new verifier (empty caches) per
// report, so the five chain links and the parses are paid every time.
void Paired(benchmark::State& state, Workload* w, bool cold) {
  if (!w->error.empty()) return state.SkipWithError(w->error.c_str());
  state.SetLabel(w->label);
  const VerifyRequest req = w->Request();
  double in_verify = 0, in_floor = 0;
  for (auto _ : state) {
    const double t0 = ThreadCpuSeconds();
    if (cold) {
      NvidiaVerifier fresh(w->policy, w->common, w->options);
      benchmark::DoNotOptimize(fresh.Verify(req));
    } else {
      benchmark::DoNotOptimize(w->verifier->Verify(req));
    }
    const double t1 = ThreadCpuSeconds();
    benchmark::DoNotOptimize(Floor(*w));
    in_verify += t1 - t0;
    in_floor += ThreadCpuSeconds() - t1;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["reports/s"] = n / in_verify;
  state.counters["p384/s"] = n / in_floor;
  state.counters["ratio"] = in_floor / in_verify;
}

// Where the time goes: the pure parse alone.
void ParseOnly(benchmark::State& state, Workload* w) {
  if (!w->error.empty()) return state.SkipWithError(w->error.c_str());
  state.SetLabel(w->label);
  for (auto _ : state) benchmark::DoNotOptimize(ParseReport(AsView(w->evidence)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// Where the cold RIM time goes: one RIM's VerifyRim (XML parse, c14n,
// XML-DSig, three chain links) without caches.
void VerifyRimOnly(benchmark::State& state) {
  const std::vector<Bytes> rims = SimRimDocs();
  if (rims.empty()) return state.SkipWithError("simulator failed");
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        rim::VerifyRim(AsView(rims.front()), {}, sim::DevRimRootSha256(), 1'767'225'600));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_Paired_Real(benchmark::State& s) { Paired(s, Real(), false); }
void BM_Paired_SimRims(benchmark::State& s) { Paired(s, SimRims(), false); }
void BM_Cold_SimRims(benchmark::State& s) { Paired(s, SimRims(), true); }
void BM_Paired_Sim(benchmark::State& s) { Paired(s, Sim(), false); }
void BM_Cold_Real(benchmark::State& s) { Paired(s, Real(), true); }
void BM_Cold_Sim(benchmark::State& s) { Paired(s, Sim(), true); }
void BM_ParseOnly_Real(benchmark::State& s) { ParseOnly(s, Real()); }
void BM_ParseOnly_Sim(benchmark::State& s) { ParseOnly(s, Sim()); }
BENCHMARK(BM_Paired_Real)->MinTime(3.0);
BENCHMARK(BM_Paired_Sim)->MinTime(3.0);
BENCHMARK(BM_Cold_Real)->MinTime(2.0);
BENCHMARK(BM_Cold_Sim)->MinTime(2.0);
BENCHMARK(BM_Paired_SimRims)->MinTime(2.0);
BENCHMARK(BM_Cold_SimRims)->MinTime(2.0);
BENCHMARK(VerifyRimOnly)->MinTime(1.0);
BENCHMARK(BM_ParseOnly_Real)->MinTime(1.0);
BENCHMARK(BM_ParseOnly_Sim)->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  if (!crypto::InitCrypto()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
