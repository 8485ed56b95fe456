#include "registry/tee_registry.h"

#include <set>
#include <string>
#include <string_view>

#include "core/reader.h"

namespace tenzro::tee::registry {
namespace {
using storage::Cf;

ByteView Key(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
constexpr std::string_view kMetaSchema = "schema_version";
constexpr std::string_view kMetaParams = "params_hash";
constexpr std::string_view kMetaLastEpoch = "last_epoch";

Bytes EpochKey(char kind, uint64_t epoch) {
  Bytes k{static_cast<uint8_t>(kind)};
  PutU64Be(k, epoch);  // big-endian: key order is epoch order
  return k;
}

Status Corrupt(const std::string& what) { return Error(ErrorCode::kStorage, "corrupt database: " + what); }
}  // namespace

// Layout v1: u8 version | u8 tee_type | u8 kind_len | kind | u32 key_len | key |
//   u64 this_update | u64 next_update | u64 rank | content_hash[32] | u32 len | data
Bytes EncodeCollateral(const CollateralDoc& d) {
  Bytes out;
  PutU8(out, 1);
  PutU8(out, static_cast<uint8_t>(d.tee_type));
  PutU8(out, static_cast<uint8_t>(d.kind.size()));
  out.insert(out.end(), d.kind.begin(), d.kind.end());
  PutLenBytes(out, AsView(d.key));
  PutU64Le(out, d.this_update);
  PutU64Le(out, d.next_update);
  PutU64Le(out, d.rank);
  PutBytes(out, AsView(d.content_hash));
  PutLenBytes(out, AsView(d.data));
  return out;
}

Result<CollateralDoc> DecodeCollateral(ByteView data) {
  ByteReader rd(data);
  CollateralDoc d;
  uint8_t version = 0, type = 0, kind_len = 0;
  Bytes kind;
  rd.ReadU8(version);
  rd.ReadU8(type);
  rd.ReadU8(kind_len);
  rd.ReadBytes(kind_len, kind);
  rd.ReadLenBytes(d.key, 1024);
  rd.ReadU64Le(d.this_update);
  rd.ReadU64Le(d.next_update);
  rd.ReadU64Le(d.rank);
  rd.ReadArray(d.content_hash);
  rd.ReadLenBytes(d.data, 64u << 20);
  auto t = TeeTypeFromInt(type);
  if (!rd.AtEnd() || version != 1 || !t) return Corrupt("collateral entry");
  d.tee_type = *t;
  d.kind.assign(kind.begin(), kind.end());
  return d;
}

Result<std::unique_ptr<TeeRegistry>> TeeRegistry::Open(std::unique_ptr<storage::KvStore> store) {
  std::unique_ptr<TeeRegistry> reg(new TeeRegistry(std::move(store)));
  TEE_TRY(reg->Load());
  return reg;
}

Status TeeRegistry::Load() {
  TEE_ASSIGN_OR_RETURN(auto schema, store_->Get(Cf::kMetadata, Key(kMetaSchema)));
  if (!schema) {
    // A new database: stamp the schema version before anything else.
    storage::WriteBatch b;
    Bytes v;
    PutU32Le(v, kSchemaVersion);
    b.Put(Cf::kMetadata, Key(kMetaSchema), AsView(v));
    TEE_TRY(store_->Write(b));
  } else {
    ByteReader rd(AsView(*schema));
    uint32_t version = 0;
    if (!rd.ReadU32Le(version) || !rd.AtEnd()) return Corrupt("schema_version");
    if (version != kSchemaVersion) {
      return Error(ErrorCode::kStorage, "database schema version " + std::to_string(version) +
                                            " is not the supported " + std::to_string(kSchemaVersion));
    }
  }
  TEE_ASSIGN_OR_RETURN(auto params, store_->Get(Cf::kMetadata, Key(kMetaParams)));
  if (params) {
    if (params->size() != 32) return Corrupt("params_hash");
    Hash32 h{};
    std::copy(params->begin(), params->end(), h.begin());
    params_hash_ = h;
  }
  TEE_ASSIGN_OR_RETURN(auto last, store_->Get(Cf::kMetadata, Key(kMetaLastEpoch)));
  if (last) {
    ByteReader rd(AsView(*last));
    uint64_t e = 0;
    if (!rd.ReadU64Be(e) || !rd.AtEnd()) return Corrupt("last_epoch");
    last_epoch_ = e;
  }

  Status decode_status;
  TEE_TRY(store_->ForEach(Cf::kValidators, [&](ByteView key, ByteView value) {
    auto rec = DecodeRecord(value);
    if (!rec.ok()) {
      decode_status = rec.status();
      return false;
    }
    if (key.size() != 32 || !std::equal(key.begin(), key.end(), rec->id.begin())) {
      decode_status = Corrupt("validator key does not match its record");
      return false;
    }
    records_.emplace(rec->id, std::move(*rec));
    return true;
  }));
  TEE_TRY(decode_status);

  TEE_TRY(store_->ForEach(Cf::kEvidence, [&](ByteView key, ByteView value) {
    if (key.size() != 32 || value.size() != 32) {
      decode_status = Corrupt("evidence index entry");
      return false;
    }
    Hash32 h{};
    ValidatorId id{};
    std::copy(key.begin(), key.end(), h.begin());
    std::copy(value.begin(), value.end(), id.begin());
    evidence_.emplace(h, id);
    return true;
  }));
  TEE_TRY(decode_status);

  std::vector<CollateralDoc> docs;
  TEE_TRY(store_->ForEach(Cf::kCollateral, [&](ByteView, ByteView value) {
    auto d = DecodeCollateral(value);
    if (!d.ok()) {
      decode_status = d.status();
      return false;
    }
    docs.push_back(std::move(*d));
    return true;
  }));
  TEE_TRY(decode_status);
  collateral_ = std::make_shared<CollateralSet>(std::move(docs));
  return Status::Ok();
}

const ValidatorRecord* TeeRegistry::Find(const ValidatorId& id) const {
  auto it = records_.find(id);
  return it == records_.end() ? nullptr : &it->second;
}

std::optional<ValidatorId> TeeRegistry::EvidenceOwner(const Hash32& evidence_hash) const {
  auto it = evidence_.find(evidence_hash);
  if (it == evidence_.end()) return std::nullopt;
  return it->second;
}

Status TeeRegistry::Upsert(const std::vector<ValidatorRecord>& records) {
  storage::WriteBatch batch;
  // The evidence index as it will be after the batch, for conflict checks.
  std::map<Hash32, std::optional<ValidatorId>> index_changes;
  std::set<ValidatorId> seen;
  auto owner_after = [&](const Hash32& h) -> std::optional<ValidatorId> {
    auto it = index_changes.find(h);
    if (it != index_changes.end()) return it->second;
    return EvidenceOwner(h);
  };
  for (const auto& r : records) {
    if (!seen.insert(r.id).second) {
      return Error(ErrorCode::kInvalidArgument, "validator " + ToHex(AsView(r.id)) + " appears twice");
    }
    if (const ValidatorRecord* old = Find(r.id); old && old->backs_evidence() &&
                                                 old->evidence_hash != r.evidence_hash) {
      index_changes[old->evidence_hash] = std::nullopt;
      batch.Delete(Cf::kEvidence, AsView(old->evidence_hash));
    }
    if (r.backs_evidence()) {
      auto owner = owner_after(r.evidence_hash);
      if (owner && *owner != r.id) {
        return Error(ErrorCode::kInvalidArgument,
                     "evidence already backs validator " + ToHex(AsView(*owner)));
      }
      index_changes[r.evidence_hash] = r.id;
      batch.Put(Cf::kEvidence, AsView(r.evidence_hash), AsView(r.id));
    }
    batch.Put(Cf::kValidators, AsView(r.id), EncodeRecord(r));
  }
  TEE_TRY(store_->Write(batch));
  for (const auto& [h, owner] : index_changes) {
    if (owner) evidence_[h] = *owner;
    else evidence_.erase(h);
  }
  for (const auto& r : records) records_[r.id] = r;
  return Status::Ok();
}

Status TeeRegistry::Remove(const ValidatorId& id) {
  const ValidatorRecord* old = Find(id);
  if (old == nullptr) return Error(ErrorCode::kNotFound, "no validator " + ToHex(AsView(id)));
  storage::WriteBatch batch;
  batch.Delete(Cf::kValidators, AsView(id));
  if (old->backs_evidence()) batch.Delete(Cf::kEvidence, AsView(old->evidence_hash));
  TEE_TRY(store_->Write(batch));
  if (old->backs_evidence()) evidence_.erase(old->evidence_hash);
  records_.erase(id);
  return Status::Ok();
}

Status TeeRegistry::AdmitCollateral(const CollateralDoc& doc) {
  if (collateral_->Contains(doc.content_hash)) return Status::Ok();
  storage::WriteBatch batch;
  batch.Put(Cf::kCollateral, AsView(doc.content_hash), EncodeCollateral(doc));
  TEE_TRY(store_->Write(batch));
  collateral_ = std::make_shared<CollateralSet>(collateral_->With(doc));
  return Status::Ok();
}

Status TeeRegistry::CommitEpoch(const EpochCommit& c) {
  storage::WriteBatch batch;
  for (const auto& r : c.updated) {
    if (Find(r.id) == nullptr) return Error(ErrorCode::kInternal, "epoch updates an unknown validator");
    batch.Put(Cf::kValidators, AsView(r.id), EncodeRecord(r));
  }
  batch.Put(Cf::kEpochs, AsView(EpochKey('s', c.epoch)), AsView(c.snapshot));
  batch.Put(Cf::kEpochs, AsView(EpochKey('r', c.epoch)), AsView(c.report));
  if (c.drop_snapshot) batch.Delete(Cf::kEpochs, AsView(EpochKey('s', *c.drop_snapshot)));
  Bytes last;
  PutU64Be(last, c.epoch);
  batch.Put(Cf::kMetadata, Key(kMetaLastEpoch), AsView(last));
  batch.Put(Cf::kMetadata, Key(kMetaParams), AsView(c.params_hash));
  TEE_TRY(store_->Write(batch));
  for (const auto& r : c.updated) records_[r.id] = r;
  last_epoch_ = c.epoch;
  params_hash_ = c.params_hash;
  return Status::Ok();
}

Status TeeRegistry::SetParamsHash(const Hash32& params_hash) {
  storage::WriteBatch batch;
  batch.Put(Cf::kMetadata, Key(kMetaParams), AsView(params_hash));
  TEE_TRY(store_->Write(batch));
  params_hash_ = params_hash;
  return Status::Ok();
}

Result<std::optional<Bytes>> TeeRegistry::LoadSnapshot(uint64_t epoch) const {
  return store_->Get(Cf::kEpochs, AsView(EpochKey('s', epoch)));
}

Result<std::optional<Bytes>> TeeRegistry::LoadReport(uint64_t epoch) const {
  return store_->Get(Cf::kEpochs, AsView(EpochKey('r', epoch)));
}

}  // namespace tenzro::tee::registry
