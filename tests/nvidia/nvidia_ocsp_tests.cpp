// OCSP for the device chain's intermediates, with the simulator's responder:
// admission authenticates the responder to the pinned (here: development)
// root; verification judges windows, REVOKED, certificateHold under
// allow_hold and require_ocsp; the epoch re-evaluation demotes a GPU whose
// Provisioner ICA an admitted response revokes.
#include <boost/test/unit_test.hpp>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/ocsp.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/ocsp_responder.h"
#include "attestation/nvidia/sim/report_builder.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

constexpr uint64_t kNow = 1'767'225'600;
constexpr size_t kIca = 2;  // leaf, BROM, Provisioner ICA, Identity, root

struct Gpu {
  sim::DevChain chain;
  Bytes report;
  Bytes pem;
};

const Gpu& TheGpu() {
  static const Gpu gpu = [] {
    sim::ChainSpec cs;
    cs.fwid.fill(0xF1);
    auto chain = sim::IssueDevChain(cs);
    BOOST_REQUIRE(chain.ok());
    sim::ReportSpec spec;
    spec.nonce.fill(0x42);
    spec.measurements = sim::HopperMeasurements();
    spec.opaque = sim::GpuOpaque("550.90.07", {0, 0x9f, 0, 0x96, 1, 0, 0, 0}, cs.fwid);
    auto report = sim::SignedReport(spec, chain->leaf_key());
    BOOST_REQUIRE(report.ok());
    const std::string pem = chain->Pem();
    return Gpu{std::move(*chain), std::move(*report), Bytes(pem.begin(), pem.end())};
  }();
  return gpu;
}

const sim::DevOcspResponder& Responder() {
  static const sim::DevOcspResponder r = [] {
    auto made = sim::DevOcspResponder::Make();
    BOOST_REQUIRE(made.ok());
    return std::move(*made);
  }();
  return r;
}

Bytes Answer(size_t j, sim::OcspAnswer a = {}) {
  const auto& c = TheGpu().chain.certs;
  auto r = Responder().Respond(c[j].cert, c[j + 1].cert, a);
  BOOST_REQUIRE(r.ok());
  return *r;
}

NvidiaVerifier MakeVerifier(Policy p = {}, bool simulation = true) {
  VerifierOptions o;
  o.dev_roots = {sim::DevRootFingerprint()};
  CommonPolicy common;
  common.simulation = simulation;
  return NvidiaVerifier(std::move(p), common, o);
}

// The chain and the given responses admitted in order.
CollateralSet Admit(const NvidiaVerifier& v, const std::vector<Bytes>& blobs, uint64_t now = kNow) {
  CollateralSet set;
  auto chain = v.ParseCollateral(AsView(TheGpu().pem), set, now);
  BOOST_REQUIRE(chain.ok());
  set = set.With(std::move(*chain));
  for (const auto& b : blobs) {
    auto doc = v.ParseCollateral(AsView(b), set, now);
    BOOST_REQUIRE(doc.ok());
    BOOST_TEST(doc->kind == kKindOcsp);
    set = set.With(std::move(*doc));
  }
  return set;
}

Verdict Verify(const NvidiaVerifier& v, const CollateralSet& set, uint64_t now = kNow) {
  VerifyRequest req;
  req.evidence = AsView(TheGpu().report);
  req.collateral = &set;
  req.now = now;
  auto verdict = v.Verify(req);
  BOOST_REQUIRE(verdict.ok());
  return *verdict;
}

void ExpectAlone(const Verdict& v, FailureCode want, const char* name) {
  BOOST_TEST_CONTEXT(name << ": " << VerdictToJson(v).dump()) {
    BOOST_TEST(!v.failures.empty());
    for (const auto& f : v.failures) BOOST_TEST((f.code == want), f.message);
  }
}

