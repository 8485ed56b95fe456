// Verdict: the one result shape of every verifier (DESIGN §3).
//
// A verdict is about the evidence only: valid, or invalid with reasons in
// check order. Failures of the machine (disk, memory, library) never become a
// verdict; verifiers return them as a non-ok Result instead.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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

// Collateral a verifier looked for and lacked, or found only outside its
// window (DESIGN §9), named as that verifier names its collateral kinds. A
// hint never changes a verdict; the fetchers turn hints into requests
// (fetch::TargetsForVerdict), so the fetch layer reads no failure codes or
// claims to guess what is missing.
struct FetchHint {
  std::string kind;  // the vendor's CollateralDoc kind, e.g. tdx::kKindTcbInfo
  std::string name;  // qualifier, e.g. the PCK CA: "platform" | "processor"
  Bytes id;          // identifier, e.g. the FMSPC
  friend bool operator==(const FetchHint&, const FetchHint&) = default;
};

// A verifier's typed claims (DESIGN §3 "claims"): each vendor keeps its own
// typed struct, immutable once made, and claims become JSON only at the
// edges (VerdictToJson: CLI, ABI, HTTP), through ToJson.
class Claims {
 public:
  virtual ~Claims() = default;
  virtual nlohmann::json ToJson() const = 0;
};

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
  // Null until the evidence parsed.
  std::shared_ptr<const Claims> claims;
  ClaimSet reeval_claims;
  // Identity of what the vendor key signed (pipeline::EvidenceId, §4): one
  // evidence backs one validator. Unset when the evidence did not parse.
  std::optional<Hash32> evidence_id;
  // What collateral would let this verdict go further (deduplicated).
  std::vector<FetchHint> fetch_hints;

  bool valid() const { return failures.empty(); }
  FailureCode reason() const;
  void Fail(FailureCode code, std::string message);
  bool Has(FailureCode code) const;
  void Hint(FetchHint h);
  // The claims as JSON (an empty object without claims): for the edges.
  nlohmann::json ClaimsJson() const;
};

// The flat JSON of §3.
nlohmann::json VerdictToJson(const Verdict& v);
// A record's valid_until at the edges: null for -1 (never attested), else the
// inclusive unix time.
inline nlohmann::json ValidUntilJson(int64_t v) {
  return v < 0 ? nlohmann::json() : nlohmann::json(v);
}

}  // namespace tenzro::tee
