// Builds Intel DCAP quotes (TDX v4/v5, SGX v3) signed like real ones, with a
// knob for every field and for every signature and length (tests make each
// check of the verifier fail on its own). Layout: attestation/tdx/quote_format.h.
//
//   quote signature  = ECDSA-P256(attestation key, every byte before sig_data_len)
//   QE report        = SGX report of the quoting enclave, signed by the PCK key
//   QE report data   = SHA-256(attestation key x||y || QE auth data) || 32 zero bytes
//   certification    = type 6 { QE report, signature, auth data, type 5 { PCK chain PEM } }
//                      (v3: the QE report certification data without the type 6 header)
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/tdx/quote_format.h"
#include "attestation/tdx/sim/dev_pki.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::tdx::sim {

using Measurement48 = std::array<uint8_t, fmt::kMeasurementSize>;
using ReportData64 = std::array<uint8_t, fmt::kReportDataSize>;

enum class QuoteFormat {
  kTdxV4,      // v4, TD report 1.0
  kTdxV5Td10,  // v5, body type 2
  kTdxV5Td15,  // v5, body type 3 (TD report 1.5)
  kSgxV3,      // v3, SGX enclave report
  kSgxV5,      // v5, body type 1 (SGX enclave report)
};
bool IsTdx(QuoteFormat f);

// The TD report body (TD 1.0 fields, plus the two TD 1.5 fields).
struct TdReport {
  std::array<uint8_t, 16> tee_tcb_svn{};
  Measurement48 mrseam{};
  Measurement48 mrsignerseam{};
  std::array<uint8_t, 8> seam_attributes{};
  uint64_t td_attributes = 0;  // fmt::kTdAttrDebug, fmt::kTdAttrSeptVeDisable, ...
  uint64_t xfam = 0;
  Measurement48 mrtd{};
  Measurement48 mrconfigid{};
  Measurement48 mrowner{};
  Measurement48 mrownerconfig{};
  std::array<Measurement48, 4> rtmr{};
  ReportData64 report_data{};
  std::array<uint8_t, 16> tee_tcb_svn2{};  // TD 1.5
  Measurement48 mrservicetd{};             // TD 1.5
};

// An SGX report body: the body of SGX quotes and the QE report.
struct EnclaveReport {
  std::array<uint8_t, 16> cpusvn{};
  uint32_t miscselect = 0;
  std::array<uint8_t, 16> isv_ext_prod_id{};
  std::array<uint8_t, 16> attributes{};  // flags u64 LE | xfrm u64 LE
  std::array<uint8_t, 32> mrenclave{};
  std::array<uint8_t, 32> mrsigner{};
  std::array<uint8_t, 64> config_id{};
  uint16_t isvprodid = 0;
  uint16_t isvsvn = 0;
  uint16_t config_svn = 0;
  std::array<uint8_t, 16> isv_family_id{};
  ReportData64 report_data{};
};

Bytes EncodeTdReport(const TdReport& r, bool td15);
Bytes EncodeEnclaveReport(const EnclaveReport& r);

// Each knob breaks one thing; the defaults give a well-formed, well-signed quote.
struct QuoteFaults {
  bool quote_signature = false;      // flip a bit of the quote's signature
  bool qe_report_signature = false;  // flip a bit of the QE report's signature
  bool qe_report_data = false;       // QE report data not bound to the attestation key
  // Sign the quote with another key than the one the quote carries.
  bool foreign_attestation_key = false;
  // Added to the declared lengths (may be negative).
  int64_t sig_data_len_delta = 0;
  int64_t outer_cert_size_delta = 0;  // type 6 (v4/v5)
  int64_t inner_cert_size_delta = 0;  // type 5
  int64_t qe_auth_len_delta = 0;
  int64_t body_size_delta = 0;              // v5 body descriptor
  std::optional<uint16_t> outer_cert_type;  // v4/v5; default 6
  std::optional<uint16_t> inner_cert_type;  // default 5
  std::optional<uint16_t> body_type;        // v5; default from the format
  size_t trailing_zeros = 0;                // padding after the sig data, as real quotes have
  std::optional<size_t> truncate_to;
};

struct QuoteSpec {
  QuoteFormat format = QuoteFormat::kTdxV4;
  // Header.
  std::optional<uint16_t> version;  // default from the format
  uint16_t att_key_type = fmt::kAttKeyEcdsaP256;
  std::optional<uint32_t> tee_type;  // default from the format
  uint16_t qe_svn = 0;               // v3 header (v4/v5: reserved, 0)
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> qe_vendor_id = fmt::kIntelQeVendorId;
  std::array<uint8_t, 20> user_data{};
  // Body.
  TdReport td;
  EnclaveReport enclave;
  // When set, the body's report data is ComputeBinding(*binding) (DESIGN §4).
  std::optional<ReportDataBinding> binding;  // any kind (validator, provider, hybrid ZK)
  // Quoting enclave.
  EnclaveReport qe_report;  // report_data is computed (see faults)
  Bytes qe_auth_data;
  // Signing: the PCK leaf's key signs the QE report; the chain goes in the
  // type 5 data as PEM, leaf first. Empty: the dev chain of the default leaf.
  std::optional<KeyedCert> pck;
  std::vector<x509::Certificate> ca_chain;  // e.g. {platform CA, root}
  std::optional<std::string> chain_pem_override;
  bool chain_nul_terminator = true;                 // real quotes end the PEM with a NUL
  std::optional<x509::PrivateKey> attestation_key;  // default: the dev key
  QuoteFaults faults;
};

Result<Bytes> MakeQuote(const QuoteSpec& spec);

}  // namespace tenzro::tee::tdx::sim
