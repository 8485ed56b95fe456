#include "attestation/verdict.h"

#include <algorithm>
#include <array>

namespace tenzro::tee {
namespace {
constexpr std::array<std::string_view, 20> kNames = {"none",
                                                     "malformed",
                                                     "unsupported",
                                                     "bad_signature",
                                                     "chain_untrusted",
                                                     "chain_incomplete",
                                                     "not_yet_valid",
                                                     "expired",
                                                     "revoked",
                                                     "collateral_missing",
                                                     "no_matching_tcb",
                                                     "tcb_status_rejected",
                                                     "firmware_too_old",
                                                     "debug_enclave",
                                                     "vmpl",
                                                     "policy_violation",
                                                     "measurement_mismatch",
                                                     "binding_mismatch",
                                                     "nonce_mismatch",
                                                     "simulation_disabled"};
}  // namespace

std::string_view FailureCodeName(FailureCode code) {
  auto i = static_cast<size_t>(code);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<FailureCode> FailureCodeFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<FailureCode>(i);
  }
  return std::nullopt;
}

FailureCode Verdict::reason() const {
  return failures.empty() ? FailureCode::kNone : failures.front().code;
}

void Verdict::Fail(FailureCode code, std::string message) {
  // Keep failures sorted by check order; checks of equal rank keep the order
  // in which they ran.
  auto pos = std::upper_bound(failures.begin(), failures.end(), code,
                              [](FailureCode c, const Failure& f) { return c < f.code; });
  failures.insert(pos, Failure{code, std::move(message)});
}

bool Verdict::Has(FailureCode code) const {
  return std::any_of(failures.begin(), failures.end(),
                     [code](const Failure& f) { return f.code == code; });
}

nlohmann::json VerdictToJson(const Verdict& v) {
  nlohmann::json j = nlohmann::json::object();
  j["tee_type"] = std::string(TeeTypeName(v.tee_type));
  j["valid"] = v.valid();
  j["hardware_verified"] = v.hardware_verified;
  j["certificate_chain_valid"] = v.certificate_chain_valid;
  j["measurements_valid"] = v.measurements_valid;
  j["binding_valid"] = v.binding_valid ? nlohmann::json(*v.binding_valid) : nlohmann::json();
  j["debug"] = v.debug;
  j["tcb_status"] = v.tcb_status ? nlohmann::json(*v.tcb_status) : nlohmann::json();
  j["advisory_ids"] = v.advisory_ids;
  // Only a valid verdict is good until a time; an invalid one is good for
  // nothing (issue 13: no far-future valid_until on a failed verdict).
  j["valid_until"] = v.valid() && v.valid_until ? nlohmann::json(*v.valid_until) : nlohmann::json();
  j["reason"] =
      v.valid() ? nlohmann::json() : nlohmann::json(std::string(FailureCodeName(v.reason())));
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : v.failures) {
    failures.push_back({{"code", std::string(FailureCodeName(f.code))}, {"message", f.message}});
  }
  j["failures"] = std::move(failures);
  j["claims"] = v.ClaimsJson();
  return j;
}

nlohmann::json Verdict::ClaimsJson() const {
  return claims ? claims->ToJson() : nlohmann::json::object();
}

void Verdict::Hint(FetchHint h) {
  if (std::find(fetch_hints.begin(), fetch_hints.end(), h) == fetch_hints.end()) {
    fetch_hints.push_back(std::move(h));
  }
}

}  // namespace tenzro::tee
