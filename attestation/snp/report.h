// Parsing of SEV-SNP evidence (pure: no crypto, no clock, no I/O).
//
// Three forms are accepted (attestation/snp/report_format.h has the layouts):
//   1. the raw 1184-byte ATTESTATION_REPORT;
//   2. the report followed by the extended-report certificate table (GHCB);
//   3. Azure's HCL report blob ("HCLA" header, the report at 0x20).
// Report versions 2 to 5; every reserved range must be zero; the signature
// algorithm must be ECDSA P-384 with SHA-384.
//
// Errors: kUnsupported for a version, signature algorithm, signing key or
// product this verifier does not handle; kInvalidArgument for anything
// malformed (sizes, reserved bits, table bounds). Thread-safe (pure functions).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attestation/snp/report_format.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::snp {

using format::Product;

enum class SigningKey : uint8_t { kVcek = 0, kVlek = 1 };

using RawTcb = std::array<uint8_t, 8>;

// TCB_VERSION components, decoded with a product's byte layout.
struct TcbParts {
  uint8_t fmc = 0;  // Turin only (0 elsewhere)
  uint8_t boot_loader = 0;
  uint8_t tee = 0;
  uint8_t snp = 0;
  uint8_t microcode = 0;
};
TcbParts DecodeTcb(const RawTcb& raw, Product product);
// True when the reserved bytes of raw (for that product's layout) are zero.
bool TcbReservedZero(const RawTcb& raw, Product product);

struct FirmwareVersion {
  uint8_t major = 0;
  uint8_t minor = 0;
  uint8_t build = 0;
  // Lexicographic (major, minor, build).
  friend auto operator<=>(const FirmwareVersion&, const FirmwareVersion&) = default;
  std::string ToString() const;  // "major.minor.build"
};
// "major.minor.build" with each part 0..255; nullopt otherwise.
std::optional<FirmwareVersion> ParseFirmwareVersion(std::string_view text);

// Bit set of products (1 << Product).
using ProductSet = uint8_t;
constexpr ProductSet ProductBit(Product p) {
  return static_cast<ProductSet>(1u << static_cast<unsigned>(p));
}

struct Report {
  std::array<uint8_t, format::kReportSize> raw{};  // the report as received

  uint32_t version = 0;
  uint32_t guest_svn = 0;
  uint64_t policy = 0;
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  uint32_t vmpl = 0;
  uint32_t signature_algo = 0;
  RawTcb current_tcb{};
  uint64_t platform_info = 0;
  uint32_t signer_info = 0;
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  std::array<uint8_t, 48> id_key_digest{};
  std::array<uint8_t, 48> author_key_digest{};
  std::array<uint8_t, 32> report_id{};
  std::array<uint8_t, 32> report_id_ma{};
  RawTcb reported_tcb{};
  uint8_t cpuid_fam = 0, cpuid_mod = 0, cpuid_step = 0;  // v3+
  std::array<uint8_t, 64> chip_id{};
  RawTcb committed_tcb{};
  FirmwareVersion current_fw;
  FirmwareVersion committed_fw;
  RawTcb launch_tcb{};
  uint64_t launch_mit_vector = 0, current_mit_vector = 0;  // v4+
  // Signature as big-endian 48-byte scalars (converted from 72-byte LE).
  std::array<uint8_t, format::kP384ScalarSize> sig_r{};
  std::array<uint8_t, format::kP384ScalarSize> sig_s{};

  SigningKey signing_key = SigningKey::kVcek;
  // v3+: exactly the CPUID product; v2: the products the chip id shape
  // allows (the certificate chain decides among them).
  ProductSet products = 0;

  ByteView signed_bytes() const { return {raw.data(), format::kSignedSize}; }
  bool debug() const { return (policy >> format::kPolicyBitDebug) & 1u; }
  bool migrate_ma() const { return (policy >> format::kPolicyBitMigrateMa) & 1u; }
  bool mask_chip_key() const { return (signer_info & format::kSignerMaskChipKey) != 0; }
  bool author_key_en() const { return (signer_info & format::kSignerAuthorKeyEn) != 0; }
  // The chip id carries no identity: masked by the host, or all zero.
  bool chip_id_masked() const;
  // The bytes of chip_id that identify the chip for a product (Turin: 8).
  ByteView chip_id_for(Product p) const;
  // The single product when the report names one, else kUnknown.
  Product product() const;
};

// Parses exactly one 1184-byte report.
Result<Report> ParseReport(ByteView data);

enum class EvidenceForm : uint8_t { kRaw = 0, kWithCertTable = 1, kAzureHcl = 2 };

struct CertTableEntry {
  format::Guid guid{};
  Bytes data;
};

struct Evidence {
  EvidenceForm form = EvidenceForm::kRaw;
  Report report;
  std::vector<CertTableEntry> certs;  // extended-report table, in table order
  // The first entry with this GUID, or nullptr.
  const CertTableEntry* Find(const format::Guid& guid) const;
};

// Parses the extended-report certificate table alone (offsets relative to
// its start). An empty input is an empty table.
Result<std::vector<CertTableEntry>> ParseCertTable(ByteView table);

// Any of the three forms.
Result<Evidence> ParseEvidence(ByteView data);

}  // namespace tenzro::tee::snp
