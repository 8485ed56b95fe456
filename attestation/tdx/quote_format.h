// Byte layout of Intel DCAP quotes (SGX v3, TDX v4 and v5), written once: the
// parser (quote.cpp) reads with these constants and the simulator writes with
// them. All integers are little-endian.
//
// Sources: Intel SGX ECDSA Quote Library API (Appendix A, quote v3) and Intel
// TDX DCAP Quoting Library API (Appendix A, quotes v4 and v5).
//
//   quote v3/v4:  header[48] | body[384 SGX or 584 TD10] | u32 sig_data_len | sig data
//   quote v5:     header[48] | u16 body_type | u32 body_size | body[size] | u32 sig_data_len | sig
//   data
//
// The quote signature covers every byte before sig_data_len (for v5 that
// includes the body descriptor). Bytes after sig data (zero padding in real
// quotes) are allowed and ignored.
//
//   sig data v3:     signature[64] | attestation_key[64] | QeReportCertData
//   sig data v4/v5:  signature[64] | attestation_key[64] | u16 cert_type (6) | u32 size |
//   QeReportCertData QeReportCertData: qe_report[384] | qe_report_signature[64] | u16 auth_len |
//   auth[auth_len]
//                     | u16 cert_type (5) | u32 size | PCK chain PEM (leaf, CA, root)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tenzro::tee::tdx::fmt {

// ---- header (48 bytes) -----------------------------------------------------
inline constexpr size_t kHeaderSize = 48;
inline constexpr size_t kHdrVersion = 0;      // u16
inline constexpr size_t kHdrAttKeyType = 2;   // u16
inline constexpr size_t kHdrTeeType = 4;      // u32 (v3: reserved, 0)
inline constexpr size_t kHdrQeSvn = 8;        // u16 (v4/v5: reserved)
inline constexpr size_t kHdrPceSvn = 10;      // u16 (v4/v5: reserved)
inline constexpr size_t kHdrQeVendorId = 12;  // [16]
inline constexpr size_t kHdrUserData = 28;    // [20]
inline constexpr size_t kQeVendorIdSize = 16;
inline constexpr size_t kUserDataSize = 20;

inline constexpr uint16_t kVersion3 = 3;  // SGX
inline constexpr uint16_t kVersion4 = 4;  // TDX (TD 1.0 body)
inline constexpr uint16_t kVersion5 = 5;  // TDX (TD 1.0 or 1.5 body; SGX possible)

inline constexpr uint16_t kAttKeyEcdsaP256 = 2;
inline constexpr uint16_t kAttKeyEcdsaP384 = 3;  // defined by Intel, not supported

inline constexpr uint32_t kTeeTypeSgx = 0x00000000;
inline constexpr uint32_t kTeeTypeTdx = 0x00000081;

