// Verdict: the one result shape of every verifier (DESIGN §3).
//
// A verdict is about the evidence only: valid, or invalid with reasons in
// check order. Failures of the machine (disk, memory, library) never become a
// verdict; verifiers return them as a non-ok Result instead.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attestation/tee_type.h"
#include "core/bytes.h"

namespace tenzro::tee {

// Values equal the ABI's TEE_FAIL_* and follow the check order of §3, so the
// reason (first failure in check order) is the smallest code.
enum class FailureCode : int32_t {
  kNone = 0,
  kMalformed = 1,
  kUnsupported = 2,
  kBadSignature = 3,
  kChainUntrusted = 4,
  kChainIncomplete = 5,
  kNotYetValid = 6,
  kExpired = 7,
  kRevoked = 8,
  kCollateralMissing = 9,
  kNoMatchingTcb = 10,
  kTcbStatusRejected = 11,
  kFirmwareTooOld = 12,
  kDebugEnclave = 13,
  kVmpl = 14,
  kPolicyViolation = 15,
  kMeasurementMismatch = 16,
  kBindingMismatch = 17,
  kNonceMismatch = 18,
  kSimulationDisabled = 19,
  // 20 is reserved (the ABI's TEE_FAIL_INTERNAL): a failure of the machine is
  // a non-ok Result, never a verdict, so no verdict carries it (issue 9).
};
inline constexpr FailureCode kLastFailureCode = FailureCode::kSimulationDisabled;

std::string_view FailureCodeName(FailureCode code);
std::optional<FailureCode> FailureCodeFromName(std::string_view name);

struct Failure {
  FailureCode code = FailureCode::kNone;
  std::string message;
};

// Canonical claims a later re-evaluation needs (certificate serials, FMSPC,
// TCB components, measurements, ...): sorted keys, byte values, so the stored
// encoding is deterministic.
using ClaimSet = std::map<std::string, Bytes>;

struct Verdict {
  TeeType tee_type = TeeType::None;
  bool hardware_verified = false;
  bool certificate_chain_valid = false;
  bool measurements_valid = false;
  std::optional<bool> binding_valid;
  bool debug = false;
  std::optional<std::string> tcb_status;
  std::vector<std::string> advisory_ids;
  // Inclusive unix seconds (§5); set when the evidence could be dated.
  std::optional<uint64_t> valid_until;
  // Earliest time the verdict holds (latest notBefore/issue date used).
  uint64_t valid_from = 0;
  std::vector<Failure> failures;
  nlohmann::json claims = nlohmann::json::object();
  ClaimSet reeval_claims;
  // Identity of what the vendor key signed (pipeline::EvidenceId, §4): one
  // evidence backs one validator. Unset when the evidence did not parse.
  std::optional<Hash32> evidence_id;

  bool valid() const { return failures.empty(); }
  FailureCode reason() const;
  void Fail(FailureCode code, std::string message);
  bool Has(FailureCode code) const;
};

// The flat JSON of §3.
nlohmann::json VerdictToJson(const Verdict& v);

}  // namespace tenzro::tee
