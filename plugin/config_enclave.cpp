// [tee.enclave]: enclave_crypto's root-key source (issue 14). Node-local:
// nothing here enters ChainParams or params_hash.
#include <string>

#include "plugin/config_util.h"

namespace tenzro::tee::plugin {
namespace {
using namespace cfg;
}  // namespace

Status ParseEnclave(const toml::table& t, std::string_view origin, Config& out) {
  const std::string prefix = "tee.enclave.";
  TEE_TRY(CheckKeys(t, origin, prefix, {"key_source", "vendor"}));
  TEE_TRY(ReadString(t, origin, prefix, "key_source", out.enclave_key_source));
  const std::string& ks = out.enclave_key_source;
  if (ks != "none" && ks != "sev-snp" && ks != "recipient" && ks != "simulation") {
    return Bad(origin, prefix + "key_source",
               "must be \"none\", \"sev-snp\", \"recipient\" or \"simulation\"");
  }
  std::string vendor = ks == "sev-snp" ? "snp" : "tdx";
  TEE_TRY(ReadString(t, origin, prefix, "vendor", vendor));
  auto type = TeeTypeFromCliName(vendor);
  if (!type || (*type != TeeType::IntelTdx && *type != TeeType::AmdSevSnp &&
                *type != TeeType::AwsNitro && *type != TeeType::NvidiaGpu)) {
    return Bad(origin, prefix + "vendor", "must be \"tdx\", \"snp\", \"nitro\" or \"nvidia\"");
  }
  out.enclave_vendor = *type;
  if (ks == "sev-snp" && *type != TeeType::AmdSevSnp) {
    return Bad(origin, prefix + "vendor", "key_source \"sev-snp\" needs vendor \"snp\"");
  }
  if (ks == "simulation" && !out.simulation) {
    return Bad(origin, prefix + "key_source",
               "\"simulation\" needs [tee.consensus] simulation = true");
  }
  return Status::Ok();
}

}  // namespace tenzro::tee::plugin
