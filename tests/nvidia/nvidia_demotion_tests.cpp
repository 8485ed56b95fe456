// OCSP-driven demotion (issue 11, DESIGN §2/§6) through ConsensusHooks on a
// RocksDB registry: a GPU validator attested with a simulated report (dev
// PKI, simulation on, bound to its key per §4) is demoted at the next epoch
// after an OCSP response revoking its Provisioner ICA is admitted through
// submit_collateral, from its stored claims alone. A genuine report
// registered under another key is unattested with nonce_mismatch.
#include <boost/test/unit_test.hpp>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/ocsp_responder.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "consensus_hooks/hooks.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;
using registry::ValidatorStatus;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;
using tenzro::tee::testing::Stake;
using tenzro::tee::testing::TempDir;

namespace {

constexpr uint64_t kT0 = 1'767'225'600;

struct Fixture {
  Fixture() {
    nvidia::VerifierOptions o;
    o.dev_roots = {nvidia::sim::DevRootFingerprint()};
    verifier.Install(
        std::make_unique<nvidia::NvidiaVerifier>(nvidia::Policy{}, CommonPolicy{true, 86400}, o));
    auto r = registry::TeeRegistry::Open(tenzro::tee::testing::OpenStore(dir.Sub("db")));
    BOOST_REQUIRE(r.ok());
    reg = std::move(*r);
    HookParams hp;
    hp.expiry_window_secs = 3600;
    hp.max_evidence_bytes = 64u << 10;
    hp.max_collateral_bytes = 64u << 10;
    hp.params_hash = HashFromLabel("nvidia-params");
    hooks = std::make_unique<ConsensusHooks>(*reg, verifier, hp, nullptr);
    nvidia::sim::ChainSpec cs;
    cs.fwid.fill(0xF1);
    auto c = nvidia::sim::IssueDevChain(cs);
    BOOST_REQUIRE(c.ok());
    chain = std::move(*c);
  }

  // A report bound to validator `who` (§4: nonce = binding[0..32)).
  Bytes Evidence(const std::string& who) {
    nvidia::sim::ReportSpec spec;
    const auto b = ComputeBinding(BindingInput{IdFromLabel(who), challenge});
    std::copy(b.begin(), b.begin() + 32, spec.nonce.begin());
    spec.measurements = nvidia::sim::HopperMeasurements();
    spec.opaque = nvidia::sim::GpuOpaque("550.90.07", {0, 0x9f, 0, 0x96, 1, 0, 0, 0}, Fwid());
    auto r = nvidia::sim::SignedReport(spec, chain.leaf_key());
    BOOST_REQUIRE(r.ok());
    return *r;
  }
  static std::array<uint8_t, 48> Fwid() {
    std::array<uint8_t, 48> f{};
    f.fill(0xF1);
    return f;
  }

  RegisterOutcome Register(const std::string& who, const Bytes& evidence) {
    Registration r;
    r.id = IdFromLabel(who);
    r.stake_be = Stake(100);
    r.tee_type = TeeType::NvidiaGpu;
    r.evidence = AsView(evidence);
    r.challenge = challenge;
    r.registered_at = kT0;
    auto o = hooks->RegisterValidator(r);
    if (!o.ok()) BOOST_FAIL(o.status().ToString());
    return *o;
  }

  EpochReport Epoch(uint64_t e, uint64_t t) {
    auto r = hooks->OnEpoch(e, t, HashFromLabel("seed-" + std::to_string(e)));
    if (!r.ok()) BOOST_FAIL(r.status().ToString());
    return *r;
  }

  Status Submit(const Bytes& blob, uint64_t t) {
    return hooks->SubmitCollateral(TeeType::NvidiaGpu, AsView(blob), t);
  }

  TempDir dir;
  Hash32 challenge = HashFromLabel("nvidia-epoch-challenge");
  AttestationVerifier verifier;
  std::unique_ptr<registry::TeeRegistry> reg;
  std::unique_ptr<ConsensusHooks> hooks;
  nvidia::sim::DevChain chain;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_demotion)

BOOST_AUTO_TEST_CASE(ocsp_revoking_the_provisioner_ica_demotes_at_the_next_epoch) {
  Fixture f;
  const std::string pem = f.chain.Pem();
  BOOST_REQUIRE(f.Submit(Bytes(pem.begin(), pem.end()), kT0 - 10).ok());
  const Bytes evidence = f.Evidence("gpu-validator");
  auto a = f.Register("gpu-validator", evidence);
  BOOST_TEST(a.attested, VerdictToJson(*a.verdict).dump());
  // The same genuine report for another key: nonce_mismatch, unattested.
  auto squatter = f.Register("squatter", evidence);
  BOOST_TEST(!squatter.attested);
  BOOST_TEST((squatter.reason == FailureCode::kNonceMismatch));

  auto r1 = f.Epoch(1, kT0 + 10);
  BOOST_TEST(r1.attested == 1u);

  auto responder = nvidia::sim::DevOcspResponder::Make();
  BOOST_REQUIRE(responder.ok());
  nvidia::sim::OcspAnswer revoked;
  revoked.status = nvidia::OcspStatus::kRevoked;
  revoked.this_update = static_cast<int64_t>(kT0);
  revoked.next_update = static_cast<int64_t>(kT0) + 7 * 86400;
  auto ocsp = responder->Respond(f.chain.certs[2].cert, f.chain.certs[3].cert, revoked);
  BOOST_REQUIRE(ocsp.ok());
  BOOST_REQUIRE(f.Submit(*ocsp, kT0 + 20).ok());
  auto rec = f.hooks->GetRecord(IdFromLabel("gpu-validator"));
  BOOST_REQUIRE(rec.ok());
  BOOST_TEST(rec->attested(), "nothing changes within epoch 1");

  auto r2 = f.Epoch(2, kT0 + 30);
  BOOST_TEST(r2.demoted == 1u);
  BOOST_TEST(r2.attested == 0u);
  auto after = f.hooks->GetRecord(IdFromLabel("gpu-validator"));
  BOOST_REQUIRE(after.ok());
  BOOST_TEST((after->status == ValidatorStatus::kRevoked));
  BOOST_TEST((after->reason == FailureCode::kRevoked));
  // A forged response (one byte of its signed data changed) is refused.
  Bytes forged = *ocsp;
  forged[forged.size() / 2] ^= 1;
  BOOST_TEST(!f.Submit(forged, kT0 + 40).ok());
}

BOOST_AUTO_TEST_SUITE_END()
