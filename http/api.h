// Api: the routes of the operators' HTTP API (issue 13), as a Handler for
// http::Server. Not consensus (DESIGN §2): it verifies evidence through the
// non-consensus path it is given (never the consensus verifier's state) and
// reads committed registry data; it changes nothing.
//
//   POST /api/verify/tee-attestation           the seed's request, verdict of §3
//   GET  /api/registry/validators              ?tee_type=&status=&limit=&cursor=
//   GET  /api/registry/validators/{id}
//   GET  /api/registry/providers               ?tee_type=&model=&limit=&cursor= (issue 15)
//   GET  /api/registry/providers/{id}
//   GET  /api/epochs/{epoch}
//   GET  /api/epochs/{epoch}/schedule          ?from=&count=
//   GET  /api/openapi.json                     the committed OpenAPI 3 document
//   GET  /metrics                              Prometheus text format (http/metrics.h)
//   GET  /healthz                              answered on the I/O thread, no lock
//
// Every answer is JSON; errors are {"error": code, "message": text} with a
// 4xx for the caller's mistakes and a 5xx for the machine's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/standalone.h"
#include "consensus_hooks/hooks.h"
#include "http/metrics.h"
#include "http/server.h"

namespace tenzro::tee::http {

struct ApiLimits {
  uint64_t max_evidence_bytes = 256u << 10;
  uint64_t max_collateral_blobs = 256;
  uint64_t max_collateral_bytes = 32u << 20;
  size_t max_page = 1000;  // validators per page
  size_t default_page = 100;
  uint64_t max_schedule = 10000;  // slots per schedule request
  uint64_t default_schedule = 100;
  size_t max_json_depth = 16;  // nesting refused before parsing
};

// Where `at` comes from when a verify request gives none.
enum class DefaultTime {
  kLatestEpoch,  // the node's latest epoch time; the wall clock before any epoch
  kWallClock,    // standalone servers
};

using VerifyFn = std::function<Result<Verdict>(StandaloneRequest)>;
// The hooks to read: fixed for a plugin, the latest reload for `serve`. Each
// request reads through one returned pointer, so it sees one generation.
using HooksSource = std::function<std::shared_ptr<const consensus::ConsensusHooks>()>;
using ClockFn = std::function<uint64_t()>;  // unix seconds

struct ApiOptions {
  ApiLimits limits;
  std::string bearer_token;  // empty: no authentication
  DefaultTime default_time = DefaultTime::kLatestEpoch;
  ClockFn wall_clock;  // null: the system clock
  // Fills the values GET /metrics reads at scrape time from their owners
  // (fetchers, server); the API adds attested validators by type itself.
  std::function<void(ScrapeValues&)> scrape;
  // Shared with the owner that observes registrations and epochs (the
  // plugin); null: the API makes its own.
  std::shared_ptr<Metrics> metrics;
};

// A route as the OpenAPI document names it ("/api/epochs/{epoch}").
struct RouteInfo {
  std::string method;
  std::string path;
  bool blocking = false;
};

class Api final : public Handler {
 public:
  // `verify` runs the non-consensus path; `hooks` never returns null.
  Api(HooksSource hooks, VerifyFn verify, ApiOptions options);

  bool Blocking(const Request& req) const override;
  Response Handle(const Request& req) const override;

  static std::vector<RouteInfo> Routes();

 private:
  struct Route;
  struct Match;
  Response Verify(const Request& req) const;
  Response ListValidators(const Match& m) const;
  Response GetValidator(const Match& m) const;
  Response ListProviders(const Match& m) const;
  Response GetProvider(const Match& m) const;
  Response GetEpoch(const Match& m) const;
  Response GetSchedule(const Match& m) const;
  Response Health(const Match& m) const;
  Response OpenApi(const Match& m) const;
  Response MetricsText(const Match& m) const;
  static const std::vector<Route>& Table();
  bool Authorized(const Request& req) const;

  HooksSource hooks_;
  VerifyFn verify_;
  ApiOptions options_;
  std::shared_ptr<Metrics> metrics_;  // never null
};

// The committed OpenAPI 3 document (http/openapi.json), embedded at build time.
std::string_view OpenApiDocument();

}  // namespace tenzro::tee::http
