#include "attestation/nvidia/sim/rim_signer.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <xmlsec/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <cstdlib>
#include <memory>

#include "attestation/nvidia/rim_doc.h"
#include "attestation/nvidia/sim/rim_dev_pki_data.h"
#include "crypto/base64.h"
#include "crypto/ossl.h"

namespace tenzro::tee::nvidia::sim {
namespace {

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) std::abort();  // the committed data is an invariant, never input
  return std::move(r).value();
}

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

std::string Resource(const GoldenSpec& g) {
  std::string s = "        <ns0:Resource type=\"Measurement\" index=\"" + std::to_string(g.index) +
                  "\" active=\"" + (g.active ? "True" : "False") + "\" alternatives=\"" +
                  std::to_string(g.alternatives.size()) + "\"";
  for (size_t i = 0; i < g.alternatives.size(); ++i) {
    s += " ns2:Hash" + std::to_string(i) + "=\"" + ToHex(g.alternatives[i]) + "\"";
  }
  return s + " name=\"Measurement_" + std::to_string(g.index) + "\" size=\"" +
         std::to_string(g.size) + "\"/>\n";
}

struct DsigFree {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};

Status SignDoc(xmlDoc* doc, const x509::PrivateKey& key,
               const std::vector<x509::Certificate>& chain) {
  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(doc, xmlSecTransformInclC14N11Id,
                                                 xmlSecTransformEcdsaSha384Id, nullptr, X("ds"));
  if (sig == nullptr) return Error(ErrorCode::kInternal, "signature template");
  xmlAddChild(xmlDocGetRootElement(doc), sig);
  xmlNode* ref =
      xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha384Id, nullptr, X(""), nullptr);
  if (ref == nullptr || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
      !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformInclC14N11Id)) {
    return Error(ErrorCode::kInternal, "reference template");
  }
  std::unique_ptr<xmlSecDSigCtx, DsigFree> ctx(xmlSecDSigCtxCreate(nullptr));
  if (ctx == nullptr || EVP_PKEY_up_ref(key.get()) != 1) {
    return Error(ErrorCode::kInternal, "dsig ctx");
  }
  ctx->signKey = xmlSecKeyCreate();
  xmlSecKeyData* data = xmlSecOpenSSLEvpKeyAdopt(key.get());
  if (ctx->signKey == nullptr || data == nullptr || xmlSecKeySetValue(ctx->signKey, data) < 0 ||
      xmlSecDSigCtxSign(ctx.get(), sig) < 0) {
    return Error(ErrorCode::kInternal, "xmlsec signing failed");
  }
  // KeyInfo lies outside SignedInfo and inside the enveloped Signature: it
  // is not signed, so it is written after signing.
  xmlNs* ds = xmlSearchNsByHref(doc, sig, X(rim::detail::kDsigNs));
  xmlNode* key_info = xmlNewChild(sig, ds, X("KeyInfo"), nullptr);
  xmlNode* x509_data = key_info ? xmlNewChild(key_info, ds, X("X509Data"), nullptr) : nullptr;
  if (x509_data == nullptr) return Error(ErrorCode::kInternal, "KeyInfo");
  for (const auto& c : chain) {
    const std::string b64 = crypto::Base64Encode(c.der());
    if (xmlNewTextChild(x509_data, ds, X("X509Certificate"), X(b64.c_str())) == nullptr) {
      return Error(ErrorCode::kInternal, "KeyInfo certificate");
    }
  }
  return Status::Ok();
}

}  // namespace

const RimPki& DevRimPki() {
  static const RimPki pki = [] {
    const auto cert = [](const char* pem) {
      const std::string_view text(pem);
      return Must(x509::Certificate::ParseAll(
                      {reinterpret_cast<const uint8_t*>(text.data()), text.size()}))
          .front();
    };
    return RimPki{cert(data::kRimRootCert),
                  cert(data::kRimCaCert),
                  cert(data::kRimSignerCert),
                  Must(x509::PrivateKey::FromPem(data::kRimRootKey)),
                  Must(x509::PrivateKey::FromPem(data::kRimCaKey)),
                  Must(x509::PrivateKey::FromPem(data::kRimSignerKey))};
  }();
  return pki;
}

