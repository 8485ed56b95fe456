#include "consensus_hooks/hooks.h"

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <string>
#include <tuple>

#include "crypto/hash.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tenzro::tee::consensus {
namespace {
using registry::ValidatorRecord;
using registry::ValidatorStatus;

// The current and the previous epoch: a leader table of a million validators
// holds about 10 MB; an older retained epoch is rebuilt on demand.
constexpr size_t kEpochCacheSize = 2;

int64_t ClampToI64(uint64_t v) {
  return v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
             ? std::numeric_limits<int64_t>::max()
             : static_cast<int64_t>(v);
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

std::string IdHex(const ValidatorId& id) { return ToHex(AsView(id)); }

// Large batches and epoch transitions allocate and free tens of MB of
// temporaries (verdicts, encoded records, RocksDB batches) between the
// registry's long-lived allocations; glibc keeps the freed holes resident.
// Handing whole free pages back keeps the node's RSS near what is live.
void ReleaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}
constexpr size_t kTrimAfterBatch = 1000;

// Demotion maps to a status: expired -> EXPIRED, revoked -> REVOKED, any
// other failure -> UNATTESTED with the reason kept.
ValidatorStatus DemotedStatus(FailureCode code) {
  return code == FailureCode::kExpired   ? ValidatorStatus::kExpired
         : code == FailureCode::kRevoked ? ValidatorStatus::kRevoked
                                         : ValidatorStatus::kUnattested;
}

// The §6 re-check of one stored piece of provider evidence at t: its window,
// then its claims against the admitted collateral (no signature).
template <typename GetReevaluator>
Result<std::optional<Failure>> RecheckEvidence(const registry::ProviderEvidence& e, uint64_t t,
                                               GetReevaluator&& get) {
  if (e.valid_until < 0 || static_cast<uint64_t>(e.valid_until) < t) {
    return std::optional<Failure>(Failure{FailureCode::kExpired, "valid_until passed"});
  }
  return get(e.tee_type).Check(e.claims);
}

// The first failure of an attested provider's evidence at t, in order.
template <typename GetReevaluator>
Result<std::optional<Failure>> RecheckProvider(const registry::ProviderRecord& p, uint64_t t,
                                               GetReevaluator&& get) {
  for (const auto& e : p.evidence) {
    TEE_ASSIGN_OR_RETURN(std::optional<Failure> f, RecheckEvidence(e, t, get));
    if (f) return f;
  }
  return std::optional<Failure>();
}

std::string ProviderHex(const registry::ProviderId& id) { return ToHex(AsView(id)); }
}  // namespace

ConsensusHooks::ConsensusHooks(registry::TeeRegistry& registry, const AttestationVerifier& verifier,
                               HookParams params, EventSink* sink)
    : registry_(registry), verifier_(verifier), params_(params), sink_(sink) {
  // The bound counts every validator as attested.
  WeightSum bound(WeightRule(params_.multiplier));
  registry_.index().ForEach(
      [&](const registry::CoreBucket& b, size_t k, const registry::StateEntry&) {
        bound.Add(b, k, /*attested=*/true);
      });
  weight_bound_ = bound.Wide();
}

WideU ConsensusHooks::MaxWeight(const U256Bytes& stake) const {
  return WeightRule(params_.multiplier).Of(U256FromBe(stake), /*attested=*/true);
}

Result<WideU> ConsensusHooks::BoundAfter(std::span<const Registration> regs) const {
  WideU bound = weight_bound_;
  for (const auto& reg : regs) {
    if (const auto old = registry_.Find(reg.id)) bound -= MaxWeight(old->stake_be);
    bound += MaxWeight(reg.stake_be);
  }
  if (!FitsU256(bound)) {
    return Error(ErrorCode::kOverflow,
                 "total stake x multiplier of all validators would exceed 2^256 - 1");
  }
  return bound;
}

Status ConsensusHooks::Validate(const Registration& reg) const {
  if (U256FromBe(reg.stake_be) == 0) {
    return Error(ErrorCode::kInvalidArgument, "stake of validator " + IdHex(reg.id) + " is zero");
  }
  if (reg.evidence.size() > params_.max_evidence_bytes) {
    return Error(ErrorCode::kTooLarge, "evidence is " + std::to_string(reg.evidence.size()) +
                                           " bytes, over max_evidence_bytes (" +
                                           std::to_string(params_.max_evidence_bytes) + ")");
  }
  if (reg.tee_type == TeeType::None && !reg.evidence.empty()) {
    return Error(ErrorCode::kInvalidArgument, "evidence given with tee_type None");
  }
  if (reg.tee_type != TeeType::None && reg.evidence.empty()) {
    return Error(ErrorCode::kInvalidArgument, "tee_type given without evidence");
  }
  if (!reg.evidence.empty() && !reg.challenge) {
    return Error(ErrorCode::kInvalidArgument, "evidence given without a challenge");
  }
  return Status::Ok();
}

