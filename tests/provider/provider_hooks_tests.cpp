// Model providers through ConsensusHooks on a RocksDB registry (issue 15):
// registration with TDX and SNP evidence together, queries, the epoch
// re-evaluation that demotes them (expiry, an admitted CRL), events, the
// current verdict from stored claims, restarts, and no weight ever.
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "consensus_hooks/hooks.h"
#include "provider_support.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;
using namespace tenzro::tee::provtest;
using registry::ProviderId;
using registry::ValidatorStatus;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;
using tenzro::tee::testing::Stake;
using tenzro::tee::testing::TempDir;

namespace {

const Hash32 kChallenge = HashFromLabel("provider-challenge");
const std::string kModel = "llama-3-70b";
const Hash32 kModelHash = HashFromLabel("llama-3-70b weights");

class RecordingSink final : public EventSink {
 public:
  void OnValidatorEvent(const ValidatorId&, ValidatorEvent, FailureCode) override {}
  void OnProviderEvent(const ProviderId& id, ValidatorEvent e, FailureCode r) override {
    events.emplace_back(id, e, r);
  }
  std::vector<std::tuple<ProviderId, ValidatorEvent, FailureCode>> events;
};

struct Chain {
  explicit Chain(const std::string& db) : path(db) { Open(); }

  void Open() {
    hooks.reset();
    reg.reset();
    verifier = MakeVerifier();
    auto r = registry::TeeRegistry::Open(tenzro::tee::testing::OpenStore(path));
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.status().ToString()));
    reg = std::move(*r);
    HookParams hp;
    hp.expiry_window_secs = 3600;
    hp.params_hash = HashFromLabel("provider-params");
    hooks = std::make_unique<ConsensusHooks>(*reg, *verifier, hp, &sink);
  }

  void AdmitTdxCollateral() {
    for (const Bytes& b : TdxCollateral()) {
      const Status st = hooks->SubmitCollateral(TeeType::IntelTdx, AsView(b), kNow);
      BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
    }
  }

  ProviderOutcome Register(const ProviderId& id, const std::string& model, const Hash32& hash,
                           const std::vector<std::pair<TeeType, Bytes>>& evidence,
                           uint64_t at = kNow) {
    ProviderRegistration r;
    r.id = id;
    r.model_id = model;
    r.model_hash = hash;
    for (const auto& [t, e] : evidence) r.evidence.push_back({t, AsView(e)});
    r.challenge = kChallenge;
    r.registered_at = at;
    auto o = hooks->RegisterProvider(r);
    BOOST_REQUIRE_MESSAGE(o.ok(), (o.ok() ? "" : o.status().ToString()));
    return *o;
  }

  EpochReport Epoch(uint64_t e, uint64_t t) {
    auto r = hooks->OnEpoch(e, t, HashFromLabel("seed-" + std::to_string(e)));
    BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.status().ToString()));
    return *r;
  }

  registry::ProviderRecord Provider(const ProviderId& id) {
    auto r = hooks->GetProvider(id);
    BOOST_REQUIRE(r.ok());
    return *r;
  }

  std::string path;
  RecordingSink sink;
  std::unique_ptr<AttestationVerifier> verifier;
  std::unique_ptr<registry::TeeRegistry> reg;
  std::unique_ptr<ConsensusHooks> hooks;
};

