#include "attestation/hybrid.h"

namespace tenzro::tee {

const char* ZkResultName(ZkResult r) {
  switch (r) {
    case ZkResult::kValid:
      return "valid";
    case ZkResult::kInvalid:
      return "invalid";
    default:
      return "unsupported";
  }
}

std::string HybridVerdict::reason() const {
  if (!tee.valid()) return std::string(FailureCodeName(tee.reason()));
  if (zk == ZkResult::kUnsupported) return std::string(FailureCodeName(FailureCode::kUnsupported));
  if (zk == ZkResult::kInvalid) return "zk_invalid";
  return {};
}

Result<HybridVerdict> VerifyHybrid(const AttestationVerifier& verifier, HybridRequest req,
                                   const ZkVerifyFn& zk) {
  HybridVerdict out;
  out.binding = ZkBinding::For(req.proof, req.public_inputs, req.vk_id, req.challenge);
  req.tee.binding = out.binding;
  TEE_ASSIGN_OR_RETURN(out.tee, VerifyStandalone(verifier, req.tee));
  out.zk = zk ? zk(req.vk_id, req.proof, req.public_inputs) : ZkResult::kUnsupported;
  return out;
}

nlohmann::json HybridToJson(const HybridVerdict& v) {
  nlohmann::json j = nlohmann::json::object();
  j["valid"] = v.valid();
  const std::string reason = v.reason();
  j["reason"] = reason.empty() ? nlohmann::json() : nlohmann::json(reason);
  j["tee"] = VerdictToJson(v.tee);
  nlohmann::json zk = nlohmann::json::object();
  zk["status"] = ZkResultName(v.zk);
  zk["vk_id"] = ToHex(AsView(v.binding.vk_id));
  zk["proof_sha256"] = ToHex(AsView(v.binding.proof_hash));
  zk["public_inputs_sha256"] = ToHex(AsView(v.binding.public_inputs_hash));
  j["zk"] = std::move(zk);
  return j;
}

}  // namespace tenzro::tee
