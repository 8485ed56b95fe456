#include "registry/tee_registry.h"

#include <map>
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
// The highest epoch whose snapshot data retention deleted (u64 BE): the next
// deletion starts after it, so deletions never overlap.
constexpr std::string_view kMetaDroppedThrough = "dropped_through";

// Epochs column family: 's' E -> snapshot header, 'r' E -> report,
// 'u' E id -> before-image as of snapshot E. Big-endian E: key order is epoch order.
constexpr char kHeaderTag = 's';
constexpr char kReportTag = 'r';
constexpr char kUndoTag = 'u';

Bytes EpochKey(char kind, uint64_t epoch) {
  Bytes k{static_cast<uint8_t>(kind)};
  PutU64Be(k, epoch);
  return k;
}
// Validators column family: id -> record as registered, id || 0x01 -> status overlay.
constexpr uint8_t kOverlayTag = 1;
Bytes OverlayKey(const ValidatorId& id) {
  Bytes k(id.begin(), id.end());
  k.push_back(kOverlayTag);
  return k;
}

Bytes UndoKey(uint64_t epoch, const ValidatorId& id) {
  Bytes k = EpochKey(kUndoTag, epoch);
  PutBytes(k, AsView(id));
  return k;
}
// Past every undo key of every epoch (longer than any key with the tag).
Bytes UndoEnd() { return Bytes(1 + 8 + 33, 0xff); }

Status Corrupt(const std::string& what) {
  return Error(ErrorCode::kStorage, "corrupt database: " + what);
}

bool IsAttested(const StateEntry& s) {
  return s.status == static_cast<uint8_t>(ValidatorStatus::kAttested);
}

StateEntry StateOf(const ValidatorRecord& r) {
  StateEntry s;
  s.valid_until = r.valid_until;
  s.status = static_cast<uint8_t>(r.status);
  s.tee_type = static_cast<uint8_t>(r.tee_type);
  s.reason = static_cast<uint8_t>(r.reason);
  s.flags = r.backs_evidence() ? kStateBacksEvidence : 0;
  return s;
}

void SetBit(std::vector<uint64_t>& bits, size_t i, bool v) {
  if (bits.size() <= i / 64) bits.resize(i / 64 + 1, 0);
  if (v) bits[i / 64] |= uint64_t{1} << (i % 64);
}
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

Bytes EncodeOverlay(const StatusOverlay& o) {
  Bytes out;
  PutU8(out, 1);
  PutU8(out, static_cast<uint8_t>(o.status));
  PutU8(out, static_cast<uint8_t>(o.reason));
  PutU64Le(out, o.verified_at_epoch);
  return out;
}

Result<StatusOverlay> DecodeOverlay(ByteView data) {
  ByteReader rd(data);
  uint8_t version = 0, status = 0, reason = 0;
  StatusOverlay o;
  rd.ReadU8(version);
  rd.ReadU8(status);
  rd.ReadU8(reason);
  rd.ReadU64Le(o.verified_at_epoch);
  if (!rd.AtEnd() || version != 1 || status > 3 ||
      reason > static_cast<uint8_t>(kLastFailureCode)) {
    return Corrupt("status overlay");
  }
  o.status = static_cast<ValidatorStatus>(status);
  o.reason = static_cast<FailureCode>(reason);
  return o;
}

Bytes EncodeImage(const SnapshotImage& image) {
  Bytes out;
  PutU8(out, image.present ? 1 : 0);
  if (image.present) {
    PutBytes(out, AsView(image.stake_be));
    PutU8(out, image.attested ? 1 : 0);
  }
  return out;
}

