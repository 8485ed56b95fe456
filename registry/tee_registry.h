// TeeRegistry: validators, the evidence index, admitted collateral and epoch
// blobs, persisted in the KvStore (RocksDB) and mirrored in memory.
//
// Every mutation builds one atomic, synced write batch; the in-memory state
// changes only after the store acknowledged it, so a failed write leaves the
// registry exactly as it was. Reopening gives back what was acknowledged.
// Thread-safety: none inside; the plugin serialises writers and readers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "attestation/collateral/collateral_set.h"
#include "core/status.h"
#include "registry/record.h"
#include "storage/kv_store.h"

namespace tenzro::tee::registry {

inline constexpr uint32_t kSchemaVersion = 1;

// What an epoch transition writes, in one batch.
struct EpochCommit {
  uint64_t epoch = 0;
  std::vector<ValidatorRecord> updated;  // re-evaluated records that changed
  Bytes snapshot;                        // opaque to the registry
  Bytes report;
  Hash32 params_hash{};
  std::optional<uint64_t> drop_snapshot;  // an old epoch's snapshot to delete
};

class TeeRegistry {
 public:
  // Loads validators and collateral; kStorage on a corrupt database, a newer
  // schema, or a failed read.
  static Result<std::unique_ptr<TeeRegistry>> Open(std::unique_ptr<storage::KvStore> store);

  const ValidatorRecord* Find(const ValidatorId& id) const;
  std::optional<ValidatorId> EvidenceOwner(const Hash32& evidence_hash) const;
  const std::map<ValidatorId, ValidatorRecord>& records() const { return records_; }
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

  Result<std::optional<Bytes>> LoadSnapshot(uint64_t epoch) const;
  Result<std::optional<Bytes>> LoadReport(uint64_t epoch) const;

 private:
  explicit TeeRegistry(std::unique_ptr<storage::KvStore> store) : store_(std::move(store)) {}
  Status Load();

  std::unique_ptr<storage::KvStore> store_;
  std::map<ValidatorId, ValidatorRecord> records_;
  std::map<Hash32, ValidatorId> evidence_;
  std::shared_ptr<const CollateralSet> collateral_ = std::make_shared<CollateralSet>();
  std::optional<uint64_t> last_epoch_;
  std::optional<Hash32> params_hash_;
};

// Collateral documents' byte-exact encoding in the collateral column family.
Bytes EncodeCollateral(const CollateralDoc& doc);
Result<CollateralDoc> DecodeCollateral(ByteView data);

}  // namespace tenzro::tee::registry