std::vector<Bytes> AllGood(sim::OcspAnswer a = {}) {
  return {Answer(1, a), Answer(2, a), Answer(3, a)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_ocsp)

BOOST_AUTO_TEST_CASE(parser_reads_the_simulator_response) {
  sim::OcspAnswer a;
  a.status = OcspStatus::kRevoked;
  a.reason = kReasonCertificateHold;
  a.this_update = 1'700'000'000;
  a.next_update = 1'800'000'000;
  const Bytes der = Answer(kIca, a);
  auto r = ParseOcspResponse(AsView(der));
  BOOST_REQUIRE(r.ok());
  BOOST_REQUIRE(r->responses.size() == 1u);
  const OcspSingle& s = r->responses.front();
  BOOST_TEST((s.status == OcspStatus::kRevoked));
  BOOST_TEST((s.reason == std::optional<uint8_t>(kReasonCertificateHold)));
  BOOST_TEST(s.this_update == 1'700'000'000);
  BOOST_TEST(s.next_update == 1'800'000'000);
  BOOST_TEST((s.serial == TheGpu().chain.certs[kIca].cert.serial()));
  BOOST_TEST(r->certs.size() == 1u);
  for (size_t n = 0; n < der.size(); n += 7) {
    BOOST_TEST(!ParseOcspResponse(ByteView(der).first(n)).ok(), "prefix " << n);
  }
}

BOOST_AUTO_TEST_CASE(good_responses_pass_and_narrow_the_validity) {
  const NvidiaVerifier v = MakeVerifier();
  sim::OcspAnswer a;
  a.this_update = static_cast<int64_t>(kNow) - 3600;
  a.next_update = static_cast<int64_t>(kNow) + 7 * 86400;
  const Verdict verdict = Verify(v, Admit(v, AllGood(a)));
  BOOST_TEST(verdict.valid(), VerdictToJson(verdict).dump());
  BOOST_TEST(verdict.certificate_chain_valid);
  BOOST_TEST((verdict.valid_until == std::optional<uint64_t>(kNow + 7 * 86400)));
}

BOOST_AUTO_TEST_CASE(each_ocsp_check_fails_alone) {
  sim::OcspAnswer revoked;
  revoked.status = OcspStatus::kRevoked;
  revoked.reason = 1;  // keyCompromise
  {
    const NvidiaVerifier v = MakeVerifier();
    const Verdict r = Verify(v, Admit(v, {Answer(1), Answer(kIca, revoked), Answer(3)}));
    ExpectAlone(r, FailureCode::kRevoked, "ICA revoked");
    BOOST_TEST(!r.certificate_chain_valid);
    BOOST_TEST(r.hardware_verified);
  }
  sim::OcspAnswer hold = revoked;
  hold.reason = kReasonCertificateHold;
  {
    const NvidiaVerifier v = MakeVerifier();
    ExpectAlone(Verify(v, Admit(v, {Answer(1), Answer(kIca, hold), Answer(3)})),
                FailureCode::kRevoked, "hold without allow_hold");
    Policy p;
    p.allow_hold = true;
    const NvidiaVerifier lenient = MakeVerifier(p);
    BOOST_TEST(Verify(lenient, Admit(lenient, {Answer(1), Answer(kIca, hold), Answer(3)})).valid());
  }
  {
    Policy p;
    p.require_ocsp = true;
    const NvidiaVerifier v = MakeVerifier(p);
    ExpectAlone(Verify(v, Admit(v, {})), FailureCode::kCollateralMissing, "require_ocsp, none");
    BOOST_TEST(Verify(v, Admit(v, AllGood())).valid());
    const NvidiaVerifier lax = MakeVerifier();
    BOOST_TEST(Verify(lax, Admit(lax, {})).valid(), "without require_ocsp none is needed");
  }
  {
    sim::OcspAnswer stale;
    stale.this_update = static_cast<int64_t>(kNow) - 7200;
    stale.next_update = static_cast<int64_t>(kNow) - 1;
    const NvidiaVerifier v = MakeVerifier();
    ExpectAlone(Verify(v, Admit(v, AllGood(stale))), FailureCode::kExpired, "stale responses");
  }
}

BOOST_AUTO_TEST_CASE(forged_or_untrusted_responses_are_not_admitted) {
  const NvidiaVerifier v = MakeVerifier();
  CollateralSet set = Admit(v, {});
  Bytes forged = Answer(kIca);
  forged[forged.size() / 2] ^= 0x01;  // inside the signed ResponseData
  BOOST_TEST(!v.ParseCollateral(AsView(forged), set, kNow).ok());
  // A responder under another CA (the device chain's Identity, not a root).
  sim::DevCert rogue_ca = TheGpu().chain.certs[3];
  auto rogue = sim::DevOcspResponder::Make(rogue_ca);
  BOOST_REQUIRE(rogue.ok());
  auto by_rogue = rogue->Respond(TheGpu().chain.certs[kIca].cert, TheGpu().chain.certs[3].cert, {});
  BOOST_REQUIRE(by_rogue.ok());
  BOOST_TEST(!v.ParseCollateral(AsView(*by_rogue), set, kNow).ok());
  // The development responder is trusted only with simulation on.
  const NvidiaVerifier off = MakeVerifier(Policy{}, false);
  BOOST_TEST(!off.ParseCollateral(AsView(Answer(kIca)), set, kNow).ok());
}

// DESIGN §6: a GPU validator attested at epoch E is demoted at the next
// epoch once an OCSP response revoking its Provisioner ICA is admitted.
BOOST_AUTO_TEST_CASE(revoking_the_provisioner_ica_demotes_at_the_next_epoch) {
  const NvidiaVerifier v = MakeVerifier();
  const CollateralSet at_registration = Admit(v, AllGood());
  const Verdict registered = Verify(v, at_registration);
  BOOST_REQUIRE(registered.valid());
  const uint64_t next_epoch = kNow + 86400;
  auto still = v.BeginReevaluation(at_registration, next_epoch)->Check(registered.reeval_claims);
  BOOST_REQUIRE(still.ok());
  BOOST_TEST(!still->has_value());
  sim::OcspAnswer revoked;
  revoked.status = OcspStatus::kRevoked;
  revoked.this_update = static_cast<int64_t>(kNow) + 3600;  // newer than the good one
  auto doc = v.ParseCollateral(AsView(Answer(kIca, revoked)), at_registration, next_epoch);
  BOOST_REQUIRE(doc.ok());
  const CollateralSet after = at_registration.With(std::move(*doc));
  auto demoted = v.BeginReevaluation(after, next_epoch)->Check(registered.reeval_claims);
  BOOST_REQUIRE(demoted.ok());
  BOOST_REQUIRE(demoted->has_value());
  BOOST_TEST(((*demoted)->code == FailureCode::kRevoked), (*demoted)->message);
}

BOOST_AUTO_TEST_SUITE_END()