Result<SnapshotImage> DecodeImage(ByteView data) {
  ByteReader rd(data);
  SnapshotImage img;
  uint8_t present = 0, attested = 0;
  rd.ReadU8(present);
  if (present == 1) {
    rd.ReadArray(img.stake_be);
    rd.ReadU8(attested);
  }
  if (!rd.AtEnd() || present > 1 || attested > 1) return Corrupt("snapshot undo entry");
  img.present = present == 1;
  img.attested = attested == 1;
  return img;
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
    if (version == 2) {
      // Schema 3 only adds the providers column family, which RocksDB just
      // created empty: stamping the version is the whole migration.
      storage::WriteBatch b;
      Bytes v;
      PutU32Le(v, kSchemaVersion);
      b.Put(Cf::kMetadata, Key(kMetaSchema), AsView(v));
      TEE_TRY(store_->Write(b));
      version = kSchemaVersion;
    }
    if (version != kSchemaVersion) {
      return Error(ErrorCode::kStorage, "database schema version " + std::to_string(version) +
                                            " is not the supported " +
                                            std::to_string(kSchemaVersion));
    }
  }
  TEE_ASSIGN_OR_RETURN(auto params, store_->Get(Cf::kMetadata, Key(kMetaParams)));
  if (params) {
    if (params->size() != 32) return Corrupt("params_hash");
    Hash32 h{};
    std::copy(params->begin(), params->end(), h.begin());
    params_hash_ = h;
  }
  TEE_ASSIGN_OR_RETURN(auto dropped, store_->Get(Cf::kMetadata, Key(kMetaDroppedThrough)));
  if (dropped) {
    ByteReader rd(AsView(*dropped));
    uint64_t e = 0;
    if (!rd.ReadU64Be(e) || !rd.AtEnd()) return Corrupt("dropped_through");
    dropped_through_ = e;
  }
  TEE_ASSIGN_OR_RETURN(auto last, store_->Get(Cf::kMetadata, Key(kMetaLastEpoch)));
  if (last) {
    ByteReader rd(AsView(*last));
    uint64_t e = 0;
    if (!rd.ReadU64Be(e) || !rd.AtEnd()) return Corrupt("last_epoch");
    last_epoch_ = e;
  }

  Status decode_status;
  std::optional<ValidatorId> last_record;
  TEE_TRY(store_->ForEach(Cf::kValidators, [&](ByteView key, ByteView value) {
    if (key.size() == 33 && key[32] == kOverlayTag) {
      // Sorts right after its record.
      if (!last_record || !std::equal(key.begin(), key.begin() + 32, last_record->begin())) {
        decode_status = Corrupt("status overlay without its record");
        return false;
      }
      auto o = DecodeOverlay(value);
      if (!o.ok()) {
        decode_status = o.status();
        return false;
      }
      StateEntry& st = index_.MutableState(*last_record);
      st.status = static_cast<uint8_t>(o->status);
      st.reason = static_cast<uint8_t>(o->reason);
      st.flags |= kStateHasOverlay;
      if (!IsAttested(st)) {
        claims_.Release(st.claims);
        st.claims = 0;
      }
      return true;
    }
    auto rec = DecodeRecord(value);
    if (!rec.ok()) {
      decode_status = rec.status();
      return false;
    }
    if (key.size() != 32 || !std::equal(key.begin(), key.end(), rec->id.begin())) {
      decode_status = Corrupt("validator key does not match its record");
      return false;
    }
    StateEntry st = StateOf(*rec);
    if (rec->attested()) st.claims = claims_.Add(rec->claims);
    index_.Put(rec->id, rec->stake_be, st);
    last_record = rec->id;
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

  TEE_TRY(store_->ForEach(Cf::kProviders, [&](ByteView key, ByteView value) {
    auto p = DecodeProvider(value);
    if (!p.ok()) {
      decode_status = p.status();
      return false;
    }
    if (key.size() != 32 || !std::equal(key.begin(), key.end(), p->id.begin())) {
      decode_status = Corrupt("provider key does not match its record");
      return false;
    }
    providers_.emplace(p->id, std::move(*p));
    return true;
  }));
  TEE_TRY(decode_status);

  if (last_epoch_) {
    Bytes begin = EpochKey(kUndoTag, *last_epoch_);
    Bytes end = begin;
    end.insert(end.end(), 33, 0xff);
    TEE_TRY(store_->ForEachInRange(Cf::kEpochs, AsView(begin), AsView(end),
                                   [&](ByteView key, ByteView) {
                                     if (key.size() != 1 + 8 + 32) {
                                       decode_status = Corrupt("undo key");
                                       return false;
                                     }
                                     ValidatorId id{};
                                     std::copy(key.begin() + 9, key.end(), id.begin());
                                     pending_.insert(id);
                                     return true;
                                   }));
    TEE_TRY(decode_status);
  }
  return Status::Ok();
}

Result<std::optional<ValidatorRecord>> TeeRegistry::Get(const ValidatorId& id) const {
  TEE_ASSIGN_OR_RETURN(auto blob, store_->Get(Cf::kValidators, AsView(id)));
  if (!blob) return std::optional<ValidatorRecord>();
  TEE_ASSIGN_OR_RETURN(ValidatorRecord r, DecodeRecord(AsView(*blob)));
  if (r.id != id) return Corrupt("validator key does not match its record");
  TEE_ASSIGN_OR_RETURN(auto overlay, store_->Get(Cf::kValidators, AsView(OverlayKey(id))));
  if (overlay) {
    TEE_ASSIGN_OR_RETURN(StatusOverlay o, DecodeOverlay(AsView(*overlay)));
    r.status = o.status;
    r.reason = o.reason;
    r.verified_at_epoch = o.verified_at_epoch;
  }
  return std::optional<ValidatorRecord>(std::move(r));
}

Result<std::optional<ValidatorId>> TeeRegistry::EvidenceOwner(const Hash32& evidence_hash) const {
  TEE_ASSIGN_OR_RETURN(auto blob, store_->Get(Cf::kEvidence, AsView(evidence_hash)));
  if (!blob) return std::optional<ValidatorId>();
  if (blob->size() != 32) return Corrupt("evidence index entry");
  ValidatorId id{};
  std::copy(blob->begin(), blob->end(), id.begin());
  return std::optional<ValidatorId>(id);
}

SnapshotImage TeeRegistry::ImageOf(const ValidatorId& id) const {
  SnapshotImage img;
  if (auto v = index_.Find(id)) {
    img.present = true;
    img.stake_be = v->stake_be;
    img.attested = IsAttested(v->state);
  }
  return img;
}

bool TeeRegistry::LogImage(storage::WriteBatch& batch, const ValidatorId& id,
                           const SnapshotImage& before) const {
  // Before the first epoch no snapshot exists to protect; after it, only the
  // first change of an id since the last epoch carries the epoch's image.
  if (!last_epoch_ || pending_.count(id) != 0) return false;
  batch.Put(Cf::kEpochs, AsView(UndoKey(*last_epoch_, id)), EncodeImage(before));
  return true;
}

Status TeeRegistry::Upsert(const std::vector<ValidatorRecord>& records) {
  storage::WriteBatch batch;
  // The evidence index as it will be after the batch, for conflict checks.
  std::map<Hash32, std::optional<ValidatorId>> index_changes;
  std::set<ValidatorId> seen;
  std::vector<ValidatorId> logged;
  auto owner_after = [&](const Hash32& h) -> Result<std::optional<ValidatorId>> {
    auto it = index_changes.find(h);
    if (it != index_changes.end()) return it->second;
    return EvidenceOwner(h);
  };
  for (const auto& r : records) {
    if (!seen.insert(r.id).second) {
      return Error(ErrorCode::kInvalidArgument,
                   "validator " + ToHex(AsView(r.id)) + " appears twice");
    }
    const SnapshotImage before = ImageOf(r.id);
    const uint8_t old_flags = before.present ? index_.Find(r.id)->state.flags : 0;
    if ((old_flags & kStateHasOverlay) != 0)
      batch.Delete(Cf::kValidators, AsView(OverlayKey(r.id)));
    if ((old_flags & kStateBacksEvidence) != 0) {
      TEE_ASSIGN_OR_RETURN(auto old, Get(r.id));
      if (!old) return Corrupt("indexed validator " + ToHex(AsView(r.id)) + " is not stored");
      if (old->backs_evidence() && old->evidence_hash != r.evidence_hash) {
        index_changes[old->evidence_hash] = std::nullopt;
        batch.Delete(Cf::kEvidence, AsView(old->evidence_hash));
      }
    }
    if (r.backs_evidence()) {
      TEE_ASSIGN_OR_RETURN(auto owner, owner_after(r.evidence_hash));
      if (owner && *owner != r.id) {
        return Error(ErrorCode::kInvalidArgument,
                     "evidence already backs validator " + ToHex(AsView(*owner)));
      }
      index_changes[r.evidence_hash] = r.id;
      batch.Put(Cf::kEvidence, AsView(r.evidence_hash), AsView(r.id));
    }
    batch.Put(Cf::kValidators, AsView(r.id), EncodeRecord(r));
    const SnapshotImage after{true, r.stake_be, r.attested()};
    if (before != after && LogImage(batch, r.id, before)) logged.push_back(r.id);
  }
  TEE_TRY(store_->Write(batch));
  pending_.insert(logged.begin(), logged.end());
  for (const auto& r : records) {
    StateEntry st = StateOf(r);
    if (auto old = index_.Find(r.id)) claims_.Release(old->state.claims);
    if (r.attested()) st.claims = claims_.Add(r.claims);
    index_.Put(r.id, r.stake_be, st);
  }
  return Status::Ok();
}

Status TeeRegistry::Remove(const ValidatorId& id) {
  auto old = index_.Find(id);
  if (!old) return Error(ErrorCode::kNotFound, "no validator " + ToHex(AsView(id)));
  storage::WriteBatch batch;
  batch.Delete(Cf::kValidators, AsView(id));
  if ((old->state.flags & kStateHasOverlay) != 0)
    batch.Delete(Cf::kValidators, AsView(OverlayKey(id)));
  if ((old->state.flags & kStateBacksEvidence) != 0) {
    TEE_ASSIGN_OR_RETURN(auto rec, Get(id));
    if (!rec) return Corrupt("indexed validator " + ToHex(AsView(id)) + " is not stored");
    if (rec->backs_evidence()) batch.Delete(Cf::kEvidence, AsView(rec->evidence_hash));
  }
  const bool logged = LogImage(batch, id, ImageOf(id));
  TEE_TRY(store_->Write(batch));
  if (logged) pending_.insert(id);
  claims_.Release(old->state.claims);
  index_.Erase(id);
  return Status::Ok();
}

const ProviderRecord* TeeRegistry::FindProvider(const ProviderId& id) const {
  auto it = providers_.find(id);
  return it == providers_.end() ? nullptr : &it->second;
}

Status TeeRegistry::UpsertProvider(const ProviderRecord& r) {
  storage::WriteBatch batch;
  batch.Put(Cf::kProviders, AsView(r.id), EncodeProvider(r));
  TEE_TRY(store_->Write(batch));
  providers_[r.id] = r;
  return Status::Ok();
}

Status TeeRegistry::RemoveProvider(const ProviderId& id) {
  if (providers_.count(id) == 0)
    return Error(ErrorCode::kNotFound, "no provider " + ToHex(AsView(id)));
  storage::WriteBatch batch;
  batch.Delete(Cf::kProviders, AsView(id));
  TEE_TRY(store_->Write(batch));
  providers_.erase(id);
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
  for (const auto& d : c.demotions) {
    if (!index_.Find(d.id))
      return Error(ErrorCode::kInternal, "epoch demotes an unknown validator");
    batch.Put(Cf::kValidators, AsView(OverlayKey(d.id)),
              EncodeOverlay(StatusOverlay{d.status, d.reason, c.epoch}));
    LogImage(batch, d.id, ImageOf(d.id));
  }
  for (const auto& p : c.provider_updates) {
    if (providers_.count(p.id) == 0)
      return Error(ErrorCode::kInternal, "epoch updates an unknown provider");
    batch.Put(Cf::kProviders, AsView(p.id), EncodeProvider(p));
  }
  batch.Put(Cf::kEpochs, AsView(EpochKey(kHeaderTag, c.epoch)), AsView(c.snapshot_header));
  batch.Put(Cf::kEpochs, AsView(EpochKey(kReportTag, c.epoch)), AsView(c.report));
  // Retention deletes only what left the window since the last deletion,
  // key by key: no range tombstones (overlapping ones made every read and
  // every reopen replay all earlier deletions: issue 9, item 12).
  const bool drops = c.drop_through && *c.drop_through < c.epoch &&
                     (!dropped_through_ || *dropped_through_ < *c.drop_through);
  if (drops) {
    const uint64_t from = dropped_through_ ? *dropped_through_ + 1 : 0;
    const uint64_t end = *c.drop_through + 1;  // <= c.epoch: no wrap
    for (const char tag : {kHeaderTag, kUndoTag}) {
      TEE_TRY(store_->ForEachInRange(Cf::kEpochs, AsView(EpochKey(tag, from)),
                                     AsView(EpochKey(tag, end)), [&](ByteView key, ByteView) {
                                       batch.Delete(Cf::kEpochs, key);
                                       return true;
                                     }));
    }
    Bytes through;
    PutU64Be(through, *c.drop_through);
    batch.Put(Cf::kMetadata, Key(kMetaDroppedThrough), AsView(through));
  }
  Bytes last;
  PutU64Be(last, c.epoch);
  batch.Put(Cf::kMetadata, Key(kMetaLastEpoch), AsView(last));
  batch.Put(Cf::kMetadata, Key(kMetaParams), AsView(c.params_hash));
  TEE_TRY(store_->Write(batch));
  for (const auto& d : c.demotions) {
    StateEntry& st = index_.MutableState(d.id);
    st.status = static_cast<uint8_t>(d.status);
    st.reason = static_cast<uint8_t>(d.reason);
    st.flags |= kStateHasOverlay;
    // Only attested records are re-evaluated: a demoted one needs no claims
    // in memory (the stored record keeps them).
    claims_.Release(st.claims);
    st.claims = 0;
  }
  for (const auto& p : c.provider_updates) providers_[p.id] = p;
  pending_.clear();  // a new interval starts at this epoch
  if (drops) dropped_through_ = c.drop_through;
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

FrozenSet TeeRegistry::Freeze() const {
  FrozenSet f;
  f.core = index_.Freeze();
  f.attested.assign((index_.size() + 63) / 64, 0);
  size_t i = 0;
  index_.ForEach([&](const CoreBucket&, size_t, const StateEntry& st) {
    if (IsAttested(st)) f.attested[i / 64] |= uint64_t{1} << (i % 64);
    ++i;
  });
  return f;
}

Result<FrozenSet> TeeRegistry::Reconstruct(uint64_t epoch) const {
  // Before-images of every epoch >= `epoch`, ascending: the first image of an
  // id is the one as of the lowest such epoch, the one closest to `epoch`.
  std::map<ValidatorId, SnapshotImage> images;
  Status decode_status;
  const Bytes begin = EpochKey(kUndoTag, epoch);
  TEE_TRY(store_->ForEachInRange(Cf::kEpochs, AsView(begin), AsView(UndoEnd()),
                                 [&](ByteView key, ByteView value) {
                                   if (key.size() != 1 + 8 + 32) {
                                     decode_status = Corrupt("undo key");
                                     return false;
                                   }
                                   auto img = DecodeImage(value);
                                   if (!img.ok()) {
                                     decode_status = img.status();
                                     return false;
                                   }
                                   ValidatorId id{};
                                   std::copy(key.begin() + 9, key.end(), id.begin());
                                   images.emplace(id, *img);  // keeps the first
                                   return true;
                                 }));
  TEE_TRY(decode_status);
  if (images.empty()) return Freeze();

  auto core = std::make_shared<CoreSnapshot>();
  core->buckets.resize(kBucketCount);
  // Buckets an image touches, with the images that fall in them.
  std::map<size_t, std::vector<std::pair<ValidatorId, SnapshotImage>>> touched;
  for (const auto& [id, img] : images) touched[BucketOf(id)].emplace_back(id, img);
  for (size_t b = 0; b < kBucketCount; ++b) {
    auto it = touched.find(b);
    const CoreBucket* cur = index_.core_bucket(b);
    if (it == touched.end()) {
      core->buckets[b] = index_.shared_bucket(b);
      continue;
    }
    auto nb = cur != nullptr ? std::make_shared<CoreBucket>(*cur) : std::make_shared<CoreBucket>();
    for (const auto& [id, img] : it->second) {
      auto [pos, found] = Locate(*nb, id);
      if (!img.present) {
        if (found) EraseAt(*nb, pos);
      } else if (found) {
        SetStake(*nb, pos, img.stake_be);
      } else {
        InsertAt(*nb, pos, id, img.stake_be);
      }
    }
    if (nb->size() != 0) core->buckets[b] = std::move(nb);
  }
  FrozenSet f;
  size_t i = 0;
  for (size_t b = 0; b < kBucketCount; ++b) {
    const CoreBucket* cb = core->buckets[b].get();
    if (cb == nullptr) continue;
    auto it = touched.find(b);
    for (size_t k = 0; k < cb->size(); ++k, ++i) {
      bool attested = false;
      if (it == touched.end()) {
        attested = IsAttested(index_.state_bucket(b)[k]);
      } else if (auto img = images.find(cb->id(k)); img != images.end()) {
        attested = img->second.attested;
      } else {
        attested = IsAttested(index_.Find(cb->id(k))->state);
      }
      SetBit(f.attested, i, attested);
    }
  }
  core->size = i;
  f.attested.resize((i + 63) / 64, 0);
  f.core = std::move(core);
  return f;
}

Result<std::optional<Bytes>> TeeRegistry::LoadSnapshotHeader(uint64_t epoch) const {
  return store_->Get(Cf::kEpochs, AsView(EpochKey(kHeaderTag, epoch)));
}

Result<std::optional<Bytes>> TeeRegistry::LoadReport(uint64_t epoch) const {
  return store_->Get(Cf::kEpochs, AsView(EpochKey(kReportTag, epoch)));
}

std::vector<IndexedValidator> TeeRegistry::Entries() const {
  std::vector<IndexedValidator> out;
  out.reserve(index_.size());
  index_.ForEach([&](const CoreBucket& b, size_t k, const StateEntry& st) {
    out.push_back(IndexedValidator{b.id(k), b.StakeBe(k), st});
  });
  return out;
}

}  // namespace tenzro::tee::registry
