// The AMD SEV-SNP wire formats, written once: the verifier parses them and
// the simulator (attestation/snp/sim/) writes them from these constants.
//
// Sources: SEV Secure Nested Paging Firmware ABI Specification (AMD 56860),
// Table "ATTESTATION_REPORT Structure" (rev 1.55 for v2/v3, rev 1.58 for v5),
// "TCB_VERSION Structure" (Milan/Genoa and Turin forms), "Signature format for
// ECDSA P-384 with SHA-384"; GHCB specification (AMD 56421) §4.1.8.1 for the
// extended-report certificate table; AMD's VCEK/VLEK certificate spec (57230)
// for the X.509 extensions; Microsoft's HCL report layout (Azure CVM vTPM NV
// index 0x01400001) for the Azure wrapper.
//
// All multi-byte integers in the report are little-endian. Offsets are from
// the start of the 1184-byte report.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tenzro::tee::snp::format {

// A byte range [offset, offset + size).
struct Range {
  size_t offset;
  size_t size;
  constexpr size_t end() const { return offset + size; }
};

// ---- ATTESTATION_REPORT (0x4A0 = 1184 bytes) --------------------------------

inline constexpr size_t kReportSize = 0x4A0;
// The signature covers [0, kSignedSize).
inline constexpr size_t kSignedSize = 0x2A0;

inline constexpr Range kVersion{0x000, 4};  // 2, 3, 4, 5 accepted
inline constexpr Range kGuestSvn{0x004, 4};
inline constexpr Range kPolicy{0x008, 8};  // guest policy, bits below
inline constexpr Range kFamilyId{0x010, 16};
inline constexpr Range kImageId{0x020, 16};
inline constexpr Range kVmpl{0x030, 4};
inline constexpr Range kSignatureAlgo{0x034, 4};  // must be kSigAlgoEcdsaP384Sha384
inline constexpr Range kCurrentTcb{0x038, 8};     // TCB_VERSION
inline constexpr Range kPlatformInfo{0x040, 8};   // bits below
inline constexpr Range kSignerInfo{0x048, 4};     // bits below (v2: AUTHOR_KEY_EN only)
inline constexpr Range kReserved04C{0x04C, 4};    // MBZ
inline constexpr Range kReportData{0x050, 64};
inline constexpr Range kMeasurement{0x090, 48};
inline constexpr Range kHostData{0x0C0, 32};
inline constexpr Range kIdKeyDigest{0x0E0, 48};
inline constexpr Range kAuthorKeyDigest{0x110, 48};
inline constexpr Range kReportId{0x140, 32};
inline constexpr Range kReportIdMa{0x160, 32};
inline constexpr Range kReportedTcb{0x180, 8};  // TCB_VERSION the VEK is derived from
// v3+: CPUID(1) family/model/stepping (extended family + base family, etc.).
// v2: these three bytes are part of the reserved range 0x188..0x1A0.
inline constexpr Range kCpuidFamId{0x188, 1};
inline constexpr Range kCpuidModId{0x189, 1};
inline constexpr Range kCpuidStep{0x18A, 1};
inline constexpr Range kReserved18B{0x18B, 0x1A0 - 0x18B};    // MBZ (v3+)
inline constexpr Range kReserved188V2{0x188, 0x1A0 - 0x188};  // MBZ (v2)
inline constexpr Range kChipId{0x1A0, 64};                    // Turin: 8 bytes + 56 zero bytes
inline constexpr Range kCommittedTcb{0x1E0, 8};
inline constexpr Range kCurrentBuild{0x1E8, 1};
inline constexpr Range kCurrentMinor{0x1E9, 1};
inline constexpr Range kCurrentMajor{0x1EA, 1};
inline constexpr Range kReserved1EB{0x1EB, 1};  // MBZ
inline constexpr Range kCommittedBuild{0x1EC, 1};
inline constexpr Range kCommittedMinor{0x1ED, 1};
inline constexpr Range kCommittedMajor{0x1EE, 1};
inline constexpr Range kReserved1EF{0x1EF, 1};  // MBZ
inline constexpr Range kLaunchTcb{0x1F0, 8};
// v4+ (ABI 1.57/1.58, first seen on Turin): verified mitigation vectors.
// v2/v3: part of the reserved range 0x1F8..0x2A0.
inline constexpr Range kLaunchMitVector{0x1F8, 8};
inline constexpr Range kCurrentMitVector{0x200, 8};
inline constexpr Range kReserved208{0x208, 0x2A0 - 0x208};    // MBZ (v4+)
inline constexpr Range kReserved1F8V3{0x1F8, 0x2A0 - 0x1F8};  // MBZ (v2, v3)
// SIGNATURE (ECDSA P-384 with SHA-384 format): R and S are 72-byte
// little-endian integers zero-extended from 48 bytes; the rest is MBZ.
inline constexpr Range kSignature{0x2A0, 0x200};
inline constexpr Range kSignatureR{0x2A0, 72};
inline constexpr Range kSignatureS{0x2E8, 72};
inline constexpr Range kReservedSig{0x330, 0x4A0 - 0x330};  // MBZ
inline constexpr size_t kP384ScalarSize = 48;               // significant low bytes of R and S

