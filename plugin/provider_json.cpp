#include "plugin/provider_json.h"

#include <string>

namespace tenzro::tee::plugin {
namespace {
nlohmann::json Reason(FailureCode code) {
  return code == FailureCode::kNone ? nlohmann::json()
                                    : nlohmann::json(std::string(FailureCodeName(code)));
}
}  // namespace

nlohmann::json ProviderCheckToJson(const consensus::ProviderCheck& c) {
  const registry::ProviderRecord& r = c.record;
  nlohmann::json j = nlohmann::json::object();
  j["provider_id"] = ToHex(AsView(r.id));
  j["model_id"] = r.model_id;  // printable ASCII (ValidateModelId)
  j["model_hash"] = ToHex(AsView(r.model_hash));
  j["at"] = c.at;
  j["valid"] = c.valid;
  j["reason"] = c.valid ? nlohmann::json() : Reason(c.reason);
  j["status"] = registry::ValidatorStatusName(r.status);
  j["valid_until"] = ValidUntilJson(r.valid_until);
  j["registered_epoch"] = r.registered_epoch;
  j["verified_at_epoch"] = r.verified_at_epoch;
  // Stored claims against admitted collateral (§6): no signature re-checked.
  j["signatures_rechecked"] = false;
  nlohmann::json ev = nlohmann::json::array();
  for (size_t i = 0; i < r.evidence.size() && i < c.evidence.size(); ++i) {
    const auto& e = r.evidence[i];
    const auto& f = c.evidence[i];
    nlohmann::json x = nlohmann::json::object();
    x["tee_type"] = std::string(TeeTypeName(e.tee_type));
    x["evidence_hash"] = ToHex(AsView(e.evidence_hash));
    x["valid"] = !f.has_value();
    x["reason"] = f ? Reason(f->code) : nlohmann::json();
    x["message"] = f ? nlohmann::json(f->message) : nlohmann::json();
    x["valid_until"] = ValidUntilJson(e.valid_until);
    ev.push_back(std::move(x));
  }
  j["evidence"] = std::move(ev);
  return j;
}

}  // namespace tenzro::tee::plugin
