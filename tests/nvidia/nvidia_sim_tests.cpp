// The verifier against the project's own development NVIDIA PKI and report
// generator (attestation/nvidia/sim): every check fails alone, with exactly
// one failure code; the dev root is trusted only with simulation on; stored
// claims re-evaluate at the next epoch.
#include <boost/test/unit_test.hpp>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "plugin/dev_roots.h"
#include "verify_helpers.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

constexpr uint64_t kNow = 1'767'225'600;  // 2026-01-01

BindingInput Binding() {
  BindingInput b;
  b.validator_id.fill(0x11);
  b.challenge.fill(0x22);
  return b;
}

std::array<uint8_t, 48> Fwid(uint8_t v) {
  std::array<uint8_t, 48> f{};
  f.fill(v);
  return f;
}

struct Scenario {
  sim::ChainSpec chain;
  std::array<uint8_t, 48> report_fwid = Fwid(0xF1);
  std::string driver = "550.90.07";
  std::array<uint8_t, 8> vbios = {0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0};
  uint8_t spdm_version = 0x11;
  Scenario() { chain.fwid = Fwid(0xF1); }
};

struct Made {
  Bytes report;
  std::string chain_pem;
};

Made Make(const Scenario& s) {
  auto chain = sim::IssueDevChain(s.chain);
  BOOST_REQUIRE(chain.ok());
  sim::ReportSpec spec;
  const auto bind = ComputeBinding(Binding());
  std::copy(bind.begin(), bind.begin() + 32, spec.nonce.begin());
  spec.measurements = sim::HopperMeasurements();
  spec.opaque = sim::GpuOpaque(s.driver, s.vbios, s.report_fwid);
  spec.spdm_version = s.spdm_version;
  auto report = sim::SignedReport(spec, chain->leaf_key());
  BOOST_REQUIRE(report.ok());
  return {*report, chain->Pem()};
}

struct Run {
  Policy policy;
  bool simulation = true;
  uint64_t now = kNow;
  std::optional<uint64_t> evidence_time;
  std::optional<BindingInput> binding = Binding();
};

Verdict Verify(const Made& m, const Run& r = Run{}) {
  VerifierOptions o;
  o.dev_roots = {sim::DevRootFingerprint()};
  CommonPolicy common;
  common.simulation = r.simulation;
  NvidiaVerifier v(r.policy, common, o);
  const Bytes pem(m.chain_pem.begin(), m.chain_pem.end());
  auto doc = v.ParseCollateral(AsView(pem), r.now);
  BOOST_REQUIRE(doc.ok());
  const CollateralSet set = CollateralSet().With(std::move(*doc));
  return sim_tests::VerifyOnce(v, AsView(m.report), set, r.now, r.binding, r.evidence_time);
}

using sim_tests::ExpectAlone;

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_sim)

BOOST_AUTO_TEST_CASE(plugin_knows_the_dev_root_by_fingerprint) {
  BOOST_TEST((plugin::kNvidiaDevRootSha256 == sim::DevRootFingerprint()));
}

BOOST_AUTO_TEST_CASE(dev_evidence_is_valid_only_with_simulation) {
  const Made m = Make(Scenario{});
  const Verdict on = Verify(m);
  BOOST_TEST(on.valid(), VerdictToJson(on).dump());
  BOOST_TEST(on.hardware_verified);
  BOOST_TEST((on.binding_valid == std::optional<bool>(true)));
  BOOST_TEST(on.ClaimsJson().value("driver_version", "") == "550.90.07");
  Run off;
  off.simulation = false;
  const Verdict v = Verify(m, off);
  ExpectAlone(v, FailureCode::kSimulationDisabled, "simulation off");
  BOOST_TEST(!v.hardware_verified);
}

BOOST_AUTO_TEST_CASE(blackwell_dice_tcb_info_path) {
  Scenario s;
  s.chain.arch = Arch::kBlackwell;
  const Verdict v = Verify(Make(s));
  BOOST_TEST(v.valid(), VerdictToJson(v).dump());
  BOOST_TEST(v.ClaimsJson().value("arch", "") == "BLACKWELL");
  Run hopper_only;
  hopper_only.policy.allowed_architectures = {Arch::kHopper};
  ExpectAlone(Verify(Make(s), hopper_only), FailureCode::kPolicyViolation, "architecture");
}

