// Stage 3 of the SNP verifier (go-sev-guest's validate/): the pure policy
// check of a report's own fields. No crypto, no clock, no collateral.
//
// The facts come either from a report whose signature and chain verified
// (SnpVerifier::Verify) or from the claims a registered record stored (the
// epoch re-evaluation, DESIGN §6), so a parameter migration applies the
// current policy to old records too (issue 9 item 6). Thread-safe (pure).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "attestation/snp/policy.h"
#include "attestation/snp/report.h"
#include "attestation/verdict.h"
#include "core/status.h"

namespace tenzro::tee::snp {

// What policy judges of a report, with the product its chain established.
struct ReportFacts {
  Product product = Product::kUnknown;
  RawTcb reported_tcb{};
  FirmwareVersion committed_fw;
  uint64_t guest_policy = 0;
  uint32_t vmpl = 0;
  bool chip_id_masked = false;
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  std::array<uint8_t, 48> id_key_digest{};
  std::array<uint8_t, 48> author_key_digest{};
  friend bool operator==(const ReportFacts&, const ReportFacts&) = default;
};

ReportFacts FactsOf(const Report& r, Product product);

// Fails v with firmware_too_old, debug_enclave, vmpl, policy_violation and
// measurement_mismatch as policy requires; sets v.measurements_valid.
void Validate(Verdict& v, const ReportFacts& facts, const Policy& policy);

// The facts as re-evaluation claims (snp_verifier.h, namespace claim).
void PutFactClaims(const ReportFacts& facts, ClaimSet& claims);
// nullopt when no fact claim is stored (a record older than them); a
// kStorage error when only some are, or one does not decode.
Result<std::optional<ReportFacts>> FactsFromClaims(const ClaimSet& claims);

}  // namespace tenzro::tee::snp
