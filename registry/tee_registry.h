// TeeRegistry: validators, the evidence index, admitted collateral and epoch
// data, persisted in the KvStore (RocksDB) with a compact index in memory.
//
// Every mutation builds one atomic, synced write batch; the in-memory state
// changes only after the store acknowledged it, so a failed write leaves the
// registry exactly as it was. Reopening gives back what was acknowledged.
//
// Memory (issue 5): the full records live in RocksDB; memory holds the
// ValidatorIndex (56 bytes a validator), the encoded claims of attested
// records (ClaimStore) and a small set of pending before-images. The evidence
// index is read from the store when needed.
//
// Demotion writes, next to the record (key id), a status overlay (key
// id || 0x01: status, reason, verified_at_epoch) instead of reading and
// rewriting the record; a registration replaces both. Get merges them.
//
// Epoch snapshots are not copied (schema 2). Freezing epoch E shares the
// index's core buckets; on disk an epoch keeps a small header, and every
// change to what a snapshot holds (membership, stake, attested) after epoch
// L first writes the before-image of that validator as of L ("undo" entry
// keyed by L and id) in the same batch. The snapshot of a retained epoch E is
// the current index with the undo entries of every epoch >= E applied, the
// lowest epoch's image winning.
//
// Thread-safety: none inside; the plugin serialises writers and readers
// (const methods may run concurrently with each other).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "attestation/collateral/collateral_set.h"
#include "core/status.h"
#include "registry/claim_store.h"
#include "registry/provider_record.h"
#include "registry/record.h"
#include "registry/validator_index.h"
#include "storage/kv_store.h"

namespace tenzro::tee::registry {

// 3: the providers column family (issue 15). A schema-2 database is upgraded
// in place at open (the change only adds a column family, empty there).
// 2: epoch snapshots as header + undo entries, demotions as status overlays
// (1 stored full snapshots and rewrote demoted records: refused).
inline constexpr uint32_t kSchemaVersion = 3;

struct Demotion {
  ValidatorId id{};
  ValidatorStatus status = ValidatorStatus::kUnattested;
  FailureCode reason = FailureCode::kNone;
};

// What an epoch transition writes, in one batch.
struct EpochCommit {
  uint64_t epoch = 0;
  std::vector<Demotion> demotions;  // records the re-evaluation demoted
  Bytes snapshot_header;            // opaque to the registry
  Bytes report;
  Hash32 params_hash{};
  // Snapshot data (header, undo entries) of every epoch <= this one is
  // deleted (retention). REQUIRES: < epoch. Only epochs after the last
  // deletion are visited, with point deletes; reports are kept.
  std::optional<uint64_t> drop_through;
  // Providers whose status the epoch's re-evaluation changed, written whole
  // (providers are few; they have no snapshot and no weight).
  std::vector<ProviderRecord> provider_updates;
};

// A validator as a snapshot holds it.
struct SnapshotImage {
  bool present = false;
  U256Bytes stake_be{};
  bool attested = false;
  friend bool operator==(const SnapshotImage&, const SnapshotImage&) = default;
};

// A frozen validator set: core columns plus the attested bit of each entry
// in id order.
struct FrozenSet {
  std::shared_ptr<const CoreSnapshot> core;
  std::vector<uint64_t> attested;  // bit i of word i/64
};

class TeeRegistry {
 public:
  // Loads the index and collateral; kStorage on a corrupt database, another
  // schema, or a failed read.
  static Result<std::unique_ptr<TeeRegistry>> Open(std::unique_ptr<storage::KvStore> store);

  size_t size() const { return index_.size(); }
  bool Contains(const ValidatorId& id) const { return index_.Find(id).has_value(); }
  std::optional<IndexedValidator> Find(const ValidatorId& id) const { return index_.Find(id); }
  // The full record as stored; nullopt when absent.
  Result<std::optional<ValidatorRecord>> Get(const ValidatorId& id) const;
  Result<std::optional<ValidatorId>> EvidenceOwner(const Hash32& evidence_hash) const;
  const ValidatorIndex& index() const { return index_; }
  // The stored claims of an attested record (state.claims), decoded.
  Result<ClaimSet> Claims(uint32_t handle) const { return claims_.Get(handle); }
  Status ClaimsInto(uint32_t handle, ClaimSet& out) const {
    return claims_.DecodeInto(handle, out);
  }
  const ClaimStore& claim_store() const { return claims_; }
  // The database, for the plugin's non-consensus column families (issue 14:
  // mpc_shares); the registry never reads them.
  storage::KvStore& store() { return *store_; }
  std::shared_ptr<const CollateralSet> collateral() const { return collateral_; }
  std::optional<uint64_t> last_epoch() const { return last_epoch_; }
  std::optional<Hash32> params_hash() const { return params_hash_; }

