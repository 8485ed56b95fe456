// Every case of ../shared/vectors/snp/cases.json as its own test (one dataset
// sample per case), with the case's policy and time, through the same path as
// the CLI and the ABI (VerifyStandalone over the case's collateral blobs).
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>

#include "attestation/snp/snp_verifier.h"
#include "attestation/standalone.h"
#include "snp_test_util.h"
#include "support/vectors.h"

namespace bdata = boost::unit_test::data;
using namespace tenzro::tee;
using namespace tenzro::tee::snp;

namespace {

const std::vector<testing::VectorCase>& Cases() {
  static const std::vector<testing::VectorCase> cases = testing::LoadCases("snp");
  return cases;
}

// Case indices; one sentinel (-1) when the vectors are absent, so the test
// can say it skipped.
std::vector<int> CaseIndices() {
  std::vector<int> out;
  for (size_t i = 0; i < Cases().size(); ++i) out.push_back(static_cast<int>(i));
  if (out.empty()) out.push_back(-1);
  return out;
}

Policy CasePolicy(const nlohmann::json& p) {
  Policy policy;
  if (p.contains("allow_debug")) policy.allow_debug = p["allow_debug"].get<bool>();
  if (p.contains("max_vmpl")) policy.max_vmpl = p["max_vmpl"].get<uint32_t>();
  if (p.contains("min_committed_fw")) {
    auto fw = ParseFirmwareVersion(p["min_committed_fw"].get<std::string>());
    BOOST_REQUIRE(fw.has_value());
    policy.min_committed_fw = MinFirmware{fw->major, fw->minor, fw->build};
  }
  return policy;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void CheckExpect(const testing::VectorCase& c, const Verdict& v) {
  const nlohmann::json& e = c.expect;
  BOOST_TEST_MESSAGE(c.name << ": valid=" << v.valid() << " reason=" << FailureCodeName(v.reason())
                            << " hw=" << v.hardware_verified
                            << " chain=" << v.certificate_chain_valid
                            << (v.failures.empty() ? "" : " first: " + v.failures.front().message));
  BOOST_TEST_INFO("verdict: " << VerdictToJson(v).dump());
  if (e.contains("valid")) BOOST_TEST(v.valid() == e["valid"].get<bool>());
  if (e.contains("reason")) {
    BOOST_TEST(std::string(FailureCodeName(v.reason())) == e["reason"].get<std::string>());
  }
  if (e.contains("hardware_verified"))
    BOOST_TEST(v.hardware_verified == e["hardware_verified"].get<bool>());
  if (e.contains("certificate_chain_valid")) {
    BOOST_TEST(v.certificate_chain_valid == e["certificate_chain_valid"].get<bool>());
  }
  if (e.contains("debug")) BOOST_TEST(v.debug == e["debug"].get<bool>());
  if (e.contains("revoked")) BOOST_TEST(v.Has(FailureCode::kRevoked) == e["revoked"].get<bool>());
  for (const char* k : {"report_version", "vmpl"}) {
    if (e.contains(k)) BOOST_TEST(v.ClaimsJson().value(k, -1) == e[k].get<int>(), k);
  }
  for (const char* k :
       {"policy", "report_data", "measurement", "chip_id", "reported_tcb", "committed_fw"}) {
    if (e.contains(k))
      BOOST_TEST(v.ClaimsJson().value(k, std::string()) == e[k].get<std::string>(), k);
  }
  // DESIGN §3 writes signing_key in lower case; CASES.md has "VLEK" once.
  if (e.contains("signing_key")) {
    BOOST_TEST(Lower(v.ClaimsJson().value("signing_key", std::string())) ==
               Lower(e["signing_key"].get<std::string>()));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_vectors)

BOOST_DATA_TEST_CASE(vector_case, bdata::make(CaseIndices()), index) {
  if (index < 0) {
    BOOST_TEST_MESSAGE("SKIPPED: real SNP vectors absent (see the message above)");
    BOOST_TEST(Cases().empty());
    return;
  }
  const testing::VectorCase& c = Cases()[static_cast<size_t>(index)];
  BOOST_TEST_CONTEXT("case " << c.name) {
    auto snp = std::make_unique<SnpVerifier>(CasePolicy(c.policy), CommonPolicy{});
    const SnpVerifier& verifier = *snp;
    const Bytes evidence = c.Evidence();
    const std::vector<Bytes> blobs = c.AllCollateral();
    if (c.kind == "vek_chain") {
      const CollateralSet set = snp::testutil::Admit(verifier, blobs, c.verify_at);
      auto v = verifier.VerifyVekChain(AsView(evidence), &set, c.verify_at);
      BOOST_REQUIRE(v.ok());
      CheckExpect(c, *v);
      return;
    }
    BOOST_REQUIRE_EQUAL(c.kind, "snp_report");
    AttestationVerifier av;
    av.Install(std::move(snp));
    StandaloneRequest req;
    req.tee_type = TeeType::AmdSevSnp;
    req.evidence = AsView(evidence);
    for (const auto& b : blobs) req.collateral_blobs.push_back(AsView(b));
    req.now = c.verify_at;
    auto v = VerifyStandalone(av, req);
    BOOST_REQUIRE(v.ok());
    CheckExpect(c, *v);
  }
}

BOOST_AUTO_TEST_SUITE_END()
