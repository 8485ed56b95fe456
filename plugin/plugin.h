// Plugin: one open instance behind a tee_handle. Owns the config, its logger
// (not spdlog's global registry), storage, registry, verifiers and hooks.
// Lifecycle: Open -> calls from any thread -> destruction (close), which
// flushes and joins everything the plugin started.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "abi/tenzro_tee.h"
#include "attestation/standalone.h"
#include "consensus_hooks/hooks.h"
#include "plugin/config.h"

namespace tenzro::tee::plugin {

class Plugin final : public consensus::EventSink {
 public:
  static Result<std::unique_ptr<Plugin>> Open(const std::string& config_path,
                                              const tee_host_callbacks* callbacks);
  ~Plugin() override;

  consensus::ConsensusHooks& hooks() { return *hooks_; }
  const Config& config() const { return config_; }
  const Hash32& params_hash() const { return params_hash_; }

  Result<Verdict> Verify(StandaloneRequest req) const;
  Result<Bytes> SimulateEvidence(const ValidatorId& id, const Hash32& challenge, uint64_t issued_at) const;
  std::string StatusJson() const;

  void OnValidatorEvent(const ValidatorId& id, consensus::ValidatorEvent event,
                        FailureCode reason) override;

 private:
  Plugin() = default;

  Config config_;
  Hash32 params_hash_{};
  tee_host_callbacks callbacks_{};
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<registry::TeeRegistry> registry_;
  std::unique_ptr<AttestationVerifier> verifier_;
  std::unique_ptr<consensus::ConsensusHooks> hooks_;
};

}  // namespace tenzro::tee::plugin