  // Inserts or replaces records atomically. kInvalidArgument when a record
  // would back an evidence hash that another validator backs.
  Status Upsert(const std::vector<ValidatorRecord>& records);
  Status Remove(const ValidatorId& id);
  Status AdmitCollateral(const CollateralDoc& doc);
  Status CommitEpoch(const EpochCommit& commit);
  // Records the params hash the database is made under (migration).
  Status SetParamsHash(const Hash32& params_hash);

  // The current set (after the last commit, before later registrations if
  // called right after CommitEpoch).
  FrozenSet Freeze() const;
  // The set of a retained epoch rebuilt from the index and the undo entries.
  // REQUIRES: the epoch's header exists (LoadSnapshotHeader).
  Result<FrozenSet> Reconstruct(uint64_t epoch) const;
  Result<std::optional<Bytes>> LoadSnapshotHeader(uint64_t epoch) const;
  Result<std::optional<Bytes>> LoadReport(uint64_t epoch) const;

  // ---- Model providers (issue 15): in memory, id order; no weight. ----
  const std::map<ProviderId, ProviderRecord>& providers() const { return providers_; }
  const ProviderRecord* FindProvider(const ProviderId& id) const;
  // Inserts or replaces one provider in one synced batch.
  Status UpsertProvider(const ProviderRecord& r);
  // kNotFound when absent.
  Status RemoveProvider(const ProviderId& id);

  // Every validator of the index, decoded (tests and tools).
  std::vector<IndexedValidator> Entries() const;
  size_t pending_images() const { return pending_.size(); }

 private:
  explicit TeeRegistry(std::unique_ptr<storage::KvStore> store) : store_(std::move(store)) {}
  Status Load();
  // Adds the before-image of `id` as of the last epoch to `batch` unless one
  // is pending already; returns whether it added one.
  bool LogImage(storage::WriteBatch& batch, const ValidatorId& id,
                const SnapshotImage& before) const;
  SnapshotImage ImageOf(const ValidatorId& id) const;

  std::unique_ptr<storage::KvStore> store_;
  ValidatorIndex index_;
  ClaimStore claims_;
  // Ids whose before-image as of last_epoch_ is stored (changed since then).
  std::set<ValidatorId> pending_;
  std::shared_ptr<const CollateralSet> collateral_ = std::make_shared<CollateralSet>();
  std::optional<uint64_t> last_epoch_;
  // The highest epoch whose snapshot data retention deleted.
  std::optional<uint64_t> dropped_through_;
  std::optional<Hash32> params_hash_;
  std::map<ProviderId, ProviderRecord> providers_;
};

// Collateral documents' byte-exact encoding in the collateral column family.
Bytes EncodeCollateral(const CollateralDoc& doc);
Result<CollateralDoc> DecodeCollateral(ByteView data);

// Status overlays' encoding: u8 version (1) | u8 status | u8 reason | u64 verified_at_epoch LE.
struct StatusOverlay {
  ValidatorStatus status = ValidatorStatus::kUnattested;
  FailureCode reason = FailureCode::kNone;
  uint64_t verified_at_epoch = 0;
  friend bool operator==(const StatusOverlay&, const StatusOverlay&) = default;
};
Bytes EncodeOverlay(const StatusOverlay& o);
Result<StatusOverlay> DecodeOverlay(ByteView data);

// Undo entries' encoding: u8 present | [stake_be[32] | u8 attested].
Bytes EncodeImage(const SnapshotImage& image);
Result<SnapshotImage> DecodeImage(ByteView data);

}  // namespace tenzro::tee::registry
