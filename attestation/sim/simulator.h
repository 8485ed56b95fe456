// Simulator: makes Simulated evidence and revocation lists signed by the
// development key, for hosts without TEE hardware (devnets) and for tests.
//
// The development key is public by construction (its seed is a published
// constant), so nothing it signs is trusted unless [tee] simulation = true.
// This is the TeeProvider of the seed for TeeType::Simulated.
#pragma once

#include <cstdint>
#include <optional>

#include "attestation/binding.h"
#include "attestation/simulated/evidence.h"
#include "core/bytes.h"

namespace tenzro::tee::sim {

// The measurement simulate_evidence uses: the first 48 bytes of
// SHA-512("tenzro-tee-simulated-measurement-v1").
simulated::Measurement DefaultMeasurement();

struct EvidenceSpec {
  BindingInput binding;
  uint64_t issued_at = 0;
  simulated::Measurement measurement = DefaultMeasurement();
  bool debug = false;
  // For tests: overrides the report data the binding would give.
  std::optional<simulated::ReportData> report_data;
};

Bytes MakeEvidence(const EvidenceSpec& spec);
// Signs with an arbitrary seed instead of the development key (tests).
Bytes MakeEvidenceWithKey(const EvidenceSpec& spec, const std::array<uint8_t, 32>& key_seed);

Bytes MakeRevocationList(uint64_t this_update, uint64_t next_update,
                         std::vector<simulated::Measurement> revoked);

// The development public key derived from the published seed.
std::array<uint8_t, 32> DevPublicKey();

}  // namespace tenzro::tee::sim
