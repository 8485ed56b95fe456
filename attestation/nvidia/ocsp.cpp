#include "attestation/nvidia/ocsp.h"

#include "crypto/der.h"

namespace tenzro::tee::nvidia {
namespace {

constexpr char kOidOcspBasic[] = "1.3.6.1.5.5.7.48.1.1";
constexpr char kOidSha256[] = "2.16.840.1.101.3.4.2.1";
constexpr char kOidSha384[] = "2.16.840.1.101.3.4.2.2";
constexpr char kOidEcdsaSha256[] = "1.2.840.10045.4.3.2";
constexpr char kOidEcdsaSha384[] = "1.2.840.10045.4.3.3";
constexpr uint8_t kGeneralizedTime = 0x18;
constexpr uint8_t kBitString = 0x03;
constexpr size_t kMaxSingles = 16;

Status Bad(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "OCSP response: " + std::move(what));
}
Status Unsupported(std::string what) {
  return Error(ErrorCode::kUnsupported, "OCSP response: " + std::move(what));
}

Result<std::string> AlgOid(ByteView alg_seq) {
  der::Reader r(alg_seq);
  ByteView oid;
  if (!r.Expect(der::kOid, oid)) return Bad("AlgorithmIdentifier without an OID");
  auto text = der::OidToString(oid);
  if (!text) return Bad("bad OID");
  return *text;
}

Result<int64_t> Time(const der::Tlv& t) {
  if (t.tag != kGeneralizedTime) return Bad("expected a GeneralizedTime");
  auto v = x509::GeneralizedTimeToUnix(t.value);
  if (!v) return Bad("bad GeneralizedTime");
  return *v;
}

Status ParseCertId(ByteView cert_id, OcspSingle& s) {
  der::Reader r(cert_id);
  ByteView alg, name_hash, key_hash, serial;
  if (!r.Expect(der::kSequence, alg) || !r.Expect(der::kOctetString, name_hash) ||
      !r.Expect(der::kOctetString, key_hash) || !r.Expect(der::kInteger, serial) || !r.AtEnd()) {
    return Bad("malformed CertID");
  }
  TEE_ASSIGN_OR_RETURN(const std::string oid, AlgOid(alg));
  if (oid == kOidSha256) {
    s.hash = x509::Digest::kSha256;
  } else if (oid == kOidSha384) {
    s.hash = x509::Digest::kSha384;
  } else {
    return Unsupported("CertID hash " + oid + " is not SHA-256 or SHA-384");
  }
  s.issuer_name_hash.assign(name_hash.begin(), name_hash.end());
  s.issuer_key_hash.assign(key_hash.begin(), key_hash.end());
  s.serial = x509::MinimalBigEndian(serial);
  return Status::Ok();
}

Status ParseStatus(const der::Tlv& t, OcspSingle& s) {
  if (t.tag == 0x80 && t.value.empty()) {
    s.status = OcspStatus::kGood;
  } else if (t.tag == 0x82 && t.value.empty()) {
    s.status = OcspStatus::kUnknown;
  } else if (t.tag == 0xA1) {  // RevokedInfo { revocationTime, [0] EXPLICIT CRLReason }
    s.status = OcspStatus::kRevoked;
    der::Reader r(t.value);
    der::Tlv time, reason;
    if (!r.Next(time) || time.tag != kGeneralizedTime) return Bad("RevokedInfo without a time");
    if (!r.AtEnd()) {
      ByteView e;
      if (!r.Next(reason)) return Bad("bad revocationReason");
      der::Reader rr(reason.value);
      if (reason.tag != 0xA0 || !rr.Expect(der::kEnumerated, e) || e.size() != 1)
        return Bad("bad revocationReason");
      s.reason = e[0];
    }
    if (!r.AtEnd()) return Bad("trailing bytes in RevokedInfo");
  } else {
    return Bad("bad CertStatus");
  }
  return Status::Ok();
}

Result<OcspSingle> ParseSingle(ByteView single) {
  OcspSingle s;
  der::Reader r(single);
  ByteView cert_id;
  der::Tlv status, this_update, next;
  if (!r.Expect(der::kSequence, cert_id) || !r.Next(status) || !r.Next(this_update))
    return Bad("malformed SingleResponse");
  TEE_TRY(ParseCertId(cert_id, s));
  TEE_TRY(ParseStatus(status, s));
  TEE_ASSIGN_OR_RETURN(s.this_update, Time(this_update));
  if (!r.Next(next) || next.tag != 0xA0) return Bad("SingleResponse without nextUpdate");
  auto inner = der::ParseSingle(next.value);
  if (!inner) return Bad("bad nextUpdate");
  TEE_ASSIGN_OR_RETURN(s.next_update, Time(*inner));
  return s;  // singleExtensions, if any, are not read
}

// ResponseData ::= SEQUENCE { [0] version OPTIONAL, responderID, producedAt,
// responses, [1] extensions OPTIONAL }
Status ParseTbs(ByteView tbs, OcspResponse& out) {
  der::Reader r(tbs);
  der::Tlv t;
  if (!r.Next(t)) return Bad("empty ResponseData");
  if (t.tag == 0xA0 && !r.Next(t)) return Bad("ResponseData truncated");  // version
  if (t.tag != 0xA1 && t.tag != 0xA2) return Bad("bad responderID");
  der::Tlv produced;
  ByteView responses;
  if (!r.Next(produced) || !r.Expect(der::kSequence, responses))
    return Bad("ResponseData truncated");
  if (auto at = Time(produced); !at.ok()) return at.status();  // producedAt
  der::Reader list(responses);
  while (!list.AtEnd()) {
    ByteView single;
    if (!list.Expect(der::kSequence, single)) return Bad("malformed responses");
    if (out.responses.size() == kMaxSingles) return Bad("more than 16 SingleResponses");
    TEE_ASSIGN_OR_RETURN(OcspSingle s, ParseSingle(single));
    out.responses.push_back(std::move(s));
  }
  if (out.responses.empty()) return Bad("no SingleResponse");
  return Status::Ok();
}

Status ParseSignature(ByteView alg, ByteView bits, OcspResponse& out) {
  TEE_ASSIGN_OR_RETURN(const std::string oid, AlgOid(alg));
  if (oid == kOidEcdsaSha384) {
    out.sig_digest = x509::Digest::kSha384;
  } else if (oid == kOidEcdsaSha256) {
    out.sig_digest = x509::Digest::kSha256;
  } else {
    return Unsupported("signature algorithm " + oid + " is not ECDSA");
  }
  if (bits.empty() || bits[0] != 0) return Bad("signature BIT STRING has unused bits");
  auto seq = der::ParseSingle(bits.subspan(1));
  ByteView r_be, s_be;
  if (!seq || seq->tag != der::kSequence) return Bad("signature is not an ECDSA-Sig-Value");
  der::Reader rs(seq->value);
  if (!rs.Expect(der::kInteger, r_be) || !rs.Expect(der::kInteger, s_be) || !rs.AtEnd())
    return Bad("signature is not an ECDSA-Sig-Value");
  out.sig_r = x509::MinimalBigEndian(r_be);
  out.sig_s = x509::MinimalBigEndian(s_be);
  return Status::Ok();
}

// BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm,
// signature BIT STRING, [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
Status ParseBasic(ByteView basic_der, OcspResponse& out) {
  auto basic = der::ParseSingle(basic_der);
  if (!basic || basic->tag != der::kSequence) return Bad("BasicOCSPResponse is not a SEQUENCE");
  der::Reader r(basic->value);
  ByteView tbs, alg, bits;
  if (!r.Expect(der::kSequence, tbs)) return Bad("no ResponseData");
  // The signed bytes are the whole ResponseData TLV: from the start of the
  // BasicOCSPResponse's content to the end of its value.
  out.tbs_der.assign(basic->value.data(), tbs.data() + tbs.size());
  if (!r.Expect(der::kSequence, alg) || !r.Expect(kBitString, bits)) return Bad("no signature");
  TEE_TRY(ParseTbs(tbs, out));
  TEE_TRY(ParseSignature(alg, bits, out));
  der::Tlv certs;
  if (r.Next(certs)) {
    ByteView list_value;
    der::Reader outer(certs.value);
    if (certs.tag != 0xA0 || !outer.Expect(der::kSequence, list_value)) return Bad("bad certs");
    der::Reader list(list_value);
    const uint8_t* tlv_start = list_value.data();  // each TLV starts where the last ended
    while (!list.AtEnd()) {
      der::Tlv c;
      if (!list.Next(c) || c.tag != der::kSequence) return Bad("bad certificate in certs");
      const uint8_t* tlv_end = c.value.data() + c.value.size();
      out.certs.emplace_back(tlv_start, tlv_end);
      tlv_start = tlv_end;
    }
  }
  if (!r.AtEnd()) return Bad("trailing bytes in BasicOCSPResponse");
  return Status::Ok();
}

}  // namespace

