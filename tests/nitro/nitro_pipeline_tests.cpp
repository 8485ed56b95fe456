// The Nitro verifier through ConsensusHooks on a RocksDB registry (the path
// the ABI's register_validator and on_epoch take): a genuine AWS document
// registered under a validator key it does not bind gives binding_mismatch
// and an unattested record; a Nitro validator is demoted at the first epoch
// past its valid_until, from its stored claims alone (no document re-parsed).
#include <boost/test/unit_test.hpp>

#include <atomic>

#include "consensus_hooks/hooks.h"
#include "nitro_test_util.h"
#include "support/test_support.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;
using registry::ValidatorStatus;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;
using tenzro::tee::testing::Stake;
using tenzro::tee::testing::TempDir;
namespace tu = tenzro::tee::nitro::testutil;

namespace {

// The real Nitro verifier, counting what the hooks ask of it (it decides nothing).
class CountingNitro final : public VendorVerifier {
 public:
  explicit CountingNitro(std::unique_ptr<nitro::NitroVerifier> inner) : inner_(std::move(inner)) {}
  TeeType type() const override { return TeeType::AwsNitro; }
  Result<Verdict> Verify(const VerifyRequest& req) const override {
    ++verifies;
    return inner_->Verify(req);
  }
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& c,
                                                 uint64_t t) const override {
    return inner_->BeginReevaluation(c, t);
  }
  mutable std::atomic<int> verifies{0};

 private:
  std::unique_ptr<nitro::NitroVerifier> inner_;
};

struct Fixture {
  explicit Fixture(std::unique_ptr<nitro::NitroVerifier> v) {
    auto counting = std::make_unique<CountingNitro>(std::move(v));
    nitro = counting.get();
    verifier.Install(std::move(counting));
    auto r = registry::TeeRegistry::Open(tenzro::tee::testing::OpenStore(dir.Sub("db")));
    BOOST_REQUIRE(r.ok());
    reg = std::move(*r);
    HookParams hp;
    hp.expiry_window_secs = 3600;
    hp.max_evidence_bytes = 64u << 10;
    hp.max_collateral_bytes = 64u << 10;
    hp.params_hash = HashFromLabel("nitro-params");
    hooks = std::make_unique<ConsensusHooks>(*reg, verifier, hp, nullptr);
  }

  RegisterOutcome Register(const std::string& who, const Bytes& evidence, uint64_t at) {
    Registration r;
    r.id = IdFromLabel(who);
    r.stake_be = Stake(100);
    r.tee_type = TeeType::AwsNitro;
    r.evidence = AsView(evidence);
    r.challenge = challenge;
    r.registered_at = at;
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
  Hash32 challenge = HashFromLabel("nitro-epoch-challenge");
  AttestationVerifier verifier;
  CountingNitro* nitro = nullptr;
  std::unique_ptr<registry::TeeRegistry> reg;
  std::unique_ptr<ConsensusHooks> hooks;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(nitro_pipeline)

BOOST_AUTO_TEST_CASE(a_genuine_document_under_another_key_is_binding_mismatch) {
  auto dir = tenzro::tee::testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real Nitro vectors absent");
    return;
  }
  // Production policy: AWS Root-G1 pinned, simulation off.
  Fixture f(std::make_unique<nitro::NitroVerifier>(nitro::Policy{}, CommonPolicy{}));
  const Bytes doc =
      tenzro::tee::testing::ReadFileBytes(*dir / "nitro" / "sequence-2025" / "doc.bin");
  const uint64_t at = 1'743'791'947;  // the document's own time (cases.json)
  auto o = f.Register("someone-else", doc, at);
  BOOST_TEST(!o.attested);
  BOOST_TEST((o.reason == FailureCode::kBindingMismatch));
  BOOST_REQUIRE(o.verdict.has_value());
  BOOST_TEST(o.verdict->hardware_verified);  // genuine, just not bound to this key
  BOOST_TEST(o.verdict->certificate_chain_valid);
  BOOST_TEST(o.verdict->failures.size() == 1u);
  const auto rec = f.Record("someone-else");
  BOOST_TEST((rec.status == ValidatorStatus::kUnattested));
  BOOST_TEST((rec.reason == FailureCode::kBindingMismatch));
}

BOOST_AUTO_TEST_CASE(demoted_at_the_first_epoch_past_valid_until) {
  Fixture f(tu::DevVerifier());
  nitro::sim::DocumentSpec spec;
  spec.nonce = nitro::sim::BindingNonce(BindingInput{IdFromLabel("v"), f.challenge});
  const Bytes doc = tu::MakeDoc(spec);
  auto o = f.Register("v", doc, tu::kDocTime + 10);
  BOOST_REQUIRE_MESSAGE(o.attested, VerdictToJson(*o.verdict).dump());
  const uint64_t until = tu::kDocTime - 1 + nitro::sim::kLeafLifetimeSecs;  // leaf notAfter
  BOOST_TEST(o.valid_until == static_cast<int64_t>(until));
  // The same document for another key: bound to "v", not to "w".
  auto other = f.Register("w", doc, tu::kDocTime + 11);
  BOOST_TEST(!other.attested);

  const int verifies = f.nitro->verifies.load();
  auto r1 = f.Epoch(1, tu::kDocTime + 20);
  BOOST_TEST(r1.attested == 1u);
  auto r2 = f.Epoch(2, until);  // inclusive: still good
  BOOST_TEST(r2.attested == 1u);
  BOOST_TEST(r2.demoted == 0u);
  auto r3 = f.Epoch(3, until + 1);
  BOOST_TEST(r3.demoted == 1u);
  BOOST_TEST(r3.attested == 0u);
  BOOST_TEST(f.nitro->verifies.load() == verifies);  // no document re-verified
  const auto rec = f.Record("v");
  BOOST_TEST(!rec.attested());
  BOOST_TEST((rec.reason == FailureCode::kExpired));
}

BOOST_AUTO_TEST_SUITE_END()
