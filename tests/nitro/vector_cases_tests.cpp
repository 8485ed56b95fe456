// Every case of ../shared/vectors/nitro/cases.json as its own test, with the
// case's policy and time, through the same path as the CLI and the ABI
// (VerifyStandalone, built-in AWS root pin, no collateral).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "attestation/nitro/nitro_verifier.h"
#include "attestation/standalone.h"
#include "support/vectors.h"

namespace bdata = boost::unit_test::data;
using namespace tenzro::tee;
using namespace tenzro::tee::nitro;

namespace {

const std::vector<testing::VectorCase>& Cases() {
  static const std::vector<testing::VectorCase> cases = testing::LoadCases("nitro");
  return cases;
}

std::vector<int> CaseIndices() {
  std::vector<int> out;
  for (size_t i = 0; i < Cases().size(); ++i) out.push_back(static_cast<int>(i));
  if (out.empty()) out.push_back(-1);
  return out;
}

Policy CasePolicy(const nlohmann::json& p) {
  Policy policy;
  for (const auto& [k, v] : p.items()) {
    BOOST_REQUIRE_MESSAGE(k == "allow_debug", "unmapped case policy key " << k);
    policy.allow_debug = v.get<bool>();
  }
  return policy;
}

void CheckExpect(const nlohmann::json& e, const Verdict& v) {
  BOOST_TEST_INFO("verdict: " << VerdictToJson(v).dump());
  if (e.contains("valid")) BOOST_TEST(v.valid() == e["valid"].get<bool>());
  if (e.contains("reason"))
    BOOST_TEST(std::string(FailureCodeName(v.reason())) == e["reason"].get<std::string>());
  if (e.contains("hardware_verified"))
    BOOST_TEST(v.hardware_verified == e["hardware_verified"].get<bool>());
  if (e.contains("certificate_chain_valid"))
    BOOST_TEST(v.certificate_chain_valid == e["certificate_chain_valid"].get<bool>());
  if (e.contains("debug")) BOOST_TEST(v.debug == e["debug"].get<bool>());
  for (const auto& [k, want] : e.items()) {
    if (k.size() > 3 && k.rfind("pcr", 0) == 0 && k != "pcr_count") {
      BOOST_TEST(
          v.ClaimsJson()["pcrs"].value(k.substr(3), std::string()) == want.get<std::string>(), k);
    }
  }
  if (e.contains("pcr_count"))
    BOOST_TEST(v.ClaimsJson()["pcrs"].size() == e["pcr_count"].get<size_t>());
  for (const char* k : {"public_key", "user_data", "nonce"}) {
    if (e.contains(k))
      BOOST_TEST(v.ClaimsJson().value(k, std::string()) == e[k].get<std::string>(), k);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nitro_vectors)

BOOST_DATA_TEST_CASE(vector_case, bdata::make(CaseIndices()), index) {
  if (index < 0) {
    BOOST_TEST_MESSAGE("SKIPPED: real Nitro vectors absent (see the message above)");
    BOOST_TEST(Cases().empty());
    return;
  }
  const testing::VectorCase& c = Cases()[static_cast<size_t>(index)];
  BOOST_TEST_CONTEXT("case " << c.name) {
    BOOST_REQUIRE_EQUAL(c.kind, "nitro_document");
    AttestationVerifier av;
    av.Install(std::make_unique<NitroVerifier>(CasePolicy(c.policy), CommonPolicy{}));
    const Bytes evidence = c.Evidence();
    StandaloneRequest req;
    req.tee_type = TeeType::AwsNitro;
    req.evidence = AsView(evidence);
    req.now = c.verify_at;
    auto v = VerifyStandalone(av, req);
    BOOST_REQUIRE(v.ok());
    CheckExpect(c.expect, *v);
  }
}

BOOST_AUTO_TEST_SUITE_END()
