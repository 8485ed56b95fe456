// Intel DCAP quotes (SGX v3, TDX v4 and v5): pure, bounds-checked parsing.
//
// ParseQuote reads the layout of quote_format.h; it does no crypto, reads no
// clock and checks only structure: every length inside the quote is checked
// against its enclosing region, the certification data must fill its declared
// size exactly, and bytes after the signature data are allowed (real quotes
// carry zero padding there). Errors: kInvalidArgument for malformed bytes,
// kUnsupported for a well-formed quote of a version, key type, TEE type, body
// type or certification data type this verifier does not handle.
//
// Views in Quote point into the parsed buffer: valid while it lives.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "attestation/tdx/quote_format.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::tdx {

using Measurement = std::array<uint8_t, fmt::kMeasurementSize>;  // SHA-384
using Svn16 = std::array<uint8_t, 16>;
using ReportData = std::array<uint8_t, fmt::kReportDataSize>;

enum class BodyType : uint16_t {
  kSgx = fmt::kBodyTypeSgx,
  kTd10 = fmt::kBodyTypeTd10,
  kTd15 = fmt::kBodyTypeTd15,
};

// An SGX enclave report body (384 bytes): the body of an SGX quote and the QE report.
struct SgxReport {
  Svn16 cpu_svn{};
  uint32_t misc_select = 0;
  std::array<uint8_t, 16> isv_ext_prod_id{};
  std::array<uint8_t, fmt::kAttributesSize> attributes{};
  std::array<uint8_t, 32> mr_enclave{};
  std::array<uint8_t, 32> mr_signer{};
  std::array<uint8_t, 64> config_id{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  uint16_t config_svn = 0;
  std::array<uint8_t, 16> isv_family_id{};
  ReportData report_data{};

  bool debug() const { return (attributes[0] & fmt::kSgxAttrDebugBit) != 0; }
};

// A TD report body: 1.0 (584 bytes) or 1.5 (648 bytes, the two extra fields set).
struct TdReport {
  Svn16 tee_tcb_svn{};
  Measurement mr_seam{};
  Measurement mr_signer_seam{};
  std::array<uint8_t, 8> seam_attributes{};
  std::array<uint8_t, 8> td_attributes{};
  std::array<uint8_t, 8> xfam{};
  Measurement mr_td{};
  Measurement mr_config_id{};
  Measurement mr_owner{};
  Measurement mr_owner_config{};
  std::array<Measurement, fmt::kRtmrCount> rtmr{};
  ReportData report_data{};
  std::optional<Svn16> tee_tcb_svn2;         // TD 1.5
  std::optional<Measurement> mr_service_td;  // TD 1.5

  // TD_ATTRIBUTES as the little-endian u64 the TDX module defines.
  uint64_t attributes_u64() const;
  bool debug() const { return (attributes_u64() & fmt::kTdAttrDebug) != 0; }
  bool sept_ve_disable() const { return (attributes_u64() & fmt::kTdAttrSeptVeDisable) != 0; }
};

struct Quote {
  // Header.
  uint16_t version = 0;
  uint16_t att_key_type = 0;
  uint32_t tee_type = 0;
  uint16_t qe_svn = 0;   // v3 only (reserved in v4/v5)
  uint16_t pce_svn = 0;  // v3 only
  std::array<uint8_t, fmt::kQeVendorIdSize> qe_vendor_id{};
  std::array<uint8_t, fmt::kUserDataSize> user_data{};

  // Body: `sgx` when body_type == kSgx, else `td`.
  BodyType body_type = BodyType::kSgx;
  SgxReport sgx;
  TdReport td;

  // Signature data.
  ByteView signed_data;  // header (+ v5 descriptor) + body: what the quote signature covers
  std::array<uint8_t, fmt::kEcdsaSignatureSize> signature{};
  std::array<uint8_t, fmt::kAttestationKeySize> attestation_key{};
  ByteView qe_report_raw;  // the 384 bytes the QE report signature covers
  SgxReport qe_report;
  std::array<uint8_t, fmt::kEcdsaSignatureSize> qe_report_signature{};
  ByteView qe_auth_data;
  ByteView pck_chain_pem;  // inner certification data (type 5), NULs at the end stripped
  // Attestation key through the end of the certification data: everything the
  // QE and the PCK chain certify (the key of the verifier's certification cache).
  ByteView certified;
  size_t trailing_bytes = 0;  // after the signature data

  bool is_tdx() const { return body_type != BodyType::kSgx; }
  const ReportData& report_data() const { return is_tdx() ? td.report_data : sgx.report_data; }
};

Result<SgxReport> ParseSgxReport(ByteView report);             // exactly 384 bytes
Result<TdReport> ParseTdReport(ByteView body, BodyType type);  // exactly 584 or 648 bytes
Result<Quote> ParseQuote(ByteView quote);

}  // namespace tenzro::tee::tdx
