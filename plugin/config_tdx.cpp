// [tee.consensus.tdx]: the TDX verifier's chain policy.
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {

Status ParseTdxPolicy(const toml::table& t, std::string_view origin, tdx::Policy& /*out*/) {
  return cfg::CheckKeys(t, origin, "tee.consensus.tdx.", {});
}

void CanonicalTdxPolicy(const tdx::Policy& /*p*/, std::map<std::string, std::string>& /*kv*/) {}

}  // namespace tenzro::tee::plugin
