// NVIDIA GPU Confidential Computing attestation reports: the pure parser
// (stage 1 of the verifier, issue 11). No crypto, no clock, no I/O.
//
// A report is an SPDM 1.1 GET_MEASUREMENTS exchange, request || response
// (DMTF DSP0274 1.1.0 §10.11), as the GPU driver returns it on Hopper
// (GH100) and Blackwell (GB100):
//   request  (37 bytes)  SPDMVersion 0x11, code 0xE0, Param1 (bit 0: a
//                        signature is requested), Param2 (0xFF: all blocks),
//                        Nonce[32], SlotIDParam[1]
//   response             SPDMVersion 0x11, code 0x60, Param1, Param2,
//                        NumberOfBlocks[1], MeasurementRecordLength[3, LE],
//                        MeasurementRecord (DMTF blocks), Nonce[32],
//                        OpaqueLength[2, LE], OpaqueData, Signature[96]
//   measurement block    Index[1], MeasurementSpecification[1] (bit 0 =
//                        DMTF), MeasurementSize[2, LE], then the DMTF value:
//                        ValueType[1], ValueSize[2, LE], Value
//   opaque data          NVIDIA TLVs: type u16 LE, size u16 LE, value
// The signature (ECDSA P-384 / SHA-384, raw r || s) covers request ||
// response up to the end of the opaque data (signed_bytes()).
//
// Also accepted: the hex text NVIDIA's tools print (whitespace ignored, an
// optional 0x prefix). Every opaque TLV type of NVIDIA's list is parsed into
// a typed fact where it has one; unknown types are kept. A TLV that runs past
// the opaque data, a record that runs past its length, or trailing bytes
// after the signature are kMalformed. An SPDM version other than 1.1 or a
// request that asks for no signature is kUnsupported.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::nvidia {

inline constexpr size_t kRequestSize = 37;
inline constexpr size_t kNonceSize = 32;
inline constexpr size_t kSignatureSize = 96;  // P-384 r || s
inline constexpr size_t kFwidSize = 48;       // SHA-384
// Hex text this long or longer is refused before decoding (a real report is
// about 8 KiB of hex).
inline constexpr size_t kMaxReportBytes = 64u << 10;

// NVIDIA's opaque-data field types (nvtrust OpaqueData, attestation-sdk
// GpuOpaqueDataType).
enum class OpaqueType : uint16_t {
  kCertIssuerName = 1,
  kCertAuthorityKeyIdentifier = 2,
  kDriverVersion = 3,
  kGpuInfo = 4,
  kSku = 5,
  kVbiosVersion = 6,
  kManufacturerId = 7,
  kTamperDetection = 8,
  kSmc = 9,
  kVpr = 10,
  kNvdec0Status = 11,
  kMsrsCnt = 12,
  kCprInfo = 13,
  kBoardId = 14,
  kChipSku = 15,
  kChipSkuMod = 16,
  kProject = 17,
  kProjectSku = 18,
  kProjectSkuMod = 19,
  kFwid = 20,
  kProtectedPcieStatus = 21,
  kSwitchPdi = 22,
  kFloorsweptPorts = 23,
  kPositionId = 24,
  kLockSwitchStatus = 25,
  kGpuLinkConn = 32,
  kSysEnableStatus = 33,
  kOpaqueDataVersion = 34,
  kChipInfo = 35,
  kFeatureFlag = 36,
  kInvalid = 255,
};
// NVIDIA's name of a type without its OPAQUE_FIELD_ID_ prefix ("FWID"), or
// nullptr if unknown.
const char* OpaqueTypeName(uint16_t type);

// NVDEC0_STATUS values: 0xAA means the decoder engine is disabled (its
// measurement, index 35, is then not compared against the RIM).
inline constexpr uint8_t kNvdecEnabled = 0x55;
inline constexpr uint8_t kNvdecDisabled = 0xAA;

// FEATURE_FLAG values (opaque data version 1 and later).
enum class FeatureFlag : uint8_t { kSpt = 0, kMpt = 1, kPpcie = 2 };

struct OpaqueField {
  uint16_t type = 0;
  Bytes value;
  friend bool operator==(const OpaqueField&, const OpaqueField&) = default;
};

struct MeasurementBlock {
  uint8_t index = 0;
  uint8_t spec = 0;        // MeasurementSpecification
  uint8_t value_type = 0;  // DMTFSpecMeasurementValueType
  Bytes value;
};

// Typed facts of the opaque data; unset when the report does not carry them.
struct OpaqueFacts {
  std::optional<std::string> driver_version;  // "550.90.07"
  std::optional<std::string> vbios_version;   // "96.00.9f.00.01" (lower case)
  std::optional<std::array<uint8_t, kFwidSize>> fwid;
  std::optional<uint8_t> nvdec0_status;
  std::optional<uint8_t> protected_pcie_status;
  std::optional<std::string> chip_sku, chip_sku_mod, project, project_sku, project_sku_mod;
  std::optional<uint32_t> board_id;
  std::optional<uint32_t> opaque_data_version;
  std::optional<uint32_t> feature_flag;      // FeatureFlag value (1 to 4 bytes, LE)
  std::vector<uint32_t> measurement_counts;  // MSRSCNT, one per block index
};

struct Report {
  Bytes raw;  // request || response, exactly (no trailing bytes)
  // Request.
  uint8_t request_param1 = 0, request_param2 = 0, slot = 0;
  std::array<uint8_t, kNonceSize> nonce{};  // the requester's nonce (binding, §4)
  // Response.
  uint8_t response_param1 = 0, response_param2 = 0;
  std::vector<MeasurementBlock> blocks;  // in record order, indices unique
  std::array<uint8_t, kNonceSize> responder_nonce{};
  std::vector<OpaqueField> opaque;  // in report order, unknown types kept
  OpaqueFacts facts;
  std::array<uint8_t, kSignatureSize> signature{};
  size_t signed_size = 0;  // request || response up to the end of the opaque data

  ByteView signed_bytes() const { return ByteView(raw).first(signed_size); }
  // DMTF index -> measurement value (the type the RIM comparison takes).
  std::map<uint32_t, Bytes> Measurements() const;
};

// Binary request || response, or its hex text.
Result<Report> ParseReport(ByteView data);
// The binary form alone.
Result<Report> ParseReportBinary(ByteView data);
// The opaque data alone (exposed for tests and fuzzing).
Result<std::vector<OpaqueField>> ParseOpaqueData(ByteView data);
// Typed facts of parsed opaque fields; kMalformed when a known field has a
// size its type cannot have.
Result<OpaqueFacts> OpaqueFactsOf(const std::vector<OpaqueField>& fields);

// "96.00.9f.00.01" from the 8 VBIOS_VERSION bytes (little-endian u64 v:
// bytes 3, 2, 1, 0 of v then byte 4, as NVIDIA's tools print it).
std::string FormatVbiosVersion(const std::array<uint8_t, 8>& raw);

}  // namespace tenzro::tee::nvidia
