// Plugin: one open instance behind a tee_handle. Owns the config, its logger
// (not spdlog's global registry), storage, registry, verifiers, hooks and,
// when [tee] pcs_url or kds_url is set, the collateral fetchers with their
// thread pool (fetch/service.h says what triggers fetches).
// Lifecycle: Open -> calls from any thread -> destruction (close), which
// cancels fetches in flight, flushes and joins everything the plugin started.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "abi/tenzro_tee.h"
#include "attestation/hybrid.h"
#include "attestation/standalone.h"
#include "consensus_hooks/hooks.h"
#include "fetch/service.h"
#include "http/api.h"
#include "http/server.h"
#include "plugin/config.h"
#include "plugin/enclave.h"

namespace tenzro::tee::plugin {

class Plugin final : public consensus::EventSink, public fetch::FetchSink {
 public:
  static Result<std::unique_ptr<Plugin>> Open(const std::string& config_path,
                                              const tee_host_callbacks* callbacks);
  ~Plugin() override;

  consensus::ConsensusHooks& hooks() { return *hooks_; }
  const Config& config() const { return config_; }
  const Hash32& params_hash() const { return params_hash_; }

  Result<Verdict> Verify(StandaloneRequest req) const;
  // The hooks' registration and epoch calls, observed by the metrics when
  // the HTTP API is on (observation only: the result is the hooks' own).
  Result<consensus::RegisterOutcome> RegisterValidator(const consensus::Registration& reg);
  Result<std::vector<consensus::RegisterOutcome>> RegisterBatch(
      const std::vector<consensus::Registration>& regs);
  Result<consensus::EpochReport> OnEpoch(uint64_t epoch, uint64_t epoch_time, const Hash32& seed);
  // Hybrid ZK-in-TEE (issue 15), not consensus: the standalone verifiers
  // over the admitted set plus the caller's blobs, and the host's zk_verify.
  Result<HybridVerdict> VerifyHybrid(HybridRequest req) const;
  Result<Bytes> SimulateEvidence(const ValidatorId& id, const Hash32& challenge,
                                 uint64_t issued_at) const;
  std::string StatusJson() const;

  void OnValidatorEvent(const ValidatorId& id, consensus::ValidatorEvent event,
                        FailureCode reason) override;
  void OnProviderEvent(const registry::ProviderId& id, consensus::ValidatorEvent event,
                       FailureCode reason) override;

  // Asks the fetchers for a document; never blocks on the network.
  // kUnsupported when the fetcher for it is not configured.
  Status RequestCollateral(const fetch::FetchTarget& target);
  // A fetched, verified document: to the host's collateral_fetched callback,
  // then admitted when collateral_admission = "local" (DESIGN §2).
  void OnFetched(const fetch::FetchTarget& target, ByteView blob, const CollateralDoc& doc,
                 uint64_t now) override;
  // Null when no fetcher is configured.
  fetch::FetchService* fetchers() { return fetch_.get(); }
  // Issue 14: enclave_crypto and MPC key shares (never null after Open).
  EnclaveServices& enclave() { return *enclave_; }
  // Null unless [tee.http] listen is set (issue 13).
  const http::Server* http_server() const { return http_.get(); }

 private:
  Plugin() = default;

  Config config_;
  Hash32 params_hash_{};
  tee_host_callbacks callbacks_{};
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<registry::TeeRegistry> registry_;
  // The consensus path's verifiers (hooks: registration, admission, epochs).
  std::unique_ptr<AttestationVerifier> verifier_;
  // The non-consensus path's own verifiers (standalone verify, fetchers):
  // whatever their caches learn from caller-supplied documents can never
  // reach a consensus decision (DESIGN §2).
  std::unique_ptr<AttestationVerifier> standalone_verifier_;
  std::unique_ptr<consensus::ConsensusHooks> hooks_;
  // Issue 14; uses the registry's database (mpc_shares), so declared after it.
  std::unique_ptr<EnclaveServices> enclave_;
  // Uses standalone_verifier_, hooks_ and the callbacks: shut down first.
  std::unique_ptr<fetch::FetchService> fetch_;
  // The operators' HTTP API: reads the hooks, verifies through Verify().
  // Started last, stopped (threads joined) first.
  std::shared_ptr<http::Metrics> metrics_;  // null unless the HTTP API is on
  std::unique_ptr<http::Api> http_api_;
  std::unique_ptr<http::Server> http_;
};

}  // namespace tenzro::tee::plugin
