// Builds the collateral Intel's PCS publishes, signed by the development PKI,
// in the bundle convention of the fetchers:
//   - TCB Info / QE Identity: Intel's signed JSON {"tcbInfo":<v>,"signature":"<r||s hex>"}
//     whose ECDSA-P256/SHA-256 signature covers the exact bytes of <v>, followed by
//     a newline and the PEM issuer chain (TCB signing cert, root);
//   - PCK CRL / Root CA CRL: DER, or PEM (X509 CRL block, then the issuer chain).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attestation/tdx/sim/dev_pki.h"
#include "attestation/tdx/sim/quote_builder.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::tdx::sim {

// "YYYY-MM-DDThh:mm:ssZ" (UTC), as Intel writes dates.
std::string IsoTime(uint64_t unix_seconds);

// Intel's TCB status names (DESIGN §3).
inline constexpr const char* kTcbStatuses[] = {"UpToDate",
                                               "SWHardeningNeeded",
                                               "ConfigurationNeeded",
                                               "ConfigurationAndSWHardeningNeeded",
                                               "OutOfDate",
                                               "OutOfDateConfigurationNeeded",
                                               "Revoked"};

// How a signed JSON document is signed and bundled.
struct DocSigning {
  std::optional<KeyedCert> signer;  // default: the dev TCB signing cert and key
  // PEM chain appended after the JSON; default {signer, dev root}; an empty
  // vector appends nothing.
  std::optional<std::vector<x509::Certificate>> chain;
  bool bad_signature = false;  // flip a bit of the signature
  // Sign a pretty-printed value (whitespace inside the signed bytes): a
  // verifier that re-serializes before checking would reject it.
  bool pretty = false;
};

struct TcbLevel {
  std::array<uint8_t, 16> sgx_components{};
  uint16_t pcesvn = 0;
  std::array<uint8_t, 16> tdx_components{};  // TDX flavour only
  uint64_t tcb_date = 0;
  std::string status = "UpToDate";
  std::vector<std::string> advisory_ids;
};

struct ModuleTcbLevel {
  uint8_t isvsvn = 0;
  uint64_t tcb_date = 0;
  std::string status = "UpToDate";
  std::vector<std::string> advisory_ids;
};

struct TdxModuleIdentity {
  std::string id;  // "TDX_%02X" of TEE_TCB_SVN[1]
  Measurement48 mrsigner{};
  std::array<uint8_t, 8> attributes{};
  std::array<uint8_t, 8> attributes_mask{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  std::vector<ModuleTcbLevel> levels;
};

struct TcbInfoSpec {
  bool tdx = true;
  std::string id;  // empty: "TDX" / "SGX"
  int version = 3;
  uint64_t issue_date = 0;
  uint64_t next_update = 0;
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pce_id{};
  int tcb_type = 0;
  uint64_t tcb_evaluation_data_number = 17;
  // TDX: the single-module identity (TEE_TCB_SVN[1] == 0) and the per-version ones.
  Measurement48 module_mrsigner{};
  std::array<uint8_t, 8> module_attributes{};
  std::array<uint8_t, 8> module_attributes_mask{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  std::vector<TdxModuleIdentity> module_identities;
  std::vector<TcbLevel> levels;  // Intel's order: newest first
  DocSigning signing;
};

struct QeTcbLevel {
  uint16_t isvsvn = 0;
  uint64_t tcb_date = 0;
  std::string status = "UpToDate";
  std::vector<std::string> advisory_ids;
};

struct QeIdentitySpec {
  std::string id = "TD_QE";  // SGX: "QE"
  int version = 2;
  uint64_t issue_date = 0;
  uint64_t next_update = 0;
  uint64_t tcb_evaluation_data_number = 17;
  uint32_t miscselect = 0;  // written as the report's 4 bytes (little-endian), as Intel does
  uint32_t miscselect_mask = 0xffffffff;
  std::array<uint8_t, 16> attributes{};  // byte order of the report
  std::array<uint8_t, 16> attributes_mask{};
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isvprodid = 0;
  std::vector<QeTcbLevel> levels;  // newest first
  DocSigning signing;
};

// The signed value text alone, then the whole bundle.
std::string TcbInfoValueText(const TcbInfoSpec& spec);
std::string QeIdentityValueText(const QeIdentitySpec& spec);
Result<Bytes> MakeTcbInfo(const TcbInfoSpec& spec);
Result<Bytes> MakeQeIdentity(const QeIdentitySpec& spec);

enum class CrlEncoding { kDer, kPem, kPemWithChain };

struct CrlBuildSpec {
  uint64_t this_update = 0;
  uint64_t next_update = 0;
  std::vector<Bytes> revoked_serials;  // big-endian, as Certificate::serial()
  // Default: the dev PCK Platform CA (PCK CRL) or the dev root (Root CA CRL).
  std::optional<KeyedCert> issuer;
  // PEM chain after the CRL block; default {issuer, dev root} (the root once).
  std::optional<std::vector<x509::Certificate>> chain;
  CrlEncoding encoding = CrlEncoding::kPemWithChain;
  bool bad_signature = false;
};

Result<Bytes> MakePckCrl(const CrlBuildSpec& spec);
Result<Bytes> MakeRootCaCrl(const CrlBuildSpec& spec);

// A blob of CA certificates (PEM), e.g. the PCK Platform CA and root as a
// "ca_certs" document.
Bytes CertsPem(const std::vector<x509::Certificate>& certs);

// The same certificate with one bit of its signature flipped (still parses).
Result<x509::Certificate> WithBadSignature(const x509::Certificate& cert);

// A TCB recovery as Intel publishes it: a newer TCB Info (evaluation data
// number + 1, issued at `issue_date`) with a new UpToDate level above every
// existing one; former UpToDate/SWHardeningNeeded levels become OutOfDate,
// configuration-needing ones OutOfDateConfigurationNeeded, each with a new
// advisory. A platform that matched a former level now reads OutOfDate.
TcbInfoSpec TcbRecovery(const TcbInfoSpec& current, uint64_t issue_date, uint64_t next_update);

inline constexpr char kRecoveryAdvisory[] = "INTEL-SA-DEV01";

}  // namespace tenzro::tee::tdx::sim
