#include "plugin/plugin.h"

#include <chrono>
#include <cstring>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <nlohmann/json.hpp>

#include "attestation/sim/simulator.h"
#include "crypto/hash.h"
#include "plugin/serve.h"
#include "plugin/version.h"
#include "plugin/wiring.h"
#include "storage/kv_store.h"

namespace tenzro::tee::plugin {
namespace {

// Hands formatted log lines to the host's log callback.
class HostSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit HostSink(const tee_host_callbacks& cb) : cb_(cb) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    size_t len = buf.size();
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) --len;
    cb_.log(cb_.user, ToTeeLevel(msg.level), buf.data(), len);
  }
  void flush_() override {}

 private:
  static int32_t ToTeeLevel(spdlog::level::level_enum l) {
    switch (l) {
      case spdlog::level::trace:
        return TEE_LOG_TRACE;
      case spdlog::level::debug:
        return TEE_LOG_DEBUG;
      case spdlog::level::info:
        return TEE_LOG_INFO;
      case spdlog::level::warn:
        return TEE_LOG_WARN;
      default:
        return TEE_LOG_ERROR;
    }
  }
  tee_host_callbacks cb_;
};

const char* RegistrationOutcome(const Result<consensus::RegisterOutcome>& o) {
  if (!o.ok()) return "refused";
  return o->attested ? "attested" : "unattested";
}

}  // namespace

