#include "attestation/nvidia/sim/ocsp_responder.h"

#include <ctime>

#include "crypto/der_writer.h"

namespace tenzro::tee::nvidia::sim {
namespace {

namespace derw = crypto::derw;
constexpr char kOidSha384[] = "2.16.840.1.101.3.4.2.2";
constexpr char kOidEcdsaSha384[] = "1.2.840.10045.4.3.3";
constexpr char kOidOcspBasic[] = "1.3.6.1.5.5.7.48.1.1";
constexpr char kOidOcspSigning[] = "1.3.6.1.5.5.7.3.9";
constexpr char kOidOcspNonce[] = "1.3.6.1.5.5.7.48.1.2";

Bytes GenTime(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d%H%M%SZ", &tm);
  const std::string s = buf;
  return derw::Tlv(0x18, ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// A non-negative INTEGER from a big-endian magnitude.
Bytes BigInteger(ByteView magnitude) {
  Bytes v = x509::MinimalBigEndian(magnitude);
  if (v[0] & 0x80) v.insert(v.begin(), 0);
  return derw::Tlv(0x02, AsView(v));
}

Bytes Explicit(uint8_t tag, const Bytes& inner) { return derw::Tlv(tag, AsView(inner)); }

Bytes CertId(const x509::Certificate& subject, const x509::Certificate& issuer) {
  Bytes key_bits = {0x04};
  if (auto xy = issuer.public_key().EcPointXY())
    key_bits.insert(key_bits.end(), xy->begin(), xy->end());
  return derw::Sequence(
      {derw::Sequence({derw::Oid(kOidSha384)}),
       derw::OctetString(
           AsView(x509::DigestOf(x509::Digest::kSha384, AsView(issuer.subject_der())))),
       derw::OctetString(AsView(x509::DigestOf(x509::Digest::kSha384, AsView(key_bits)))),
       BigInteger(AsView(subject.serial()))});
}

Bytes CertStatusDer(const OcspAnswer& a) {
  if (a.status == OcspStatus::kGood) return {0x80, 0x00};
  if (a.status == OcspStatus::kUnknown) return {0x82, 0x00};
  Bytes info = GenTime(a.this_update);
  if (a.reason) PutBytes(info, AsView(Explicit(0xA0, derw::Enumerated(*a.reason))));
  return derw::Tlv(0xA1, AsView(info));
}

}  // namespace

Result<DevOcspResponder> DevOcspResponder::Make(const DevCert& issuer) {
  TEE_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(x509::KeyKind::kP384));
  x509::CertSpec spec;
  spec.subject = {{"CN", "Tenzro DEV NVIDIA OCSP Responder"}, {"O", kDevOrg}};
  spec.serial_be = {0x0C, 0x59};
  spec.not_before = kDevNotBefore;
  spec.not_after = kDevNotAfter;
  spec.scheme = x509::SigScheme::kEcdsaSha384;
  // extKeyUsage = id-kp-OCSPSigning
  spec.extensions.push_back({"2.5.29.37", derw::Sequence({derw::Oid(kOidOcspSigning)}), false});
  TEE_ASSIGN_OR_RETURN(x509::Certificate cert,
                       x509::IssueCertificate(spec, key.public_key(), &issuer.cert, issuer.key));
  return DevOcspResponder(DevCert{std::move(cert), std::move(key)});
}

Result<Bytes> DevOcspResponder::Respond(const x509::Certificate& subject,
                                        const x509::Certificate& issuer,
                                        const OcspAnswer& a) const {
  Bytes single = derw::Sequence({CertId(subject, issuer), CertStatusDer(a), GenTime(a.this_update),
                                 Explicit(0xA0, GenTime(a.next_update))});
  std::vector<Bytes> data = {Explicit(0xA1, responder_.cert.subject_der()), GenTime(a.this_update),
                             derw::Sequence({single})};
  if (a.nonce) {  // responseExtensions [1] EXPLICIT Extensions
    const Bytes ext = derw::Sequence(
        {derw::Oid(kOidOcspNonce), derw::OctetString(AsView(derw::OctetString(AsView(*a.nonce))))});
    data.push_back(Explicit(0xA1, derw::Sequence({ext})));
  }
  const Bytes tbs = derw::Sequence(data);
  TEE_ASSIGN_OR_RETURN(Bytes rs, responder_.key.EcdsaSignRaw(x509::Digest::kSha384, AsView(tbs)));
  const size_t half = rs.size() / 2;
  Bytes sig = {0x00};
  PutBytes(sig, AsView(derw::Sequence({BigInteger(ByteView(rs).first(half)),
                                       BigInteger(ByteView(rs).subspan(half))})));
  const Bytes basic = derw::Sequence({tbs, derw::Sequence({derw::Oid(kOidEcdsaSha384)}),
                                      derw::Tlv(0x03, AsView(sig)),
                                      Explicit(0xA0, derw::Sequence({responder_.cert.der()}))});
  return derw::Sequence(
      {derw::Enumerated(0), Explicit(0xA0, derw::Sequence({derw::Oid(kOidOcspBasic),
                                                           derw::OctetString(AsView(basic))}))});
}

}  // namespace tenzro::tee::nvidia::sim