ModelBinding Bound(const ProviderId& id, const Hash32& model_hash = kModelHash) {
  return ModelBinding{id, model_hash, kChallenge};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(provider_hooks)

BOOST_AUTO_TEST_CASE(cpu_and_second_tee_together_attest_and_are_queryable) {
  TempDir dir;
  Chain c(dir.Sub("db"));
  c.AdmitTdxCollateral();
  const ProviderId p = IdFromLabel("provider-a");
  auto o = c.Register(
      p, kModel, kModelHash,
      {{TeeType::IntelTdx, TdxQuote(Bound(p))}, {TeeType::AmdSevSnp, SnpEvidence(Bound(p))}});
  BOOST_TEST(o.attested);
  BOOST_REQUIRE(o.verdicts.size() == 2u);
  BOOST_TEST(o.verdicts[0].valid());
  BOOST_TEST(o.verdicts[1].valid());
  const auto rec = c.Provider(p);
  BOOST_TEST(rec.attested());
  BOOST_TEST(rec.model_id == kModel);
  BOOST_TEST((rec.model_hash == kModelHash));
  BOOST_REQUIRE(rec.evidence.size() == 2u);
  // valid_until is the earliest of its pieces.
  BOOST_TEST(rec.valid_until == std::min(rec.evidence[0].valid_until, rec.evidence[1].valid_until));
  BOOST_TEST(!rec.evidence[0].claims.empty());
  BOOST_TEST(c.hooks->ProvidersByType(TeeType::IntelTdx, std::nullopt, 10).size() == 1u);
  BOOST_TEST(c.hooks->ProvidersByType(TeeType::AmdSevSnp, std::nullopt, 10).size() == 1u);
  BOOST_TEST(c.hooks->ProvidersByType(TeeType::NvidiaGpu, std::nullopt, 10).empty());
  BOOST_TEST(c.hooks->ProvidersByModel(kModel, std::nullopt, 10).size() == 1u);
  BOOST_TEST(c.hooks->ProvidersByModel("llama-3-8b", std::nullopt, 10).empty());
  BOOST_REQUIRE(c.sink.events.size() == 1u);
  BOOST_TEST((std::get<1>(c.sink.events[0]) == ValidatorEvent::kRegistered));
}

BOOST_AUTO_TEST_CASE(every_piece_must_pass_and_be_bound_to_the_same_inputs) {
  TempDir dir;
  Chain c(dir.Sub("db"));
  c.AdmitTdxCollateral();
  const ProviderId p = IdFromLabel("provider-a");
  // The SNP piece is genuine but bound to another model: the registration
  // is stored unattested, with the first failure.
  auto o = c.Register(p, kModel, kModelHash,
                      {{TeeType::IntelTdx, TdxQuote(Bound(p))},
                       {TeeType::AmdSevSnp, SnpEvidence(Bound(p, HashFromLabel("other")))}});
  BOOST_TEST(!o.attested);
  BOOST_TEST((o.reason == FailureCode::kBindingMismatch));
  BOOST_TEST(o.verdicts[0].valid());
  BOOST_TEST(!o.verdicts[1].valid());
  BOOST_TEST((c.Provider(p).status == ValidatorStatus::kUnattested));
  BOOST_TEST(c.Provider(p).valid_until == -1);

  // Validator evidence (the same key and challenge) is not provider evidence.
  const ProviderId q = IdFromLabel("provider-b");
  auto v = c.Register(q, kModel, kModelHash,
                      {{TeeType::AmdSevSnp, SnpEvidence(BindingInput{q, kChallenge})}});
  BOOST_TEST(!v.attested);
  BOOST_TEST((v.reason == FailureCode::kBindingMismatch));
  // Another provider's evidence is not this provider's.
  const ProviderId r = IdFromLabel("provider-c");
  auto w = c.Register(r, kModel, kModelHash, {{TeeType::AmdSevSnp, SnpEvidence(Bound(p))}});
  BOOST_TEST(!w.attested);
  BOOST_TEST((w.reason == FailureCode::kBindingMismatch));
}

BOOST_AUTO_TEST_CASE(arguments_are_checked_before_anything_is_stored) {
  TempDir dir;
  Chain c(dir.Sub("db"));
  const ProviderId p = IdFromLabel("provider-a");
  const Bytes ev = SnpEvidence(Bound(p));
  ProviderRegistration r;
  r.id = p;
  r.model_hash = kModelHash;
  r.challenge = kChallenge;
  r.registered_at = kNow;
  r.evidence = {{TeeType::AmdSevSnp, AsView(ev)}};
  for (const std::string& bad :
       {std::string(), std::string(129, 'a'), std::string("a\nb"), std::string("caf\xc3\xa9")}) {
    r.model_id = bad;
    BOOST_TEST((c.hooks->RegisterProvider(r).status().code() == ErrorCode::kInvalidArgument));
  }
  r.model_id = std::string(128, 'm');
  r.evidence.clear();
  BOOST_TEST((c.hooks->RegisterProvider(r).status().code() == ErrorCode::kInvalidArgument));
  r.evidence = {{TeeType::None, AsView(ev)}};
  BOOST_TEST((c.hooks->RegisterProvider(r).status().code() == ErrorCode::kInvalidArgument));
  r.evidence = std::vector<ProviderEvidenceInput>(registry::kMaxProviderEvidence + 1,
                                                  {TeeType::AmdSevSnp, AsView(ev)});
  BOOST_TEST((c.hooks->RegisterProvider(r).status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(c.reg->providers().empty());
  r.evidence = {{TeeType::AmdSevSnp, AsView(ev)}};
  BOOST_TEST(c.hooks->RegisterProvider(r).ok());  // 128 bytes is the limit, inclusive
  BOOST_TEST(c.reg->providers().size() == 1u);
  BOOST_TEST((c.hooks->DeregisterProvider(IdFromLabel("nobody")).code() == ErrorCode::kNotFound));
  BOOST_TEST(c.hooks->DeregisterProvider(p).ok());
  BOOST_TEST(c.reg->providers().empty());
}

BOOST_AUTO_TEST_CASE(queries_are_ordered_by_id_and_paginated) {
  TempDir dir;
  Chain c(dir.Sub("db"));
  std::vector<ProviderId> ids;
  for (int i = 0; i < 5; ++i) {
    const ProviderId p = IdFromLabel("p" + std::to_string(i));
    ids.push_back(p);
    c.Register(p, i % 2 == 0 ? kModel : "mistral-7b", kModelHash,
               {{TeeType::AmdSevSnp, SnpEvidence(Bound(p))}});
  }
  std::sort(ids.begin(), ids.end());
  std::vector<ProviderId> seen;
  std::optional<ProviderId> cursor;
  for (;;) {
    auto page = c.hooks->ProvidersByType(TeeType::AmdSevSnp, cursor, 2);
    BOOST_TEST(page.size() <= 2u);
    if (page.empty()) break;
    for (const auto& r : page) seen.push_back(r.id);
    cursor = page.back().id;
  }
  BOOST_TEST((seen == ids));
  const auto llama = c.hooks->ProvidersByModel(kModel, std::nullopt, 100);
  BOOST_TEST(llama.size() == 3u);
  for (size_t i = 1; i < llama.size(); ++i) BOOST_TEST((llama[i - 1].id < llama[i].id));
}

BOOST_AUTO_TEST_CASE(epochs_demote_by_admitted_crl_and_expiry_without_weight) {
  TempDir dir;
  Chain c(dir.Sub("db"));
  c.AdmitTdxCollateral();
  const ProviderId snp = IdFromLabel("snp-provider");
  const ProviderId tdx = IdFromLabel("tdx-provider");
  BOOST_TEST(c.Register(snp, kModel, kModelHash, {{TeeType::AmdSevSnp, SnpEvidence(Bound(snp))}})
                 .attested);
  BOOST_TEST(
      c.Register(tdx, kModel, kModelHash, {{TeeType::IntelTdx, TdxQuote(Bound(tdx))}}).attested);
  // One validator, so the epoch has a weight to compare.
  registry::ValidatorRecord none;
  Registration v;
  v.id = IdFromLabel("validator");
  v.stake_be = Stake(100);
  BOOST_REQUIRE(c.hooks->RegisterValidator(v).ok());

  const auto r1 = c.Epoch(1, kNow + 10);
  BOOST_TEST(r1.providers == 2u);
  BOOST_TEST(r1.providers_attested == 2u);
  BOOST_TEST(r1.providers_reevaluated == 2u);
  BOOST_TEST(r1.providers_demoted == 0u);
  BOOST_TEST(U256FromBe(r1.total_weight_be) == 100);  // providers weigh nothing
  BOOST_TEST(r1.snapshot_size == 1u);

  // The Genoa ASK revoked: the SNP provider is demoted at the next epoch
  // from its stored claims; the TDX one is untouched.
  c.sink.events.clear();
  const Bytes crl = SnpAskRevocation(static_cast<int64_t>(kNow));
  BOOST_REQUIRE(c.hooks->SubmitCollateral(TeeType::AmdSevSnp, AsView(crl), kNow + 20).ok());
  BOOST_TEST(c.Provider(snp).attested());
  const auto r2 = c.Epoch(2, kNow + 30);
  BOOST_TEST(r2.providers_demoted == 1u);
  BOOST_TEST(r2.providers_attested == 1u);
  BOOST_TEST((r2.collateral_hash != r1.collateral_hash));
  BOOST_TEST((c.Provider(snp).status == ValidatorStatus::kRevoked));
  BOOST_TEST((c.Provider(snp).reason == FailureCode::kRevoked));
  BOOST_TEST(c.Provider(snp).verified_at_epoch == 2u);
  BOOST_TEST(c.Provider(tdx).attested());
  BOOST_TEST(c.Provider(tdx).verified_at_epoch == 2u);
  BOOST_REQUIRE(c.sink.events.size() == 1u);
  BOOST_TEST((std::get<0>(c.sink.events[0]) == snp));
  BOOST_TEST((std::get<1>(c.sink.events[0]) == ValidatorEvent::kDemoted));
  BOOST_TEST((std::get<2>(c.sink.events[0]) == FailureCode::kRevoked));

  // Within the expiry window: expiring, still attested; past valid_until: expired.
  const auto until = static_cast<uint64_t>(c.Provider(tdx).valid_until);
  c.sink.events.clear();
  const auto r3 = c.Epoch(3, until - 60);
  BOOST_TEST(r3.providers_expiring == 1u);
  BOOST_TEST(r3.providers_attested == 1u);
  BOOST_REQUIRE(c.sink.events.size() == 1u);
  BOOST_TEST((std::get<1>(c.sink.events[0]) == ValidatorEvent::kExpiring));
  const auto r4 = c.Epoch(4, until + 1);
  BOOST_TEST(r4.providers_demoted == 1u);
  BOOST_TEST(r4.providers_attested == 0u);
  BOOST_TEST((c.Provider(tdx).status == ValidatorStatus::kExpired));
  BOOST_TEST(U256FromBe(r4.total_weight_be) == 100);
}

BOOST_AUTO_TEST_CASE(current_verdict_comes_from_stored_claims_and_admitted_collateral) {
  TempDir dir;
  Chain c(dir.Sub("db"));
  const ProviderId p = IdFromLabel("snp-provider");
  BOOST_TEST(
      c.Register(p, kModel, kModelHash, {{TeeType::AmdSevSnp, SnpEvidence(Bound(p))}}).attested);
  auto now = c.hooks->CheckProvider(p, kNow + 5);
  BOOST_REQUIRE(now.ok());
  BOOST_TEST(now->valid);
  BOOST_REQUIRE(now->evidence.size() == 1u);
  BOOST_TEST(!now->evidence[0].has_value());
  // Past the evidence age: expired, though the record still reads attested
  // until an epoch decides.
  auto late = c.hooks->CheckProvider(p, kNow + kMaxAge + 1);
  BOOST_REQUIRE(late.ok());
  BOOST_TEST(!late->valid);
  BOOST_TEST((late->reason == FailureCode::kExpired));
  BOOST_TEST(late->record.attested());
  // An admitted CRL revokes it now, without an epoch.
  const Bytes crl = SnpAskRevocation(static_cast<int64_t>(kNow));
  BOOST_REQUIRE(c.hooks->SubmitCollateral(TeeType::AmdSevSnp, AsView(crl), kNow + 1).ok());
  auto revoked = c.hooks->CheckProvider(p, kNow + 5);
  BOOST_REQUIRE(revoked.ok());
  BOOST_TEST(!revoked->valid);
  BOOST_TEST((revoked->reason == FailureCode::kRevoked));
  BOOST_TEST(
      (c.hooks->CheckProvider(IdFromLabel("x"), kNow).status().code() == ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(everything_survives_a_restart) {
  TempDir dir;
  const ProviderId a = IdFromLabel("provider-a");
  const ProviderId b = IdFromLabel("provider-b");
  registry::ProviderRecord ra, rb;
  EpochReport r2;
  {
    Chain c(dir.Sub("db"));
    c.AdmitTdxCollateral();
    c.Register(
        a, kModel, kModelHash,
        {{TeeType::IntelTdx, TdxQuote(Bound(a))}, {TeeType::AmdSevSnp, SnpEvidence(Bound(a))}});
    c.Register(b, "mistral-7b", kModelHash, {{TeeType::AmdSevSnp, SnpEvidence(Bound(b))}});
    c.Epoch(1, kNow + 10);
    const Bytes crl = SnpAskRevocation(static_cast<int64_t>(kNow));
    BOOST_REQUIRE(c.hooks->SubmitCollateral(TeeType::AmdSevSnp, AsView(crl), kNow + 20).ok());
    r2 = c.Epoch(2, kNow + 30);
    BOOST_TEST(r2.providers_demoted == 2u);
    ra = c.Provider(a);
    rb = c.Provider(b);
  }
  Chain c(dir.Sub("db"));
  BOOST_TEST((c.Provider(a) == ra));
  BOOST_TEST((c.Provider(b) == rb));
  BOOST_TEST((c.Provider(a).status == ValidatorStatus::kRevoked));
  // The stored report, providers included, is what on_epoch(2) answers again.
  auto again = c.hooks->OnEpoch(2, kNow + 30, HashFromLabel("seed-2"));
  BOOST_REQUIRE(again.ok());
  BOOST_TEST((*again == r2));
  BOOST_TEST(c.hooks->ProvidersByModel("mistral-7b", std::nullopt, 10).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_schema_2_database_is_upgraded_in_place) {
  TempDir dir;
  {
    auto store = tenzro::tee::testing::OpenStore(dir.Sub("db"));
    storage::WriteBatch b;
    const std::string k = "schema_version";
    b.Put(storage::Cf::kMetadata, ByteView(reinterpret_cast<const uint8_t*>(k.data()), k.size()),
          AsView(Bytes{2, 0, 0, 0}));
    BOOST_REQUIRE(store->Write(b).ok());
  }
  Chain c(dir.Sub("db"));
  const ProviderId p = IdFromLabel("provider-a");
  BOOST_TEST(
      c.Register(p, kModel, kModelHash, {{TeeType::AmdSevSnp, SnpEvidence(Bound(p))}}).attested);
  c.Open();
  BOOST_TEST(c.reg->providers().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
