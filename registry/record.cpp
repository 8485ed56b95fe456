#include "registry/record.h"

#include <string>

#include "core/reader.h"

namespace tenzro::tee::registry {

const char* ValidatorStatusName(ValidatorStatus s) {
  switch (s) {
    case ValidatorStatus::kUnattested:
      return "unattested";
    case ValidatorStatus::kAttested:
      return "attested";
    case ValidatorStatus::kExpired:
      return "expired";
    case ValidatorStatus::kRevoked:
      return "revoked";
  }
  return "unknown";
}

std::optional<ValidatorStatus> ValidatorStatusFromName(std::string_view name) {
  for (int32_t v = 0; v <= 3; ++v) {
    const auto s = static_cast<ValidatorStatus>(v);
    if (name == ValidatorStatusName(s)) return s;
  }
  return std::nullopt;
}
namespace {
constexpr size_t kMaxClaims = 256;
constexpr size_t kMaxClaimValue = 1u << 16;

Status Corrupt(const std::string& what) {
  return Error(ErrorCode::kStorage, "corrupt validator record: " + what);
}
}  // namespace

// Layout v1 (little-endian):
//   u8 version | id[32] | stake_be[32] | u8 tee_type | u8 status | u8 reason |
//   evidence_hash[32] | i64 valid_until | u64 valid_from | u64 registered_at |
//   u64 verified_at_epoch | u64 registered_epoch | u16 n_claims |
//   n x (u8 key_len | key | u32 value_len | value)   keys strictly increasing
Bytes EncodeRecord(const ValidatorRecord& r) {
  Bytes out;
  out.reserve(200);
  PutU8(out, kRecordEncodingVersion);
  PutBytes(out, AsView(r.id));
  PutBytes(out, AsView(r.stake_be));
  PutU8(out, static_cast<uint8_t>(r.tee_type));
  PutU8(out, static_cast<uint8_t>(r.status));
  PutU8(out, static_cast<uint8_t>(r.reason));
  PutBytes(out, AsView(r.evidence_hash));
  PutU64Le(out, static_cast<uint64_t>(r.valid_until));
  PutU64Le(out, r.valid_from);
  PutU64Le(out, r.registered_at);
  PutU64Le(out, r.verified_at_epoch);
  PutU64Le(out, r.registered_epoch);
  PutClaims(out, r.claims);
  return out;
}

void PutClaims(Bytes& out, const ClaimSet& claims) {
  PutU16Le(out, static_cast<uint16_t>(claims.size()));
  for (const auto& [k, v] : claims) {
    PutU8(out, static_cast<uint8_t>(k.size()));
    out.insert(out.end(), k.begin(), k.end());
    PutLenBytes(out, AsView(v));
  }
}

Status ReadClaims(ByteReader& rd, ClaimSet& out) {
  uint16_t n_claims = 0;
  if (!rd.ReadU16Le(n_claims)) return Corrupt("truncated");
  if (n_claims > kMaxClaims) return Corrupt("too many claims");
  std::string prev;
  for (uint16_t i = 0; i < n_claims; ++i) {
    uint8_t klen = 0;
    ByteView key;
    Bytes value;
    if (!rd.ReadU8(klen) || !rd.ReadView(klen, key) || !rd.ReadLenBytes(value, kMaxClaimValue)) {
      return Corrupt("truncated claim");
    }
    std::string k(key.begin(), key.end());
    if (i > 0 && !(prev < k)) return Corrupt("claims out of order");
    prev = k;
    out.emplace_hint(out.end(), std::move(k), std::move(value));
  }
  return Status::Ok();
}

Result<ValidatorRecord> DecodeRecord(ByteView data) {
  ByteReader rd(data);
  ValidatorRecord r;
  uint8_t version = 0, type = 0, status = 0, reason = 0;
  uint64_t valid_until = 0;
  rd.ReadU8(version);
  if (!rd.ok() || version != kRecordEncodingVersion) return Corrupt("unknown encoding version");
  rd.ReadArray(r.id);
  rd.ReadArray(r.stake_be);
  rd.ReadU8(type);
  rd.ReadU8(status);
  rd.ReadU8(reason);
  rd.ReadArray(r.evidence_hash);
  rd.ReadU64Le(valid_until);
  rd.ReadU64Le(r.valid_from);
  rd.ReadU64Le(r.registered_at);
  rd.ReadU64Le(r.verified_at_epoch);
  rd.ReadU64Le(r.registered_epoch);
  if (!rd.ok()) return Corrupt("truncated");
  auto t = TeeTypeFromInt(type);
  if (!t) return Corrupt("tee type " + std::to_string(type));
  r.tee_type = *t;
  if (status > 3) return Corrupt("status " + std::to_string(status));
  r.status = static_cast<ValidatorStatus>(status);
  if (reason > static_cast<uint8_t>(kLastFailureCode)) return Corrupt("reason");
  r.reason = static_cast<FailureCode>(reason);
  r.valid_until = static_cast<int64_t>(valid_until);
  TEE_TRY(ReadClaims(rd, r.claims));
  if (!rd.AtEnd()) return Corrupt("trailing bytes");
  return r;
}

}  // namespace tenzro::tee::registry