bool LooksLikeOcsp(ByteView data) {
  return data.size() > 8 && data[0] == der::kSequence && !x509::LooksLikePem(data);
}

Result<OcspResponse> ParseOcspResponse(ByteView der_bytes) {
  auto top = der::ParseSingle(der_bytes);
  if (!top || top->tag != der::kSequence) return Bad("not one DER SEQUENCE");
  der::Reader r(top->value);
  ByteView status, bytes_outer;
  if (!r.Expect(der::kEnumerated, status) || status.size() != 1) return Bad("no responseStatus");
  if (status[0] != 0) return Bad("responseStatus is not successful");
  der::Tlv rb;
  if (!r.Next(rb) || rb.tag != 0xA0 || !r.AtEnd()) return Bad("no responseBytes");
  der::Reader rbr(rb.value);
  if (!rbr.Expect(der::kSequence, bytes_outer) || !rbr.AtEnd()) return Bad("bad responseBytes");
  der::Reader inner(bytes_outer);
  ByteView type, response;
  if (!inner.Expect(der::kOid, type) || !inner.Expect(der::kOctetString, response) ||
      !inner.AtEnd())
    return Bad("bad responseBytes");
  if (der::OidToString(type) != std::string(kOidOcspBasic))
    return Unsupported("responseType is not id-pkix-ocsp-basic");
  OcspResponse out;
  TEE_TRY(ParseBasic(response, out));
  return out;
}

}  // namespace tenzro::tee::nvidia
