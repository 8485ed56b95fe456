// RIMs as collateral of the NVIDIA verifier (issue 11): simulator reports
// (report_builder) with simulator RIMs (rim_signer), admitted through
// NvidiaVerifier::ParseCollateral and compared in CheckReferenceCollateral.
// Every check fails alone with exactly one failure code.
#include <boost/test/unit_test.hpp>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "attestation/nvidia/sim/rim_signer.h"
#include "plugin/dev_roots.h"
#include "verify_helpers.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

constexpr uint64_t kNow = 1'767'225'600;  // 2026-01-01
const std::string kDriver = "550.90.07";
const std::array<uint8_t, 8> kVbios = {0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0};  // 96.00.9f.00.01
constexpr uint8_t kFirstVbiosIndex = 33;  // driver RIM: 1..32, VBIOS RIM: 33..64

BindingInput Binding() {
  BindingInput b;
  b.validator_id.fill(0x11);
  b.challenge.fill(0x22);
  return b;
}

struct Made {
  Bytes report;
  Bytes chain_pem;
  std::map<uint8_t, Bytes> measurements;
};

Made MakeReport(const std::string& driver = kDriver) {
  sim::ChainSpec cs;
  cs.fwid.fill(0xF1);
  auto chain = sim::IssueDevChain(cs);
  BOOST_REQUIRE(chain.ok());
  sim::ReportSpec spec;
  const auto bind = ComputeBinding(Binding());
  std::copy(bind.begin(), bind.begin() + 32, spec.nonce.begin());
  spec.measurements = sim::HopperMeasurements();
  std::array<uint8_t, 48> fwid{};
  fwid.fill(0xF1);
  spec.opaque = sim::GpuOpaque(driver, kVbios, fwid);
  auto report = sim::SignedReport(spec, chain->leaf_key());
  BOOST_REQUIRE(report.ok());
  const std::string pem = chain->Pem();
  return {*report, Bytes(pem.begin(), pem.end()), spec.measurements};
}

// A RIM spec golden for the report's measurement blocks [first, last]: RIM
// index = block index - 1, as NVIDIA numbers them.
sim::RimSpec Spec(const std::string& tag, const std::string& version, uint8_t first, uint8_t last,
                  const std::map<uint8_t, Bytes>& m) {
  sim::RimSpec spec;
  spec.tag_id = tag;
  spec.colloquial_version = version;
  for (uint8_t i = first; i <= last; ++i) {
    sim::GoldenSpec g;
    g.index = i - 1u;
    g.alternatives = {m.at(i)};
    spec.measurements.push_back(g);
  }
  return spec;
}

Bytes Signed(const sim::RimSpec& spec) {
  auto xml = sim::MakeRim(spec);
  BOOST_REQUIRE(xml.ok());
  return Bytes(xml->begin(), xml->end());
}

Bytes DriverRim(const Made& m) {
  return Signed(
      Spec("NV_GPU_DRIVER_GH100_550.90.07", kDriver, 1, kFirstVbiosIndex - 1, m.measurements));
}
Bytes VbiosRim(const Made& m) {
  return Signed(Spec("NV_GPU_VBIOS_DEV", "96.00.9F.00.01", kFirstVbiosIndex, 64, m.measurements));
}

struct Run {
  Policy policy;
  bool simulation = true;
  uint64_t now = kNow;
};

NvidiaVerifier MakeVerifier(const Run& r) {
  VerifierOptions o;
  o.dev_roots = {sim::DevRootFingerprint()};
  o.dev_rim_roots = {sim::DevRimRootSha256()};
  CommonPolicy common;
  common.simulation = r.simulation;
  return NvidiaVerifier(r.policy, common, o);
}

CollateralSet Admit(const NvidiaVerifier& v, const std::vector<Bytes>& docs, uint64_t now) {
  CollateralSet set;
  for (const auto& d : docs) {
    auto doc = v.ParseCollateral(AsView(d), set, now);
    if (!doc.ok()) BOOST_FAIL("refused at admission: " << doc.status().message());
    set = set.With(std::move(*doc));
  }
  return set;
}

Verdict Verify(const Made& m, const std::vector<Bytes>& rims, const Run& r = Run{}) {
  const NvidiaVerifier v = MakeVerifier(r);
  std::vector<Bytes> docs = {m.chain_pem};
  docs.insert(docs.end(), rims.begin(), rims.end());
  const CollateralSet set = Admit(v, docs, r.now);
  return sim_tests::VerifyOnce(v, AsView(m.report), set, r.now, Binding());
}

