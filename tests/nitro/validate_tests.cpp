// Stage 3 (validate.h): Validate(facts, Policy) one case per knob, the time
// checks, and the facts' round trip through the stored claims.
#include <boost/test/unit_test.hpp>

#include "attestation/nitro/nitro_verifier.h"
#include "attestation/nitro/validate.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nitro;

namespace {

DocumentFacts Facts() {
  DocumentFacts f;
  for (uint32_t i = 0; i < 16; ++i) f.pcrs[i] = Bytes(48, 0);
  f.pcrs[0] = Bytes(48, 1);
  f.pcrs[1] = Bytes(48, 2);
  f.pcrs[2] = Bytes(48, 3);
  f.timestamp_ms = 1'000'000'500;
  f.chain_not_before = 999'000;
  f.chain_not_after = 1'010'000;
  return f;
}

FailureCode Run(const DocumentFacts& f, const Policy& p, uint64_t now = 1'000'100) {
  Verdict v;
  pipeline::Validity validity;
  ValidateTime(v, validity, f, p, 86400, now);
  Validate(v, f, p);
  return v.reason();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nitro_validate)

BOOST_AUTO_TEST_CASE(one_case_per_knob) {
  const DocumentFacts f = Facts();
  BOOST_TEST((Run(f, {}) == FailureCode::kNone));
  DocumentFacts debug = f;
  for (uint32_t i : {0u, 1u, 2u}) debug.pcrs[i] = Bytes(48, 0);
  BOOST_TEST((Run(debug, {}) == FailureCode::kDebugEnclave));
  Policy allow;
  allow.allow_debug = true;
  BOOST_TEST((Run(debug, allow) == FailureCode::kNone));
  Policy images;
  images.images = {Image{{{0, Bytes(48, 9)}}}};
  BOOST_TEST((Run(f, images) == FailureCode::kMeasurementMismatch));
  images.images.push_back(Image{{{0, Bytes(48, 1)}, {2, Bytes(48, 3)}}});
  BOOST_TEST((Run(f, images) == FailureCode::kNone));
  Policy age;
  age.max_age_secs = 50;
  BOOST_TEST((Run(f, age) == FailureCode::kExpired));  // now 1,000,100 > 1,000,000 + 50
  Policy skew;
  skew.check_chain_at = ChainTime::kDocument;
  skew.max_clock_skew_secs = 0;
  BOOST_TEST((Run(f, skew, 999'999) == FailureCode::kNotYetValid));
  BOOST_TEST((Run(f, {}, 1'010'001) == FailureCode::kExpired));  // chain at now
  BOOST_TEST((Run(f, skew, 1'010'001) == FailureCode::kNone));   // chain at the document
}

BOOST_AUTO_TEST_CASE(debug_needs_all_three_pcrs_zero) {
  DocumentFacts f = Facts();
  f.pcrs[0] = Bytes(48, 0);
  f.pcrs[1] = Bytes(48, 0);
  BOOST_TEST(!IsDebug(f.pcrs));
  f.pcrs[2] = Bytes(48, 0);
  BOOST_TEST(IsDebug(f.pcrs));
  f.pcrs.erase(2);
  BOOST_TEST(!IsDebug(f.pcrs));
}

BOOST_AUTO_TEST_CASE(facts_round_trip_through_claims) {
  DocumentFacts f = Facts();
  f.pcrs[16] = Bytes(48, 0x16);
  ClaimSet c;
  PutFactClaims(f, c);
  auto back = FactsFromClaims(c);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((*back == f));
  ClaimSet truncated = c;
  truncated[claim::kPcrs].pop_back();
  BOOST_TEST((FactsFromClaims(truncated).status().code() == ErrorCode::kStorage));
  ClaimSet missing = c;
  missing.erase(claim::kTimestampMs);
  BOOST_TEST((FactsFromClaims(missing).status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_SUITE_END()
