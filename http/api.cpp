#include "http/api.h"

#include "registry/provider_record.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "fetch/url.h"
#include "http/verify_body.h"

namespace tenzro::tee::http {

using nlohmann::json;

struct Api::Match {
  std::vector<std::string> params;           // the {…} segments, in order
  std::map<std::string, std::string> query;  // decoded
  const Request* req = nullptr;
};

struct Api::Route {
  const char* method;
  const char* path;
  bool blocking;  // takes the registry's lock or verifies: runs on the pool
  bool open;      // answered without a bearer token
  std::vector<std::string> query_keys;
  Response (Api::*handle)(const Match&) const;
};

namespace {

Response Json(unsigned status, const json& j) {
  Response r;
  r.status = status;
  r.body = j.dump();
  return r;
}

Response BadRequest(const std::string& code, const std::string& message) {
  return JsonError(400, code, message);
}

// A Status of the layers below as an HTTP answer.
Response FromStatus(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kNotFound:
    case ErrorCode::kNoSnapshot:
    case ErrorCode::kEmpty:
      return JsonError(404, "not_found", s.message());
    case ErrorCode::kInvalidArgument:
      return BadRequest("invalid_argument", s.message());
    case ErrorCode::kTooLarge:
      return JsonError(413, "payload_too_large", s.message());
    default:
      return JsonError(500, "internal", std::string(ErrorCodeName(s.code())));
  }
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 1;  // path starts with '/'
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Unsigned decimal, no sign, no leading '+', at most 2^64 - 1.
std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string TypeName(uint8_t t) {
  auto type = TeeTypeFromInt(t);
  return type ? std::string(TeeTypeName(*type)) : "Unknown";
}

json ReasonJson(uint8_t reason) {
  if (reason == 0) return nullptr;
  return std::string(FailureCodeName(static_cast<FailureCode>(reason)));
}

json IndexedJson(const registry::IndexedValidator& v) {
  return {{"id", ToHex(AsView(v.id))},
          {"stake", U256ToDecimal(U256FromBe(v.stake_be))},
          {"tee_type", TypeName(v.state.tee_type)},
          {"status",
           registry::ValidatorStatusName(static_cast<registry::ValidatorStatus>(v.state.status))},
          {"reason", ReasonJson(v.state.reason)},
          {"valid_until", ValidUntilJson(v.state.valid_until)}};
}

}  // namespace

Api::Api(HooksSource hooks, VerifyFn verify, ApiOptions options)
    : hooks_(std::move(hooks)),
      verify_(std::move(verify)),
      options_(std::move(options)),
      metrics_(options_.metrics ? options_.metrics : std::make_shared<Metrics>()) {}

const std::vector<Api::Route>& Api::Table() {
  const std::vector<std::string> validator_query = {"tee_type", "status", "limit", "cursor"};
  const std::vector<std::string> provider_query = {"tee_type", "model", "limit", "cursor"};
  const std::vector<std::string> schedule_query = {"from", "count"};
  static const std::vector<Route> kRoutes = {
      {"POST", "/api/verify/tee-attestation", true, false, {}, nullptr},
      {"GET", "/api/registry/validators", true, false, validator_query, &Api::ListValidators},
      {"GET", "/api/registry/validators/{id}", true, false, {}, &Api::GetValidator},
      {"GET", "/api/registry/providers", true, false, provider_query, &Api::ListProviders},
      {"GET", "/api/registry/providers/{id}", true, false, {}, &Api::GetProvider},
      {"GET", "/api/epochs/{epoch}", true, false, {}, &Api::GetEpoch},
      {"GET", "/api/epochs/{epoch}/schedule", true, false, schedule_query, &Api::GetSchedule},
      {"GET", "/api/openapi.json", false, true, {}, &Api::OpenApi},
      {"GET", "/metrics", true, false, {}, &Api::MetricsText},
      {"GET", "/healthz", false, true, {}, &Api::Health},
  };
  return kRoutes;
}

std::vector<RouteInfo> Api::Routes() {
  std::vector<RouteInfo> out;
  for (const Route& r : Table()) out.push_back({r.method, r.path, r.blocking});
  return out;
}

namespace {

// Matches a path against a route pattern; {…} segments are captured.
bool MatchPath(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  auto ps = Segments(pattern);
  auto xs = Segments(path);
  if (ps.size() != xs.size()) return false;
  std::vector<std::string> captured;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (!ps[i].empty() && ps[i].front() == '{') {
      if (xs[i].empty()) return false;
      captured.emplace_back(xs[i]);
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  params = std::move(captured);
  return true;
}

}  // namespace

bool Api::Blocking(const Request& req) const {
  const std::string_view target(req.target);
  const std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> params;
  for (const Route& r : Table()) {
    if (req.method == r.method && MatchPath(r.path, path, params)) return r.blocking;
  }
  return false;  // 404 and 405 are answered at once
}

bool Api::Authorized(const Request& req) const {
  if (options_.bearer_token.empty()) return true;
  const std::string expected = "Bearer " + options_.bearer_token;
  // Digests first: the comparison then takes the same time for every length.
  const Hash32 a =
      crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(expected.data()), expected.size()));
  const Hash32 b = crypto::Sha256(ByteView(
      reinterpret_cast<const uint8_t*>(req.authorization.data()), req.authorization.size()));
  return crypto::ConstantTimeEqual(AsView(a), AsView(b));
}