using sim_tests::ExpectAlone;

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_rim_collateral)

BOOST_AUTO_TEST_CASE(plugin_knows_the_dev_rim_root_by_fingerprint) {
  BOOST_TEST((plugin::kNvidiaDevRimRootSha256 == sim::DevRimRootSha256()));
}

BOOST_AUTO_TEST_CASE(matching_rims_make_measurements_valid) {
  const Made m = MakeReport();
  const Verdict v = Verify(m, {DriverRim(m), VbiosRim(m)});
  BOOST_TEST(v.valid(), VerdictToJson(v).dump());
  BOOST_TEST(v.measurements_valid);
  const std::string p = claim::GpuPrefix(0) + claim::kRimDriver;
  BOOST_REQUIRE(v.reeval_claims.count(p + "id") == 1u);
  const Bytes& id = v.reeval_claims.at(p + "id");
  BOOST_TEST(std::string(id.begin(), id.end()) == "NV_GPU_DRIVER_GH100_550.90.07");
  // The RIM signer's window narrows the verdict's.
  const auto signer_until = pipeline::ReadU64Le(AsView(v.reeval_claims.at(p + "not_after")));
  BOOST_REQUIRE(signer_until.has_value());
  BOOST_TEST((v.valid_until && *v.valid_until <= *signer_until));
  // Without RIMs the same report is valid, but its measurements unchecked.
  const Verdict none = Verify(m, {});
  BOOST_TEST(none.valid());
  BOOST_TEST(!none.measurements_valid);
}

BOOST_AUTO_TEST_CASE(rim_mismatch_lists_the_index) {
  const Made m = MakeReport();
  sim::RimSpec spec =
      Spec("NV_GPU_DRIVER_GH100_550.90.07", kDriver, 1, kFirstVbiosIndex - 1, m.measurements);
  spec.measurements[6].alternatives = {Bytes(48, 0xEE)};  // block 7, RIM index 6
  const Verdict v = Verify(m, {Signed(spec), VbiosRim(m)});
  ExpectAlone(v, FailureCode::kMeasurementMismatch, "mismatch");
  BOOST_TEST(!v.measurements_valid);
  BOOST_REQUIRE(!v.failures.empty());
  BOOST_TEST(v.failures.front().message.find("[6]") != std::string::npos,
             v.failures.front().message);
}

BOOST_AUTO_TEST_CASE(conflicting_rims_fail_alone) {
  const Made m = MakeReport();
  // The VBIOS RIM also lists block 32 (RIM index 31), active in the driver RIM.
  const Bytes vbios =
      Signed(Spec("NV_GPU_VBIOS_DEV", "96.00.9F.00.01", kFirstVbiosIndex - 1, 64, m.measurements));
  const Verdict v = Verify(m, {DriverRim(m), vbios});
  ExpectAlone(v, FailureCode::kMeasurementMismatch, "conflict");
  BOOST_REQUIRE(!v.failures.empty());
  BOOST_TEST(v.failures.front().message.find("active in both driver and VBIOS RIMs [31]") !=
             std::string::npos);
}

// RIMs are selected by the report's version: a RIM for another driver is
// never compared; under require_rims its absence is collateral_missing.
BOOST_AUTO_TEST_CASE(version_mismatch_is_not_selected) {
  const Made m = MakeReport();
  const Bytes other =
      Signed(Spec("NV_GPU_DRIVER_GH100_550.90.08", "550.90.08", 1, 32, m.measurements));
  const Verdict lax = Verify(m, {other, VbiosRim(m)});
  BOOST_TEST(lax.valid(), VerdictToJson(lax).dump());
  BOOST_TEST(!lax.measurements_valid);
  Run strict;
  strict.policy.require_rims = true;
  const Verdict v = Verify(m, {other, VbiosRim(m)}, strict);
  ExpectAlone(v, FailureCode::kCollateralMissing, "other version under require_rims");
  BOOST_TEST(v.failures.size() == 1u);
}

