// Admission-driven demotion (issue 3, DESIGN §2 and §6): a validator
// registered with a simulated TDX quote bound to its key stays attested until
// admitted collateral says otherwise, and is demoted at the next epoch from
// its stored claims alone (its quote is not checked again).
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "consensus_hooks/hooks.h"
#include "sim_fixture.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;
using namespace tenzro::tee::tdx;
using namespace tenzro::tee::tdx::sim;
using registry::ValidatorStatus;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;
using tenzro::tee::testing::Stake;
using tenzro::tee::testing::TempDir;

namespace {

// A chain whose policy rejects OutOfDate (no grace), simulation on, the dev root trusted.
struct Chain {
  Chain() {
    Policy p;
    p.accepted_tcb_statuses = {TcbStatus::kUpToDate, TcbStatus::kSWHardeningNeeded};
    simtest::Options o;
    o.policy = p;
    auto v = simtest::MakeVerifier(TeeType::IntelTdx, o);
    tdx = v.get();
    verifier.Install(std::move(v));
    auto r = registry::TeeRegistry::Open(testing::OpenStore(dir.Sub("db")));
    BOOST_REQUIRE(r.ok());
    reg = std::move(*r);
    HookParams hp;
    hp.params_hash = HashFromLabel("tdx-demotion-params");
    hooks = std::make_unique<ConsensusHooks>(*reg, verifier, hp, nullptr);
  }

  void Submit(const Result<Bytes>& blob, uint64_t at) {
    BOOST_REQUIRE(blob.ok());
    const Status st = hooks->SubmitCollateral(TeeType::IntelTdx, AsView(*blob), at);
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  }

  // Admits the scenario's collateral, registers `who` with its quote bound to
  // its key, and checks it is attested at epoch 1.
  void RegisterAttested(Scenario& s, const std::string& who) {
    auto blobs = s.Collateral();
    BOOST_REQUIRE(blobs.ok());
    for (const auto& b : *blobs) Submit(b, s.now);
    s.quote.binding = BindingInput{IdFromLabel(who), challenge};
    auto quote = s.Quote();
    BOOST_REQUIRE(quote.ok());
    evidence = *quote;
    Registration r;
    r.id = IdFromLabel(who);
    r.stake_be = Stake(100);
    r.tee_type = TeeType::IntelTdx;
    r.evidence = AsView(evidence);
    r.challenge = challenge;
    r.registered_at = s.now;
    auto out = hooks->RegisterValidator(r);
    BOOST_REQUIRE(out.ok());
    BOOST_REQUIRE_MESSAGE(out->attested, std::string(FailureCodeName(out->reason)));
    auto e1 = Epoch(1, s.now + 60);
    BOOST_TEST(e1.attested == 1u);
  }

  EpochReport Epoch(uint64_t e, uint64_t t) {
    auto r = hooks->OnEpoch(e, t, HashFromLabel("seed-" + std::to_string(e)));
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.status().ToString()));
    return *r;
  }

  registry::ValidatorRecord Record(const std::string& who) {
    auto r = hooks->GetRecord(IdFromLabel(who));
    BOOST_REQUIRE(r.ok());
    return *r;
  }

  TempDir dir;
  Hash32 challenge = HashFromLabel("tdx-challenge");
  AttestationVerifier verifier;
  TdxVerifier* tdx = nullptr;
  std::unique_ptr<registry::TeeRegistry> reg;
  std::unique_ptr<ConsensusHooks> hooks;
  Bytes evidence;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_demotion)

BOOST_AUTO_TEST_CASE(a_quote_for_another_key_registers_unattested) {
  Chain c;
  Scenario s = Scenario::Tdx();
  auto blobs = s.Collateral();
  BOOST_REQUIRE(blobs.ok());
  for (const auto& b : *blobs) c.Submit(b, s.now);
  s.quote.binding = BindingInput{IdFromLabel("someone-else"), c.challenge};
  auto quote = s.Quote();
  BOOST_REQUIRE(quote.ok());
  Registration r;
  r.id = IdFromLabel("v");
  r.stake_be = Stake(100);
  r.tee_type = TeeType::IntelTdx;
  r.evidence = AsView(*quote);
  r.challenge = c.challenge;
  r.registered_at = s.now;
  auto out = c.hooks->RegisterValidator(r);
  BOOST_REQUIRE(out.ok());
  BOOST_TEST(!out->attested);
  BOOST_TEST(FailureCodeName(out->reason) == FailureCodeName(FailureCode::kBindingMismatch));
}

BOOST_AUTO_TEST_CASE(tcb_recovery_demotes_at_the_next_epoch) {
  Chain c;
  Scenario s = Scenario::Tdx();
  c.RegisterAttested(s, "v");

  // Intel publishes a TCB recovery; the node admits it during epoch 1.
  const TcbInfoSpec recovery = TcbRecovery(s.tcb_info, s.now + 3600, s.now + 30 * kDay);
  c.Submit(MakeTcbInfo(recovery), s.now + 3600 + 1);
  BOOST_TEST(c.Record("v").attested());  // nothing changes inside the epoch

  const auto before = c.tdx->cache_stats();
  const EpochReport e2 = c.Epoch(2, s.now + 7200);
  const auto after = c.tdx->cache_stats();
  BOOST_TEST(e2.demoted == 1u);
  BOOST_TEST(e2.attested == 0u);
  const auto rec = c.Record("v");
  BOOST_TEST(!rec.attested());
  BOOST_TEST(FailureCodeName(rec.reason) == FailureCodeName(FailureCode::kTcbStatusRejected));
  // Decided from the stored claims: the quote's certification was not looked at again.
  BOOST_TEST(after.certification_hits == before.certification_hits);
  BOOST_TEST(after.certification_misses == before.certification_misses);
}