Result<ConsensusHooks::Prepared> ConsensusHooks::Prepare(const Registration& reg,
                                                         const CollateralSet& collateral,
                                                         bool keep_verdict) const {
  Prepared p;
  if (reg.evidence.empty()) return p;
  VerifyRequest req;
  req.evidence = reg.evidence;
  req.collateral = &collateral;
  req.now = reg.registered_at;
  req.evidence_time = reg.registered_at;
  req.binding = BindingInput{reg.id, *reg.challenge};
  TEE_ASSIGN_OR_RETURN(Verdict v, verifier_.Verify(reg.tee_type, req));
  // One evidence backs one validator (§4) on what the vendor key signed:
  // the blob's hash only for a verifier that names no identity.
  p.outcome.evidence_hash = v.evidence_id ? *v.evidence_id : crypto::Sha256(reg.evidence);
  p.valid = v.valid();
  p.reason = v.reason();
  p.valid_until = v.valid_until;
  p.valid_from = v.valid_from;
  if (keep_verdict) {
    if (p.valid) p.claims = v.reeval_claims;
    p.outcome.verdict = std::move(v);
  } else if (p.valid) {
    p.claims = std::move(v.reeval_claims);
  }
  return p;
}

Result<ValidatorRecord> ConsensusHooks::Finalize(
    const Registration& reg, Prepared& p,
    const std::map<Hash32, ValidatorId>& claimed_in_batch) const {
  const bool has_evidence = !reg.evidence.empty();
  if (has_evidence && p.valid) {
    // One evidence backs at most one validator (§4).
    std::optional<ValidatorId> owner;
    if (auto it = claimed_in_batch.find(p.outcome.evidence_hash); it != claimed_in_batch.end()) {
      owner = it->second;
    } else {
      TEE_ASSIGN_OR_RETURN(owner, registry_.EvidenceOwner(p.outcome.evidence_hash));
    }
    if (owner && *owner != reg.id) {
      const std::string why = "evidence already backs validator " + IdHex(*owner);
      p.valid = false;
      p.reason = FailureCode::kBindingMismatch;  // the verdict was valid: the only failure
      if (p.outcome.verdict) {
        p.outcome.verdict->binding_valid = false;
        p.outcome.verdict->Fail(FailureCode::kBindingMismatch, why);
      }
    }
  }
  const bool attested = has_evidence && p.valid;
  p.outcome.attested = attested;
  p.outcome.reason = has_evidence ? p.reason : FailureCode::kNone;
  if (attested) p.outcome.valid_until = ClampToI64(p.valid_until.value_or(0));

  const auto last = registry_.last_epoch();
  if (last && *last == kNoEpochAfter) {
    // Only a database made before the rule can hold it (OnEpoch refuses it).
    return Error(ErrorCode::kInvalidArgument,
                 "no epoch follows epoch 2^64 - 1 to count a registration from");
  }
  ValidatorRecord r;
  r.id = reg.id;
  r.stake_be = reg.stake_be;
  r.tee_type = reg.tee_type;
  r.status = attested ? ValidatorStatus::kAttested : ValidatorStatus::kUnattested;
  r.reason = p.outcome.reason;
  if (attested) {
    r.evidence_hash = p.outcome.evidence_hash;
    r.valid_until = p.outcome.valid_until;
    r.valid_from = p.valid_from;
    r.claims = std::move(p.claims);
  }
  r.registered_at = reg.registered_at;
  r.verified_at_epoch = last.value_or(0);
  r.registered_epoch = last ? *last + 1 : 0;
  return r;
}

