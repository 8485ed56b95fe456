#include "attestation/tdx/quote.h"

#include <algorithm>
#include <string>

#include "core/reader.h"

namespace tenzro::tee::tdx {
namespace {

Status Malformed(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "quote: " + what);
}
Status Unsupported(const std::string& what) {
  return Error(ErrorCode::kUnsupported, "quote: " + what);
}

bool AllZero(ByteView v) {
  return std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; });
}

// Reads a reserved field that must be zero.
bool ReadReserved(ByteReader& r, size_t n) {
  ByteView v;
  return r.ReadView(n, v) && AllZero(v);
}

template <size_t N>
std::array<uint8_t, N> CopyArray(ByteView v) {
  std::array<uint8_t, N> out{};
  std::copy(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(N), out.begin());
  return out;
}

}  // namespace

uint64_t TdReport::attributes_u64() const {
  uint64_t v = 0;
  for (size_t i = td_attributes.size(); i > 0; --i) v = (v << 8) | td_attributes[i - 1];
  return v;
}

// Intel SGX ECDSA Quote Library API, Table "Enclave Report Body" (offsets in quote_format.h).
Result<SgxReport> ParseSgxReport(ByteView report) {
  if (report.size() != fmt::kSgxReportSize) {
    return Malformed("enclave report is " + std::to_string(report.size()) + " bytes, expected 384");
  }
  ByteReader r(report);
  SgxReport out;
  bool ok = r.ReadArray(out.cpu_svn) && r.ReadU32Le(out.misc_select);
  if (!ok || !ReadReserved(r, fmt::kRepIsvExtProdId - fmt::kRepReserved1)) {
    return Malformed("enclave report reserved bytes at offset 20 are not zero");
  }
  ok = r.ReadArray(out.isv_ext_prod_id) && r.ReadArray(out.attributes) &&
       r.ReadArray(out.mr_enclave);
  if (!ok || !ReadReserved(r, fmt::kRepMrSigner - fmt::kRepReserved2)) {
    return Malformed("enclave report reserved bytes at offset 96 are not zero");
  }
  ok = r.ReadArray(out.mr_signer);
  if (!ok || !ReadReserved(r, fmt::kRepConfigId - fmt::kRepReserved3)) {
    return Malformed("enclave report reserved bytes at offset 160 are not zero");
  }
  ok = r.ReadArray(out.config_id) && r.ReadU16Le(out.isv_prod_id) && r.ReadU16Le(out.isv_svn) &&
       r.ReadU16Le(out.config_svn);
  if (!ok || !ReadReserved(r, fmt::kRepIsvFamilyId - fmt::kRepReserved4)) {
    return Malformed("enclave report reserved bytes at offset 262 are not zero");
  }
  ok = r.ReadArray(out.isv_family_id) && r.ReadArray(out.report_data);
  if (!ok || !r.AtEnd()) return Malformed("enclave report layout");
  return out;
}

// Intel TDX DCAP Quoting Library API, Appendix A: TD Quote Body (1.0 and 1.5).
Result<TdReport> ParseTdReport(ByteView body, BodyType type) {
  const size_t want = type == BodyType::kTd15 ? fmt::kTd15BodySize : fmt::kTd10BodySize;
  if (type == BodyType::kSgx) return Malformed("not a TD report body type");
  if (body.size() != want) {
    return Malformed("TD report body is " + std::to_string(body.size()) + " bytes, expected " +
                     std::to_string(want));
  }
  ByteReader r(body);
  TdReport out;
  bool ok = r.ReadArray(out.tee_tcb_svn) && r.ReadArray(out.mr_seam) &&
            r.ReadArray(out.mr_signer_seam) && r.ReadArray(out.seam_attributes) &&
            r.ReadArray(out.td_attributes) && r.ReadArray(out.xfam) && r.ReadArray(out.mr_td) &&
            r.ReadArray(out.mr_config_id) && r.ReadArray(out.mr_owner) &&
            r.ReadArray(out.mr_owner_config);
  for (auto& m : out.rtmr) ok = ok && r.ReadArray(m);
  ok = ok && r.ReadArray(out.report_data);
  if (ok && type == BodyType::kTd15) {
    Svn16 svn2{};
    Measurement service{};
    ok = r.ReadArray(svn2) && r.ReadArray(service);
    out.tee_tcb_svn2 = svn2;
    out.mr_service_td = service;
  }
  if (!ok || !r.AtEnd()) return Malformed("TD report body layout");
  return out;
}