inline constexpr uint32_t kMinReportVersion = 2;
inline constexpr uint32_t kMaxReportVersion = 5;
inline constexpr uint32_t kSigAlgoEcdsaP384Sha384 = 1;

// Every reserved (must-be-zero) range for a report version.
// REQUIRES: kMinReportVersion <= version <= kMaxReportVersion.
constexpr std::array<Range, 6> ReservedRanges(uint32_t version) {
  const bool v3 = version >= 3;
  const bool v4 = version >= 4;
  return {kReserved04C, v3 ? kReserved18B : kReserved188V2, kReserved1EB,
          kReserved1EF, v4 ? kReserved208 : kReserved1F8V3, kReservedSig};
}

// ---- POLICY bits (guest policy, 64 bits) ------------------------------------
inline constexpr uint64_t kPolicyAbiMinorMask = 0xFFull;    // bits 7:0
inline constexpr uint64_t kPolicyAbiMajorMask = 0xFF00ull;  // bits 15:8
inline constexpr int kPolicyBitSmt = 16;
inline constexpr int kPolicyBitReservedOne = 17;  // must be 1
inline constexpr int kPolicyBitMigrateMa = 18;
inline constexpr int kPolicyBitDebug = 19;
inline constexpr int kPolicyBitSingleSocket = 20;
inline constexpr int kPolicyBitCxlAllow = 21;
inline constexpr int kPolicyBitMemAes256Xts = 22;
inline constexpr int kPolicyBitRaplDis = 23;
inline constexpr int kPolicyBitCiphertextHiding = 24;
inline constexpr int kPolicyBitPageSwapDisable = 25;
inline constexpr uint64_t kPolicyReservedMask = ~((1ull << 26) - 1);  // bits 63:26 MBZ

// ---- SIGNER_INFO bits (0x48, 32 bits) ---------------------------------------
inline constexpr uint32_t kSignerAuthorKeyEn = 1u << 0;
inline constexpr uint32_t kSignerMaskChipKey = 1u << 1;
inline constexpr int kSignerSigningKeyShift = 2;  // bits 4:2
inline constexpr uint32_t kSignerSigningKeyMask = 7u << 2;
inline constexpr uint32_t kSignerReservedMask = ~((1u << 5) - 1);  // bits 31:5 MBZ
inline constexpr uint32_t kSigningKeyVcek = 0;
inline constexpr uint32_t kSigningKeyVlek = 1;
// 2..6 reserved (rejected); 7 = no key (an unsigned report: rejected).
inline constexpr uint32_t kSigningKeyNone = 7;

// ---- PLATFORM_INFO bits (0x40, 64 bits) -------------------------------------
// Informational; new firmware keeps adding bits, so unknown bits are not
// rejected (the field is signed).
inline constexpr uint64_t kPlatformSmtEn = 1ull << 0;
inline constexpr uint64_t kPlatformTsmeEn = 1ull << 1;
inline constexpr uint64_t kPlatformEccEn = 1ull << 2;
inline constexpr uint64_t kPlatformRaplDis = 1ull << 3;
inline constexpr uint64_t kPlatformCiphertextHidingEn = 1ull << 4;
inline constexpr uint64_t kPlatformAliasCheckComplete = 1ull << 5;

