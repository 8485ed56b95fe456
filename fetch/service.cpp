#include "fetch/service.h"

#include "attestation/tdx/tdx_verifier.h"

#include <ctime>

#include "fetch/kds_source.h"
#include "fetch/pcs_source.h"

namespace tenzro::tee::fetch {

Result<std::unique_ptr<FetchService>> FetchService::Start(const FetchConfig& config,
                                                          const AttestationVerifier& verifiers,
                                                          FetchSink& sink,
                                                          std::shared_ptr<spdlog::logger> logger,
                                                          UnixClock clock, KnownCollateral known) {
  std::unique_ptr<FetchService> s(new FetchService());
  s->logger_ = logger;
  std::optional<BaseUrl> pcs_base, kds_base;
  if (!config.pcs_url.empty()) {
    auto b = ParseBaseUrl(config.pcs_url);
    if (!b.ok()) return Error(ErrorCode::kConfig, "pcs_url: " + b.status().message());
    pcs_base = std::move(b).value();
  }
  if (!config.kds_url.empty()) {
    auto b = ParseBaseUrl(config.kds_url);
    if (!b.ok()) return Error(ErrorCode::kConfig, "kds_url: " + b.status().message());
    kds_base = std::move(b).value();
  }
  HttpsOptions http;
  http.ca_bundle = config.ca_bundle;
  http.timeout = config.timeout;
  http.max_body_bytes = config.max_body_bytes;
  TEE_ASSIGN_OR_RETURN(s->client_, HttpsClient::Create(http));
  s->pool_ = std::make_unique<ThreadPool>(config.threads, config.max_tasks);

  Fetcher::Deps deps;
  deps.pool = s->pool_.get();
  deps.client = s->client_.get();
  deps.verifiers = &verifiers;
  deps.sink = &sink;
  deps.clock = clock ? std::move(clock)
                     : UnixClock([] { return static_cast<uint64_t>(std::time(nullptr)); });
  deps.known = std::move(known);
  deps.logger = logger;
  if (pcs_base) {
    s->pcs_ =
        std::make_unique<Fetcher>(std::make_unique<PcsSource>(), *pcs_base, config.fetcher, deps);
    s->pcs_->StartRefresh();
  }
  if (kds_base) {
    s->kds_ =
        std::make_unique<Fetcher>(std::make_unique<KdsSource>(), *kds_base, config.fetcher, deps);
    s->kds_->StartRefresh();
  }
  if (logger) {
    logger->info("collateral fetchers: pcs {}, kds {} ({} threads, timeout {} ms, refresh {} s)",
                 pcs_base ? pcs_base->Origin() + pcs_base->prefix : std::string("off"),
                 kds_base ? kds_base->Origin() + kds_base->prefix : std::string("off"),
                 config.threads, config.timeout.count(), config.fetcher.refresh_interval.count());
  }
  return s;
}

FetchService::~FetchService() { Shutdown(); }

void FetchService::Shutdown() {
  // Order: no new work, abort what is in flight, then join.
  if (pcs_) pcs_->Shutdown();
  if (kds_) kds_->Shutdown();
  if (client_) client_->CancelAll();
  if (pool_) pool_->Stop();
}

Status FetchService::Request(const FetchTarget& target) {
  Fetcher* f = IsPcsKind(target.kind) ? pcs_.get() : kds_.get();
  if (f == nullptr) {
    return Error(ErrorCode::kUnsupported,
                 std::string(IsPcsKind(target.kind) ? "pcs_url" : "kds_url") +
                     " is not configured: cannot fetch " + target.Key());
  }
  return f->Request(target);
}

void FetchService::RequestGlobal() {
  std::vector<FetchTarget> targets;
  if (pcs_) {
    for (TeeType t : {TeeType::IntelTdx, TeeType::IntelSgx}) {
      targets.push_back(FetchTarget::QeIdentity(t));
      targets.push_back(FetchTarget::PckCrl(t, "platform"));
      targets.push_back(FetchTarget::PckCrl(t, "processor"));
      targets.push_back(FetchTarget::RootCaCrl(t));
    }
  }
  if (kds_) {
    for (const char* product : {"Milan", "Genoa", "Turin"}) {
      targets.push_back(FetchTarget::VcekChain(product));
      targets.push_back(FetchTarget::VlekChain(product));
      targets.push_back(FetchTarget::KdsCrl(product));
    }
  }
  for (const auto& t : targets) {
    Status st = Request(t);
    if (!st.ok() && logger_) logger_->warn("cannot request {}: {}", t.Key(), st.message());
  }
}

std::vector<FetchTarget> TargetsForVerdict(TeeType type, const Verdict& verdict) {
  std::vector<FetchTarget> out;
  if (type != TeeType::IntelTdx && type != TeeType::IntelSgx) return out;
  for (const FetchHint& h : verdict.fetch_hints) {
    if (h.kind == tdx::kKindTcbInfo && h.id.size() == 6) {
      out.push_back(FetchTarget::TcbInfo(type, AsView(h.id)));
    } else if (h.kind == tdx::kKindQeIdentity) {
      out.push_back(FetchTarget::QeIdentity(type));
    } else if (h.kind == tdx::kKindPckCrl && (h.name == "platform" || h.name == "processor")) {
      out.push_back(FetchTarget::PckCrl(type, h.name));
    } else if (h.kind == tdx::kKindRootCaCrl) {
      out.push_back(FetchTarget::RootCaCrl(type));
    }
  }
  return out;
}

}  // namespace tenzro::tee::fetch