Result<RegisterOutcome> ConsensusHooks::RegisterValidator(const Registration& reg) {
  TEE_TRY(Validate(reg));
  std::shared_ptr<const CollateralSet> collateral;
  {
    ReaderLock lock(&mu_);
    collateral = registry_.collateral();
  }
  TEE_ASSIGN_OR_RETURN(Prepared p, Prepare(reg, *collateral, /*keep_verdict=*/true));
  {
    WriterLock lock(&mu_);
    TEE_ASSIGN_OR_RETURN(WideU bound, BoundAfter(std::span<const Registration>(&reg, 1)));
    TEE_ASSIGN_OR_RETURN(ValidatorRecord r, Finalize(reg, p, {}));
    TEE_TRY(registry_.Upsert({r}));
    weight_bound_ = bound;
  }
  Emit({{reg.id, ValidatorEvent::kRegistered, p.outcome.reason}});
  return p.outcome;
}

Result<std::vector<RegisterOutcome>> ConsensusHooks::RegisterBatch(
    std::span<const Registration> regs) {
  std::set<ValidatorId> ids;
  for (const auto& reg : regs) {
    TEE_TRY(Validate(reg));
    if (!ids.insert(reg.id).second) {
      return Error(ErrorCode::kInvalidArgument,
                   "validator " + IdHex(reg.id) + " appears twice in the batch");
    }
  }
  std::shared_ptr<const CollateralSet> collateral;
  {
    ReaderLock lock(&mu_);
    collateral = registry_.collateral();
  }
  std::vector<Prepared> prepared;
  prepared.reserve(regs.size());
  for (const auto& reg : regs) {
    TEE_ASSIGN_OR_RETURN(Prepared p, Prepare(reg, *collateral, /*keep_verdict=*/false));
    prepared.push_back(std::move(p));
  }
  std::vector<RegisterOutcome> outcomes;
  outcomes.reserve(regs.size());
  {
    WriterLock lock(&mu_);
    TEE_ASSIGN_OR_RETURN(WideU bound, BoundAfter(regs));
    std::map<Hash32, ValidatorId> claimed;
    std::vector<ValidatorRecord> records;
    records.reserve(regs.size());
    for (size_t i = 0; i < regs.size(); ++i) {
      TEE_ASSIGN_OR_RETURN(ValidatorRecord r, Finalize(regs[i], prepared[i], claimed));
      records.push_back(std::move(r));
      if (records.back().backs_evidence())
        claimed.emplace(records.back().evidence_hash, regs[i].id);
    }
    TEE_TRY(registry_.Upsert(records));
    weight_bound_ = bound;
  }
  std::vector<std::tuple<ValidatorId, ValidatorEvent, FailureCode>> events;
  for (size_t i = 0; i < regs.size(); ++i) {
    events.emplace_back(regs[i].id, ValidatorEvent::kRegistered, prepared[i].outcome.reason);
    outcomes.push_back(std::move(prepared[i].outcome));
  }
  Emit(events);
  if (regs.size() >= kTrimAfterBatch) {
    std::vector<Prepared>().swap(prepared);
    ReleaseFreeMemory();
  }
  return outcomes;
}

Status ConsensusHooks::Deregister(const ValidatorId& id) {
  {
    WriterLock lock(&mu_);
    const auto old = registry_.Find(id);
    WideU freed = old ? MaxWeight(old->stake_be) : WideU(0);
    TEE_TRY(registry_.Remove(id));
    weight_bound_ -= freed;
  }
  Emit({{id, ValidatorEvent::kDeregistered, FailureCode::kNone}});
  return Status::Ok();
}

Status ConsensusHooks::SubmitCollateral(TeeType type, ByteView data, uint64_t now) {
  if (type == TeeType::None)
    return Error(ErrorCode::kInvalidArgument, "collateral for tee_type None");
  if (data.empty()) return Error(ErrorCode::kInvalidArgument, "empty collateral");
  if (data.size() > params_.max_collateral_bytes) {
    return Error(ErrorCode::kTooLarge, "collateral is " + std::to_string(data.size()) +
                                           " bytes, over " +
                                           std::to_string(params_.max_collateral_bytes));
  }
  // Authenticate against what is already admitted (issuer certificates),
  // outside the lock; admission itself is one write under it.
  const std::shared_ptr<const CollateralSet> known = AdmittedCollateral();
  TEE_ASSIGN_OR_RETURN(CollateralDoc doc, verifier_.For(type).ParseCollateral(data, *known, now));
  WriterLock lock(&mu_);
  return registry_.AdmitCollateral(doc);
}

