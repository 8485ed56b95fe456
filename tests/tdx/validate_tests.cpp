// Stage 3 of the TDX/SGX verifier (attestation/tdx/validate.h): each policy
// knob fails a quote body alone, and the facts survive the claim round trip
// that the epoch re-evaluation depends on.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>
#include <vector>

#include "attestation/tdx/validate.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;

namespace {

QuoteFacts TdFacts() {
  QuoteFacts f;
  f.tdx = true;
  f.td_attributes[3] = 0x10;  // SEPT_VE_DISABLE (bit 28)
  f.mr_td.fill(0x11);
  for (size_t i = 0; i < f.rtmr.size(); ++i) f.rtmr[i].fill(static_cast<uint8_t>(0x20 + i));
  f.mr_seam.fill(0x33);
  f.mr_config_id.fill(0x44);
  return f;
}

QuoteFacts SgxFacts() {
  QuoteFacts f;
  f.attributes[0] = 0x04;  // MODE64BIT, not DEBUG
  f.mr_enclave.fill(0x55);
  f.mr_signer.fill(0x66);
  f.isv_prod_id = 7;
  f.isv_svn = 3;
  return f;
}

std::vector<std::string> Codes(const Verdict& v) {
  std::vector<std::string> out;
  for (const auto& f : v.failures) out.emplace_back(FailureCodeName(f.code));
  return out;
}

template <size_t N>
std::array<uint8_t, N> Other(std::array<uint8_t, N> a) {
  a[0] ^= 0xff;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_validate)

BOOST_AUTO_TEST_CASE(defaults_accept_a_production_body_and_allow_lists_holding_it) {
  for (const QuoteFacts& f : {TdFacts(), SgxFacts()}) {
    Verdict v;
    Validate(v, f, Policy{});
    BOOST_TEST(v.valid());
    BOOST_TEST(v.measurements_valid);
    BOOST_TEST(!v.debug);
  }
  Policy p;
  p.mrtd = {TdFacts().mr_td};
  p.rtmr[2] = {TdFacts().rtmr[2], Other(TdFacts().rtmr[2])};
  p.require_sept_ve_disable = true;
  Verdict v;
  Validate(v, TdFacts(), p);
  BOOST_TEST(v.valid());
}

BOOST_AUTO_TEST_CASE(each_knob_fails_alone) {
  struct Case {
    const char* name;
    QuoteFacts facts;
    std::function<void(Policy&, QuoteFacts&)> edit;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"td debug", TdFacts(), [](Policy&, QuoteFacts& f) { f.td_attributes[0] |= 1; },
       "debug_enclave"},
      {"sept_ve", TdFacts(),
       [](Policy& p, QuoteFacts& f) {
         p.require_sept_ve_disable = true;
         f.td_attributes[3] = 0;
       },
       "policy_violation"},
      {"mrtd", TdFacts(), [](Policy& p, QuoteFacts& f) { p.mrtd = {Other(f.mr_td)}; },
       "measurement_mismatch"},
      {"rtmr3", TdFacts(), [](Policy& p, QuoteFacts& f) { p.rtmr[3] = {Other(f.rtmr[3])}; },
       "measurement_mismatch"},
      {"mrseam", TdFacts(), [](Policy& p, QuoteFacts& f) { p.mrseam = {Other(f.mr_seam)}; },
       "measurement_mismatch"},
      {"mrconfigid", TdFacts(),
       [](Policy& p, QuoteFacts& f) { p.mrconfigid = {Other(f.mr_config_id)}; },
       "measurement_mismatch"},
      {"sgx debug", SgxFacts(), [](Policy&, QuoteFacts& f) { f.attributes[0] |= 0x02; },
       "debug_enclave"},
      {"mrenclave", SgxFacts(),
       [](Policy& p, QuoteFacts& f) { p.sgx_mrenclave = {Other(f.mr_enclave)}; },
       "measurement_mismatch"},
      {"mrsigner", SgxFacts(),
       [](Policy& p, QuoteFacts& f) { p.sgx_mrsigner = {Other(f.mr_signer)}; },
       "measurement_mismatch"},
      {"isvprodid", SgxFacts(),
       [](Policy& p, QuoteFacts&) {
         p.sgx_isvprodid = {8, 9};
       },
       "measurement_mismatch"},
      {"isvsvn", SgxFacts(), [](Policy& p, QuoteFacts&) { p.sgx_min_isvsvn = 4; },
       "policy_violation"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Policy p;
      QuoteFacts f = c.facts;
      c.edit(p, f);
      Verdict v;
      Validate(v, f, p);
      BOOST_TEST((Codes(v) == std::vector<std::string>{c.code}));
      BOOST_TEST(v.measurements_valid == (std::string(c.code) != "measurement_mismatch"));
    }
  }
}

BOOST_AUTO_TEST_CASE(facts_round_trip_through_claims) {
  for (const QuoteFacts& f : {TdFacts(), SgxFacts()}) {
    ClaimSet c;
    PutFactClaims(f, c);
    auto back = FactsFromClaims(c);
    BOOST_REQUIRE(back.ok());
    BOOST_REQUIRE(back->has_value());
    BOOST_TEST((**back == f));
  }
  // A record stored before the fact claims existed has none to judge.
  auto none = FactsFromClaims(ClaimSet{{"fmspc", Bytes(6, 0)}});
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_value());
  // Partial or malformed claims are the machine's failure, never a verdict.
  ClaimSet c;
  PutFactClaims(TdFacts(), c);
  c[claim::kRtmr].pop_back();
  BOOST_TEST((FactsFromClaims(c).status().code() == ErrorCode::kStorage));
  ClaimSet s;
  PutFactClaims(SgxFacts(), s);
  s.erase(claim::kIsvSvn);
  BOOST_TEST((FactsFromClaims(s).status().code() == ErrorCode::kStorage));
  s[claim::kBody] = Bytes{2};
  BOOST_TEST((FactsFromClaims(s).status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_SUITE_END()