BOOST_AUTO_TEST_CASE(require_rims_with_none_at_hand) {
  const Made m = MakeReport();
  Run strict;
  strict.policy.require_rims = true;
  const Verdict v = Verify(m, {}, strict);
  ExpectAlone(v, FailureCode::kCollateralMissing, "require_rims, no RIM");
  BOOST_TEST(v.failures.size() == 2u);  // driver and VBIOS
  const Verdict ok = Verify(m, {DriverRim(m), VbiosRim(m)}, strict);
  BOOST_TEST(ok.valid(), VerdictToJson(ok).dump());
}

BOOST_AUTO_TEST_CASE(admission_authenticates_the_rim) {
  const Made m = MakeReport();
  const Bytes good = DriverRim(m);
  // A dev-rooted RIM is refused with simulation off.
  Run off;
  off.simulation = false;
  const NvidiaVerifier strict = MakeVerifier(off);
  BOOST_TEST(!strict.ParseCollateral(AsView(good), CollateralSet(), kNow).ok());
  // A tampered RIM is refused (its XML-DSig fails).
  std::string text(good.begin(), good.end());
  const auto at = text.find("550.90.07");
  BOOST_REQUIRE(at != std::string::npos);
  text[at + 8] = '8';
  const NvidiaVerifier sim_on = MakeVerifier(Run{});
  BOOST_TEST(
      !sim_on.ParseCollateral(AsView(Bytes(text.begin(), text.end())), CollateralSet(), kNow).ok());
  auto doc = sim_on.ParseCollateral(AsView(good), CollateralSet(), kNow);
  BOOST_REQUIRE(doc.ok());
  // Admitted under simulation, then judged with simulation off: named.
  const CollateralSet set = Admit(sim_on, {m.chain_pem, good, VbiosRim(m)}, kNow);
  const Verdict v = sim_tests::VerifyOnce(strict, AsView(m.report), set, kNow, Binding());
  BOOST_TEST(v.Has(FailureCode::kSimulationDisabled));
  size_t rim_failures = 0;
  for (const auto& f : v.failures) {
    BOOST_TEST((f.code == FailureCode::kSimulationDisabled), f.message);
    if (f.message.find("RIM") != std::string::npos) ++rim_failures;
  }
  BOOST_TEST(rim_failures == 2u);  // the driver and the VBIOS RIM
  BOOST_TEST(doc->kind == kKindRim);
  BOOST_TEST(std::string(doc->key.begin(), doc->key.end()) == "driver:550.90.07");
}

// An expired RIM signer is admitted (windows are checked at use) and fails
// the verdict alone as expired; the epoch re-evaluation demotes a verdict
// whose RIM signer expired after it was registered.
BOOST_AUTO_TEST_CASE(expired_rim_signer_and_reevaluation) {
  const Made m = MakeReport();
  const int64_t nb = static_cast<int64_t>(kNow) - 86400;
  const int64_t na = static_cast<int64_t>(kNow) + 86400;
  auto signer = sim::IssueRimSigner(nb, na);
  BOOST_REQUIRE(signer.ok());
  const sim::RimPki& pki = sim::DevRimPki();
  auto xml = sim::SignRimXml(
      sim::RimXml(Spec("NV_GPU_DRIVER_GH100_550.90.07", kDriver, 1, 32, m.measurements)),
      signer->key, {signer->cert, pki.ca, pki.root});
  BOOST_REQUIRE(xml.ok());
  const Bytes driver(xml->begin(), xml->end());
  const Verdict ok = Verify(m, {driver, VbiosRim(m)});
  BOOST_TEST(ok.valid(), VerdictToJson(ok).dump());
  BOOST_TEST((ok.valid_until && *ok.valid_until <= static_cast<uint64_t>(na)));
  Run later;
  later.now = static_cast<uint64_t>(na) + 1;
  ExpectAlone(Verify(m, {driver, VbiosRim(m)}, later), FailureCode::kExpired, "expired signer");

  const NvidiaVerifier v = MakeVerifier(Run{});
  auto before = v.BeginReevaluation(CollateralSet(), kNow)->Check(ok.reeval_claims);
  BOOST_REQUIRE(before.ok());
  BOOST_TEST(!before->has_value());
  auto after =
      v.BeginReevaluation(CollateralSet(), static_cast<uint64_t>(na) + 1)->Check(ok.reeval_claims);
  BOOST_REQUIRE(after.ok());
  BOOST_REQUIRE(after->has_value());
  BOOST_TEST(((*after)->code == FailureCode::kExpired));
}

BOOST_AUTO_TEST_SUITE_END()