Result<Quote> ParseQuote(ByteView data) {
  ByteReader r(data);
  Quote q;
  ByteView vendor, user;
  if (!r.ReadU16Le(q.version) || !r.ReadU16Le(q.att_key_type) || !r.ReadU32Le(q.tee_type) ||
      !r.ReadU16Le(q.qe_svn) || !r.ReadU16Le(q.pce_svn) ||
      !r.ReadView(fmt::kQeVendorIdSize, vendor) || !r.ReadView(fmt::kUserDataSize, user)) {
    return Malformed("shorter than its 48-byte header (" + std::to_string(data.size()) + " bytes)");
  }
  q.qe_vendor_id = CopyArray<fmt::kQeVendorIdSize>(vendor);
  q.user_data = CopyArray<fmt::kUserDataSize>(user);
  // Junk is malformed, not unsupported (issue 13): DCAP headers have used
  // versions 1-5, key types 0-3 and TEE types 0x00/0x81, all below 256. A
  // header with any field outside that byte range is not a quote at all;
  // only a plausible header of a version, key type or TEE type this verifier
  // does not handle is unsupported.
  if (q.version == 0 || q.version > 0xff || q.att_key_type > 0xff || q.tee_type > 0xff) {
    return Malformed("not a DCAP quote header (version " + std::to_string(q.version) +
                     ", attestation key type " + std::to_string(q.att_key_type) + ", TEE type " +
                     std::to_string(q.tee_type) + ")");
  }
  if (q.version != fmt::kVersion3 && q.version != fmt::kVersion4 && q.version != fmt::kVersion5) {
    return Unsupported("version " + std::to_string(q.version) + " (3, 4 and 5 are supported)");
  }
  if (q.att_key_type != fmt::kAttKeyEcdsaP256) {
    return Unsupported("attestation key type " + std::to_string(q.att_key_type) +
                       " (only 2, ECDSA-P256)");
  }
  if (q.tee_type != fmt::kTeeTypeSgx && q.tee_type != fmt::kTeeTypeTdx) {
    return Unsupported("TEE type " + std::to_string(q.tee_type));
  }

  // Body and, for v5, its descriptor.
  size_t body_size = 0;
  if (q.version == fmt::kVersion3) {
    if (q.tee_type != fmt::kTeeTypeSgx) return Unsupported("a version 3 quote must be SGX");
    q.body_type = BodyType::kSgx;
    body_size = fmt::kSgxReportSize;
  } else if (q.version == fmt::kVersion4) {
    if (q.tee_type != fmt::kTeeTypeTdx) return Unsupported("a version 4 quote must be TDX");
    q.body_type = BodyType::kTd10;
    body_size = fmt::kTd10BodySize;
  } else {
    uint16_t type = 0;
    uint32_t size = 0;
    if (!r.ReadU16Le(type) || !r.ReadU32Le(size)) return Malformed("truncated v5 body descriptor");
    if (type == fmt::kBodyTypeSgx) {
      q.body_type = BodyType::kSgx;
      body_size = fmt::kSgxReportSize;
    } else if (type == fmt::kBodyTypeTd10) {
      q.body_type = BodyType::kTd10;
      body_size = fmt::kTd10BodySize;
    } else if (type == fmt::kBodyTypeTd15) {
      q.body_type = BodyType::kTd15;
      body_size = fmt::kTd15BodySize;
    } else {
      return Unsupported("v5 body type " + std::to_string(type));
    }
    if (size != body_size) {
      return Malformed("v5 body size " + std::to_string(size) + " does not match body type " +
                       std::to_string(type) + " (" + std::to_string(body_size) + " bytes)");
    }
    if ((q.body_type == BodyType::kSgx) != (q.tee_type == fmt::kTeeTypeSgx)) {
      return Malformed("v5 body type " + std::to_string(type) + " contradicts TEE type " +
                       std::to_string(q.tee_type));
    }
  }
  ByteView body;
  if (!r.ReadView(body_size, body)) return Malformed("truncated body");
  if (q.body_type == BodyType::kSgx) {
    TEE_ASSIGN_OR_RETURN(q.sgx, ParseSgxReport(body));
  } else {
    TEE_ASSIGN_OR_RETURN(q.td, ParseTdReport(body, q.body_type));
  }
  q.signed_data = data.first(r.offset());

  // Signature data: its declared length must fit; anything after it is ignored.
  uint32_t sig_len = 0;
  if (!r.ReadU32Le(sig_len)) return Malformed("truncated before the signature data length");
  ByteView sig_data;
  if (!r.ReadView(sig_len, sig_data)) {
    return Malformed("signature data length " + std::to_string(sig_len) + " exceeds the " +
                     std::to_string(r.remaining()) + " bytes left");
  }
  q.trailing_bytes = r.remaining();

  ByteReader s(sig_data);
  if (!s.ReadArray(q.signature)) return Malformed("truncated quote signature");
  const size_t certified_begin = s.offset();
  if (!s.ReadArray(q.attestation_key)) return Malformed("truncated attestation key");

  // v4/v5 wrap the QE report certification data in a type-6 certification data.
  ByteView qe_cert = sig_data.subspan(s.offset());
  if (q.version != fmt::kVersion3) {
    uint16_t type = 0;
    uint32_t size = 0;
    if (!s.ReadU16Le(type) || !s.ReadU32Le(size))
      return Malformed("truncated certification data header");
    if (type != fmt::kCertTypeQeReportCert) {
      return Unsupported("certification data type " + std::to_string(type) +
                         " (expected 6, QE report)");
    }
    if (!s.ReadView(size, qe_cert)) {
      return Malformed("certification data size " + std::to_string(size) +
                       " exceeds the signature data");
    }
    if (!s.AtEnd())
      return Malformed("bytes after the certification data inside the signature data");
  }

  ByteReader c(qe_cert);
  ByteView qe_report;
  if (!c.ReadView(fmt::kSgxReportSize, qe_report)) return Malformed("truncated QE report");
  q.qe_report_raw = qe_report;
  TEE_ASSIGN_OR_RETURN(q.qe_report, ParseSgxReport(qe_report));
  if (!c.ReadArray(q.qe_report_signature)) return Malformed("truncated QE report signature");
  uint16_t auth_len = 0;
  if (!c.ReadU16Le(auth_len) || !c.ReadView(auth_len, q.qe_auth_data)) {
    return Malformed("QE authentication data length exceeds the certification data");
  }
  uint16_t inner_type = 0;
  uint32_t inner_size = 0;
  if (!c.ReadU16Le(inner_type) || !c.ReadU32Le(inner_size)) {
    return Malformed("truncated inner certification data header");
  }
  if (inner_type != fmt::kCertTypePckChain) {
    return Unsupported("inner certification data type " + std::to_string(inner_type) +
                       " (expected 5, PCK certificate chain)");
  }
  ByteView pem;
  if (!c.ReadView(inner_size, pem))
    return Malformed("PCK chain size exceeds the certification data");
  if (!c.AtEnd()) return Malformed("bytes after the PCK chain inside the certification data");
  while (!pem.empty() && pem.back() == 0) pem = pem.first(pem.size() - 1);
  if (pem.empty()) return Malformed("empty PCK certificate chain");
  q.pck_chain_pem = pem;
  q.certified = sig_data.subspan(certified_begin);
  return q;
}

}  // namespace tenzro::tee::tdx
