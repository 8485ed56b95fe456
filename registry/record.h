// ValidatorRecord and its byte-exact encoding (stored in the validators column
// family). The encoding is versioned; decoding checks every length and value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "attestation/tee_type.h"
#include "attestation/verdict.h"
#include "core/bytes.h"
#include "core/reader.h"
#include "core/status.h"
#include "core/u256.h"

namespace tenzro::tee::registry {

// Values equal the ABI's TEE_VALIDATOR_*.
enum class ValidatorStatus : int32_t { kUnattested = 0, kAttested = 1, kExpired = 2, kRevoked = 3 };
// "unattested", "attested", "expired", "revoked" (JSON, CLI, HTTP queries);
// the name of a value outside the enum is "unknown", and the inverse is nullopt.
const char* ValidatorStatusName(ValidatorStatus s);
std::optional<ValidatorStatus> ValidatorStatusFromName(std::string_view name);

struct ValidatorRecord {
  ValidatorId id{};
  U256Bytes stake_be{};
  TeeType tee_type = TeeType::None;
  ValidatorStatus status = ValidatorStatus::kUnattested;
  FailureCode reason = FailureCode::kNone;  // why it is not attested
  // The evidence that backs the record: set only when that evidence passed
  // verification (a failed evidence claims nothing, so nobody can squat on a
  // hash by submitting someone else's evidence). Zero otherwise.
  Hash32 evidence_hash{};
  int64_t valid_until = -1;  // inclusive unix seconds; -1 when never attested
  uint64_t valid_from = 0;
  uint64_t registered_at = 0;
  uint64_t verified_at_epoch = 0;  // last epoch that (re-)decided its status
  uint64_t registered_epoch = 0;   // first epoch whose snapshot includes it
  ClaimSet claims;                 // what a re-evaluation needs (§6)

  bool attested() const { return status == ValidatorStatus::kAttested; }
  bool backs_evidence() const { return evidence_hash != Hash32{}; }
  friend bool operator==(const ValidatorRecord&, const ValidatorRecord&) = default;
};

inline constexpr uint8_t kRecordEncodingVersion = 1;

Bytes EncodeRecord(const ValidatorRecord& r);
// The claims part of the record encoding (also the ClaimStore's form):
//   u16 n | n x (u8 key_len | key | u32 value_len | value), keys strictly increasing.
void PutClaims(Bytes& out, const ClaimSet& claims);
// kStorage on malformed input; reads exactly one claims block.
Status ReadClaims(ByteReader& rd, ClaimSet& out);
// kStorage on any malformed input (the database is the only source).
Result<ValidatorRecord> DecodeRecord(ByteView data);

}  // namespace tenzro::tee::registry
