#include "registry/provider_record.h"

#include <algorithm>

#include "core/reader.h"

namespace tenzro::tee::registry {
namespace {
constexpr uint8_t kProviderEncodingVersion = 1;

Status Corrupt(const std::string& what) {
  return Error(ErrorCode::kStorage, "corrupt provider record: " + what);
}

bool ValidStatus(uint8_t s) { return s <= static_cast<uint8_t>(ValidatorStatus::kRevoked); }
bool ValidReason(uint8_t r) { return r <= static_cast<uint8_t>(kLastFailureCode); }
}  // namespace

bool ProviderRecord::HasType(TeeType t) const {
  return std::any_of(evidence.begin(), evidence.end(),
                     [t](const ProviderEvidence& e) { return e.tee_type == t; });
}

Status ValidateModelId(std::string_view model_id) {
  if (model_id.empty() || model_id.size() > kMaxModelIdBytes) {
    return Error(ErrorCode::kInvalidArgument, "model_id must be 1.." +
                                                  std::to_string(kMaxModelIdBytes) +
                                                  " bytes, got " + std::to_string(model_id.size()));
  }
  for (const char c : model_id) {
    if (c < 0x20 || c > 0x7e) {
      return Error(ErrorCode::kInvalidArgument, "model_id must be printable ASCII");
    }
  }
  return Status::Ok();
}

// Layout v1 (little-endian):
//   u8 version | id[32] | u8 model_len | model_id | model_hash[32] | u8 status |
//   u8 reason | i64 valid_until | u64 registered_at | u64 registered_epoch |
//   u64 verified_at_epoch | u8 n |
//   n x (u8 tee_type | evidence_hash[32] | u8 reason | i64 valid_until |
//        u64 valid_from | claims (record.h's PutClaims))
Bytes EncodeProvider(const ProviderRecord& r) {
  Bytes out;
  out.reserve(256);
  PutU8(out, kProviderEncodingVersion);
  PutBytes(out, AsView(r.id));
  PutU8(out, static_cast<uint8_t>(r.model_id.size()));
  out.insert(out.end(), r.model_id.begin(), r.model_id.end());
  PutBytes(out, AsView(r.model_hash));
  PutU8(out, static_cast<uint8_t>(r.status));
  PutU8(out, static_cast<uint8_t>(r.reason));
  PutU64Le(out, static_cast<uint64_t>(r.valid_until));
  PutU64Le(out, r.registered_at);
  PutU64Le(out, r.registered_epoch);
  PutU64Le(out, r.verified_at_epoch);
  PutU8(out, static_cast<uint8_t>(r.evidence.size()));
  for (const auto& e : r.evidence) {
    PutU8(out, static_cast<uint8_t>(e.tee_type));
    PutBytes(out, AsView(e.evidence_hash));
    PutU8(out, static_cast<uint8_t>(e.reason));
    PutU64Le(out, static_cast<uint64_t>(e.valid_until));
    PutU64Le(out, e.valid_from);
    PutClaims(out, e.claims);
  }
  return out;
}

Result<ProviderRecord> DecodeProvider(ByteView data) {
  ByteReader rd(data);
  ProviderRecord r;
  uint8_t version = 0, model_len = 0, status = 0, reason = 0, n = 0;
  uint64_t valid_until = 0;
  ByteView model;
  rd.ReadU8(version);
  if (!rd.ok() || version != kProviderEncodingVersion) return Corrupt("unknown encoding version");
  rd.ReadArray(r.id);
  rd.ReadU8(model_len);
  rd.ReadView(model_len, model);
  rd.ReadArray(r.model_hash);
  rd.ReadU8(status);
  rd.ReadU8(reason);
  rd.ReadU64Le(valid_until);
  rd.ReadU64Le(r.registered_at);
  rd.ReadU64Le(r.registered_epoch);
  rd.ReadU64Le(r.verified_at_epoch);
  rd.ReadU8(n);
  if (!rd.ok()) return Corrupt("truncated");
  r.model_id.assign(model.begin(), model.end());
  if (!ValidateModelId(r.model_id).ok()) return Corrupt("model id");
  if (!ValidStatus(status) || !ValidReason(reason)) return Corrupt("status or reason");
  if (n == 0 || n > kMaxProviderEvidence) return Corrupt("evidence count");
  r.status = static_cast<ValidatorStatus>(status);
  r.reason = static_cast<FailureCode>(reason);
  r.valid_until = static_cast<int64_t>(valid_until);
  r.evidence.resize(n);
  for (auto& e : r.evidence) {
    uint8_t type = 0, ereason = 0;
    uint64_t evalid_until = 0;
    rd.ReadU8(type);
    rd.ReadArray(e.evidence_hash);
    rd.ReadU8(ereason);
    rd.ReadU64Le(evalid_until);
    rd.ReadU64Le(e.valid_from);
    if (!rd.ok()) return Corrupt("truncated evidence");
    const auto t = TeeTypeFromInt(type);
    if (!t || *t == TeeType::None || !ValidReason(ereason)) return Corrupt("evidence type");
    e.tee_type = *t;
    e.reason = static_cast<FailureCode>(ereason);
    e.valid_until = static_cast<int64_t>(evalid_until);
    TEE_TRY(ReadClaims(rd, e.claims));
  }
  if (!rd.AtEnd()) return Corrupt("trailing bytes");
  return r;
}

}  // namespace tenzro::tee::registry
