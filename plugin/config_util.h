// Helpers for reading config tables (private to the plugin layer): every
// error names the full key. Per-vendor policy tables ([tee.consensus.tdx],
// [tee.consensus.snp], ...) are parsed in their own files with these.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/status.h"
#include "plugin/config.h"

namespace tenzro::tee::plugin {

namespace cfg {
Status Bad(std::string_view origin, const std::string& key, const std::string& what);
Status CheckKeys(const toml::table& t, std::string_view origin, const std::string& prefix,
                 const std::set<std::string>& allowed);
// Unsigned integer in [min, max]; TOML integer, or decimal/0x string.
Status ReadU64(const toml::table& t, std::string_view origin, const std::string& prefix,
               const char* key, uint64_t min, uint64_t max, uint64_t& out);
Status ReadBool(const toml::table& t, std::string_view origin, const std::string& prefix,
                const char* key, bool& out);
Status ReadString(const toml::table& t, std::string_view origin, const std::string& prefix,
                  const char* key, std::string& out);
const toml::table* SubTable(const toml::table& t, const char* key, std::string_view origin,
                            const std::string& name, Status& status);
}  // namespace cfg

// [tee.consensus.tdx] and [tee.consensus.snp] (plugin/config_tdx.cpp,
// plugin/config_snp.cpp).
Status ParseTdxPolicy(const toml::table& t, std::string_view origin, tdx::Policy& out);
Status ParseSnpPolicy(const toml::table& t, std::string_view origin, snp::Policy& out);
// [tee.consensus.nitro] (plugin/config_nitro.cpp, issue 10).
Status ParseNitroPolicy(const toml::table& t, std::string_view origin, nitro::Policy& out);
// [tee.consensus.nvidia] (plugin/config_nvidia.cpp).
Status ParseNvidiaPolicy(const toml::table& t, std::string_view origin, nvidia::Policy& out);
// [tee.enclave] (plugin/config_enclave.cpp); after [tee.consensus], whose
// simulation switch it checks.
Status ParseEnclave(const toml::table& t, std::string_view origin, Config& out);
// [tee.http] (plugin/config_http.cpp; issue 13). Node-local, never hashed.
Status ParseHttp(const toml::table& t, std::string_view origin, http::HttpConfig& out);
// Canonical key=value entries ("tdx.<key>", "snp.<key>") for params_hash.
void CanonicalTdxPolicy(const tdx::Policy& p, std::map<std::string, std::string>& kv);
void CanonicalSnpPolicy(const snp::Policy& p, std::map<std::string, std::string>& kv);
void CanonicalNvidiaPolicy(const nvidia::Policy& p, std::map<std::string, std::string>& kv);
void CanonicalNitroPolicy(const nitro::Policy& p, std::map<std::string, std::string>& kv);

}  // namespace tenzro::tee::plugin
