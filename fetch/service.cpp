#include "fetch/service.h"

#include "attestation/tdx/tdx_verifier.h"

#include <ctime>
#include <tuple>

#include "attestation/nvidia/nvidia_verifier.h"
#include "fetch/kds_source.h"
#include "fetch/nvidia_source.h"
#include "fetch/pcs_source.h"

namespace tenzro::tee::fetch {

Result<std::unique_ptr<FetchService>> FetchService::Start(const FetchConfig& config,
                                                          const AttestationVerifier& verifiers,
                                                          FetchSink& sink,
                                                          std::shared_ptr<spdlog::logger> logger,
                                                          UnixClock clock, KnownCollateral known) {
  std::unique_ptr<FetchService> s(new FetchService());
  s->logger_ = logger;
  std::optional<BaseUrl> pcs_base, kds_base, rim_base, ocsp_base;
  for (auto [key, url, out] :
       {std::tuple{"pcs_url", &config.pcs_url, &pcs_base},
        std::tuple{"kds_url", &config.kds_url, &kds_base},
        std::tuple{"nvidia_rim_url", &config.nvidia_rim_url, &rim_base},
        std::tuple{"nvidia_ocsp_url", &config.nvidia_ocsp_url, &ocsp_base}}) {
    if (url->empty()) continue;
    auto b = ParseBaseUrl(*url);
    if (!b.ok()) return Error(ErrorCode::kConfig, std::string(key) + ": " + b.status().message());
    *out = std::move(b).value();
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
  if (rim_base) {
    s->nvidia_rim_ = std::make_unique<Fetcher>(std::make_unique<NvidiaRimSource>(), *rim_base,
                                               config.fetcher, deps);
    s->nvidia_rim_->StartRefresh();
  }
  if (ocsp_base) {
    s->nvidia_ocsp_ = std::make_unique<Fetcher>(std::make_unique<NvidiaOcspSource>(), *ocsp_base,
                                                config.fetcher, deps);
    s->nvidia_ocsp_->StartRefresh();
  }
  if (logger) {
    auto shown = [](const std::optional<BaseUrl>& b) {
      return b ? b->Origin() + b->prefix : std::string("off");
    };
    logger->info(
        "collateral fetchers: pcs {}, kds {}, nvidia rim {}, nvidia ocsp {} ({} threads, timeout "
        "{} ms, refresh {} s)",
        shown(pcs_base), shown(kds_base), shown(rim_base), shown(ocsp_base), config.threads,
        config.timeout.count(), config.fetcher.refresh_interval.count());
  }
  return s;
}

FetchService::~FetchService() { Shutdown(); }

void FetchService::Shutdown() {
  // Order: no new work, abort what is in flight, then join.
  for (Fetcher* f : fetchers()) f->Shutdown();
  if (client_) client_->CancelAll();
  if (pool_) pool_->Stop();
}

std::vector<Fetcher*> FetchService::fetchers() {
  std::vector<Fetcher*> out;
  for (Fetcher* f : {pcs_.get(), kds_.get(), nvidia_rim_.get(), nvidia_ocsp_.get()}) {
    if (f != nullptr) out.push_back(f);
  }
  return out;
}

Status FetchService::Request(const FetchTarget& target) {
  Fetcher* f = nullptr;
  const char* key = nullptr;
  if (IsPcsKind(target.kind)) {
    f = pcs_.get(), key = "pcs_url";
  } else if (IsKdsKind(target.kind)) {
    f = kds_.get(), key = "kds_url";
  } else if (target.kind == Kind::kNvidiaRim) {
    f = nvidia_rim_.get(), key = "nvidia_rim_url";
  } else {
    f = nvidia_ocsp_.get(), key = "nvidia_ocsp_url";
  }
  if (f == nullptr) {
    return Error(ErrorCode::kUnsupported,
                 std::string(key) + " is not configured: cannot fetch " + target.Key());
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
  if (type == TeeType::NvidiaGpu) {
    for (const FetchHint& h : verdict.fetch_hints) {
      if (h.kind == nvidia::kKindRim && !h.name.empty()) {
        out.push_back(FetchTarget::NvidiaRim(h.name));
      } else if (h.kind == nvidia::kKindOcsp && !h.id.empty()) {
        // id = certificate DER || issuer DER (NvidiaOcspSource::Check splits it).
        FetchTarget t;
        t.tee_type = TeeType::NvidiaGpu;
        t.kind = Kind::kNvidiaOcsp;
        t.id = h.id;
        out.push_back(std::move(t));
      }
    }
    return out;
  }
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
