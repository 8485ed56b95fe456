// The development PKI of the TDX/SGX simulator (DESIGN §8).
//
// DEVELOPMENT KEYS, PUBLIC BY CONSTRUCTION. The private keys below are
// committed to the repository (dev_pki_data.cpp, generated once by
// tests/tdx/sim/make_dev_pki.cpp), so anything they sign proves nothing: a
// verifier trusts the development root only when [tee] simulation = true.
//
// The hierarchy mirrors Intel's, with every name marked DEV:
//   Tenzro DEV SGX Root CA (P-256, self-signed)
//     ├─ Tenzro DEV SGX PCK Platform CA ── PCK leaves (SGX extension tree)
//     └─ Tenzro DEV SGX TCB Signing          (signs TCB Info and QE Identity)
// plus the simulated quoting enclave's attestation key.
//
// Thread-safety: Dev() is built once (thread-safe static) and immutable.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::tdx::sim {

// SHA-256 of the development root certificate's DER: what the wiring passes to
// the verifier as its development anchor (trusted only with simulation on).
const Hash32& DevRootFingerprint();

struct KeyedCert {
  x509::Certificate cert;
  x509::PrivateKey key;
};

// Intel's SGX extension tree of PCK certificates (OID 1.2.840.113741.1.13.1,
// "SGX PCK Certificate and CRL Profile", section 1.5).
inline constexpr char kSgxExtensionOid[] = "1.2.840.113741.1.13.1";

struct PckExtension {
  std::array<uint8_t, 16> ppid{};
  std::array<uint8_t, 16> cpusvn{};  // SGX TCB components 1..16 (also TCB .2.1-.2.16)
  uint16_t pcesvn = 0;
  std::array<uint8_t, 2> pce_id{};  // big-endian as Intel prints it ("0000")
  std::array<uint8_t, 6> fmspc{};
  uint8_t sgx_type = 0;  // 0 Standard, 1 Scalable, 2 ScalableWithIntegrity
  // Present in Platform CA-issued PCK certificates only.
  std::optional<std::array<uint8_t, 16>> platform_instance_id;
  struct Configuration {
    bool dynamic_platform = true;
    bool cached_keys = true;
    bool smt_enabled = true;
  };
  std::optional<Configuration> configuration;
  // Test knobs: leave one field out of the tree (".3" PCE-ID, ".4" FMSPC, ...).
  std::vector<std::string> omit;
};

// DER of the extension's value (the content of extnValue).
Bytes EncodeSgxExtension(const PckExtension& ext);

struct PckCertSpec {
  PckExtension ext;
  Bytes serial_be = {0x01};
  int64_t not_before = 0;
  int64_t not_after = 0;
  std::string common_name = "Tenzro DEV SGX PCK Certificate";
  bool include_extension = true;
};

// Issues a PCK leaf for `subject_key` under `issuer` (normally the dev PCK
// Platform CA).
Result<x509::Certificate> IssuePck(const PckCertSpec& spec, const x509::PublicKey& subject_key,
                                   const KeyedCert& issuer);

// Subject of a development certificate: the given CN, O "Tenzro TEE
// Development PKI (not Intel)", C "ZZ" (user-assigned: no country), so that
// certificates re-issued by tests chain to the same names.
std::vector<x509::NameEntry> DevName(const std::string& common_name);

struct DevPki {
  KeyedCert root;
  KeyedCert platform_ca;
  KeyedCert tcb_signing;
  KeyedCert pck_tdx;                 // PCK leaf of the default TDX platform (platform.h)
  KeyedCert pck_sgx;                 // PCK leaf of the default SGX platform
  x509::PrivateKey attestation_key;  // the simulated QE's ECDSA attestation key
};

// The committed development PKI, parsed once. Aborts if the committed text
// does not parse (an invariant of the build, never input).
const DevPki& Dev();

// Windows of the committed certificates (unix seconds).
inline constexpr int64_t kDevCaNotBefore = 1704067200;   // 2024-01-01
inline constexpr int64_t kDevCaNotAfter = 2650838400;    // 2054-01-01
inline constexpr int64_t kDevPckNotBefore = 1704067200;  // 2024-01-01
inline constexpr int64_t kDevPckNotAfter = 2335219200;   // 2044-01-01

// The committed PEM texts (dev_pki_data.cpp), for the generator and tests.
namespace data {
extern const char* const kRootCertPem;
extern const char* const kRootKeyPem;
extern const char* const kPlatformCaCertPem;
extern const char* const kPlatformCaKeyPem;
extern const char* const kTcbSigningCertPem;
extern const char* const kTcbSigningKeyPem;
extern const char* const kPckTdxCertPem;
extern const char* const kPckTdxKeyPem;
extern const char* const kPckSgxCertPem;
extern const char* const kPckSgxKeyPem;
extern const char* const kAttestationKeyPem;
extern const char* const kRootFingerprintHex;
}  // namespace data

}  // namespace tenzro::tee::tdx::sim