Result<registry::ValidatorRecord> ConsensusHooks::GetRecord(const ValidatorId& id) const {
  ReaderLock lock(&mu_);
  if (!registry_.Contains(id)) return Error(ErrorCode::kNotFound, "no validator " + IdHex(id));
  TEE_ASSIGN_OR_RETURN(auto stored, registry_.Get(id));
  if (!stored)
    return Error(ErrorCode::kStorage, "validator " + IdHex(id) + " is indexed but not stored");
  ValidatorRecord out = std::move(*stored);
  // Every epoch re-evaluates attested records; only changes are written, so
  // the last evaluation of an unchanged attested record is the last epoch.
  if (const auto last = registry_.last_epoch();
      out.attested() && last && *last > out.verified_at_epoch && *last >= out.registered_epoch) {
    out.verified_at_epoch = *last;
  }
  return out;
}

Result<EpochReport> ConsensusHooks::OnEpoch(uint64_t epoch, uint64_t epoch_time,
                                            const Hash32& seed) {
  std::vector<std::tuple<ValidatorId, ValidatorEvent, FailureCode>> events;
  std::vector<std::tuple<registry::ProviderId, ValidatorEvent, FailureCode>> provider_events;
  EpochReport report;
  {
    WriterLock lock(&mu_);
    if (const auto last = registry_.last_epoch(); last && epoch <= *last) {
      if (epoch < *last) {
        return Error(ErrorCode::kEpochOrder, "epoch " + std::to_string(epoch) +
                                                 " is older than the last epoch " +
                                                 std::to_string(*last));
      }
      TEE_ASSIGN_OR_RETURN(auto blob, registry_.LoadReport(epoch));
      if (!blob) return Error(ErrorCode::kStorage, "report of the last epoch is missing");
      TEE_ASSIGN_OR_RETURN(EpochReport stored, DecodeReport(AsView(*blob)));
      if (stored.epoch_time != epoch_time || stored.seed != seed) {
        return Error(ErrorCode::kInvalidArgument, "epoch " + std::to_string(epoch) +
                                                      " already started with another time or seed");
      }
      return stored;  // idempotent
    }
    if (epoch == kNoEpochAfter) {
      return Error(ErrorCode::kInvalidArgument,
                   "epoch 2^64 - 1 cannot start: registrations after it would count from an epoch "
                   "that does not exist");
    }
    if (const auto last = registry_.last_epoch()) {
      TEE_ASSIGN_OR_RETURN(auto blob, registry_.LoadReport(*last));
      if (!blob) return Error(ErrorCode::kStorage, "report of the last epoch is missing");
      TEE_ASSIGN_OR_RETURN(EpochReport previous, DecodeReport(AsView(*blob)));
      if (epoch_time < previous.epoch_time) {
        return Error(ErrorCode::kEpochOrder, "epoch " + std::to_string(epoch) + " starts at " +
                                                 std::to_string(epoch_time) + ", before epoch " +
                                                 std::to_string(*last) + " (" +
                                                 std::to_string(previous.epoch_time) + ")");
      }
    }

    const CollateralSet& collateral = *registry_.collateral();
    const uint64_t window_end = SaturatingAdd(epoch_time, params_.expiry_window_secs);
    std::vector<registry::Demotion> demotions;
    // One re-evaluator per TEE type for the whole epoch: collateral is
    // selected and parsed once, not once per validator.
    std::array<std::unique_ptr<Reevaluator>, kTeeTypeCount> reevaluators;
    auto reevaluator = [&](TeeType type) -> const Reevaluator& {
      auto& slot = reevaluators[static_cast<size_t>(type)];
      if (!slot) slot = verifier_.For(type).BeginReevaluation(collateral, epoch_time);
      return *slot;
    };
    SnapshotHeader header;
    header.epoch = epoch;
    header.epoch_time = epoch_time;
    header.seed = seed;
    header.multiplier = params_.multiplier;
    header.params_hash = params_.params_hash;
    header.collateral_hash = collateral.SelectionHash(epoch_time);
    header.size = registry_.size();

    // One pass in id order: re-evaluation, and the total weight after it.
    WeightSum total(WeightRule(params_.multiplier));
    Status failed;
    ClaimSet claims;  // each attested record's own claims, decoded in turn
    {
      // The callback runs here, synchronously, under the writer lock; the
      // analysis does not follow a lock into a callback, so the callback
      // reads the claim store through this reference, taken under the lock.
      const registry::ClaimStore& claim_store = registry_.claim_store();
      registry_.index().ForEach([&](const registry::CoreBucket& bucket, size_t k,
                                    const registry::StateEntry& st) {
        if (!failed.ok()) return;
        const ValidatorId& id = bucket.id(k);
        bool attested = st.status == static_cast<uint8_t>(ValidatorStatus::kAttested);
        if (attested) {
          ++report.reevaluated;
          std::optional<Failure> failure;
          if (st.valid_until < 0 || static_cast<uint64_t>(st.valid_until) < epoch_time) {
            failure = Failure{FailureCode::kExpired, "valid_until passed"};
          } else {
            if (Status s = claim_store.DecodeInto(st.claims, claims); !s.ok()) {
              failed = Error(ErrorCode::kStorage, "validator " + IdHex(id) + ": " + s.message());
              return;
            }
            // Unreadable stored claims or admitted documents are the
            // machine's failure, never a verdict: a node must stop rather
            // than demote differently.
            auto checked = reevaluator(static_cast<TeeType>(st.tee_type)).Check(claims);
            if (!checked.ok()) {
              failed = Error(ErrorCode::kStorage,
                             "validator " + IdHex(id) + ": " + checked.status().message());
              return;
            }
            failure = std::move(*checked);
          }
          if (failure) {
            demotions.push_back(
                registry::Demotion{id, DemotedStatus(failure->code), failure->code});
            ++report.demoted;
            attested = false;
            events.emplace_back(id, ValidatorEvent::kDemoted, failure->code);
          } else if (static_cast<uint64_t>(st.valid_until) <= window_end) {
            ++report.expiring;
            events.emplace_back(id, ValidatorEvent::kExpiring, FailureCode::kNone);
          }
        }
        if (attested) ++report.attested;
        total.Add(bucket, k, attested);
      });
    }
    TEE_TRY(failed);

    // Model providers (issue 15): the same re-evaluators, the same admitted
    // collateral and time, id order; no weight.
    std::vector<registry::ProviderRecord> provider_updates;
    for (const auto& [pid, p] : registry_.providers()) {
      ++report.providers;
      if (!p.attested()) continue;
      ++report.providers_reevaluated;
      auto checked = RecheckProvider(p, epoch_time, reevaluator);
      if (!checked.ok()) {
        return Error(ErrorCode::kStorage,
                     "provider " + ProviderHex(pid) + ": " + checked.status().message());
      }
      if (const std::optional<Failure>& failure = *checked) {
        registry::ProviderRecord demoted = p;
        demoted.status = DemotedStatus(failure->code);
        demoted.reason = failure->code;
        demoted.verified_at_epoch = epoch;
        provider_updates.push_back(std::move(demoted));
        ++report.providers_demoted;
        provider_events.emplace_back(pid, ValidatorEvent::kDemoted, failure->code);
        continue;
      }
      ++report.providers_attested;
      if (static_cast<uint64_t>(p.valid_until) <= window_end) {
        ++report.providers_expiring;
        provider_events.emplace_back(pid, ValidatorEvent::kExpiring, FailureCode::kNone);
      }
    }

    const std::optional<U256> total_weight = total.Total();
    if (!total_weight) {
      return Error(ErrorCode::kOverflow,
                   "total weight of epoch " + std::to_string(epoch) + " does not fit in 256 bits");
    }

    report.epoch = epoch;
    report.epoch_time = epoch_time;
    report.snapshot_size = header.size;
    report.total_weight_be = U256ToBe(*total_weight);
    report.params_hash = params_.params_hash;
    report.collateral_hash = header.collateral_hash;
    report.seed = seed;

    registry::EpochCommit commit;
    commit.epoch = epoch;
    commit.demotions = std::move(demotions);
    commit.snapshot_header = EncodeSnapshotHeader(header);
    commit.report = EncodeReport(report);
    commit.params_hash = params_.params_hash;
    commit.provider_updates = std::move(provider_updates);
    if (params_.snapshot_retention > 0 && epoch >= params_.snapshot_retention) {
      commit.drop_through = epoch - params_.snapshot_retention;
    }
    TEE_TRY(registry_.CommitEpoch(commit));
    Remember(epoch, std::make_shared<const EpochView>(header, registry_.Freeze()));
  }
  Emit(events);
  EmitProviders(provider_events);
  ReleaseFreeMemory();
  return report;
}

