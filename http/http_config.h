// HttpConfig: the [tee.http] table (DESIGN §12). Node-local: the HTTP API is
// not consensus (§2), so none of these values is a chain parameter.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace tenzro::tee::http {

struct HttpConfig {
  // "host:port" (IPv4 literal, or [IPv6] literal); empty: no HTTP server.
  // Port 0 binds an ephemeral port (tests).
  std::string listen;
  // A non-loopback listen address is refused unless this is true.
  bool allow_remote = false;
  // When set, every route but /healthz needs "Authorization: Bearer <token>".
  std::string bearer_token;
  uint64_t body_limit_bytes = 1u << 20;
  uint64_t header_limit_bytes = 16u << 10;
  // From the first byte of a request to its last.
  uint64_t read_timeout_ms = 10000;
  // Waiting for the first byte of a request (new or kept-alive connection).
  uint64_t idle_timeout_ms = 30000;
  // Writing a response.
  uint64_t write_timeout_ms = 10000;
  // Connections beyond this are closed as soon as they are accepted.
  uint64_t max_connections = 256;
  uint64_t io_threads = 1;
  // The bounded verification pool: threads, and requests waiting for one
  // (beyond it: 503).
  uint64_t verify_threads = 2;
  uint64_t verify_queue = 64;

  bool enabled() const { return !listen.empty(); }
};

struct ListenAddress {
  std::string host;  // address literal, without brackets
  uint16_t port = 0;
  bool loopback = false;
};

// Parses "host:port" with a literal address (no name resolution: the
// operator states exactly which interface is exposed). kConfig on error.
Result<ListenAddress> ParseListen(const std::string& listen);

// Checks cross-field rules (allow_remote for a non-loopback address).
Status ValidateHttpConfig(const HttpConfig& c);

}  // namespace tenzro::tee::http
