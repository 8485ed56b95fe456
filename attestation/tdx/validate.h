// Stage 3 of the TDX/SGX verifier (as SNP's validate.h): the pure policy
// check of a quote body's own fields. No crypto, no clock, no collateral.
//
// The facts come either from a quote whose signatures and chain verified
// (TdxVerifier::Verify) or from the claims a registered record stored (the
// epoch re-evaluation, DESIGN §6), so a parameter migration that changes an
// allow-list or SEPT_VE_DISABLE applies to old records too (issue 9 item 6).
// Thread-safe (pure).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "attestation/tdx/policy.h"
#include "attestation/tdx/quote.h"
#include "attestation/verdict.h"
#include "core/status.h"

namespace tenzro::tee::tdx {

// What policy judges of a quote body: a TD body (TDX) or an enclave report
// (SGX); the other half stays zero.
struct QuoteFacts {
  bool tdx = false;
  // TDX
  std::array<uint8_t, 8> td_attributes{};
  Measurement mr_td{};
  std::array<Measurement, fmt::kRtmrCount> rtmr{};
  Measurement mr_seam{};
  Measurement mr_config_id{};
  // SGX
  std::array<uint8_t, fmt::kAttributesSize> attributes{};
  std::array<uint8_t, 32> mr_enclave{};
  std::array<uint8_t, 32> mr_signer{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  friend bool operator==(const QuoteFacts&, const QuoteFacts&) = default;
};

QuoteFacts FactsOf(const Quote& q);

// Fails v with debug_enclave, policy_violation and measurement_mismatch as
// policy requires; sets v.debug and v.measurements_valid.
void Validate(Verdict& v, const QuoteFacts& facts, const Policy& policy);

// Claim names of the facts in reeval_claims (binary values).
namespace claim {
inline constexpr char kBody[] = "body";                   // 1 byte: 1 TD, 0 SGX
inline constexpr char kTdAttributes[] = "td_attributes";  // 8 bytes
inline constexpr char kMrTd[] = "mrtd";                   // 48 bytes
inline constexpr char kRtmr[] = "rtmr";                   // 4 x 48 bytes
inline constexpr char kMrSeam[] = "mrseam";               // 48 bytes
inline constexpr char kMrConfigId[] = "mrconfigid";       // 48 bytes
inline constexpr char kAttributes[] = "attributes";       // 16 bytes (SGX)
inline constexpr char kMrEnclave[] = "mrenclave";         // 32 bytes
inline constexpr char kMrSigner[] = "mrsigner";           // 32 bytes
inline constexpr char kIsvProdId[] = "isv_prod_id";       // u16 LE
inline constexpr char kIsvSvn[] = "isv_svn";              // u16 LE
}  // namespace claim

void PutFactClaims(const QuoteFacts& facts, ClaimSet& claims);
// nullopt when no fact claim is stored (a record older than them); a
// kStorage error when only some are, or one does not decode.
Result<std::optional<QuoteFacts>> FactsFromClaims(const ClaimSet& claims);

}  // namespace tenzro::tee::tdx
