// ConsensusHooks: what the node calls (DESIGN §6-§7): register_validator,
// batch registration, deregistration, collateral admission, the epoch
// transition with re-evaluation, weights and leaders.
//
// Every decision here is a pure function of the consensus inputs of §2: chain
// parameters, admitted collateral, the registry as of the epoch snapshot, and
// the epoch number, time and seed the node passes. No clock, no floats.
// Thread-safety: all methods may be called from several threads. Evidence is
// verified outside the registry lock; commits are serialised.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/verifier.h"
#include "consensus_hooks/epoch_view.h"
#include "consensus_hooks/leader.h"
#include "consensus_hooks/snapshot.h"
#include "consensus_hooks/weight.h"
#include "core/thread_annotations.h"
#include "registry/tee_registry.h"

namespace tenzro::tee::consensus {

struct HookParams {
  uint64_t multiplier = 2;
  uint64_t expiry_window_secs = 21600;
  uint64_t max_evidence_bytes = 256u << 10;
  uint64_t max_collateral_bytes = 16u << 20;
  uint32_t snapshot_retention = 8;  // epochs whose snapshots stay on disk
  Hash32 params_hash{};
};

struct Registration {
  ValidatorId id{};
  U256Bytes stake_be{};
  TeeType tee_type = TeeType::None;
  ByteView evidence;
  std::optional<Hash32> challenge;
  uint64_t registered_at = 0;
};

struct RegisterOutcome {
  bool attested = false;
  FailureCode reason = FailureCode::kNone;
  int64_t valid_until = -1;
  // Identity of the evidence (§4): Verdict::evidence_id (what the vendor key
  // signed), or SHA-256 of the blob when the verifier names none; zero
  // without evidence.
  Hash32 evidence_hash{};
  std::optional<Verdict> verdict;  // absent without evidence, and in batch outcomes
};

// Values equal the ABI's TEE_EVENT_*.
enum class ValidatorEvent : int32_t {
  kRegistered = 1,
  kDeregistered = 2,
  kDemoted = 3,
  kExpiring = 4
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnValidatorEvent(const ValidatorId& id, ValidatorEvent event,
                                FailureCode reason) = 0;
  // A model provider changed (issue 15); the same event values.
  virtual void OnProviderEvent(const registry::ProviderId& /*id*/, ValidatorEvent /*event*/,
                               FailureCode /*reason*/) {}
};

// ---- Model providers (issue 15) -------------------------------------------

struct ProviderEvidenceInput {
  TeeType tee_type = TeeType::None;
  ByteView evidence;
};

struct ProviderRegistration {
  registry::ProviderId id{};  // the provider's key, bound into its evidence
  std::string model_id;
  Hash32 model_hash{};
  // 1..kMaxProviderEvidence pieces, each bound to (id, model_hash, challenge).
  std::vector<ProviderEvidenceInput> evidence;
  Hash32 challenge{};
  uint64_t registered_at = 0;  // evidence time of TDX/SNP/NVIDIA
};

struct ProviderOutcome {
  bool attested = false;
  FailureCode reason = FailureCode::kNone;  // first failure in evidence order
  int64_t valid_until = -1;
  std::vector<Verdict> verdicts;  // one per piece of evidence, in order
};

// A stored provider's current verdict (§6: its stored claims against the
// admitted collateral at `at`, no signature re-checked).
struct ProviderCheck {
  registry::ProviderRecord record;
  uint64_t at = 0;
  bool valid = false;
  FailureCode reason = FailureCode::kNone;
  std::vector<std::optional<Failure>> evidence;  // per piece: nullopt when it holds
};

// A page of the committed validator list (issue 13: HTTP registry reads).
struct ValidatorQuery {
  std::optional<ValidatorId> after;  // exclusive cursor: the last id of the previous page
  std::optional<TeeType> tee_type;
  std::optional<registry::ValidatorStatus> status;
  size_t limit = 100;  // REQUIRES: >= 1
};
struct ValidatorPage {
  std::vector<registry::IndexedValidator> validators;  // id order
  std::optional<ValidatorId> next;                     // cursor of the next page; none at the end
};

// The epoch after which no epoch can follow: OnEpoch refuses to start it.
inline constexpr uint64_t kNoEpochAfter = UINT64_MAX;

class ConsensusHooks {
 public:
  // REQUIRES: registry and verifier outlive the hooks; sink may be null.
  ConsensusHooks(registry::TeeRegistry& registry, const AttestationVerifier& verifier,
                 HookParams params, EventSink* sink);

  Result<RegisterOutcome> RegisterValidator(const Registration& reg);
  // One atomic batch: all stored or none. Duplicate ids are kInvalidArgument.
  // The outcomes carry no verdict (RegisterOutcome::verdict stays empty).
  Result<std::vector<RegisterOutcome>> RegisterBatch(std::span<const Registration> regs);
  Status Deregister(const ValidatorId& id);
  // Verifies a collateral document at `now` and admits it (§2).
  Status SubmitCollateral(TeeType type, ByteView data, uint64_t now);
  Result<registry::ValidatorRecord> GetRecord(const ValidatorId& id) const;