BOOST_AUTO_TEST_CASE(a_recovery_the_policy_tolerates_keeps_the_validator) {
  // The same recovery, but the platform's former level only needs SW hardening.
  Chain c;
  Scenario s = Scenario::Tdx();
  c.RegisterAttested(s, "v");
  TcbInfoSpec recovery = TcbRecovery(s.tcb_info, s.now + 3600, s.now + 30 * kDay);
  recovery.levels[1].status = "SWHardeningNeeded";
  c.Submit(MakeTcbInfo(recovery), s.now + 3601);
  const EpochReport e2 = c.Epoch(2, s.now + 7200);
  BOOST_TEST(e2.demoted == 0u);
  BOOST_TEST(e2.attested == 1u);
  BOOST_TEST(c.Record("v").attested());
}

BOOST_AUTO_TEST_CASE(pck_crl_revoking_its_pck_demotes_at_the_next_epoch) {
  Chain c;
  Scenario s = Scenario::Tdx();
  c.RegisterAttested(s, "v");

  CrlBuildSpec crl = s.pck_crl;
  crl.this_update = s.now + 3600;  // newer than the admitted one
  crl.revoked_serials = {Dev().pck_tdx.cert.serial()};
  c.Submit(MakePckCrl(crl), s.now + 3601);
  BOOST_TEST(c.Record("v").attested());

  const auto before = c.tdx->cache_stats();
  const EpochReport e2 = c.Epoch(2, s.now + 7200);
  const auto after = c.tdx->cache_stats();
  BOOST_TEST(e2.demoted == 1u);
  const auto rec = c.Record("v");
  BOOST_TEST(!rec.attested());
  BOOST_TEST(FailureCodeName(rec.reason) == FailureCodeName(FailureCode::kRevoked));
  BOOST_TEST(after.certification_misses == before.certification_misses);
  BOOST_TEST(after.certification_hits == before.certification_hits);
}

// A CRL of another key of the Platform CA (same name, under the dev root, so
// authentic and admitted) speaks of that key's leaves only: listing this
// validator's PCK it demotes no one, and, newer, it never hides the leaf's
// own CA's CRL from the epoch's re-evaluation.
BOOST_AUTO_TEST_CASE(a_crl_of_another_key_of_the_pck_ca_neither_demotes_nor_shadows) {
  Chain c;
  Scenario s = Scenario::Tdx();
  c.RegisterAttested(s, "v");
  const KeyedCert twin =
      simtest::Forge("Tenzro DEV SGX PCK Platform CA", true, &Dev().root, {0x22});
  CrlBuildSpec other = s.pck_crl;
  other.issuer = twin;
  other.this_update = s.now + 3600;
  other.revoked_serials = {Dev().pck_tdx.cert.serial()};
  c.Submit(MakePckCrl(other), s.now + 3601);
  BOOST_TEST(c.Epoch(2, s.now + 7200).demoted == 0u);
  BOOST_TEST(c.Record("v").attested());

  CrlBuildSpec own = s.pck_crl;
  own.this_update = s.now + 8000;
  own.revoked_serials = {Dev().pck_tdx.cert.serial()};
  c.Submit(MakePckCrl(own), s.now + 8001);
  other.this_update = s.now + 9000;
  other.revoked_serials = {};
  c.Submit(MakePckCrl(other), s.now + 9001);
  BOOST_TEST(c.Epoch(3, s.now + 10000).demoted == 1u);
  const auto rec = c.Record("v");
  BOOST_TEST(!rec.attested());
  BOOST_TEST(FailureCodeName(rec.reason) == FailureCodeName(FailureCode::kRevoked));
}

BOOST_AUTO_TEST_CASE(refused_collateral_changes_nothing) {
  Chain c;
  Scenario s = Scenario::Tdx();
  c.RegisterAttested(s, "v");
  // A recovery with a broken signature and a revoking CRL from a forged CA
  // are refused at admission and cannot demote anyone.
  TcbInfoSpec recovery = TcbRecovery(s.tcb_info, s.now + 3600, s.now + 30 * kDay);
  recovery.signing.bad_signature = true;
  auto bad_tcb = MakeTcbInfo(recovery);
  BOOST_REQUIRE(bad_tcb.ok());
  BOOST_TEST((c.hooks->SubmitCollateral(TeeType::IntelTdx, AsView(*bad_tcb), s.now + 3601).code() ==
              ErrorCode::kCollateral));
  CrlBuildSpec crl = s.pck_crl;
  crl.this_update = s.now + 3600;
  crl.revoked_serials = {Dev().pck_tdx.cert.serial()};
  // A CA of the Platform CA's name under a forged root (no dev root key).
  const KeyedCert forged_root = simtest::Forge("Tenzro DEV SGX Root CA", true, nullptr, {0x01});
  crl.issuer = simtest::Forge("Tenzro DEV SGX PCK Platform CA", true, &forged_root, {0x02});
  auto bad_crl = MakePckCrl(crl);
  BOOST_REQUIRE(bad_crl.ok());
  BOOST_TEST((c.hooks->SubmitCollateral(TeeType::IntelTdx, AsView(*bad_crl), s.now + 3601).code() ==
              ErrorCode::kCollateral));
  const EpochReport e2 = c.Epoch(2, s.now + 7200);
  BOOST_TEST(e2.demoted == 0u);
  BOOST_TEST(c.Record("v").attested());
}

BOOST_AUTO_TEST_SUITE_END()
