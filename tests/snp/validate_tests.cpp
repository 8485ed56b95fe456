// Stage 3 of the SNP verifier: Validate(ReportFacts, Policy) alone, one case
// per policy knob, and the facts' round trip through re-evaluation claims.
#include <boost/test/unit_test.hpp>

#include <functional>

#include "attestation/snp/snp_verifier.h"
#include "attestation/snp/validate.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;

namespace {

ReportFacts Baseline() {
  ReportFacts f;
  f.product = Product::kTurin;
  f.reported_tcb = {5, 1, 0, 2, 0, 0, 0, 71};  // Turin: fmc 5, bl 1, tee 0, snp 2, ucode 71
  f.committed_fw = {1, 55, 40};
  f.guest_policy = 0x30000;
  f.vmpl = 1;
  f.measurement[0] = 0xAA;
  f.host_data[0] = 0xBB;
  return f;
}

struct Case {
  const char* name;
  std::function<void(ReportFacts&, Policy&)> edit;
  FailureCode expected;  // kNone: valid
};

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_validate)

BOOST_AUTO_TEST_CASE(one_case_per_policy_knob) {
  const std::vector<Case> cases = {
      {"defaults", [](ReportFacts&, Policy&) {}, FailureCode::kNone},
      {"min_tcb met",
       [](ReportFacts&, Policy& p) {
         p.min_tcb_turin = MinTcb{5, 1, 0, 2, 71};
       },
       FailureCode::kNone},
      {"min_tcb fmc (Turin only)",
       [](ReportFacts&, Policy& p) {
         p.min_tcb_turin = MinTcb{6, 0, 0, 0, 0};
       },
       FailureCode::kFirmwareTooOld},
      {"min_tcb of another product",
       [](ReportFacts&, Policy& p) {
         p.min_tcb_genoa = MinTcb{9, 9, 9, 9, 9};
       },
       FailureCode::kNone},
      {"min_tcb microcode",
       [](ReportFacts&, Policy& p) {
         p.min_tcb_turin = MinTcb{0, 0, 0, 0, 72};
       },
       FailureCode::kFirmwareTooOld},
      {"min_committed_fw met",
       [](ReportFacts&, Policy& p) {
         p.min_committed_fw = MinFirmware{1, 55, 40};
       },
       FailureCode::kNone},
      {"min_committed_fw",
       [](ReportFacts&, Policy& p) {
         p.min_committed_fw = MinFirmware{1, 55, 41};
       },
       FailureCode::kFirmwareTooOld},
      {"debug", [](ReportFacts& f, Policy&) { f.guest_policy |= 1u << 19; },
       FailureCode::kDebugEnclave},
      {"debug allowed",
       [](ReportFacts& f, Policy& p) {
         f.guest_policy |= 1u << 19;
         p.allow_debug = true;
       },
       FailureCode::kNone},
      {"vmpl", [](ReportFacts&, Policy& p) { p.max_vmpl = 0; }, FailureCode::kVmpl},
      {"migrate_ma", [](ReportFacts& f, Policy&) { f.guest_policy |= 1u << 18; },
       FailureCode::kPolicyViolation},
      {"masked chip id",
       [](ReportFacts& f, Policy& p) {
         f.chip_id_masked = true;
         p.allow_masked_chip_id = false;
       },
       FailureCode::kPolicyViolation},
      {"measurement listed", [](ReportFacts& f, Policy& p) { p.measurements = {f.measurement}; },
       FailureCode::kNone},
      {"measurement", [](ReportFacts&, Policy& p) { p.measurements = {{}}; },
       FailureCode::kMeasurementMismatch},
      {"host_data", [](ReportFacts&, Policy& p) { p.host_data = {{}}; },
       FailureCode::kMeasurementMismatch},
      {"id_key_digest", [](ReportFacts&, Policy& p) { p.id_key_digests = {{1}}; },
       FailureCode::kMeasurementMismatch},
      {"author_key_digest", [](ReportFacts&, Policy& p) { p.author_key_digests = {{1}}; },
       FailureCode::kMeasurementMismatch},
  };
  for (const Case& c : cases) {
    ReportFacts f = Baseline();
    Policy p;
    c.edit(f, p);
    Verdict v;
    Validate(v, f, p);
    BOOST_TEST_CONTEXT(c.name) {
      BOOST_TEST(FailureCodeName(v.reason()) == FailureCodeName(c.expected));
      BOOST_TEST(v.failures.size() == (c.expected == FailureCode::kNone ? 0u : 1u));
      BOOST_TEST(v.measurements_valid == (c.expected != FailureCode::kMeasurementMismatch));
    }
  }
}

BOOST_AUTO_TEST_CASE(facts_round_trip_through_claims) {
  ReportFacts f = Baseline();
  f.chip_id_masked = true;
  f.id_key_digest[47] = 7;
  ClaimSet claims;
  claims[claim::kProduct] = Bytes{static_cast<uint8_t>(f.product)};
  PutFactClaims(f, claims);
  auto back = FactsFromClaims(claims);
  BOOST_REQUIRE(back.ok());
  BOOST_REQUIRE(back->has_value());
  BOOST_TEST((**back == f));
  // None stored: nothing to re-check; malformed or partial: a damaged store.
  auto none = FactsFromClaims(ClaimSet{{claim::kProduct, Bytes{3}}});
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_value());
  for (const char* name : {claim::kVmpl, claim::kReportedTcb, claim::kCommittedFw}) {
    ClaimSet bad = claims;
    bad[name].push_back(0);
    BOOST_TEST(!FactsFromClaims(bad).ok(), name);
    bad.erase(name);
    BOOST_TEST(!FactsFromClaims(bad).ok(), name);
  }
  ClaimSet bad_product = claims;
  bad_product[claim::kProduct] = Bytes{9};
  BOOST_TEST(!FactsFromClaims(bad_product).ok());
}

BOOST_AUTO_TEST_SUITE_END()
