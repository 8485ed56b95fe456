// Admission-driven demotion (issue 4, DESIGN §2/§6) through ConsensusHooks on
// a RocksDB registry: a validator attested with a simulated SEV-SNP report
// (simulation on, bound to its key per §4) is demoted at the next epoch after
// a CRL of the dev ARK revoking its ASK is admitted, from its stored claims
// alone: the report is not verified again.
#include <boost/test/unit_test.hpp>

#include <atomic>

#include "attestation/snp/snp_verifier.h"
#include "consensus_hooks/hooks.h"
#include "scenario.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;
using registry::ValidatorStatus;
using tenzro::tee::snp::format::Product;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;
using tenzro::tee::testing::Stake;
using tenzro::tee::testing::TempDir;

namespace {

constexpr uint64_t kT0 = snp::testing::kNow;

// The real SNP verifier, counting what the hooks ask of it (a fake around
// the real thing, not a mock: it decides nothing).
class CountingSnp final : public VendorVerifier {
 public:
  explicit CountingSnp(CommonPolicy common) : inner_(snp::Policy{}, common) {}
  TeeType type() const override { return TeeType::AmdSevSnp; }
  Result<Verdict> Verify(const VerifyRequest& req) const override {
    ++verifies;
    return inner_.Verify(req);
  }
  using VendorVerifier::ParseCollateral;
  Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                        uint64_t now) const override {
    return inner_.ParseCollateral(data, known, now);
  }
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override {
    ++reevaluations;
    return inner_.BeginReevaluation(collateral, t);
  }

  mutable std::atomic<int> verifies{0};
  mutable std::atomic<int> reevaluations{0};

 private:
  snp::SnpVerifier inner_;
};

struct Fixture {
  Fixture() {
    auto counting = std::make_unique<CountingSnp>(CommonPolicy{true, 86400});
    snp = counting.get();
    verifier.Install(std::move(counting));
    auto r = registry::TeeRegistry::Open(tenzro::tee::testing::OpenStore(dir.Sub("db")));
    BOOST_REQUIRE(r.ok());
    reg = std::move(*r);
    HookParams hp;
    hp.expiry_window_secs = 3600;
    hp.max_evidence_bytes = 64u << 10;
    hp.max_collateral_bytes = 64u << 10;
    hp.params_hash = HashFromLabel("snp-params");
    hooks = std::make_unique<ConsensusHooks>(*reg, verifier, hp, nullptr);
  }

  // Extended-report evidence of `product`, bound to validator `who`.
  Bytes Evidence(Product product, const std::string& who) {
    auto spec = snp::sim::DefaultSimSpec(product);
    snp::sim::Bind(spec.report, BindingInput{IdFromLabel(who), challenge});
    auto ev = snp::sim::Simulate(spec);
    if (!ev.ok()) BOOST_FAIL(ev.status().ToString());
    return ev->Extended();
  }

