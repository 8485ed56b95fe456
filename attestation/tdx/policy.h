// Chain policy of the TDX/SGX verifier ([tee.consensus.tdx], DESIGN §10 defaults).
//
// Defaults accept genuine evidence broadly, as the reference verifiers do:
// every TCB status but Revoked (the status is reported), no grace period
// needed, no allow-lists, SEPT_VE_DISABLE not required, CRLs checked when
// present. Debug TDs and enclaves are always rejected. An empty allow-list
// allows any value.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "attestation/tdx/tcb_info.h"
#include "core/bytes.h"

namespace tenzro::tee::tdx {

// SHA-256 of the DER of the Intel SGX Root CA.
inline constexpr Hash32 kIntelRootCaSha256 = {
    0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
    0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3};

inline std::set<TcbStatus> DefaultAcceptedTcbStatuses() {
  std::set<TcbStatus> s;
  for (size_t i = 0; i < kTcbStatusCount; ++i) s.insert(static_cast<TcbStatus>(i));
  s.erase(TcbStatus::kRevoked);
  return s;
}

struct Policy {
  // The pinned trust anchor (root_ca_sha256).
  Hash32 root_ca_sha256 = kIntelRootCaSha256;
  // TCB statuses that pass (accepted_tcb_statuses).
  std::set<TcbStatus> accepted_tcb_statuses = DefaultAcceptedTcbStatuses();
  // An OutOfDate (or OutOfDateConfigurationNeeded) status not accepted above
  // still passes until this many seconds after the tcbDate of the newer level
  // that made it out of date (outofdate_grace_secs); 0: no grace.
  uint64_t outofdate_grace_secs = 0;
  // Fail closed when the PCK CRL or Root CA CRL is absent (require_crls).
  bool require_crls = false;
  // TDX allow-lists (SHA-384 values).
  std::vector<Measurement> mrtd;
  std::array<std::vector<Measurement>, 4> rtmr;
  std::vector<Measurement> mrseam;
  std::vector<Measurement> mrconfigid;
  // TD_ATTRIBUTES.SEPT_VE_DISABLE must be set (require_sept_ve_disable).
  bool require_sept_ve_disable = false;
  // SGX allow-lists and minimum ISVSVN.
  std::vector<std::array<uint8_t, 32>> sgx_mrenclave;
  std::vector<std::array<uint8_t, 32>> sgx_mrsigner;
  std::vector<uint16_t> sgx_isvprodid;
  uint16_t sgx_min_isvsvn = 0;
};

}  // namespace tenzro::tee::tdx