Result<std::shared_ptr<const EpochView>> ConsensusHooks::Epoch(uint64_t epoch) const {
  {
    MutexLock cache_lock(&cache_mu_);
    if (auto it = cache_.find(epoch); it != cache_.end()) return it->second;
  }
  std::optional<Bytes> header_blob, report_blob;
  registry::FrozenSet set;
  {
    ReaderLock lock(&mu_);
    TEE_ASSIGN_OR_RETURN(header_blob, registry_.LoadSnapshotHeader(epoch));
    if (!header_blob)
      return Error(ErrorCode::kNoSnapshot, "no snapshot for epoch " + std::to_string(epoch));
    TEE_ASSIGN_OR_RETURN(report_blob, registry_.LoadReport(epoch));
    TEE_ASSIGN_OR_RETURN(set, registry_.Reconstruct(epoch));
  }
  TEE_ASSIGN_OR_RETURN(SnapshotHeader header, DecodeSnapshotHeader(AsView(*header_blob)));
  if (!report_blob)
    return Error(ErrorCode::kStorage, "report of epoch " + std::to_string(epoch) + " is missing");
  TEE_ASSIGN_OR_RETURN(EpochReport report, DecodeReport(AsView(*report_blob)));
  auto view = std::make_shared<const EpochView>(header, std::move(set));
  // The rebuilt set must be the one the epoch committed to.
  TEE_ASSIGN_OR_RETURN(U256 total, view->TotalWeight());
  if (header.epoch != epoch || view->size() != header.size ||
      U256ToBe(total) != report.total_weight_be) {
    return Error(ErrorCode::kStorage, "snapshot of epoch " + std::to_string(epoch) +
                                          " does not rebuild to the set it committed to");
  }
  return Remember(epoch, std::move(view));
}