Result<std::unique_ptr<Plugin>> Plugin::Open(const std::string& config_path,
                                             const tee_host_callbacks* callbacks) {
  if (!crypto::InitCrypto()) return Error(ErrorCode::kInternal, "libsodium failed to initialise");
  std::unique_ptr<Plugin> p(new Plugin());
  if (callbacks != nullptr) {
    // A host built against an older, smaller struct passes its own size.
    size_t n = std::min<size_t>(callbacks->size, sizeof(tee_host_callbacks));
    std::memcpy(&p->callbacks_, callbacks, n);
  }
  TEE_ASSIGN_OR_RETURN(p->config_, LoadConfig(config_path));
  if (p->config_.db_path.empty()) {
    return Error(ErrorCode::kConfig, config_path + ": tee.db_path: required");
  }
  // A node that cannot verify a vendor the chain trusts would decide unlike
  // its peers: refuse to run rather than answer `unsupported` for it.
  TEE_TRY(CheckVendorsBuilt(p->config_.chain(), config_path));

  spdlog::sink_ptr sink;
  if (p->callbacks_.log != nullptr)
    sink = std::make_shared<HostSink>(p->callbacks_);
  else
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  p->logger_ = std::make_shared<spdlog::logger>("tenzro-tee", std::move(sink));
  p->logger_->set_pattern("tenzro-tee %l: %v");
  p->logger_->set_level(spdlog::level::from_str(p->config_.log_level));

  p->params_hash_ = ParamsHash(p->config_.chain());
  if (p->config_.consensus_defaults) {
    p->logger_->warn("no [tee.consensus] table: running on built-in defaults (DESIGN §10)");
  }
  if (p->config_.collateral_admission == CollateralAdmission::kLocal) {
    p->logger_->warn(
        "collateral_admission = \"local\": NON-CONSENSUS mode, for single nodes and devnets");
  }
  if (p->config_.simulation) {
    p->logger_->warn(
        "simulation = true: Simulated evidence and development roots are TRUSTED (devnet only)");
  }

  storage::RocksOptions ro;
  ro.path = p->config_.db_path;
  ro.memory_budget_bytes = p->config_.rocksdb_memory_mb << 20;
  TEE_ASSIGN_OR_RETURN(auto store, storage::OpenRocksStore(ro));
  TEE_ASSIGN_OR_RETURN(p->registry_, registry::TeeRegistry::Open(std::move(store)));

  if (auto stored = p->registry_->params_hash(); stored && *stored != p->params_hash_) {
    if (!p->config_.migrate_params) {
      return Error(ErrorCode::kParamsMismatch,
                   "database " + p->config_.db_path + " holds epochs made under params_hash " +
                       ToHex(AsView(*stored)) + ", config gives " + ToHex(AsView(p->params_hash_)) +
                       " (set [tee] migrate_params = true to migrate)");
    }
    p->logger_->warn("migrating params_hash {} -> {}", ToHex(AsView(*stored)),
                     ToHex(AsView(p->params_hash_)));
    TEE_TRY(p->registry_->SetParamsHash(p->params_hash_));
  }

  // Issue 14: enclave crypto and MPC key shares (not consensus).
  TEE_ASSIGN_OR_RETURN(p->enclave_, EnclaveServices::Open(p->config_, p->registry_->store()));
  if (p->config_.enclave_key_source == "simulation") {
    p->logger_->warn(
        "[tee.enclave] key_source = \"simulation\": enclave keys derive from key ids and are "
        "NOT secret (devnet only)");
  }

  p->verifier_ = BuildVerifier(p->config_);
  p->standalone_verifier_ = BuildVerifier(p->config_);
  const ChainParams& chain = p->config_.chain();
  consensus::HookParams hp;
  hp.multiplier = chain.multiplier;
  hp.expiry_window_secs = chain.expiry_window_secs;
  hp.max_evidence_bytes = chain.max_evidence_bytes;
  hp.max_collateral_bytes = chain.max_collateral_bytes;
  hp.snapshot_retention = static_cast<uint32_t>(p->config_.snapshot_retention);
  hp.params_hash = p->params_hash_;
  p->hooks_ =
      std::make_unique<consensus::ConsensusHooks>(*p->registry_, *p->verifier_, hp, p.get());
  p->logger_->info("opened {} (params_hash {}, {} validators)", p->config_.db_path,
                   ToHex(AsView(p->params_hash_)), p->registry_->size());

  // Collateral fetchers last: they call into the verifiers, the hooks and
  // the host from their own threads.
  fetch::FetchConfig fc;
  fc.pcs_url = p->config_.pcs_url;
  fc.kds_url = p->config_.kds_url;
  fc.nvidia_rim_url = p->config_.nvidia_rim_url;
  fc.nvidia_ocsp_url = p->config_.nvidia_ocsp_url;
  fc.ca_bundle = p->config_.fetch_ca_bundle;
  fc.timeout = std::chrono::milliseconds(p->config_.fetch_timeout_ms);
  fc.fetcher.refresh_interval = std::chrono::seconds(p->config_.fetch_interval_secs);
  if (fc.enabled()) {
    const consensus::ConsensusHooks* hooks = p->hooks_.get();
    TEE_ASSIGN_OR_RETURN(
        p->fetch_, fetch::FetchService::Start(fc, *p->standalone_verifier_, *p, p->logger_, {},
                                              [hooks] { return hooks->AdmittedCollateral(); }));
    p->fetch_->RequestGlobal();
  }

  // The HTTP API last: its threads call the hooks and the standalone path.
  if (p->config_.http.enabled()) {
    const Plugin* self = p.get();
    // Not owning: the hooks outlive the server, which is stopped first.
    std::shared_ptr<const consensus::ConsensusHooks> hooks(std::shared_ptr<void>(),
                                                           p->hooks_.get());
    http::ApiOptions ao = HttpApiOptions(p->config_, http::DefaultTime::kLatestEpoch);
    // fetch_ is set before the server's threads start and lives until after
    // they are joined.
    ao.scrape = [self](http::ScrapeValues& v) {
      if (!self->fetch_) return;
      for (fetch::Fetcher* f : self->fetch_->fetchers()) {
        const auto st = f->stats();
        v.fetchers.push_back({std::string(f->name()), st.http_requests, st.delivered, st.failed,
                              f->pending(), st.retries});
      }
    };
    ao.scrape = [self, fetchers = std::move(ao.scrape)](http::ScrapeValues& v) {
      fetchers(v);
      // No structured binding here: clang 14 (the sanitizer builds) cannot
      // capture one in the lambda below.
      for (const auto& entry : {std::pair{"consensus", self->verifier_.get()},
                                std::pair{"standalone", self->standalone_verifier_.get()}}) {
        const char* name = entry.first;
        entry.second->CollectCacheStats(
            [&](TeeType t, std::string_view cache, const CacheStats& s) {
              v.caches.push_back(
                  {name, std::string(TeeTypeName(t)), std::string(cache), s.hits, s.misses});
            });
      }
    };
    p->metrics_ = std::make_shared<http::Metrics>();
    ao.metrics = p->metrics_;
    p->http_api_ = std::make_unique<http::Api>(
        [hooks] { return hooks; },
        [self](StandaloneRequest req) { return self->Verify(std::move(req)); }, std::move(ao));
    TEE_ASSIGN_OR_RETURN(p->http_, http::Server::Start(p->config_.http, *p->http_api_));
    p->logger_->info("HTTP API on {} (port {})", p->config_.http.listen, p->http_->port());
  }
  return p;
}

