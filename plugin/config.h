// Config: the node's TOML file (DESIGN §12).
//
//   [tee]                 node-local settings (db path, memory, logging, ...)
//   [tee.consensus]       chain parameters (§2): identical on every node
//   [tee.consensus.simulated]  policy for Simulated evidence
//
// Unknown keys and bad values are errors that name the key. Absent keys take
// the built-in defaults of §10. params_hash is the SHA-256 of a canonical text
// of every parameter that can change a weight or a leader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/simulated/evidence.h"
#include "attestation/snp/policy.h"
#include "attestation/tdx/policy.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::plugin {

enum class CollateralAdmission { kConsensus, kLocal };

struct Config {
  // [tee]
  std::string db_path;
  uint64_t rocksdb_memory_mb = 64;
  std::string log_level = "info";  // trace|debug|info|warn|error|off
  bool simulation = false;
  CollateralAdmission collateral_admission = CollateralAdmission::kConsensus;
  uint64_t max_evidence_bytes = 256u << 10;
  uint64_t snapshot_retention = 8;
  bool migrate_params = false;  // accept a database made under another params_hash
  // Collateral fetchers (node-local, not chain parameters; off unless a URL
  // is set). [fetch branch]
  std::string pcs_url;          // Intel PCS/PCCS base, e.g. https://api.trustedservices.intel.com
  std::string kds_url;          // AMD KDS base, e.g. https://kdsintf.amd.com
  std::string fetch_ca_bundle;  // PEM CA file; empty: the system's trust store
  uint64_t fetch_timeout_ms = 10000;      // per network step
  uint64_t fetch_interval_secs = 3600;    // periodic refresh of fetched documents

  // [tee.consensus]
  uint64_t multiplier = 2;
  uint64_t max_age_secs = 86400;
  uint64_t expiry_window_secs = 21600;
  // [tee.consensus.simulated]
  std::vector<simulated::Measurement> simulated_measurements;
  // [tee.consensus.tdx], [tee.consensus.snp]
  tdx::Policy tdx;
  snp::Policy snp;

  // True when the file had no [tee.consensus] table: built-in defaults.
  bool consensus_defaults = true;
};

// Parses TOML text; `origin` names the source in messages. kConfig on error.
Result<Config> ParseConfig(std::string_view toml_text, std::string_view origin);
// Reads and parses a file; kConfig when it is missing or malformed.
Result<Config> LoadConfig(const std::string& path);

// Canonical "key=value" lines, sorted by key, of every consensus parameter.
std::string CanonicalParams(const Config& c);
Hash32 ParamsHash(const Config& c);

}  // namespace tenzro::tee::plugin
