// [tee.http] (issue 13): the operators' HTTP API. Node-local: none of these
// keys is a chain parameter (DESIGN §2), so none enters params_hash.
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {

using namespace cfg;

Status ParseHttp(const toml::table& t, std::string_view origin, http::HttpConfig& c) {
  const std::string prefix = "tee.http.";
  TEE_TRY(CheckKeys(t, origin, prefix,
                    {"listen", "allow_remote", "bearer_token", "body_limit_bytes",
                     "header_limit_bytes", "read_timeout_ms", "idle_timeout_ms", "write_timeout_ms",
                     "max_connections", "io_threads", "verify_threads", "verify_queue"}));
  TEE_TRY(ReadString(t, origin, prefix, "listen", c.listen));
  TEE_TRY(ReadBool(t, origin, prefix, "allow_remote", c.allow_remote));
  TEE_TRY(ReadString(t, origin, prefix, "bearer_token", c.bearer_token));
  TEE_TRY(ReadU64(t, origin, prefix, "body_limit_bytes", 1024, 256u << 20, c.body_limit_bytes));
  TEE_TRY(ReadU64(t, origin, prefix, "header_limit_bytes", 1024, 1u << 20, c.header_limit_bytes));
  TEE_TRY(ReadU64(t, origin, prefix, "read_timeout_ms", 10, 600000, c.read_timeout_ms));
  TEE_TRY(ReadU64(t, origin, prefix, "idle_timeout_ms", 10, 3600000, c.idle_timeout_ms));
  TEE_TRY(ReadU64(t, origin, prefix, "write_timeout_ms", 10, 600000, c.write_timeout_ms));
  TEE_TRY(ReadU64(t, origin, prefix, "max_connections", 1, 100000, c.max_connections));
  TEE_TRY(ReadU64(t, origin, prefix, "io_threads", 1, 64, c.io_threads));
  TEE_TRY(ReadU64(t, origin, prefix, "verify_threads", 1, 256, c.verify_threads));
  TEE_TRY(ReadU64(t, origin, prefix, "verify_queue", 1, 1u << 20, c.verify_queue));
  if (!c.bearer_token.empty() && c.bearer_token.size() < 16) {
    return Bad(origin, prefix + "bearer_token", "must be at least 16 characters");
  }
  if (Status s = http::ValidateHttpConfig(c); !s.ok()) {
    return Error(ErrorCode::kConfig, std::string(origin) + ": " + s.message());
  }
  return Status::Ok();
}

}  // namespace tenzro::tee::plugin