// ---- TCB_VERSION (8 bytes), byte index of each SPL --------------------------
// Milan and Genoa: BOOT_LOADER, TEE, 4 reserved, SNP, MICROCODE.
// Turin:           FMC, BOOT_LOADER, TEE, SNP, 3 reserved, MICROCODE.
struct TcbLayout {
  int fmc;  // -1: the product has no FMC SPL
  int boot_loader;
  int tee;
  int snp;
  int microcode;
  Range reserved;  // within the 8 bytes; MBZ
};
inline constexpr TcbLayout kTcbMilanGenoa{-1, 0, 1, 6, 7, {2, 4}};
inline constexpr TcbLayout kTcbTurin{0, 1, 2, 3, 7, {4, 3}};

// ---- Products ----------------------------------------------------------------
enum class Product : uint8_t { kUnknown = 0, kMilan = 1, kGenoa = 2, kTurin = 3 };
inline constexpr size_t kProductCount = 4;

// KDS product names (URL path and VCEK productName prefix).
constexpr std::string_view ProductName(Product p) {
  switch (p) {
    case Product::kMilan:
      return "Milan";
    case Product::kGenoa:
      return "Genoa";
    case Product::kTurin:
      return "Turin";
    case Product::kUnknown:
      break;
  }
  return "unknown";
}

constexpr const TcbLayout& TcbLayoutFor(Product p) {
  return p == Product::kTurin ? kTcbTurin : kTcbMilanGenoa;
}

// CPUID(1) combined family (base + extended) and model (extended << 4 | base)
// as the v3+ report carries them.
inline constexpr uint8_t kFamilyZen3Zen4 = 0x19;  // Milan (models 0x00-0x0F),
                                                  // Genoa (0x10-0x1F, 0xA0-0xAF: Bergamo/Siena)
inline constexpr uint8_t kFamilyZen5 = 0x1A;      // Turin (0x00-0x0F), Turin dense (0x10-0x1F)

constexpr Product ProductFromCpuid(uint8_t family, uint8_t model) {
  if (family == kFamilyZen3Zen4) {
    if (model <= 0x0F) return Product::kMilan;
    if ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF)) {
      return Product::kGenoa;
    }
    return Product::kUnknown;
  }
  if (family == kFamilyZen5 && model <= 0x1F) return Product::kTurin;
  return Product::kUnknown;
}

// Turin's CHIP_ID is 8 bytes, the rest of the 64-byte field zero; its VCEK
// hwID extension is 8 bytes. Milan/Genoa: 64 bytes.
inline constexpr size_t kTurinChipIdSize = 8;
inline constexpr size_t kChipIdSize = 64;

// ---- Extended report certificate table (GHCB spec) ---------------------------
// The report is followed by a table of 24-byte entries {GUID[16] (RFC 4122
// byte order, as the text form reads), offset u32 LE, length u32 LE},
// terminated by an all-zero entry; offsets are from the start of the table.
inline constexpr size_t kCertTableEntrySize = 24;
using Guid = std::array<uint8_t, 16>;
// 63da758d-e664-4564-adc5-f4b93be8accd
inline constexpr Guid kGuidVcek = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
// a8074bc2-a25a-483e-aae6-39c045a0b8a1
inline constexpr Guid kGuidVlek = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
// 4ab7b379-bbac-4fe4-a02f-05aef327c782. The GHCB spec defines no ASVK GUID:
// hosts serving a VLEK put the ASVK under the ASK GUID (go-sev-guest does
// the same), so the verifier tells ASK from ASVK by subject name.
inline constexpr Guid kGuidAsk = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
// c0b406a4-a803-4952-9743-3fb6014cd0ae
inline constexpr Guid kGuidArk = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};
// Bound on table entries a parser accepts (real tables have 3 or 4).
inline constexpr size_t kMaxCertTableEntries = 16;