Plugin::~Plugin() {
  // The HTTP API's threads call into everything below: join them first.
  if (http_) http_->Stop();
  http_.reset();
  http_api_.reset();
  // The fetchers call into the hooks and the host: cancel and join them
  // first. Hooks reference the registry and verifier: tear down in reverse.
  if (fetch_) fetch_->Shutdown();
  fetch_.reset();
  hooks_.reset();
  registry_.reset();
  if (logger_) logger_->flush();
}

Result<Verdict> Plugin::Verify(StandaloneRequest req) const {
  // Not consensus: the admitted set as it is now, plus the caller's blobs.
  std::shared_ptr<const CollateralSet> admitted = hooks_->AdmittedCollateral();
  req.base = admitted.get();
  auto verdict = VerifyStandalone(*standalone_verifier_, req);
  // A verdict that names missing or out-of-date collateral asks the fetchers
  // for it; the next verification may then find it.
  if (fetch_ && verdict.ok()) {
    for (const auto& t : fetch::TargetsForVerdict(req.tee_type, *verdict)) {
      if (Status s = fetch_->Request(t); !s.ok())
        logger_->debug("fetch {}: {}", t.Key(), s.message());
    }
  }
  return verdict;
}

Result<consensus::RegisterOutcome> Plugin::RegisterValidator(const consensus::Registration& reg) {
  auto o = hooks_->RegisterValidator(reg);
  if (metrics_) metrics_->ObserveRegistration(reg.tee_type, RegistrationOutcome(o));
  return o;
}

Result<std::vector<consensus::RegisterOutcome>> Plugin::RegisterBatch(
    const std::vector<consensus::Registration>& regs) {
  auto o = hooks_->RegisterBatch(regs);
  if (metrics_) {
    for (size_t i = 0; i < regs.size(); ++i) {
      metrics_->ObserveRegistration(
          regs[i].tee_type, !o.ok() ? "refused" : ((*o)[i].attested ? "attested" : "unattested"));
    }
  }
  return o;
}