std::shared_ptr<const EpochView> ConsensusHooks::Remember(
    uint64_t epoch, std::shared_ptr<const EpochView> view) const {
  MutexLock cache_lock(&cache_mu_);
  cache_[epoch] = view;
  while (cache_.size() > kEpochCacheSize) cache_.erase(cache_.begin());  // oldest epochs first
  return view;
}

ValidatorPage ConsensusHooks::ListValidators(const ValidatorQuery& q) const {
  ValidatorPage page;
  const size_t limit = std::max<size_t>(q.limit, 1);
  ReaderLock lock(&mu_);
  const registry::ValidatorIndex& index = registry_.index();
  // Buckets partition the id space in order: start at the cursor's bucket.
  size_t b = q.after ? registry::BucketOf(*q.after) : 0;
  for (; b < registry::kBucketCount; ++b) {
    const registry::CoreBucket* cb = index.core_bucket(b);
    if (cb == nullptr) continue;
    const auto& states = index.state_bucket(b);
    size_t k = 0;
    if (q.after && registry::BucketOf(*q.after) == b) {
      auto [pos, found] = registry::Locate(*cb, *q.after);
      k = found ? pos + 1 : pos;
    }
    for (; k < cb->size(); ++k) {
      const registry::StateEntry& st = states[k];
      if (q.tee_type && st.tee_type != static_cast<uint8_t>(*q.tee_type)) continue;
      if (q.status && st.status != static_cast<uint8_t>(*q.status)) continue;
      if (page.validators.size() == limit) {
        page.next = page.validators.back().id;
        return page;
      }
      page.validators.push_back(registry::IndexedValidator{cb->id(k), cb->StakeBe(k), st});
    }
  }
  return page;
}

std::vector<uint64_t> ConsensusHooks::AttestedByType() const {
  std::vector<uint64_t> out(static_cast<size_t>(kTeeTypeCount), 0);
  ReaderLock lock(&mu_);
  registry_.index().ForEach([&](const registry::CoreBucket&, size_t,
                                const registry::StateEntry& st) {
    if (st.status == static_cast<uint8_t>(ValidatorStatus::kAttested) && st.tee_type < out.size())
      ++out[st.tee_type];
  });
  return out;
}

Result<EpochReport> ConsensusHooks::Report(uint64_t epoch) const {
  std::optional<Bytes> blob;
  {
    ReaderLock lock(&mu_);
    TEE_ASSIGN_OR_RETURN(blob, registry_.LoadReport(epoch));
  }
  if (!blob) return Error(ErrorCode::kNoSnapshot, "no report for epoch " + std::to_string(epoch));
  return DecodeReport(AsView(*blob));
}

std::shared_ptr<const CollateralSet> ConsensusHooks::AdmittedCollateral() const {
  ReaderLock lock(&mu_);
  return registry_.collateral();
}

std::optional<uint64_t> ConsensusHooks::last_epoch() const {
  ReaderLock lock(&mu_);
  return registry_.last_epoch();
}

