// The Intel SGX extension of PCK certificates (OID 1.2.840.113741.1.13.1):
// the platform's TCB (16 SGX TCB components, PCESVN, CPUSVN), PCE-ID, FMSPC
// and SGX type, parsed with the bounds-checked DER walker (crypto/der.h).
//
// Source: Intel SGX PCK Certificate and Certificate Revocation List Profile
// Specification, section "Intel SGX Extensions".
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::tdx {

inline constexpr char kSgxExtensionsOid[] = "1.2.840.113741.1.13.1";

struct PckExtensions {
  std::array<uint8_t, 16> ppid{};
  std::array<uint8_t, 16> sgx_tcb_components{};  // SGX TCB Comp01..16 SVN
  uint16_t pcesvn = 0;
  std::array<uint8_t, 16> cpusvn{};
  std::array<uint8_t, 2> pce_id{};
  std::array<uint8_t, 6> fmspc{};
  uint8_t sgx_type = 0;  // 0 Standard, 1 Scalable, 2 Scalable with integrity
};

// `ext_value` is the content of the extension's extnValue OCTET STRING (the
// DER SEQUENCE). kInvalidArgument naming the field when malformed or missing.
Result<PckExtensions> ParsePckExtensions(ByteView ext_value);

}  // namespace tenzro::tee::tdx
