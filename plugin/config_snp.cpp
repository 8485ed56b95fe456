// [tee.consensus.snp]: the SNP verifier's chain policy.
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {

Status ParseSnpPolicy(const toml::table& t, std::string_view origin, snp::Policy& /*out*/) {
  return cfg::CheckKeys(t, origin, "tee.consensus.snp.", {});
}

void CanonicalSnpPolicy(const snp::Policy& /*p*/, std::map<std::string, std::string>& /*kv*/) {}

}  // namespace tenzro::tee::plugin