BOOST_AUTO_TEST_CASE(each_check_fails_alone) {
  {
    Made m = Make(Scenario{});
    m.report[m.report.size() - 1] ^= 1;
    ExpectAlone(Verify(m), FailureCode::kBadSignature, "signature");
  }
  {
    Scenario s;
    s.report_fwid = Fwid(0xEE);
    ExpectAlone(Verify(Make(s)), FailureCode::kChainUntrusted, "FWID mismatch");
  }
  {
    Scenario s;
    s.chain.leaf_fwid_extension = false;
    ExpectAlone(Verify(Make(s)), FailureCode::kChainUntrusted, "leaf without DICE FWID");
  }
  {
    Made m = Make(Scenario{});
    const Made other = Make(Scenario{});
    // The other chain's Identity in place of this one's: a link breaks.
    auto mine = x509::Certificate::ParseAll(
        ByteView(reinterpret_cast<const uint8_t*>(m.chain_pem.data()), m.chain_pem.size()));
    auto theirs = x509::Certificate::ParseAll(
        ByteView(reinterpret_cast<const uint8_t*>(other.chain_pem.data()), other.chain_pem.size()));
    BOOST_REQUIRE((mine.ok() && theirs.ok()));
    (*mine)[3] = (*theirs)[3];
    m.chain_pem = x509::ToPem(*mine);
    ExpectAlone(Verify(m), FailureCode::kChainUntrusted, "broken link");
  }
  {
    Scenario s;
    s.chain.not_after = static_cast<int64_t>(kNow) - 1;
    s.chain.not_before = static_cast<int64_t>(kNow) - 1000;
    ExpectAlone(Verify(Make(s)), FailureCode::kExpired, "expired certificates");
    s.chain.not_before = static_cast<int64_t>(kNow) + 1;
    s.chain.not_after = static_cast<int64_t>(kNow) + 1000;
    ExpectAlone(Verify(Make(s)), FailureCode::kNotYetValid, "certificates not yet valid");
  }
  {
    Run old;
    old.evidence_time = kNow - 86401;
    ExpectAlone(Verify(Make(Scenario{}), old), FailureCode::kExpired, "evidence age");
  }
  {
    Run other;
    other.binding->challenge.fill(0x33);
    ExpectAlone(Verify(Make(Scenario{}), other), FailureCode::kNonceMismatch, "binding");
  }
  {
    Run strict;
    strict.policy.min_driver_version = ParseDottedVersion("560", 10);
    ExpectAlone(Verify(Make(Scenario{}), strict), FailureCode::kFirmwareTooOld, "min driver");
  }
  {
    Made m = Make(Scenario{});
    m.report.pop_back();
    ExpectAlone(Verify(m), FailureCode::kMalformed, "truncated");
    Scenario s;
    s.spdm_version = 0x12;
    ExpectAlone(Verify(Make(s)), FailureCode::kUnsupported, "SPDM 1.2");
  }
}

BOOST_AUTO_TEST_CASE(chain_without_its_root_is_incomplete) {
  Made m = Make(Scenario{});
  auto certs = x509::Certificate::ParseAll(
      ByteView(reinterpret_cast<const uint8_t*>(m.chain_pem.data()), m.chain_pem.size()));
  BOOST_REQUIRE(certs.ok());
  certs->pop_back();
  m.chain_pem = x509::ToPem(*certs);
  ExpectAlone(Verify(m), FailureCode::kChainIncomplete, "no root");
}

BOOST_AUTO_TEST_CASE(stored_claims_reevaluate_at_the_next_epoch) {
  const Verdict v = Verify(Make(Scenario{}));
  BOOST_REQUIRE(v.valid());
  VerifierOptions o;
  o.dev_roots = {sim::DevRootFingerprint()};
  CommonPolicy sim_on;
  sim_on.simulation = true;
  auto check = [&](Policy p, CommonPolicy c, uint64_t t) {
    NvidiaVerifier verifier(std::move(p), c, o);
    auto r = verifier.BeginReevaluation(CollateralSet(), t)->Check(v.reeval_claims);
    BOOST_REQUIRE(r.ok());
    return *r ? (*r)->code : FailureCode::kNone;
  };
  BOOST_TEST((check(Policy{}, sim_on, kNow) == FailureCode::kNone));
  BOOST_TEST((check(Policy{}, CommonPolicy{}, kNow) == FailureCode::kSimulationDisabled));
  BOOST_TEST((check(Policy{}, sim_on, static_cast<uint64_t>(sim::kDevNotAfter) + 1) ==
              FailureCode::kExpired));
  Policy raised;
  raised.min_driver_version = ParseDottedVersion("570", 10);
  BOOST_TEST((check(raised, sim_on, kNow) == FailureCode::kFirmwareTooOld));
  ClaimSet broken = v.reeval_claims;
  broken.erase(claim::GpuPrefix(0) + claim::kRootSha256);
  NvidiaVerifier verifier(Policy{}, sim_on, o);
  BOOST_TEST(!verifier.BeginReevaluation(CollateralSet(), kNow)->Check(broken).ok());
}

BOOST_AUTO_TEST_SUITE_END()
