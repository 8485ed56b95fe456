// Writes SEV-SNP ATTESTATION_REPORTs (v2, v3, v5; v4 too) from the offsets of
// attestation/snp/report_format.h, signs them with a dev VCEK/VLEK key, and
// wraps them in the three evidence forms the verifier accepts: the raw
// report, the report followed by the extended-report certificate table, and
// Azure's HCL report blob.
//
// Every field is settable, including values a real PSP never produces, so
// tests can make one check fail at a time. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/snp/report_format.h"
#include "attestation/snp/sim/dev_pki.h"
#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::snp::sim {

struct FwVersion {
  uint8_t major = 1;
  uint8_t minor = 55;
  uint8_t build = 40;
};

struct Cpuid {
  uint8_t family = 0;
  uint8_t model = 0;
  uint8_t stepping = 0;
};

// POLICY of a typical production guest: SMT allowed, the must-be-one bit 17,
// ABI 0.0 (0x30000, what the real Genoa/Milan vectors carry).
inline constexpr uint64_t kDefaultPolicy =
    (1ull << format::kPolicyBitSmt) | (1ull << format::kPolicyBitReservedOne);

struct ReportSpec {
  uint32_t version = 3;
  Product product = Product::kGenoa;
  uint32_t guest_svn = 0;
  uint64_t policy = kDefaultPolicy;
  std::array<uint8_t, 16> family_id{};
  std::array<uint8_t, 16> image_id{};
  uint32_t vmpl = 0;
  uint32_t signature_algo = format::kSigAlgoEcdsaP384Sha384;
  // TCB_VERSIONs, encoded in the product's layout (Turin: FMC first).
  Tcb current_tcb;
  Tcb reported_tcb;
  Tcb committed_tcb;
  Tcb launch_tcb;
  uint64_t platform_info = format::kPlatformSmtEn | format::kPlatformAliasCheckComplete;
  // SIGNER_INFO: AUTHOR_KEY_EN, MASK_CHIP_KEY (zeroes CHIP_ID), SIGNING_KEY
  // (raw 3-bit value: 0 VCEK, 1 VLEK, 7 none, others reserved) and the
  // reserved bits 31:5 (tests only).
  bool author_key_en = false;
  bool mask_chip_id = false;
  uint32_t signing_key = format::kSigningKeyVcek;
  uint32_t signer_info_reserved = 0;
  std::array<uint8_t, 64> report_data{};
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> host_data{};
  std::array<uint8_t, 48> id_key_digest{};
  std::array<uint8_t, 48> author_key_digest{};
  std::array<uint8_t, 32> report_id{};
  std::array<uint8_t, 32> report_id_ma{};
  // The chip's id (Turin: 8 significant bytes); written unless mask_chip_id.
  std::array<uint8_t, 64> chip_id{};
  // CPUID fields (v3+ only); nullopt: the product's default.
  std::optional<Cpuid> cpuid;
  FwVersion current_fw;
  FwVersion committed_fw;
  uint64_t launch_mit_vector = 0;   // v4+
  uint64_t current_mit_vector = 0;  // v4+
};

// A spec with the product's typical values: TCBs of a current machine, a
// fixed per-product chip id (dev_pki hwID of DefaultChipId), version 3 (Turin
// 5), default policy, the default measurement.
ReportSpec DefaultReportSpec(Product product);

// A fixed development chip id of the product: SHA-512 of
// "tenzro-tee-snp-sim-chip-id-v1:<Product>"; Turin keeps 8 bytes.
std::array<uint8_t, 64> DefaultChipId(Product product);
// The hwID a VCEK carries for a chip id (64 bytes; Turin its first 8).
Bytes HwIdFor(Product product, const std::array<uint8_t, 64>& chip_id);
// The first 48 bytes of SHA-512("tenzro-tee-snp-sim-measurement-v1").
std::array<uint8_t, 48> DefaultMeasurement();

// The product's CPUID family/model/stepping as a v3+ report carries them.
Cpuid DefaultCpuid(Product product);
// TCB_VERSION as the 64-bit little-endian field value, in the product's layout.
uint64_t EncodeTcb(Product product, const Tcb& tcb);
// Typical TCB of a current machine of the product.
Tcb DefaultTcb(Product product);

// Sets report_data to the binding of DESIGN §4.
void Bind(ReportSpec& spec, const ReportDataBinding& binding);

// The 1184-byte report with a zero signature.
Bytes BuildUnsignedReport(const ReportSpec& spec);
// Signs [0, 0x2A0) with ECDSA P-384 / SHA-384 and writes R and S as 72-byte
// little-endian fields. REQUIRES: report.size() == kReportSize.
Status SignReport(Bytes& report, const x509::PrivateKey& key);
// BuildUnsignedReport + SignReport.
Result<Bytes> BuildSignedReport(const ReportSpec& spec, const x509::PrivateKey& key);

// ---- evidence forms -----------------------------------------------------------

struct CertTableEntry {
  format::Guid guid{};
  Bytes data;  // DER certificate
};
// The report followed by the GHCB certificate table (entries, zero entry,
// then the certificates in entry order).
Bytes WithCertTable(ByteView report, const std::vector<CertTableEntry>& entries);

// Azure HCL report blob: header, the report at 0x20, IGVM request data with
// `runtime_data` (the runtime claims JSON) as variable data, padded to
// `total_size` (2600 in practice) when larger than the content.
Bytes WrapHcl(ByteView report, ByteView runtime_data, size_t total_size = 2600);
// The REPORT_DATA an HCL report carries: SHA-256 of the runtime data, then 32
// zero bytes.
std::array<uint8_t, 64> HclReportData(ByteView runtime_data);

// Writes a 32-bit little-endian value at an offset of a report (tests that
// fault a field after building). REQUIRES: in range.
void PutLe32At(Bytes& report, size_t offset, uint32_t v);
void PutLe64At(Bytes& report, size_t offset, uint64_t v);

}  // namespace tenzro::tee::snp::sim
