#include "attestation/tdx/sim/quote_builder.h"

#include <algorithm>

#include "crypto/hash.h"

namespace tenzro::tee::tdx::sim {
namespace {

uint32_t Adjust(size_t len, int64_t delta) {
  return static_cast<uint32_t>(static_cast<int64_t>(len) + delta);
}

template <size_t N>
void Put(Bytes& out, const std::array<uint8_t, N>& a) {
  PutBytes(out, AsView(a));
}

Bytes Header(const QuoteSpec& s) {
  uint16_t version = s.version                         ? *s.version
                     : s.format == QuoteFormat::kTdxV4 ? fmt::kVersion4
                     : s.format == QuoteFormat::kSgxV3 ? fmt::kVersion3
                                                       : fmt::kVersion5;
  uint32_t tee = s.tee_type ? *s.tee_type : IsTdx(s.format) ? fmt::kTeeTypeTdx : fmt::kTeeTypeSgx;
  Bytes h;
  PutU16Le(h, version);         // kHdrVersion
  PutU16Le(h, s.att_key_type);  // kHdrAttKeyType
  PutU32Le(h, tee);             // kHdrTeeType
  PutU16Le(h, s.qe_svn);        // kHdrQeSvn
  PutU16Le(h, s.pce_svn);       // kHdrPceSvn
  Put(h, s.qe_vendor_id);       // kHdrQeVendorId
  Put(h, s.user_data);          // kHdrUserData
  return h;
}

void FlipBit(Bytes& b) {
  if (!b.empty()) b[b.size() / 2] ^= 0x01;
}

}  // namespace

bool IsTdx(QuoteFormat f) { return f != QuoteFormat::kSgxV3 && f != QuoteFormat::kSgxV5; }

Bytes EncodeTdReport(const TdReport& r, bool td15) {
  Bytes b;
  Put(b, r.tee_tcb_svn);                   // kTdTeeTcbSvn
  Put(b, r.mrseam);                        // kTdMrSeam
  Put(b, r.mrsignerseam);                  // kTdMrSignerSeam
  Put(b, r.seam_attributes);               // kTdSeamAttributes
  PutU64Le(b, r.td_attributes);            // kTdTdAttributes
  PutU64Le(b, r.xfam);                     // kTdXfam
  Put(b, r.mrtd);                          // kTdMrTd
  Put(b, r.mrconfigid);                    // kTdMrConfigId
  Put(b, r.mrowner);                       // kTdMrOwner
  Put(b, r.mrownerconfig);                 // kTdMrOwnerConfig
  for (const auto& m : r.rtmr) Put(b, m);  // kTdRtmr0..3
  Put(b, r.report_data);                   // kTdReportData
  if (td15) {
    Put(b, r.tee_tcb_svn2);  // kTdTeeTcbSvn2
    Put(b, r.mrservicetd);   // kTdMrServiceTd
  }
  return b;
}

Bytes EncodeEnclaveReport(const EnclaveReport& r) {
  Bytes b;
  Put(b, r.cpusvn);            // kRepCpuSvn
  PutU32Le(b, r.miscselect);   // kRepMiscSelect
  b.resize(b.size() + 12, 0);  // kRepReserved1
  Put(b, r.isv_ext_prod_id);   // kRepIsvExtProdId
  Put(b, r.attributes);        // kRepAttributes
  Put(b, r.mrenclave);         // kRepMrEnclave
  b.resize(b.size() + 32, 0);  // kRepReserved2
  Put(b, r.mrsigner);          // kRepMrSigner
  b.resize(b.size() + 32, 0);  // kRepReserved3
  Put(b, r.config_id);         // kRepConfigId
  PutU16Le(b, r.isvprodid);    // kRepIsvProdId
  PutU16Le(b, r.isvsvn);       // kRepIsvSvn
  PutU16Le(b, r.config_svn);   // kRepConfigSvn
  b.resize(b.size() + 42, 0);  // kRepReserved4
  Put(b, r.isv_family_id);     // kRepIsvFamilyId
  Put(b, r.report_data);       // kRepReportData
  return b;
}

Result<Bytes> MakeQuote(const QuoteSpec& s) {
  const DevPki& dev = Dev();
  const bool tdx = IsTdx(s.format);
  const QuoteFaults& f = s.faults;

  // ---- header and body: what the quote signature covers -------------------
  Bytes quote = Header(s);
  Bytes body;
  if (tdx) {
    TdReport td = s.td;
    if (s.binding) td.report_data = ComputeBinding(*s.binding);
    body = EncodeTdReport(td, s.format == QuoteFormat::kTdxV5Td15);
  } else {
    EnclaveReport e = s.enclave;
    if (s.binding) e.report_data = ComputeBinding(*s.binding);
    body = EncodeEnclaveReport(e);
  }
  if (s.format == QuoteFormat::kTdxV5Td10 || s.format == QuoteFormat::kTdxV5Td15 ||
      s.format == QuoteFormat::kSgxV5) {
    uint16_t type = f.body_type                           ? *f.body_type
                    : s.format == QuoteFormat::kTdxV5Td15 ? fmt::kBodyTypeTd15
                    : s.format == QuoteFormat::kSgxV5     ? fmt::kBodyTypeSgx
                                                          : fmt::kBodyTypeTd10;
    PutU16Le(quote, type);
    PutU32Le(quote, Adjust(body.size(), f.body_size_delta));
  }
  PutBytes(quote, AsView(body));

  // ---- keys ----------------------------------------------------------------
  const x509::PrivateKey& att_key = s.attestation_key ? *s.attestation_key : dev.attestation_key;
  auto att_xy = att_key.public_key().EcPointXY();
  if (!att_xy || att_xy->size() != fmt::kAttestationKeySize) {
    return Error(ErrorCode::kInvalidArgument, "attestation key is not P-256");
  }
  const KeyedCert& pck = s.pck ? *s.pck : tdx ? dev.pck_tdx : dev.pck_sgx;

  // ---- QE report bound to the attestation key -------------------------------
  EnclaveReport qe = s.qe_report;
  {
    Bytes pre = *att_xy;
    PutBytes(pre, AsView(s.qe_auth_data));
    Hash32 h = crypto::Sha256(AsView(pre));
    qe.report_data.fill(0);
    std::copy(h.begin(), h.end(), qe.report_data.begin());
    if (f.qe_report_data) qe.report_data[0] ^= 0x01;
  }
  Bytes qe_bytes = EncodeEnclaveReport(qe);
  TEE_ASSIGN_OR_RETURN(Bytes qe_sig, pck.key.EcdsaSignRaw(x509::Digest::kSha256, AsView(qe_bytes)));
  if (f.qe_report_signature) FlipBit(qe_sig);

  // ---- PCK chain (type 5) ---------------------------------------------------
  std::string pem;
  if (s.chain_pem_override) {
    pem = *s.chain_pem_override;
  } else {
    std::vector<x509::Certificate> chain{pck.cert};
    if (s.ca_chain.empty()) {
      chain.push_back(dev.platform_ca.cert);
      chain.push_back(dev.root.cert);
    } else {
      chain.insert(chain.end(), s.ca_chain.begin(), s.ca_chain.end());
    }
    pem = x509::ToPem(chain);
  }
  Bytes pem_bytes(pem.begin(), pem.end());
  if (s.chain_nul_terminator) pem_bytes.push_back(0);

  Bytes qe_cert;  // QE report certification data
  PutBytes(qe_cert, AsView(qe_bytes));
  PutBytes(qe_cert, AsView(qe_sig));
  PutU16Le(qe_cert, static_cast<uint16_t>(Adjust(s.qe_auth_data.size(), f.qe_auth_len_delta)));
  PutBytes(qe_cert, AsView(s.qe_auth_data));
  PutU16Le(qe_cert, f.inner_cert_type ? *f.inner_cert_type : fmt::kCertTypePckChain);
  PutU32Le(qe_cert, Adjust(pem_bytes.size(), f.inner_cert_size_delta));
  PutBytes(qe_cert, AsView(pem_bytes));

  // ---- signature data ---------------------------------------------------------
  const x509::PrivateKey* signer = &att_key;
  std::optional<x509::PrivateKey> foreign;
  if (f.foreign_attestation_key) {
    TEE_ASSIGN_OR_RETURN(foreign, x509::PrivateKey::Generate(x509::KeyKind::kP256));
    signer = &*foreign;
  }
  TEE_ASSIGN_OR_RETURN(Bytes quote_sig, signer->EcdsaSignRaw(x509::Digest::kSha256, AsView(quote)));
  if (f.quote_signature) FlipBit(quote_sig);

  Bytes sig_data;
  PutBytes(sig_data, AsView(quote_sig));
  PutBytes(sig_data, AsView(*att_xy));
  if (s.format == QuoteFormat::kSgxV3) {
    PutBytes(sig_data, AsView(qe_cert));
  } else {
    PutU16Le(sig_data, f.outer_cert_type ? *f.outer_cert_type : fmt::kCertTypeQeReportCert);
    PutU32Le(sig_data, Adjust(qe_cert.size(), f.outer_cert_size_delta));
    PutBytes(sig_data, AsView(qe_cert));
  }
  PutU32Le(quote, Adjust(sig_data.size(), f.sig_data_len_delta));
  PutBytes(quote, AsView(sig_data));
  quote.resize(quote.size() + f.trailing_zeros, 0);
  if (f.truncate_to && *f.truncate_to < quote.size()) quote.resize(*f.truncate_to);
  return quote;
}

}  // namespace tenzro::tee::tdx::sim