Response Api::Handle(const Request& req) const {
  const std::string_view target(req.target);
  if (target.empty() || target.front() != '/')
    return BadRequest("bad_target", "request target must be a path");
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const Route* route = nullptr;
  Match m;
  m.req = &req;
  std::string allow;
  for (const Route& r : Table()) {
    std::vector<std::string> params;
    if (!MatchPath(r.path, path, params)) continue;
    if (req.method != r.method) {
      allow += (allow.empty() ? "" : ", ") + std::string(r.method);
      continue;
    }
    route = &r;
    m.params = std::move(params);
    break;
  }
  if (route == nullptr) {
    if (!allow.empty()) {
      Response r = JsonError(405, "method_not_allowed", req.method + " is not allowed here");
      r.allow = allow;
      return r;
    }
    return JsonError(404, "not_found", "no route " + std::string(path));
  }
  if (!route->open && !Authorized(req)) {
    return JsonError(401, "unauthorized", "missing or wrong bearer token");
  }
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      auto key = fetch::PercentDecode(pair.substr(0, eq));
      auto value = fetch::PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
      if (!key || !value) return BadRequest("bad_query", "bad percent escape in the query");
      if (std::find(route->query_keys.begin(), route->query_keys.end(), *key) ==
          route->query_keys.end()) {
        return BadRequest("bad_query", "unknown query parameter " + *key);
      }
      if (!m.query.emplace(*key, *value).second)
        return BadRequest("bad_query", "query parameter " + *key + " given twice");
    }
  }
  if (route->handle == nullptr) return Verify(req);
  return (this->*(route->handle))(m);
}

Response Api::Health(const Match&) const { return Json(200, {{"status", "ok"}}); }

Response Api::MetricsText(const Match&) const {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = metrics_->Render([&](ScrapeValues& v) {
    if (options_.scrape) options_.scrape(v);
    const auto hooks = hooks_();
    const std::vector<uint64_t> attested = hooks->AttestedByType();
    for (size_t t = 0; t < attested.size() && t < std::size(v.attested); ++t)
      v.attested[t] = attested[t];
    if (const auto admitted = hooks->AdmittedCollateral()) {
      for (const CollateralDoc& d : admitted->docs())
        ++v.collateral[{std::string(TeeTypeName(d.tee_type)), d.kind}];
    }
  });
  return r;
}

Response Api::OpenApi(const Match&) const {
  Response r;
  r.body = std::string(OpenApiDocument());
  return r;
}

Response Api::Verify(const Request& req) const {
  auto read = ReadVerifyBody(req.body, options_.limits);
  if (auto* error = std::get_if<Response>(&read)) return std::move(*error);
  const VerifyBody& body = std::get<VerifyBody>(read);
  const TeeType type = body.tee_type;
  StandaloneRequest sreq;
  sreq.tee_type = type;
  sreq.evidence = AsView(body.evidence);
  sreq.collateral_blobs.reserve(body.collateral.size());
  for (const Bytes& b : body.collateral) sreq.collateral_blobs.push_back(AsView(b));
  if (body.binding) sreq.binding = *body.binding;

  std::string at_source = "request";
  if (body.at) {
    sreq.now = *body.at;
  } else {
    std::optional<uint64_t> epoch_time;
    if (options_.default_time == DefaultTime::kLatestEpoch) {
      const auto hooks = hooks_();
      if (auto last = hooks->last_epoch()) {
        auto report = hooks->Report(*last);
        if (!report.ok()) return FromStatus(report.status());
        epoch_time = report->epoch_time;
      }
    }
    if (epoch_time) {
      sreq.now = *epoch_time;
      at_source = "latest_epoch";
    } else {
      sreq.now =
          options_.wall_clock
              ? options_.wall_clock()
              : static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
      at_source = "wall_clock";
    }
  }

  const uint64_t at = sreq.now;
  const auto started = std::chrono::steady_clock::now();
  auto verdict = verify_(std::move(sreq));
  metrics_->ObserveVerify(
      type, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
      verdict.ok() ? &*verdict : nullptr);
  if (!verdict.ok()) return FromStatus(verdict.status());
  json out = VerdictToJson(*verdict);
  out["provider"] = std::string(TeeTypeName(type));
  out["at"] = at;
  out["at_source"] = at_source;
  return Json(200, out);
}

