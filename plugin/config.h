// Config: the node's TOML file (DESIGN §12).
//
//   [tee]                      node-local settings (db path, memory, logging,
//                              fetchers, limits of the non-consensus verify call)
//   [tee.consensus]            chain parameters (§2): ChainParams, identical on
//                              every node of a chain, hashed into params_hash
//   [tee.consensus.simulated]  policy for Simulated evidence
//   [tee.consensus.tdx], [tee.consensus.snp]  vendor policies
//
// Unknown keys and bad values are errors that name the key. Absent keys take
// the built-in defaults of §10. A chain parameter written under [tee]
// (simulation, collateral_admission, max_evidence_bytes: their place before
// params v2) is an error that names its new key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "attestation/tee_type.h"
#include "core/status.h"
#include "http/http_config.h"
#include "plugin/chain_params.h"

namespace tenzro::tee::plugin {

// A Config is its ChainParams (built only from [tee.consensus]) plus the
// node-local settings below, which never change a decision.
struct Config : ChainParams {
  // [tee]
  std::string db_path;
  uint64_t rocksdb_memory_mb = 64;
  std::string log_level = "info";  // trace|debug|info|warn|error|off
  uint64_t snapshot_retention = 8;
  bool migrate_params = false;  // accept a database made under another params_hash
  // Limits of the standalone (non-consensus) verify call: how many collateral
  // blobs and how many bytes in all one call may carry. Node-local: they
  // protect the node and decide nothing about consensus.
  uint64_t verify_max_collateral_blobs = 256;
  uint64_t verify_max_collateral_bytes = 32u << 20;
  // Collateral fetchers (node-local, not chain parameters; off unless a URL
  // is set). [fetch branch]
  std::string pcs_url;  // Intel PCS/PCCS base, e.g. https://api.trustedservices.intel.com
  std::string kds_url;  // AMD KDS base, e.g. https://kdsintf.amd.com
  // NVIDIA RIM service, e.g. https://rim.attestation.nvidia.com/v1/rim
  // (fetch::kNvidiaRimUrl), and OCSP responder, e.g.
  // https://ocsp.ndis.nvidia.com (fetch::kNvidiaOcspUrl); empty: off.
  std::string nvidia_rim_url;
  std::string nvidia_ocsp_url;
  std::string fetch_ca_bundle;          // PEM CA file; empty: the system's trust store
  uint64_t fetch_timeout_ms = 10000;    // per network step
  uint64_t fetch_interval_secs = 3600;  // periodic refresh of fetched documents

  // [tee.enclave] (issue 14, node-local, never a consensus input): where
  // enclave_crypto's root key comes from. key_source: "none" (default:
  // encrypt fails "no hardware key source for <vendor>"), "sev-snp"
  // (SNP_GET_DERIVED_KEY; vendor must be snp), "recipient" (a root key the
  // host delivers as a CMS envelope for the plugin's ephemeral RSA key: the
  // Nitro KMS CiphertextForRecipient flow, or TDX / NVIDIA after remote
  // attestation), "simulation" (UUID-derived; needs [tee.consensus]
  // simulation = true). vendor: tdx | snp | nitro | nvidia.
  std::string enclave_key_source = "none";
  TeeType enclave_vendor = TeeType::IntelTdx;
  // [tee.http]: the operators' HTTP API, off unless listen is set (issue 13).
  http::HttpConfig http;

  // True when the file had no [tee.consensus] table: built-in defaults.
  bool consensus_defaults = true;

  const ChainParams& chain() const { return *this; }
};

// The largest config file LoadConfig reads; a longer one is kConfig.
inline constexpr uint64_t kMaxConfigBytes = 1u << 20;

// Parses TOML text; `origin` names the source in messages. kConfig on error.
Result<Config> ParseConfig(std::string_view toml_text, std::string_view origin);
// Reads and parses a file; kConfig when it is missing, not a regular file
// (a device, a FIFO, a directory), larger than kMaxConfigBytes or malformed.
Result<Config> LoadConfig(const std::string& path);

}  // namespace tenzro::tee::plugin