const Hash32& DevRimRootSha256() { return DevRimPki().root.fingerprint(); }

std::string RimXml(const RimSpec& spec) {
  std::string s =
      "<SoftwareIdentity xmlns=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\" "
      "xmlns:ns0=\"http://standards.iso.org/iso/19770/-2/2015/schema.xsd\" "
      "xmlns:ns2=\"http://www.w3.org/2001/04/xmlenc#sha384\" corpus=\"false\" name=\"" +
      spec.product + "\" patch=\"false\" supplemental=\"false\" tagId=\"" + spec.tag_id +
      "\" version=\"1.0\" tagVersion=\"0\">\n"
      "    <ns0:Entity name=\"tenzro-tee NVIDIA simulator (DEVELOPMENT)\" "
      "role=\"softwareCreator tagCreator\"/>\n"
      "    <ns0:Meta colloquialVersion=\"" +
      spec.colloquial_version + "\" edition=\"" + spec.edition + "\" product=\"" + spec.product +
      "\" revision=\"r1\" PayloadType=\"direct\"/>\n    <ns0:Payload>\n";
  for (const auto& g : spec.measurements) s += Resource(g);
  return s + "    </ns0:Payload>\n</SoftwareIdentity>\n";
}

Result<std::string> SignRimXml(std::string_view unsigned_xml, const x509::PrivateKey& key,
                               const std::vector<x509::Certificate>& chain) {
  if (!rim::detail::InitXmlOnce()) return Error(ErrorCode::kInternal, "xmlsec init");
  const crypto::ErrorMark mark;
  rim::detail::XmlDocPtr doc(xmlReadMemory(unsigned_xml.data(),
                                           static_cast<int>(unsigned_xml.size()), nullptr, nullptr,
                                           XML_PARSE_NONET));
  if (doc == nullptr) return Error(ErrorCode::kInvalidArgument, "unsigned RIM is not XML");
  TEE_TRY(SignDoc(doc.get(), key, chain));
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc.get(), &out, &size);
  if (out == nullptr) return Error(ErrorCode::kInternal, "xmlDocDumpMemory");
  std::string text(reinterpret_cast<const char*>(out), static_cast<size_t>(size));
  xmlFree(out);
  return text;
}

Result<std::string> MakeRim(const RimSpec& spec) {
  const RimPki& pki = DevRimPki();
  return SignRimXml(RimXml(spec), pki.signer_key, {pki.signer, pki.ca, pki.root});
}

Result<Signer> IssueRimSigner(int64_t not_before, int64_t not_after) {
  const RimPki& pki = DevRimPki();
  TEE_ASSIGN_OR_RETURN(x509::PrivateKey key, x509::PrivateKey::Generate(x509::KeyKind::kP384));
  x509::CertSpec spec;
  spec.subject = {{"CN", "DEV HCC RIM Signer (test window)"},
                  {"O", "tenzro-tee NVIDIA simulator DEVELOPMENT PKI (not NVIDIA)"}};
  spec.serial_be = {0x4e, 0x56, 0x7f};
  spec.not_before = not_before;
  spec.not_after = not_after;
  spec.scheme = x509::SigScheme::kEcdsaSha384;
  TEE_ASSIGN_OR_RETURN(x509::Certificate cert,
                       x509::IssueCertificate(spec, key.public_key(), &pki.ca, pki.ca_key));
  return Signer{std::move(cert), std::move(key)};
}

Bytes SimMeasurement(uint32_t index, uint8_t seed) {
  return Bytes(48, static_cast<uint8_t>((index + seed) & 0xff));
}

RimSpec SpecWithMeasurements(std::string version, uint32_t first, uint32_t n, uint8_t seed) {
  RimSpec spec;
  spec.colloquial_version = std::move(version);
  for (uint32_t i = first; i < first + n; ++i) {
    spec.measurements.push_back({i, 48, true, {SimMeasurement(i, seed)}});
  }
  return spec;
}

}  // namespace tenzro::tee::nvidia::sim