Response Api::ListValidators(const Match& m) const {
  consensus::ValidatorQuery q;
  q.limit = options_.limits.default_page;
  if (auto it = m.query.find("tee_type"); it != m.query.end()) {
    q.tee_type = TeeTypeFromName(it->second);
    if (!q.tee_type) return BadRequest("unknown_provider", "unknown tee_type " + it->second);
  }
  if (auto it = m.query.find("status"); it != m.query.end()) {
    q.status = registry::ValidatorStatusFromName(it->second);
    if (!q.status)
      return BadRequest("invalid_argument",
                        "status must be attested, unattested, expired or revoked");
  }
  if (auto it = m.query.find("limit"); it != m.query.end()) {
    auto v = ParseU64(it->second);
    if (!v || *v == 0 || *v > options_.limits.max_page)
      return BadRequest("invalid_argument",
                        "limit must be in [1, " + std::to_string(options_.limits.max_page) + "]");
    q.limit = static_cast<size_t>(*v);
  }
  if (auto it = m.query.find("cursor"); it != m.query.end()) {
    q.after = FromHexFixed<32>(it->second);
    if (!q.after) return BadRequest("invalid_argument", "cursor must be 64 hex digits");
  }
  const consensus::ValidatorPage page = hooks_()->ListValidators(q);
  json list = json::array();
  for (const auto& v : page.validators) list.push_back(IndexedJson(v));
  return Json(200, {{"validators", list},
                    {"next_cursor", page.next ? json(ToHex(AsView(*page.next))) : json()}});
}

Response Api::GetValidator(const Match& m) const {
  auto id = FromHexFixed<32>(m.params[0]);
  if (!id) return BadRequest("invalid_argument", "validator id must be 64 hex digits");
  auto rec = hooks_()->GetRecord(*id);
  if (!rec.ok()) return FromStatus(rec.status());
  const registry::ValidatorRecord& r = *rec;
  json claims = json::object();
  for (const auto& [k, v] : r.claims) claims[k] = ToHex(AsView(v));
  return Json(
      200, {{"id", ToHex(AsView(r.id))},
            {"stake", U256ToDecimal(U256FromBe(r.stake_be))},
            {"tee_type", std::string(TeeTypeName(r.tee_type))},
            {"status", registry::ValidatorStatusName(r.status)},
            {"evidence_hash", r.backs_evidence() ? json(ToHex(AsView(r.evidence_hash))) : json()},
            {"registered_at", r.registered_at},
            {"registered_epoch", r.registered_epoch},
            {"last_verdict",
             {{"valid", r.attested()},
              {"reason", ReasonJson(static_cast<uint8_t>(r.reason))},
              {"valid_from", r.valid_from},
              {"valid_until", ValidUntilJson(r.valid_until)},
              {"verified_at_epoch", r.verified_at_epoch}}},
            {"claims", claims}});
}

namespace {

json ProviderJson(const registry::ProviderRecord& r) {
  json evidence = json::array();
  for (const auto& e : r.evidence) {
    json claims = json::object();
    for (const auto& [k, v] : e.claims) claims[k] = ToHex(AsView(v));
    evidence.push_back({{"tee_type", std::string(TeeTypeName(e.tee_type))},
                        {"evidence_hash", ToHex(AsView(e.evidence_hash))},
                        {"reason", ReasonJson(static_cast<uint8_t>(e.reason))},
                        {"valid_from", e.valid_from},
                        {"valid_until", ValidUntilJson(e.valid_until)},
                        {"claims", claims}});
  }
  return {{"id", ToHex(AsView(r.id))},
          {"model_id", r.model_id},
          {"model_hash", ToHex(AsView(r.model_hash))},
          {"status", registry::ValidatorStatusName(r.status)},
          {"reason", ReasonJson(static_cast<uint8_t>(r.reason))},
          {"valid_until", ValidUntilJson(r.valid_until)},
          {"registered_at", r.registered_at},
          {"registered_epoch", r.registered_epoch},
          {"verified_at_epoch", r.verified_at_epoch},
          {"evidence", evidence}};
}

}  // namespace

