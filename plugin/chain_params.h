// ChainParams: every value that can change a weight, a leader, an attested
// status or an admission (DESIGN §2). Built only from the [tee.consensus]
// table; params_hash is the SHA-256 of its canonical encoding, so two nodes
// with equal params_hash decide alike on equal inputs.
//
// REQUIRES of whoever adds a field here (or to tdx::Policy / snp::Policy / nitro::Policy /
// nvidia::Policy):
// parse it in plugin/config*.cpp, write it in CanonicalParams (plugin/
// chain_params.cpp or CanonicalTdxPolicy / CanonicalSnpPolicy /
// CanonicalNitroPolicy), then update the
// size tripwires in chain_params.cpp and add the field to the mutation table of
// tests/plugin/chain_params_tests.cpp. A field that is parsed but not hashed
// lets two nodes with the same params_hash disagree.
//
// Node-local settings (db path, memory, log level, fetcher URLs, limits of
// the non-consensus verify call) are not here: they live in Config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attestation/nitro/policy.h"
#include "attestation/nvidia/policy.h"
#include "attestation/simulated/evidence.h"
#include "attestation/snp/policy.h"
#include "attestation/tdx/policy.h"
#include "attestation/vendors.h"
#include "core/bytes.h"

namespace tenzro::tee::plugin {

enum class CollateralAdmission { kConsensus, kLocal };

struct ChainParams {
  // Weight of an attested validator = stake * multiplier (§7).
  uint64_t multiplier = 2;
  // Evidence older than this is expired (§5).
  uint64_t max_age_secs = 86400;
  // Attested records whose valid_until falls inside it are reported expiring.
  uint64_t expiry_window_secs = 21600;
  // A registration with larger evidence is refused (TEE_ERR_TOO_LARGE).
  uint64_t max_evidence_bytes = 256u << 10;
  // A collateral document larger than this is not admitted.
  uint64_t max_collateral_bytes = 16u << 20;
  // Trust Simulated evidence and the simulators' development roots (§8). It
  // decides attested status, so it is a chain parameter: [tee.consensus].
  bool simulation = false;
  // "local" admits fetched collateral without the chain (§2): non-consensus,
  // and labelled so in the canonical encoding.
  CollateralAdmission collateral_admission = CollateralAdmission::kConsensus;
  // [tee.consensus.simulated] measurement allow-list (sorted, unique).
  std::vector<simulated::Measurement> simulated_measurements;
  // [tee.consensus] vendors: the vendors whose evidence the chain trusts
  // (attestation/vendors.h). A type of another vendor answers `unsupported`;
  // a listed vendor's policy table is hashed, an unlisted one's may not be
  // given. A consensus node whose build lacks a listed vendor refuses to open.
  VendorSet vendors = kAllVendors;
  // [tee.consensus.tdx], [tee.consensus.snp], [tee.consensus.nitro]
  tdx::Policy tdx;
  snp::Policy snp;
  // [tee.consensus.nitro] (plugin/config_nitro.cpp, CanonicalNitroPolicy)
  nitro::Policy nitro;
  // [tee.consensus.nvidia] (plugin/config_nvidia.cpp, CanonicalNvidiaPolicy)
  nvidia::Policy nvidia;
};

// Canonical "key=value" lines, sorted by key, of every field, after a
// version tag line.
std::string CanonicalParams(const ChainParams& p);
Hash32 ParamsHash(const ChainParams& p);

}  // namespace tenzro::tee::plugin