  // Re-evaluates every attested record, freezes the set and commits the
  // transition in one batch. The leader table is built on first use.
  // Every attested record is re-checked at every epoch under the verifier
  // and params these hooks hold, whatever params verified it: after a
  // parameter migration the new policy, trust anchors and multiplier apply
  // from the next epoch (issue 9, item 6).
  //
  // Epoch rules (issue 9, item 10):
  //  - Epochs increase: E below the last epoch is kEpochOrder. E equal to the
  //    last epoch with its time and seed returns the stored report (another
  //    time or seed: kInvalidArgument).
  //  - Epoch times do not go back: a new epoch whose time is earlier than the
  //    last epoch's is kEpochOrder; an equal time is allowed.
  //  - The last epoch that can start is 2^64 - 2 (kNoEpochAfter - 1): epoch
  //    2^64 - 1 is kInvalidArgument, because registrations after an epoch
  //    count from the next one and nothing may wrap to 0.
  // Nothing is written when a rule refuses the call.
  Result<EpochReport> OnEpoch(uint64_t epoch, uint64_t epoch_time, const Hash32& seed);
  // The frozen set of a retained epoch: cached, or rebuilt from the registry.
  Result<std::shared_ptr<const EpochView>> Epoch(uint64_t epoch) const;

  // Read-only views for operators (not consensus; issue 13). Both read
  // committed state only: the index changes after the store acknowledged.
  ValidatorPage ListValidators(const ValidatorQuery& q) const;
  // Committed attested validators by TeeType value (size kTeeTypeCount).
  std::vector<uint64_t> AttestedByType() const;
  // The stored report of epoch E; kNoSnapshot when E never started.
  Result<EpochReport> Report(uint64_t epoch) const;

  // ---- Model providers (issue 15): never a weight, never a leader. ----
  // Registers or renews (same id) a provider: every piece of evidence is
  // verified against the admitted collateral and bound to (id, model hash,
  // challenge); attested only when all pass. Always stored, like validators.
  Result<ProviderOutcome> RegisterProvider(const ProviderRegistration& reg);
  Status DeregisterProvider(const registry::ProviderId& id);
  Result<registry::ProviderRecord> GetProvider(const registry::ProviderId& id) const;
  Result<ProviderCheck> CheckProvider(const registry::ProviderId& id, uint64_t at) const;
  // In id order, ids after start_after (exclusive), at most max entries.
  std::vector<registry::ProviderRecord> ProvidersByType(
      TeeType type, const std::optional<registry::ProviderId>& start_after, size_t max) const;
  std::vector<registry::ProviderRecord> ProvidersByModel(
      std::string_view model_id, const std::optional<registry::ProviderId>& start_after,
      size_t max) const;
  // Validators registered with evidence of `type`, the same paging.
  Result<std::vector<registry::ValidatorRecord>> ValidatorsByType(
      TeeType type, const std::optional<ValidatorId>& start_after, size_t max) const;

  std::shared_ptr<const CollateralSet> AdmittedCollateral() const;
  std::optional<uint64_t> last_epoch() const;
  size_t validator_count() const;
  const HookParams& params() const { return params_; }

 private:
  // What a registration keeps of its verification until it is committed:
  // the verdict's decisive fields, not the verdict (a batch of many
  // registrations would otherwise hold every verdict's JSON claims at once).
  struct Prepared {
    RegisterOutcome outcome;  // evidence_hash set; verdict only when kept
    bool valid = false;
    FailureCode reason = FailureCode::kNone;
    std::optional<uint64_t> valid_until;
    uint64_t valid_from = 0;
    ClaimSet claims;  // the verdict's reeval_claims
  };
  Status Validate(const Registration& reg) const;
  Result<Prepared> Prepare(const Registration& reg, const CollateralSet& collateral,
                           bool keep_verdict) const;
  Result<registry::ValidatorRecord> Finalize(
      const Registration& reg, Prepared& p,
      const std::map<Hash32, ValidatorId>& claimed_in_batch) const REQUIRES(mu_);
  std::shared_ptr<const EpochView> Remember(uint64_t epoch,
                                            std::shared_ptr<const EpochView> view) const;
  void Emit(const std::vector<std::tuple<ValidatorId, ValidatorEvent, FailureCode>>& events) const;
  void EmitProviders(
      const std::vector<std::tuple<registry::ProviderId, ValidatorEvent, FailureCode>>& events)
      const;
  // In id order after start_after, at most max, those `keep` accepts.
  std::vector<registry::ProviderRecord> ProvidersWhere(
      const std::function<bool(const registry::ProviderRecord&)>& keep,
      const std::optional<registry::ProviderId>& start_after, size_t max) const;
  // The record as the last epoch sees it.
  registry::ProviderRecord AsOfLastEpoch(registry::ProviderRecord r) const REQUIRES_SHARED(mu_);
  // The weight bound after replacing the records of `ids` with `stakes`;
  // kOverflow past 2^256 - 1.
  Result<WideU> BoundAfter(std::span<const Registration> regs) const REQUIRES(mu_);
  WideU MaxWeight(const U256Bytes& stake) const;

  registry::TeeRegistry& registry_ GUARDED_BY(mu_);
  const AttestationVerifier& verifier_;
  HookParams params_;
  EventSink* sink_;

  mutable SharedMutex mu_;

  // Sum of stake * multiplier over all records, as if every validator were
  // attested. Registrations that would push it past 2^256 - 1 are refused,
  // so no epoch snapshot can overflow and stall the chain.
  WideU weight_bound_ GUARDED_BY(mu_) = 0;
  mutable Mutex cache_mu_;
  mutable std::map<uint64_t, std::shared_ptr<const EpochView>> cache_ GUARDED_BY(cache_mu_);
};

}  // namespace tenzro::tee::consensus