Result<consensus::EpochReport> Plugin::OnEpoch(uint64_t epoch, uint64_t epoch_time,
                                               const Hash32& seed) {
  // The steady clock times the call for the metrics only; nothing reads it back.
  const auto t0 = std::chrono::steady_clock::now();
  auto r = hooks_->OnEpoch(epoch, epoch_time, seed);
  if (metrics_ && r.ok()) {
    metrics_->ObserveEpochTransition(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return r;
}

Result<Bytes> Plugin::SimulateEvidence(const ValidatorId& id, const Hash32& challenge,
                                       uint64_t issued_at) const {
  if (!config_.simulation) {
    return Error(ErrorCode::kSimulationDisabled,
                 "simulate_evidence needs [tee.consensus] simulation = true");
  }
  sim::EvidenceSpec spec;
  spec.binding = BindingInput{id, challenge};
  spec.issued_at = issued_at;
  return sim::MakeEvidence(spec);
}

std::string Plugin::StatusJson() const {
  nlohmann::json j;
  j["plugin"] = "tenzro-tee";
  j["version"] = kVersionString;
  j["abi_version"] = TEE_ABI_VERSION;
  j["abi_hash"] = kAbiHash;
  j["params_hash"] = ToHex(AsView(params_hash_));
  j["simulation"] = config_.simulation;
  j["collateral_admission"] =
      config_.collateral_admission == CollateralAdmission::kLocal ? "local" : "consensus";
  j["consensus_defaults"] = config_.consensus_defaults;
  // The seed's feature flags: what this build holds and what the chain trusts.
  j["vendors_built"] = VendorSetList(kBuiltVendors);
  j["vendors"] = VendorSetList(config_.vendors);
  auto last = hooks_->last_epoch();
  j["last_epoch"] = last ? nlohmann::json(*last) : nlohmann::json();
  j["validators"] = hooks_->validator_count();
  nlohmann::json fetchers = nlohmann::json::object();
  if (fetch_) {
    for (fetch::Fetcher* f : {fetch_->pcs(), fetch_->kds()}) {
      if (f == nullptr) continue;
      const auto st = f->stats();
      fetchers[std::string(f->name())] = {{"url", f->base().Origin() + f->base().prefix},
                                          {"pending", f->pending()},
                                          {"http_requests", st.http_requests},
                                          {"delivered", st.delivered},
                                          {"failed", st.failed}};
    }
  }
  j["fetchers"] = fetchers;
  return j.dump();
}

Status Plugin::RequestCollateral(const fetch::FetchTarget& target) {
  if (!fetch_) return Error(ErrorCode::kUnsupported, "no collateral fetcher is configured");
  return fetch_->Request(target);
}

void Plugin::OnFetched(const fetch::FetchTarget& target, ByteView blob, const CollateralDoc& doc,
                       uint64_t now) {
  if (callbacks_.collateral_fetched != nullptr) {
    callbacks_.collateral_fetched(callbacks_.user, static_cast<int32_t>(target.tee_type),
                                  blob.data(), blob.size());
  }
  if (config_.collateral_admission != CollateralAdmission::kLocal) return;
  Status s = hooks_->SubmitCollateral(target.tee_type, blob, now);
  if (s.ok()) {
    logger_->info("admitted fetched {} {} (local admission, NON-CONSENSUS)", target.Key(),
                  doc.kind);
  } else {
    logger_->warn("fetched {} not admitted: {}", target.Key(), s.ToString());
  }
}

void Plugin::OnValidatorEvent(const ValidatorId& id, consensus::ValidatorEvent event,
                              FailureCode reason) {
  if (callbacks_.validator_event != nullptr) {
    callbacks_.validator_event(callbacks_.user, id.data(), static_cast<int32_t>(event),
                               static_cast<int32_t>(reason));
  }
}

// ---- issue 15 ------------------------------------------------------------------

Result<HybridVerdict> Plugin::VerifyHybrid(HybridRequest req) const {
  std::shared_ptr<const CollateralSet> admitted = hooks_->AdmittedCollateral();
  req.tee.base = admitted.get();
  ZkVerifyFn zk;
  if (callbacks_.zk_verify != nullptr) {
    zk = [this](const Hash32& vk_id, ByteView proof, ByteView inputs) {
      const int32_t r = callbacks_.zk_verify(callbacks_.user, vk_id.data(), proof.data(),
                                             proof.size(), inputs.data(), inputs.size());
      if (r == TEE_ZK_VALID) return ZkResult::kValid;
      if (r == TEE_ZK_UNSUPPORTED) return ZkResult::kUnsupported;
      return ZkResult::kInvalid;  // TEE_ZK_INVALID and anything undocumented
    };
  }
  return tenzro::tee::VerifyHybrid(*standalone_verifier_, std::move(req), zk);
}

void Plugin::OnProviderEvent(const registry::ProviderId& id, consensus::ValidatorEvent event,
                             FailureCode reason) {
  if (callbacks_.provider_event != nullptr) {
    callbacks_.provider_event(callbacks_.user, id.data(), static_cast<int32_t>(event),
                              static_cast<int32_t>(reason));
  }
}

}  // namespace tenzro::tee::plugin