size_t ConsensusHooks::validator_count() const {
  ReaderLock lock(&mu_);
  return registry_.size();
}

// ---- Model providers (issue 15) ----------------------------------------------

Result<ProviderOutcome> ConsensusHooks::RegisterProvider(const ProviderRegistration& reg) {
  TEE_TRY(registry::ValidateModelId(reg.model_id));
  if (reg.evidence.empty() || reg.evidence.size() > registry::kMaxProviderEvidence) {
    return Error(ErrorCode::kInvalidArgument,
                 "a provider registers with 1.." + std::to_string(registry::kMaxProviderEvidence) +
                     " pieces of evidence, got " + std::to_string(reg.evidence.size()));
  }
  for (size_t i = 0; i < reg.evidence.size(); ++i) {
    const auto& e = reg.evidence[i];
    const std::string which = "evidence[" + std::to_string(i) + "]";
    if (e.tee_type == TeeType::None)
      return Error(ErrorCode::kInvalidArgument, which + ": tee_type None");
    if (e.evidence.empty()) return Error(ErrorCode::kInvalidArgument, which + ": empty");
    if (e.evidence.size() > params_.max_evidence_bytes) {
      return Error(ErrorCode::kTooLarge, which + " is " + std::to_string(e.evidence.size()) +
                                             " bytes, over max_evidence_bytes (" +
                                             std::to_string(params_.max_evidence_bytes) + ")");
    }
  }
  std::shared_ptr<const CollateralSet> collateral = AdmittedCollateral();

  registry::ProviderRecord r;
  r.id = reg.id;
  r.model_id = reg.model_id;
  r.model_hash = reg.model_hash;
  r.registered_at = reg.registered_at;
  ProviderOutcome out;
  bool all_valid = true;
  int64_t valid_until = std::numeric_limits<int64_t>::max();
  for (const auto& e : reg.evidence) {
    VerifyRequest req;
    req.evidence = e.evidence;
    req.collateral = collateral.get();
    req.now = reg.registered_at;
    req.evidence_time = reg.registered_at;
    req.binding = ModelBinding{reg.id, reg.model_hash, reg.challenge};
    TEE_ASSIGN_OR_RETURN(Verdict v, verifier_.Verify(e.tee_type, req));
    registry::ProviderEvidence pe;
    pe.tee_type = e.tee_type;
    pe.evidence_hash = v.evidence_id ? *v.evidence_id : crypto::Sha256(e.evidence);
    pe.reason = v.reason();
    if (v.valid()) {
      pe.valid_until = ClampToI64(v.valid_until.value_or(0));
      pe.valid_from = v.valid_from;
      pe.claims = v.reeval_claims;
      valid_until = std::min(valid_until, pe.valid_until);
    } else {
      all_valid = false;
      if (out.reason == FailureCode::kNone) out.reason = v.reason();
    }
    r.evidence.push_back(std::move(pe));
    out.verdicts.push_back(std::move(v));
  }
  out.attested = all_valid;
  if (all_valid) out.valid_until = valid_until;
  r.status = all_valid ? ValidatorStatus::kAttested : ValidatorStatus::kUnattested;
  r.reason = out.reason;
  r.valid_until = out.valid_until;
  {
    WriterLock lock(&mu_);
    const auto last = registry_.last_epoch();
    if (last && *last == kNoEpochAfter) {
      return Error(ErrorCode::kInvalidArgument,
                   "no epoch follows epoch 2^64 - 1 to count a registration from");
    }
    r.verified_at_epoch = last.value_or(0);
    r.registered_epoch = last ? *last + 1 : 0;
    TEE_TRY(registry_.UpsertProvider(r));
  }
  EmitProviders({{reg.id, ValidatorEvent::kRegistered, out.reason}});
  return out;
}

Status ConsensusHooks::DeregisterProvider(const registry::ProviderId& id) {
  {
    WriterLock lock(&mu_);
    TEE_TRY(registry_.RemoveProvider(id));
  }
  EmitProviders({{id, ValidatorEvent::kDeregistered, FailureCode::kNone}});
  return Status::Ok();
}

registry::ProviderRecord ConsensusHooks::AsOfLastEpoch(registry::ProviderRecord r) const {
  // As for validators: only changes are written, so an attested provider's
  // last evaluation is the last epoch.
  if (const auto last = registry_.last_epoch();
      r.attested() && last && *last > r.verified_at_epoch && *last >= r.registered_epoch) {
    r.verified_at_epoch = *last;
  }
  return r;
}

