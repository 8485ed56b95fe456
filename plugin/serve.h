// ServeNode: `tenzro-tee serve` (issue 13). The HTTP API without a node:
// verification through its own standalone verifiers, and registry reads from
// a database opened read-only or as a RocksDB secondary beside a running
// node. It never writes: the store refuses every write in these modes.
//
// A secondary follows the node on Refresh(): the store catches up with the
// primary and the registry is reloaded into a new generation that requests
// pick up atomically (a request in flight keeps the generation it started
// with). Read-only opens see the database as of the open.
//
// Thread-safety: Refresh may be called from any thread, concurrently with
// requests.
#pragma once

#include <memory>
#include <string>

#include "attestation/verifier.h"
#include "consensus_hooks/hooks.h"
#include "core/thread_annotations.h"
#include "http/api.h"
#include "http/server.h"
#include "plugin/config.h"
#include "storage/kv_store.h"

namespace tenzro::tee::plugin {

// The API's limits and token from a config (the plugin's server and serve).
http::ApiOptions HttpApiOptions(const Config& config, http::DefaultTime default_time);

class ServeNode {
 public:
  struct Options {
    Config config;  // REQUIRES: config.http.enabled()
    storage::StoreMode mode = storage::StoreMode::kSecondary;
    std::string secondary_path;  // kSecondary
  };
  // kConfig without [tee.http] listen or with kReadWrite; kStorage when the
  // database cannot be opened.
  static Result<std::unique_ptr<ServeNode>> Open(Options options);
  ~ServeNode();

  // Secondary: catch up with the primary and reload. kUnsupported read-only.
  Status Refresh();
  uint16_t port() const { return server_->port(); }
  std::shared_ptr<const consensus::ConsensusHooks> hooks() const;

 private:
  struct Generation;
  ServeNode() = default;
  Result<std::shared_ptr<Generation>> Load();

  Options options_;
  std::shared_ptr<storage::KvStore> store_;
  std::unique_ptr<AttestationVerifier> verifier_;  // the consensus-shaped, never used to write
  std::unique_ptr<AttestationVerifier> standalone_verifier_;
  mutable Mutex mu_;
  std::shared_ptr<Generation> current_ GUARDED_BY(mu_);
  std::unique_ptr<http::Api> api_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace tenzro::tee::plugin