// Committed providers by TEE type and/or model id, in id order. One of the
// two filters is required: the hooks index providers by type and by model.
Response Api::ListProviders(const Match& m) const {
  std::optional<TeeType> type;
  std::optional<std::string> model;
  size_t limit = options_.limits.default_page;
  std::optional<registry::ProviderId> after;
  if (auto it = m.query.find("tee_type"); it != m.query.end()) {
    type = TeeTypeFromName(it->second);
    if (!type) return BadRequest("unknown_provider", "unknown tee_type " + it->second);
  }
  if (auto it = m.query.find("model"); it != m.query.end()) {
    if (!registry::ValidateModelId(it->second).ok())
      return BadRequest("invalid_argument", "model must be 1..128 printable ASCII bytes");
    model = it->second;
  }
  if (!type && !model) return BadRequest("invalid_argument", "give tee_type, model or both");
  if (auto it = m.query.find("limit"); it != m.query.end()) {
    auto v = ParseU64(it->second);
    if (!v || *v == 0 || *v > options_.limits.max_page)
      return BadRequest("invalid_argument",
                        "limit must be in [1, " + std::to_string(options_.limits.max_page) + "]");
    limit = static_cast<size_t>(*v);
  }
  if (auto it = m.query.find("cursor"); it != m.query.end()) {
    after = FromHexFixed<32>(it->second);
    if (!after) return BadRequest("invalid_argument", "cursor must be 64 hex digits");
  }
  // One read of the hooks; with both filters, the model's providers in
  // chunks, kept when they carry evidence of the type.
  const auto hooks = hooks_();
  std::vector<registry::ProviderRecord> page;
  bool more = false;
  for (std::optional<registry::ProviderId> from = after;;) {
    const size_t chunk = limit + 1;
    auto got = model ? hooks->ProvidersByModel(*model, from, chunk)
                     : hooks->ProvidersByType(*type, from, chunk);
    for (auto& r : got) {
      if (type && !r.HasType(*type)) continue;
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.push_back(std::move(r));
    }
    if (more || got.size() < chunk) break;
    from = got.back().id;
  }
  json list = json::array();
  for (const auto& r : page) list.push_back(ProviderJson(r));
  return Json(200, {{"providers", list},
                    {"next_cursor", more ? json(ToHex(AsView(page.back().id))) : json()}});
}

Response Api::GetProvider(const Match& m) const {
  auto id = FromHexFixed<32>(m.params[0]);
  if (!id) return BadRequest("invalid_argument", "provider id must be 64 hex digits");
  auto rec = hooks_()->GetProvider(*id);
  if (!rec.ok()) return FromStatus(rec.status());
  return Json(200, ProviderJson(*rec));
}

Response Api::GetEpoch(const Match& m) const {
  auto epoch = ParseU64(m.params[0]);
  if (!epoch) return BadRequest("invalid_argument", "epoch must be an unsigned integer");
  auto r = hooks_()->Report(*epoch);
  if (!r.ok()) return FromStatus(r.status());
  return Json(200, {{"epoch", r->epoch},
                    {"epoch_time", r->epoch_time},
                    {"seed", ToHex(AsView(r->seed))},
                    {"snapshot_size", r->snapshot_size},
                    {"attested", r->attested},
                    {"reevaluated", r->reevaluated},
                    {"demoted", r->demoted},
                    {"expiring", r->expiring},
                    {"total_weight", U256ToDecimal(U256FromBe(r->total_weight_be))},
                    {"params_hash", ToHex(AsView(r->params_hash))},
                    {"collateral_hash", ToHex(AsView(r->collateral_hash))}});
}

Response Api::GetSchedule(const Match& m) const {
  auto epoch = ParseU64(m.params[0]);
  if (!epoch) return BadRequest("invalid_argument", "epoch must be an unsigned integer");
  uint64_t from = 0, count = options_.limits.default_schedule;
  if (auto it = m.query.find("from"); it != m.query.end()) {
    auto v = ParseU64(it->second);
    if (!v) return BadRequest("invalid_argument", "from must be an unsigned integer");
    from = *v;
  }
  if (auto it = m.query.find("count"); it != m.query.end()) {
    auto v = ParseU64(it->second);
    if (!v || *v == 0 || *v > options_.limits.max_schedule)
      return BadRequest("invalid_argument", "count must be in [1, " +
                                                std::to_string(options_.limits.max_schedule) + "]");
    count = *v;
  }
  if (from > UINT64_MAX - (count - 1))
    return BadRequest("invalid_argument", "slot range passes 2^64");
  auto view = hooks_()->Epoch(*epoch);
  if (!view.ok()) return FromStatus(view.status());
  auto table = (*view)->Table();
  if (!table.ok()) return FromStatus(table.status());
  std::vector<uint32_t> idx(static_cast<size_t>(count));
  (*table)->Schedule(from, count, idx.data());
  json leaders = json::array();
  for (uint32_t i : idx) leaders.push_back(ToHex(AsView((*view)->IdAt(i))));
  return Json(200, {{"epoch", *epoch}, {"from", from}, {"count", count}, {"leaders", leaders}});
}

}  // namespace tenzro::tee::http