Result<registry::ProviderRecord> ConsensusHooks::GetProvider(const registry::ProviderId& id) const {
  ReaderLock lock(&mu_);
  const registry::ProviderRecord* p = registry_.FindProvider(id);
  if (p == nullptr) return Error(ErrorCode::kNotFound, "no provider " + ProviderHex(id));
  return AsOfLastEpoch(*p);
}

Result<ProviderCheck> ConsensusHooks::CheckProvider(const registry::ProviderId& id,
                                                    uint64_t at) const {
  ReaderLock lock(&mu_);
  const registry::ProviderRecord* p = registry_.FindProvider(id);
  if (p == nullptr) return Error(ErrorCode::kNotFound, "no provider " + ProviderHex(id));
  const CollateralSet& collateral = *registry_.collateral();
  std::array<std::unique_ptr<Reevaluator>, kTeeTypeCount> reevaluators;
  auto reevaluator = [&](TeeType type) -> const Reevaluator& {
    auto& slot = reevaluators[static_cast<size_t>(type)];
    if (!slot) slot = verifier_.For(type).BeginReevaluation(collateral, at);
    return *slot;
  };
  ProviderCheck c;
  c.record = AsOfLastEpoch(*p);
  c.at = at;
  c.valid = p->attested();
  c.reason = p->reason;
  for (const auto& e : p->evidence) {
    std::optional<Failure> f;
    if (e.reason != FailureCode::kNone) {
      f = Failure{e.reason, "failed at registration"};
    } else {
      TEE_ASSIGN_OR_RETURN(f, RecheckEvidence(e, at, reevaluator));
    }
    if (f) {
      if (c.valid) c.reason = f->code;
      c.valid = false;
    }
    c.evidence.push_back(std::move(f));
  }
  return c;
}

std::vector<registry::ProviderRecord> ConsensusHooks::ProvidersWhere(
    const std::function<bool(const registry::ProviderRecord&)>& keep,
    const std::optional<registry::ProviderId>& start_after, size_t max) const {
  ReaderLock lock(&mu_);
  std::vector<registry::ProviderRecord> out;
  const auto& all = registry_.providers();
  for (auto it = start_after ? all.upper_bound(*start_after) : all.begin();
       it != all.end() && out.size() < max; ++it) {
    if (keep(it->second)) out.push_back(AsOfLastEpoch(it->second));
  }
  return out;
}

std::vector<registry::ProviderRecord> ConsensusHooks::ProvidersByType(
    TeeType type, const std::optional<registry::ProviderId>& start_after, size_t max) const {
  return ProvidersWhere([type](const registry::ProviderRecord& p) { return p.HasType(type); },
                        start_after, max);
}

std::vector<registry::ProviderRecord> ConsensusHooks::ProvidersByModel(
    std::string_view model_id, const std::optional<registry::ProviderId>& start_after,
    size_t max) const {
  return ProvidersWhere(
      [model_id](const registry::ProviderRecord& p) { return p.model_id == model_id; }, start_after,
      max);
}

Result<std::vector<registry::ValidatorRecord>> ConsensusHooks::ValidatorsByType(
    TeeType type, const std::optional<ValidatorId>& start_after, size_t max) const {
  // The same committed-index walk as the operators' list (one query loop).
  ValidatorQuery q;
  q.after = start_after;
  q.tee_type = type;
  q.limit = max;
  const ValidatorPage page = ListValidators(q);
  std::vector<registry::ValidatorRecord> out;
  out.reserve(page.validators.size());
  for (const auto& v : page.validators) {
    auto r = GetRecord(v.id);
    if (!r.ok()) {
      if (r.status().code() == ErrorCode::kNotFound) continue;  // deregistered meanwhile
      return r.status();
    }
    out.push_back(std::move(*r));
  }
  return out;
}

void ConsensusHooks::EmitProviders(
    const std::vector<std::tuple<registry::ProviderId, ValidatorEvent, FailureCode>>& events)
    const {
  if (sink_ == nullptr) return;
  for (const auto& [id, ev, reason] : events) sink_->OnProviderEvent(id, ev, reason);
}

void ConsensusHooks::Emit(
    const std::vector<std::tuple<ValidatorId, ValidatorEvent, FailureCode>>& events) const {
  if (sink_ == nullptr) return;
  for (const auto& [id, ev, reason] : events) sink_->OnValidatorEvent(id, ev, reason);
}

}  // namespace tenzro::tee::consensus
