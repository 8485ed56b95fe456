// Every real-vector case of ../shared/vectors/tdx (cases.json, fields in
// CASES.md) through the TDX/SGX verifier: full verification with the case's
// collateral blobs (VerifyStandalone), or for scope quote_and_pck_chain the
// quote/PCK-chain layer, plus full verification of the same quote failing
// closed with collateral_missing.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "attestation/standalone.h"
#include "attestation/tdx/tdx_verifier.h"
#include "support/test_support.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using tenzro::tee::testing::LoadCases;
using tenzro::tee::testing::VectorCase;

namespace {

constexpr const char* kClaimNames[] = {"quote_version", "fmspc",   "tee_tcb_svn",
                                       "td_attributes", "mrtd",    "report_data",
                                       "mrenclave",     "mrsigner"};

// Quote header bytes 4..7: TEE type 0 (SGX) or 0x81 (TDX).
TeeType TypeOf(const Bytes& quote) {
  return quote.size() > 4 && quote[4] == 0x81 ? TeeType::IntelTdx : TeeType::IntelSgx;
}

void CheckExpect(const VectorCase& c, const Verdict& v) {
  const auto& e = c.expect;
  const auto j = VerdictToJson(v);
  BOOST_TEST_CONTEXT(c.name << " verdict " << j.dump()) {
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
    if (e.contains("tcb_status")) {
      BOOST_REQUIRE(v.tcb_status.has_value());
      BOOST_TEST(*v.tcb_status == e["tcb_status"].get<std::string>());
    }
    if (e.contains("advisory_ids")) {
      BOOST_TEST(v.advisory_ids == e["advisory_ids"].get<std::vector<std::string>>(),
                 boost::test_tools::per_element());
    }
    for (const char* name : kClaimNames) {
      if (!e.contains(name)) continue;
      BOOST_REQUIRE_MESSAGE(v.ClaimsJson().contains(name), "claim " << name << " missing");
      BOOST_TEST(v.ClaimsJson()[name] == e[name], "claim " << name);
    }
    if (v.valid()) {
      BOOST_TEST(v.valid_until.has_value());
      BOOST_TEST(!v.reeval_claims.empty());
    }
  }
}

struct Setup {
  Bytes evidence;
  std::vector<Bytes> blobs;
  TeeType type = TeeType::None;
  AttestationVerifier av;
  const tdx::TdxVerifier* tdx = nullptr;
};

std::unique_ptr<Setup> Prepare(const VectorCase& c) {
  auto s = std::make_unique<Setup>();
  s->evidence = c.Evidence();
  s->blobs = c.AllCollateral();
  s->type = TypeOf(s->evidence);
  auto v = std::make_unique<tdx::TdxVerifier>(s->type, tdx::Policy{}, CommonPolicy{});
  s->tdx = v.get();
  s->av.Install(std::move(v));
  return s;
}

Verdict Standalone(const Setup& s, uint64_t now) {
  StandaloneRequest r;
  r.tee_type = s.type;
  r.evidence = AsView(s.evidence);
  for (const auto& b : s.blobs) r.collateral_blobs.push_back(AsView(b));
  r.now = now;
  auto v = VerifyStandalone(s.av, r);
  BOOST_REQUIRE(v.ok());
  return *v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_vectors)

BOOST_AUTO_TEST_CASE(every_case) {
  const auto cases = LoadCases("tdx");
  if (cases.empty()) {
    BOOST_TEST_MESSAGE("SKIPPED: real TDX vectors are absent (see the message above)");
    return;
  }
  size_t full = 0, layered = 0;
  for (const auto& c : cases) {
    auto s = Prepare(c);
    if (c.scope == "quote_and_pck_chain") {
      VerifyRequest req;
      req.evidence = AsView(s->evidence);
      req.now = c.verify_at;
      auto v = s->tdx->VerifyQuoteAndPckChain(req);
      BOOST_REQUIRE(v.ok());
      CheckExpect(c, *v);
      BOOST_TEST(!v->tcb_status.has_value());
      // Full verification of the same quote fails closed.
      const Verdict f = Standalone(*s, c.verify_at);
      BOOST_TEST_CONTEXT(c.name << " full " << VerdictToJson(f).dump()) {
        BOOST_TEST(!f.valid());
        BOOST_TEST(std::string(FailureCodeName(f.reason())) == "collateral_missing");
        BOOST_TEST(f.hardware_verified == v->hardware_verified);
      }
      ++layered;
    } else {
      const Verdict fv = Standalone(*s, c.verify_at);
      BOOST_TEST_MESSAGE(c.name << ": " << VerdictToJson(fv).dump());
      CheckExpect(c, fv);
      ++full;
    }
  }
  BOOST_TEST_MESSAGE("tdx vectors: " << full << " full, " << layered
                                     << " quote_and_pck_chain cases");
  BOOST_TEST(full + layered == cases.size());
}

BOOST_AUTO_TEST_SUITE_END()
