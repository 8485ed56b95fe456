// Stage 3 of the NVIDIA verifier (go-sev-guest's validate/): the pure policy
// check of one GPU's facts. No crypto, no clock, no collateral.
//
// The facts come from a report whose signature and chain verified
// (NvidiaVerifier::Verify) or from the claims a registered record stored
// (the epoch re-evaluation, DESIGN §6), so a parameter migration applies the
// current policy to old records too. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attestation/nvidia/policy.h"
#include "attestation/verdict.h"
#include "core/status.h"

namespace tenzro::tee::nvidia {

// What policy judges of one GPU, with the architecture its chain established.
struct GpuFacts {
  Arch arch = Arch::kUnknown;
  std::optional<std::string> driver_version;  // as reported ("550.90.07")
  std::optional<std::string> vbios_version;   // "96.00.9f.00.01"
  friend bool operator==(const GpuFacts&, const GpuFacts&) = default;
};

std::string_view ArchName(Arch a);  // "HOPPER", "BLACKWELL", "UNKNOWN"
Arch ArchFromName(std::string_view upper_case_name);

// Fails v with firmware_too_old (driver/VBIOS below the minimum, or absent
// while a minimum is set) and policy_violation (architecture not allowed).
// `gpu` prefixes the messages ("GPU 0").
void Validate(Verdict& v, const GpuFacts& facts, const Policy& policy, std::string_view gpu);

// The facts as re-evaluation claims under `prefix` (nvidia_verifier.h).
void PutFactClaims(const GpuFacts& facts, const std::string& prefix, ClaimSet& claims);
// kStorage when the arch claim is absent or does not decode.
Result<GpuFacts> FactsFromClaims(const ClaimSet& claims, const std::string& prefix);

}  // namespace tenzro::tee::nvidia