// ---- Azure HCL report (vTPM NV index 0x01400001) ----------------------------
// Header (0x20): "HCLA", version u32, report_size u32 (total bytes used),
// request_type u32, status u32, 12 reserved bytes; then the SNP report at
// 0x20; then the IGVM request data at 0x4C0: data_size u32, version u32,
// report_type u32 (2 = SNP), report_data_hash_type u32, variable_data_size
// u32, variable data (the runtime claims JSON) at 0x4D4. REPORT_DATA[0..32)
// is a hash of the variable data; the blob is padded (2600 bytes in practice).
inline constexpr std::array<uint8_t, 4> kHclMagic = {'H', 'C', 'L', 'A'};
inline constexpr Range kHclHeader{0x00, 0x20};
inline constexpr Range kHclVersion{0x04, 4};
inline constexpr Range kHclReportSize{0x08, 4};
inline constexpr Range kHclRequestType{0x0C, 4};
inline constexpr Range kHclStatus{0x10, 4};
inline constexpr Range kHclReserved{0x14, 12};
inline constexpr size_t kHclReportOffset = 0x20;
inline constexpr size_t kHclIgvmOffset = kHclReportOffset + kReportSize;  // 0x4C0
inline constexpr Range kHclIgvmDataSize{0x4C0, 4};
inline constexpr Range kHclIgvmVersion{0x4C4, 4};
inline constexpr Range kHclIgvmReportType{0x4C8, 4};
inline constexpr Range kHclIgvmHashType{0x4CC, 4};
inline constexpr Range kHclIgvmVariableSize{0x4D0, 4};
inline constexpr size_t kHclVariableDataOffset = 0x4D4;
inline constexpr uint32_t kHclReportTypeSnp = 2;

// ---- VCEK / VLEK X.509 extensions (AMD 57230) --------------------------------
// Values are DER INTEGERs (SPLs), an IA5String (productName, e.g. "Milan-B0",
// "Genoa", "Turin") and an OCTET STRING (hwID: 64 bytes, Turin 8). Some KDS
// versions put the raw value bytes directly in extnValue (hwID as 64 raw
// bytes, SPL as a bare INTEGER), others wrap it once more in an OCTET STRING:
// parsers accept both.
inline constexpr std::string_view kOidStructVersion = "1.3.6.1.4.1.3704.1.1";
inline constexpr std::string_view kOidProductName = "1.3.6.1.4.1.3704.1.2";
inline constexpr std::string_view kOidBlSpl = "1.3.6.1.4.1.3704.1.3.1";
inline constexpr std::string_view kOidTeeSpl = "1.3.6.1.4.1.3704.1.3.2";
inline constexpr std::string_view kOidSnpSpl = "1.3.6.1.4.1.3704.1.3.3";
inline constexpr std::string_view kOidSpl4 = "1.3.6.1.4.1.3704.1.3.4";
inline constexpr std::string_view kOidSpl5 = "1.3.6.1.4.1.3704.1.3.5";
inline constexpr std::string_view kOidSpl6 = "1.3.6.1.4.1.3704.1.3.6";
inline constexpr std::string_view kOidSpl7 = "1.3.6.1.4.1.3704.1.3.7";
inline constexpr std::string_view kOidUcodeSpl = "1.3.6.1.4.1.3704.1.3.8";
inline constexpr std::string_view kOidFmcSpl = "1.3.6.1.4.1.3704.1.3.9";  // Turin
inline constexpr std::string_view kOidHwId = "1.3.6.1.4.1.3704.1.4";      // VCEK only
inline constexpr std::string_view kOidCspId = "1.3.6.1.4.1.3704.1.5";     // VLEK only

// ---- AMD KDS certificate subjects (CN) ----------------------------------------
// ARK "ARK-<Product>", ASK "SEV-<Product>", ASVK "SEV-VLEK-<Product>",
// VCEK "SEV-VCEK", VLEK "SEV-VLEK". All AMD signatures in the chain are
// RSASSA-PSS with SHA-384 (MGF1-SHA-384, salt 48); the VEK key is P-384.
inline constexpr std::string_view kCnArkPrefix = "ARK-";
inline constexpr std::string_view kCnAskPrefix = "SEV-";
inline constexpr std::string_view kCnAsvkPrefix = "SEV-VLEK-";
inline constexpr std::string_view kCnVcek = "SEV-VCEK";
inline constexpr std::string_view kCnVlek = "SEV-VLEK";

}  // namespace tenzro::tee::snp::format
