// Every check of the Simulated verifier made to fail on its own, and the
// verdict's shape (DESIGN §3).
#include <boost/test/unit_test.hpp>

#include <functional>

#include "attestation/pipeline.h"
#include "attestation/sim/simulator.h"
#include "attestation/simulated/resign.h"
#include "attestation/simulated/simulated_verifier.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;

namespace {
constexpr uint64_t kIssued = 1'767'225'600;  // 2026-01-01
constexpr uint64_t kMaxAge = 86400;

simulated::Policy DefaultPolicy(bool simulation = true) {
  simulated::Policy p;
  p.common.simulation = simulation;
  p.common.max_age_secs = kMaxAge;
  return p;
}

sim::EvidenceSpec Spec() {
  sim::EvidenceSpec s;
  s.binding = BindingInput{IdFromLabel("validator-a"), HashFromLabel("challenge-1")};
  s.issued_at = kIssued;
  return s;
}

Verdict Run(const simulated::Policy& policy, const Bytes& evidence, uint64_t now,
            std::optional<BindingInput> binding, const CollateralSet* collateral = nullptr) {
  simulated::SimulatedVerifier v(policy);
  VerifyRequest req;
  req.evidence = AsView(evidence);
  req.now = now;
  req.binding = binding;
  req.collateral = collateral;
  auto r = v.Verify(req);
  BOOST_REQUIRE(r.ok());
  return *r;
}

struct Case {
  const char* name;
  std::function<void(sim::EvidenceSpec&)> spec_edit;  // before signing
  std::function<void(Bytes&)> byte_edit;              // after signing
  uint64_t now_offset;
  FailureCode expected;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(simulated_verifier)

BOOST_AUTO_TEST_CASE(dev_key_is_the_pinned_key) {
  BOOST_TEST((sim::DevPublicKey() == simulated::kDevSignerPublicKey));
}

BOOST_AUTO_TEST_CASE(genuine_evidence_is_valid) {
  auto spec = Spec();
  Bytes ev = sim::MakeEvidence(spec);
  BOOST_TEST(ev.size() == simulated::kEvidenceSize);
  Verdict v = Run(DefaultPolicy(), ev, kIssued + 10, spec.binding);
  BOOST_TEST(v.valid());
  BOOST_TEST((v.reason() == FailureCode::kNone));
  BOOST_TEST(v.binding_valid.value());
  BOOST_TEST(v.measurements_valid);
  BOOST_TEST(!v.hardware_verified);  // never hardware
  BOOST_TEST(v.valid_until.value() == kIssued + kMaxAge);
  BOOST_TEST(v.ClaimsJson()["issued_at"].get<uint64_t>() == kIssued);
  BOOST_TEST(v.reeval_claims.count("measurement") == 1u);
}

BOOST_AUTO_TEST_CASE(each_check_fails_alone) {
  const std::vector<Case> cases = {
      {"truncated", nullptr, [](Bytes& b) { b.pop_back(); }, 10, FailureCode::kMalformed},
      {"bad_magic", nullptr, [](Bytes& b) { b[0] ^= 1; }, 10, FailureCode::kMalformed},
      {"version_2", nullptr, [](Bytes& b) { b[8] = 2; }, 10, FailureCode::kUnsupported},
      {"reserved_nonzero", nullptr, [](Bytes& b) { b[10] = 1; }, 10, FailureCode::kMalformed},
      {"unknown_flag", nullptr, [](Bytes& b) { b[12] |= 2; }, 10, FailureCode::kMalformed},
      {"tampered_measurement", nullptr, [](Bytes& b) { b[30] ^= 1; }, 10,
       FailureCode::kBadSignature},
      {"tampered_signature", nullptr, [](Bytes& b) { b[200] ^= 1; }, 10,
       FailureCode::kBadSignature},
      {"issued_in_future", nullptr, nullptr, 0, FailureCode::kNone},  // replaced below
      {"debug", [](sim::EvidenceSpec& s) { s.debug = true; }, nullptr, 10,
       FailureCode::kDebugEnclave},
      {"wrong_report_data", [](sim::EvidenceSpec& s) { s.report_data = simulated::ReportData{}; },
       nullptr, 10, FailureCode::kBindingMismatch},
  };
  for (const auto& c : cases) {
    if (std::string(c.name) == "issued_in_future") continue;
    BOOST_TEST_CONTEXT(c.name) {
      auto spec = Spec();
      if (c.spec_edit) c.spec_edit(spec);
      Bytes ev = sim::MakeEvidence(spec);
      if (c.byte_edit) c.byte_edit(ev);
      Verdict v = Run(DefaultPolicy(), ev, kIssued + c.now_offset, spec.binding);
      BOOST_TEST(!v.valid());
      BOOST_TEST(FailureCodeName(v.reason()) == FailureCodeName(c.expected));
      BOOST_TEST(v.failures.size() == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(untrusted_signer) {
  auto spec = Spec();
  std::array<uint8_t, 32> other_seed{};
  other_seed[0] = 7;
  Verdict v =
      Run(DefaultPolicy(), sim::MakeEvidenceWithKey(spec, other_seed), kIssued + 1, spec.binding);
  BOOST_TEST((v.reason() == FailureCode::kChainUntrusted));
}

BOOST_AUTO_TEST_CASE(time_window_is_inclusive) {
  auto spec = Spec();
  Bytes ev = sim::MakeEvidence(spec);
  BOOST_TEST(Run(DefaultPolicy(), ev, kIssued, spec.binding).valid());
  BOOST_TEST(Run(DefaultPolicy(), ev, kIssued + kMaxAge, spec.binding).valid());
  Verdict late = Run(DefaultPolicy(), ev, kIssued + kMaxAge + 1, spec.binding);
  BOOST_TEST((late.reason() == FailureCode::kExpired));
  Verdict early = Run(DefaultPolicy(), ev, kIssued - 1, spec.binding);
  BOOST_TEST((early.reason() == FailureCode::kNotYetValid));
}

BOOST_AUTO_TEST_CASE(measurement_allow_list) {
  auto spec = Spec();
  Bytes ev = sim::MakeEvidence(spec);
  auto policy = DefaultPolicy();
  simulated::Measurement other{};
  other[0] = 1;
  policy.measurements = {other};
  Verdict v = Run(policy, ev, kIssued + 1, spec.binding);
  BOOST_TEST((v.reason() == FailureCode::kMeasurementMismatch));
  BOOST_TEST(!v.measurements_valid);
  policy.measurements.push_back(spec.measurement);
  BOOST_TEST(Run(policy, ev, kIssued + 1, spec.binding).valid());
}

BOOST_AUTO_TEST_CASE(binding_to_another_key_or_challenge) {
  auto spec = Spec();
  Bytes ev = sim::MakeEvidence(spec);
  BindingInput other_key{IdFromLabel("validator-b"), spec.binding.challenge};
  BindingInput other_challenge{spec.binding.validator_id, HashFromLabel("challenge-2")};
  BOOST_TEST(
      (Run(DefaultPolicy(), ev, kIssued, other_key).reason() == FailureCode::kBindingMismatch));
  BOOST_TEST((Run(DefaultPolicy(), ev, kIssued, other_challenge).reason() ==
              FailureCode::kBindingMismatch));
  Verdict unbound = Run(DefaultPolicy(), ev, kIssued, std::nullopt);
  BOOST_TEST(unbound.valid());
  BOOST_TEST(!unbound.binding_valid.has_value());
}

// Evidence identity (§4, issue 9 item 8): what the development key signed,
// bytes [0, 168), not the blob. Another valid signature over the same body
// is the same evidence; another body is not.
BOOST_AUTO_TEST_CASE(evidence_identity_is_the_signed_body) {
  const Bytes ev = sim::MakeEvidence(Spec());
  const Bytes again = testing::ResignSimulated(ev, "another nonce");
  BOOST_REQUIRE(ev != again);
  const Verdict a = Run(DefaultPolicy(), ev, kIssued, Spec().binding);
  const Verdict b = Run(DefaultPolicy(), again, kIssued, Spec().binding);
  BOOST_TEST(a.valid());
  BOOST_TEST(b.valid());  // a genuine second signature, not a corruption
  BOOST_REQUIRE(a.evidence_id.has_value());
  BOOST_REQUIRE(b.evidence_id.has_value());
  BOOST_TEST((*a.evidence_id == *b.evidence_id));
  BOOST_TEST((*a.evidence_id == pipeline::EvidenceId(TeeType::Simulated,
                                                     ByteView(ev).first(simulated::kSignedSize))));
  auto later = Spec();
  later.issued_at += 1;
  const Verdict c = Run(DefaultPolicy(), sim::MakeEvidence(later), kIssued + 1, later.binding);
  BOOST_TEST((*c.evidence_id != *a.evidence_id));
  // Trailing bytes are refused outright, and evidence that does not parse
  // names no identity.
  Bytes longer = ev;
  longer.push_back(0);
  const Verdict d = Run(DefaultPolicy(), longer, kIssued, Spec().binding);
  BOOST_TEST((d.reason() == FailureCode::kMalformed));
  BOOST_TEST(!d.evidence_id.has_value());
}

BOOST_AUTO_TEST_CASE(simulation_off_rejects_otherwise_good_evidence) {
  auto spec = Spec();
  Verdict v = Run(DefaultPolicy(false), sim::MakeEvidence(spec), kIssued, spec.binding);
  BOOST_TEST((v.reason() == FailureCode::kSimulationDisabled));
  BOOST_TEST(v.failures.size() == 1u);
}

BOOST_AUTO_TEST_CASE(failures_are_in_check_order) {
  auto spec = Spec();
  spec.debug = true;
  BindingInput other{IdFromLabel("validator-b"), spec.binding.challenge};
  Verdict v = Run(DefaultPolicy(false), sim::MakeEvidence(spec), kIssued + kMaxAge + 5, other);
  BOOST_REQUIRE(v.failures.size() == 4u);
  BOOST_TEST((v.failures[0].code == FailureCode::kExpired));
  BOOST_TEST((v.failures[1].code == FailureCode::kDebugEnclave));
  BOOST_TEST((v.failures[2].code == FailureCode::kBindingMismatch));
  BOOST_TEST((v.failures[3].code == FailureCode::kSimulationDisabled));
  auto j = VerdictToJson(v);
  BOOST_TEST(j["reason"].get<std::string>() == "expired");
  BOOST_TEST(j["valid"].get<bool>() == false);
  BOOST_TEST(j["debug"].get<bool>() == true);
  BOOST_TEST(j["tcb_status"].is_null());
  BOOST_TEST(j["failures"].size() == 4u);
  for (const char* key : {"tee_type", "valid", "hardware_verified", "certificate_chain_valid",
                          "measurements_valid", "binding_valid", "debug", "tcb_status",
                          "advisory_ids", "valid_until", "reason", "failures", "claims"}) {
    BOOST_TEST(j.contains(key), key);
  }
}

// Re-evaluation applies the verifier's current policy, not the one the
// record was registered under (issue 9, item 6): after a parameter
// migration, stored records fail the checks their evidence would fail now.
BOOST_AUTO_TEST_CASE(reevaluation_applies_the_current_policy) {
  auto spec = Spec();
  const Verdict registered = Run(DefaultPolicy(), sim::MakeEvidence(spec), kIssued, spec.binding);
  BOOST_REQUIRE(registered.valid());
  const ClaimSet& claims = registered.reeval_claims;
  auto check = [&](const simulated::Policy& policy, uint64_t t,
                   const CollateralSet& set = CollateralSet()) {
    simulated::SimulatedVerifier v(policy);
    return v.BeginReevaluation(set, t)->Check(claims).value();
  };
  BOOST_TEST(!check(DefaultPolicy(), kIssued + 10).has_value());
  auto off = check(DefaultPolicy(false), kIssued + 10);
  BOOST_REQUIRE(off.has_value());
  BOOST_TEST((off->code == FailureCode::kSimulationDisabled));
  simulated::Policy listed = DefaultPolicy();
  listed.measurements = {simulated::Measurement{}};  // does not list the record's
  auto mismatch = check(listed, kIssued + 10);
  BOOST_REQUIRE(mismatch.has_value());
  BOOST_TEST((mismatch->code == FailureCode::kMeasurementMismatch));
  listed.measurements.push_back(spec.measurement);
  BOOST_TEST(!check(listed, kIssued + 10).has_value());
  simulated::Policy shorter = DefaultPolicy();
  shorter.common.max_age_secs = 100;
  BOOST_TEST(!check(shorter, kIssued + 100).has_value());  // inclusive
  auto aged = check(shorter, kIssued + 101);
  BOOST_REQUIRE(aged.has_value());
  BOOST_TEST((aged->code == FailureCode::kExpired));
  // Check order (§3): a revoked record is revoked, whatever else fails.
  simulated::SimulatedVerifier v(DefaultPolicy());
  auto doc = v.ParseCollateral(
      AsView(sim::MakeRevocationList(kIssued, kIssued + 1000, {spec.measurement})), kIssued);
  BOOST_REQUIRE(doc.ok());
  auto revoked = check(DefaultPolicy(false), kIssued + 10, CollateralSet().With(*doc));
  BOOST_REQUIRE(revoked.has_value());
  BOOST_TEST((revoked->code == FailureCode::kRevoked));
  // Claims without the issue time are the machine's failure, not a verdict.
  ClaimSet damaged = claims;
  damaged.erase("issued_at");
  BOOST_TEST((simulated::SimulatedVerifier(DefaultPolicy())
                  .BeginReevaluation(CollateralSet(), kIssued)
                  ->Check(damaged)
                  .status()
                  .code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_CASE(revocation_list_admission_and_effect) {
  auto spec = Spec();
  Bytes ev = sim::MakeEvidence(spec);
  simulated::SimulatedVerifier v(DefaultPolicy());
  Bytes list = sim::MakeRevocationList(kIssued, kIssued + 1000, {spec.measurement});
  auto doc = v.ParseCollateral(AsView(list), kIssued);
  BOOST_REQUIRE(doc.ok());
  CollateralSet set = CollateralSet().With(*doc);
  Verdict revoked = Run(DefaultPolicy(), ev, kIssued + 1, spec.binding, &set);
  BOOST_TEST((revoked.reason() == FailureCode::kRevoked));
  // valid_until is capped by the collateral used.
  BOOST_TEST(revoked.valid_until.value() == kIssued + 1000);
  // Outside the list's window it is not selected.
  BOOST_TEST(Run(DefaultPolicy(), ev, kIssued + 1001, spec.binding, &set).valid());
  // Re-evaluation from stored claims sees the same revocation.
  auto failure = v.BeginReevaluation(set, kIssued + 2)->Check(revoked.reeval_claims).value();
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST((failure->code == FailureCode::kRevoked));
  BOOST_TEST(!v.BeginReevaluation(CollateralSet(), kIssued + 2)
                  ->Check(revoked.reeval_claims)
                  .value()
                  .has_value());
  BOOST_TEST(
      !v.BeginReevaluation(set, kIssued + 1001)->Check(revoked.reeval_claims).value().has_value());
  // Claims without a measurement cannot be re-checked: the machine's failure, never a verdict.
  auto broken = v.BeginReevaluation(set, kIssued + 2)->Check(ClaimSet{});
  BOOST_REQUIRE(!broken.ok());
  BOOST_TEST((broken.status().code() == ErrorCode::kStorage));

  // Stale, tampered or foreign lists are refused at admission.
  BOOST_TEST(
      (v.ParseCollateral(AsView(list), kIssued + 1001).status().code() == ErrorCode::kCollateral));
  Bytes tampered = list;
  tampered[40] ^= 1;
  BOOST_TEST(
      (v.ParseCollateral(AsView(tampered), kIssued).status().code() == ErrorCode::kCollateral));
  Bytes truncated(list.begin(), list.end() - 1);
  BOOST_TEST(
      (v.ParseCollateral(AsView(truncated), kIssued).status().code() == ErrorCode::kCollateral));
}

BOOST_AUTO_TEST_SUITE_END()