  RegisterOutcome Register(const std::string& who, const Bytes& evidence) {
    Registration r;
    r.id = IdFromLabel(who);
    r.stake_be = Stake(100);
    r.tee_type = TeeType::AmdSevSnp;
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

  registry::ValidatorRecord Record(const std::string& who) {
    auto r = hooks->GetRecord(IdFromLabel(who));
    BOOST_REQUIRE(r.ok());
    return *r;
  }

  TempDir dir;
  Hash32 challenge = HashFromLabel("snp-epoch-challenge");
  AttestationVerifier verifier;
  CountingSnp* snp = nullptr;
  std::unique_ptr<registry::TeeRegistry> reg;
  std::unique_ptr<ConsensusHooks> hooks;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_demotion)

BOOST_AUTO_TEST_CASE(admitted_crl_revoking_the_ask_demotes_at_the_next_epoch) {
  Fixture f;
  const Bytes genoa = f.Evidence(Product::kGenoa, "genoa-validator");
  const Bytes milan = f.Evidence(Product::kMilan, "milan-validator");
  auto a = f.Register("genoa-validator", genoa);
  BOOST_TEST(a.attested, "genoa: " << snp::testing::Describe(*a.verdict));
  auto b = f.Register("milan-validator", milan);
  BOOST_TEST(b.attested, "milan: " << snp::testing::Describe(*b.verdict));
  // A genuine report registered for another validator key is unattested.
  auto squatter = f.Register("squatter", genoa);
  BOOST_TEST(!squatter.attested);
  BOOST_TEST((squatter.reason == FailureCode::kBindingMismatch));

  auto r1 = f.Epoch(1, kT0 + 10);
  BOOST_TEST(r1.attested == 2u);
  BOOST_TEST(r1.demoted == 0u);

  // The dev ARK's CRL revoking the Genoa ASK, as the fetchers bundle it (the
  // CRL, then its issuer). Admission authenticates it; nothing changes
  // within epoch 1.
  const auto& pki = snp::sim::DevPki(Product::kGenoa);
  const int64_t t = static_cast<int64_t>(kT0);
  const Bytes crl =
      snp::testing::DevCrlBundle(Product::kGenoa, t, t + 30 * 86400, {pki.ask.cert.serial()});
  BOOST_TEST(f.hooks->SubmitCollateral(TeeType::AmdSevSnp, AsView(crl), kT0 + 20).ok());
  BOOST_TEST(f.Record("genoa-validator").attested());

  const int verifies_before = f.snp->verifies.load();
  auto r2 = f.Epoch(2, kT0 + 30);
  BOOST_TEST(f.snp->verifies.load() == verifies_before);  // no report re-checked
  BOOST_TEST(f.snp->reevaluations.load() >= 1);
  BOOST_TEST(r2.reevaluated == 2u);
  BOOST_TEST(r2.demoted == 1u);
  BOOST_TEST(r2.attested == 1u);
  BOOST_TEST((r2.collateral_hash != r1.collateral_hash));
  auto rec = f.Record("genoa-validator");
  BOOST_TEST((rec.status == ValidatorStatus::kRevoked));
  BOOST_TEST((rec.reason == FailureCode::kRevoked));
  BOOST_TEST(rec.verified_at_epoch == 2u);
  // The Milan validator's chain is untouched by the Genoa ARK's CRL.
  BOOST_TEST(f.Record("milan-validator").attested());
  // Weights: 100 * 2 (Milan, attested) + 100 (Genoa, demoted) + 100 (squatter).
  BOOST_TEST(U256FromBe(r2.total_weight_be) == 400);
}

BOOST_AUTO_TEST_CASE(a_crl_that_revokes_nothing_of_ours_keeps_the_validator) {
  Fixture f;
  const Bytes genoa = f.Evidence(Product::kGenoa, "v");
  BOOST_TEST(f.Register("v", genoa).attested);
  f.Epoch(1, kT0 + 10);
  const auto& pki = snp::sim::DevPki(Product::kGenoa);
  const int64_t t = static_cast<int64_t>(kT0);
  // Revokes the ASVK only (this validator is VCEK-signed, under the ASK).
  const Bytes crl =
      snp::testing::DevCrlBundle(Product::kGenoa, t, t + 30 * 86400, {pki.asvk.cert.serial()});
  BOOST_TEST(f.hooks->SubmitCollateral(TeeType::AmdSevSnp, AsView(crl), kT0 + 20).ok());
  auto r2 = f.Epoch(2, kT0 + 30);
  BOOST_TEST(r2.demoted == 0u);
  BOOST_TEST(f.Record("v").attested());
  // A CRL not signed by the dev ARK is refused at admission.
  x509::CrlSpec spec;
  spec.this_update = t;
  spec.next_update = t + 86400;
  spec.revoked_serials_be = {pki.ask.cert.serial()};
  spec.scheme = x509::SigScheme::kRsaPssSha384;
  auto forged = x509::IssueCrl(spec, pki.ark.cert, snp::testing::RogueRsaKey());
  BOOST_REQUIRE(forged.ok());
  const std::string bundle = x509::CrlToPem(*forged) + x509::ToPem({pki.ark.cert});
  BOOST_TEST((f.hooks
                  ->SubmitCollateral(TeeType::AmdSevSnp,
                                     AsView(Bytes(bundle.begin(), bundle.end())), kT0 + 40)
                  .code() == ErrorCode::kCollateral));
  auto r3 = f.Epoch(3, kT0 + 50);
  BOOST_TEST(r3.demoted == 0u);
  BOOST_TEST(f.Record("v").attested());
}

BOOST_AUTO_TEST_SUITE_END()