// Intel's Quoting Enclave vendor id 939A7233-F79C-4CA9-940A-0DB3957F0607.
inline constexpr std::array<uint8_t, 16> kIntelQeVendorId = {
    0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

// ---- v5 body descriptor (6 bytes, right after the header) -------------------
inline constexpr size_t kBodyDescriptorSize = 6;  // u16 type | u32 size
inline constexpr uint16_t kBodyTypeSgx = 1;
inline constexpr uint16_t kBodyTypeTd10 = 2;
inline constexpr uint16_t kBodyTypeTd15 = 3;

// ---- SGX enclave report body (384 bytes): also the QE report -----------------
inline constexpr size_t kSgxReportSize = 384;
inline constexpr size_t kRepCpuSvn = 0;         // [16]
inline constexpr size_t kRepMiscSelect = 16;    // u32
inline constexpr size_t kRepReserved1 = 20;     // [12]
inline constexpr size_t kRepIsvExtProdId = 32;  // [16]
inline constexpr size_t kRepAttributes = 48;    // [16] (flags u64 | xfrm u64)
inline constexpr size_t kRepMrEnclave = 64;     // [32]
inline constexpr size_t kRepReserved2 = 96;     // [32]
inline constexpr size_t kRepMrSigner = 128;     // [32]
inline constexpr size_t kRepReserved3 = 160;    // [32]
inline constexpr size_t kRepConfigId = 192;     // [64]
inline constexpr size_t kRepIsvProdId = 256;    // u16
inline constexpr size_t kRepIsvSvn = 258;       // u16
inline constexpr size_t kRepConfigSvn = 260;    // u16
inline constexpr size_t kRepReserved4 = 262;    // [42]
inline constexpr size_t kRepIsvFamilyId = 304;  // [16]
inline constexpr size_t kRepReportData = 320;   // [64]
inline constexpr size_t kCpuSvnSize = 16;
inline constexpr size_t kAttributesSize = 16;
inline constexpr size_t kMrEnclaveSize = 32;
inline constexpr size_t kReportDataSize = 64;
// ATTRIBUTES.FLAGS bit 1: DEBUG.
inline constexpr uint8_t kSgxAttrDebugBit = 0x02;

// ---- TD report body 1.0 (584 bytes) and 1.5 (648 bytes) ----------------------
inline constexpr size_t kTd10BodySize = 584;
inline constexpr size_t kTd15BodySize = 648;
inline constexpr size_t kTdTeeTcbSvn = 0;         // [16]
inline constexpr size_t kTdMrSeam = 16;           // [48]
inline constexpr size_t kTdMrSignerSeam = 64;     // [48]
inline constexpr size_t kTdSeamAttributes = 112;  // [8]
inline constexpr size_t kTdTdAttributes = 120;    // [8]
inline constexpr size_t kTdXfam = 128;            // [8]
inline constexpr size_t kTdMrTd = 136;            // [48]
inline constexpr size_t kTdMrConfigId = 184;      // [48]
inline constexpr size_t kTdMrOwner = 232;         // [48]
inline constexpr size_t kTdMrOwnerConfig = 280;   // [48]
inline constexpr size_t kTdRtmr0 = 328;           // [48] x 4
inline constexpr size_t kTdReportData = 520;      // [64]
inline constexpr size_t kTdTeeTcbSvn2 = 584;      // [16]  (1.5 only)
inline constexpr size_t kTdMrServiceTd = 600;     // [48]  (1.5 only)
inline constexpr size_t kTeeTcbSvnSize = 16;
inline constexpr size_t kMeasurementSize = 48;  // SHA-384
inline constexpr size_t kTdAttributesSize = 8;
inline constexpr size_t kRtmrCount = 4;
// TD_ATTRIBUTES, as the 8 bytes of the quote (little-endian u64):
// bit 0 DEBUG (TUD), bit 28 SEPT_VE_DISABLE.
inline constexpr uint64_t kTdAttrDebug = uint64_t{1} << 0;
inline constexpr uint64_t kTdAttrSeptVeDisable = uint64_t{1} << 28;

// ---- ECDSA signature data ------------------------------------------------------
inline constexpr size_t kSigDataLenSize = 4;       // u32 before the sig data
inline constexpr size_t kEcdsaSignatureSize = 64;  // r || s, big-endian each
inline constexpr size_t kAttestationKeySize = 64;  // x || y, big-endian each
inline constexpr size_t kCertDataHeaderSize = 6;   // u16 type | u32 size
inline constexpr size_t kQeAuthLenSize = 2;        // u16

// Certification data types (Intel's enumeration).
inline constexpr uint16_t kCertTypePpidCleartext = 1;
inline constexpr uint16_t kCertTypePpidRsa2048 = 2;
inline constexpr uint16_t kCertTypePpidRsa3072 = 3;
inline constexpr uint16_t kCertTypePckCleartext = 4;
inline constexpr uint16_t kCertTypePckChain = 5;      // PEM: PCK leaf, PCK CA, root
inline constexpr uint16_t kCertTypeQeReportCert = 6;  // QE report + inner type 5
inline constexpr uint16_t kCertTypePlatformManifest = 7;

// The minimum sizes the parser can rely on before reading lengths.
inline constexpr size_t kQeReportCertFixed = kSgxReportSize + kEcdsaSignatureSize + kQeAuthLenSize;

}  // namespace tenzro::tee::tdx::fmt
