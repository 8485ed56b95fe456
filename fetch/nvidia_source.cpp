#include "fetch/nvidia_source.h"

#include <memory>

#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <nlohmann/json.hpp>

#include "crypto/aead.h"
#include "crypto/base64.h"
#include "crypto/der.h"
#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "crypto/ossl_ptr.h"
#include "crypto/x509.h"

namespace tenzro::tee::fetch {
namespace {

Status Garbage(std::string what) { return Error(ErrorCode::kCollateral, std::move(what)); }

// crypto/'s one RAII deleter for OpenSSL objects.
using x509::detail::Deleter;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ReqPtr = std::unique_ptr<OCSP_REQUEST, Deleter<OCSP_REQUEST, OCSP_REQUEST_free>>;
using RespPtr = std::unique_ptr<OCSP_RESPONSE, Deleter<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using BasicPtr = std::unique_ptr<OCSP_BASICRESP, Deleter<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD, EVP_MD_free>>;

// The certificate and its issuer from id = DER || DER (each exactly one
// certificate, nothing after the issuer); cert_len: the first one's size.
bool SplitCerts(ByteView id, X509Ptr& cert, X509Ptr& issuer, size_t* cert_len = nullptr) {
  if (id.empty() || id.size() > (64u << 10)) return false;
  const unsigned char* p = id.data();
  const unsigned char* end = id.data() + id.size();
  cert.reset(d2i_X509(nullptr, &p, static_cast<long>(end - p)));
  if (!cert || p >= end) return false;
  if (cert_len != nullptr) *cert_len = static_cast<size_t>(p - id.data());
  issuer.reset(d2i_X509(nullptr, &p, static_cast<long>(end - p)));
  return issuer != nullptr && p == end;
}

}  // namespace

// ---- RIM service --------------------------------------------------------------------

Status NvidiaRimSource::Check(const FetchTarget& t) const {
  if (t.tee_type != TeeType::NvidiaGpu || t.kind != Kind::kNvidiaRim || !t.id.empty()) {
    return Error(ErrorCode::kInvalidArgument, "not an NVIDIA RIM: " + t.Key());
  }
  if (t.name.empty() || t.name.size() > kMaxRimIdChars) {
    return Error(ErrorCode::kInvalidArgument, "a RIM ID has 1..128 characters: " + t.Key());
  }
  for (char c : t.name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return Error(ErrorCode::kInvalidArgument, "RIM ID character: " + t.Key());
  }
  return Status::Ok();
}

std::vector<std::string> NvidiaRimSource::Plan(const FetchTarget& t) const {
  return {"/" + t.name};
}

Result<Bytes> NvidiaRimSource::Assemble(const FetchTarget& t,
                                        const std::vector<HttpResponse>& responses) const {
  if (responses.size() != 1) return Error(ErrorCode::kInternal, "nvidia rim: response count");
  const Bytes& body = responses[0].body;
  const auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Garbage("nvidia rim: the body is not JSON");
  const auto id = j.find("id");
  const auto rim = j.find("rim");
  if (id == j.end() || !id->is_string() || rim == j.end() || !rim->is_string()) {
    return Garbage("nvidia rim: no \"id\" and \"rim\" strings");
  }
  if (id->get<std::string>() != t.name) {
    return Garbage("nvidia rim: the service answered id " + id->get<std::string>() + ", not " +
                   t.name);
  }
  auto xml = crypto::Base64Decode(rim->get<std::string>());
  if (!xml || xml->empty()) return Garbage("nvidia rim: \"rim\" is not base64");
  const auto sha = j.find("sha256");
  if (sha != j.end()) {
    const auto want = sha->is_string() ? FromHexFixed<32>(sha->get<std::string>()) : std::nullopt;
    if (!want || *want != crypto::Sha256(AsView(*xml))) {
      return Garbage("nvidia rim: \"sha256\" is not the SHA-256 of the RIM");
    }
  }
  return std::move(*xml);
}

// ---- OCSP responder -------------------------------------------------------------------

Result<Bytes> OcspRequestDer(ByteView cert_der, ByteView issuer_der, ByteView nonce) {
  crypto::ErrorMark mark;
  Bytes id(cert_der.begin(), cert_der.end());
  id.insert(id.end(), issuer_der.begin(), issuer_der.end());
  X509Ptr cert, issuer;
  if (!SplitCerts(AsView(id), cert, issuer)) {
    return Error(ErrorCode::kInvalidArgument, "OCSP request: certificates do not parse");
  }
  MdPtr sha384(EVP_MD_fetch(crypto::LibCtx(), "SHA384", nullptr));
  ReqPtr req(OCSP_REQUEST_new());
  if (!sha384 || !req) return Error(ErrorCode::kInternal, "OCSP request: allocation");
  OCSP_CERTID* cid = OCSP_cert_to_id(sha384.get(), cert.get(), issuer.get());
  if (cid == nullptr) return Error(ErrorCode::kInternal, "OCSP request: CertID");
  if (OCSP_request_add0_id(req.get(), cid) == nullptr) {
    OCSP_CERTID_free(cid);
    return Error(ErrorCode::kInternal, "OCSP request: add CertID");
  }
  Bytes n(nonce.begin(), nonce.end());
  if (OCSP_request_add1_nonce(req.get(), n.data(), static_cast<int>(n.size())) != 1) {
    return Error(ErrorCode::kInternal, "OCSP request: nonce");
  }
  unsigned char* der = nullptr;
  const int len = i2d_OCSP_REQUEST(req.get(), &der);
  if (len <= 0) return Error(ErrorCode::kInternal, "OCSP request: encoding");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> OcspRequestNonce(ByteView request_der) {
  crypto::ErrorMark mark;
  const unsigned char* p = request_der.data();
  ReqPtr req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request_der.size())));
  if (!req) return Error(ErrorCode::kInvalidArgument, "not an OCSP request");
  const int at = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
  X509_EXTENSION* ext = at < 0 ? nullptr : OCSP_REQUEST_get_ext(req.get(), at);
  const ASN1_OCTET_STRING* data = ext == nullptr ? nullptr : X509_EXTENSION_get_data(ext);
  if (data == nullptr) return Error(ErrorCode::kInvalidArgument, "OCSP request without a nonce");
  // extnValue holds OCTET STRING { nonce } (RFC 8954).
  auto inner = der::ParseSingle(
      ByteView(ASN1_STRING_get0_data(data), static_cast<size_t>(ASN1_STRING_length(data))));
  if (!inner || inner->tag != 0x04) return Error(ErrorCode::kInvalidArgument, "OCSP nonce form");
  return Bytes(inner->value.begin(), inner->value.end());
}

Status NvidiaOcspSource::Check(const FetchTarget& t) const {
  if (t.tee_type != TeeType::NvidiaGpu || t.kind != Kind::kNvidiaOcsp || !t.name.empty()) {
    return Error(ErrorCode::kInvalidArgument, "not an NVIDIA OCSP target: " + t.Key());
  }
  crypto::ErrorMark mark;
  X509Ptr cert, issuer;
  if (!SplitCerts(AsView(t.id), cert, issuer)) {
    return Error(ErrorCode::kInvalidArgument,
                 "nvidia_ocsp needs a certificate and its issuer (DER): " + t.Key());
  }
  return Status::Ok();
}

std::vector<std::string> NvidiaOcspSource::Plan(const FetchTarget&) const { return {"/"}; }

std::vector<std::optional<PostBody>> NvidiaOcspSource::Bodies(const FetchTarget& t) const {
  Bytes nonce(32);
  if (!crypto::RandomBytes(nonce).ok()) return {std::nullopt};
  crypto::ErrorMark mark;
  X509Ptr cert, issuer;
  size_t cert_len = 0;
  if (!SplitCerts(AsView(t.id), cert, issuer, &cert_len)) return {std::nullopt};
  const ByteView id = AsView(t.id);
  auto req = OcspRequestDer(id.first(cert_len), id.subspan(cert_len), AsView(nonce));
  if (!req.ok()) return {std::nullopt};
  return {PostBody{std::move(*req), "application/ocsp-request"}};
}

Result<Bytes> NvidiaOcspSource::Assemble(const FetchTarget&,
                                         const std::vector<HttpResponse>&) const {
  return Error(ErrorCode::kInternal, "nvidia ocsp: a response needs the request it answers");
}

Result<Bytes> NvidiaOcspSource::AssembleSent(const FetchTarget& t,
                                             const std::vector<std::optional<PostBody>>& sent,
                                             const std::vector<HttpResponse>& responses) const {
  if (responses.size() != 1 || sent.size() != 1 || !sent[0]) {
    return Error(ErrorCode::kInternal, "nvidia ocsp: no request was sent");
  }
  const Bytes& body = responses[0].body;
  crypto::ErrorMark mark;
  const unsigned char* p = body.data();
  RespPtr resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(body.size())));
  if (!resp || p != body.data() + body.size())
    return Garbage("nvidia ocsp: not a DER OCSP response");
  if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return Garbage("nvidia ocsp: the responder did not answer successfully");
  }
  BasicPtr basic(OCSP_response_get1_basic(resp.get()));
  const unsigned char* q = sent[0]->data.data();
  ReqPtr req(d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(sent[0]->data.size())));
  if (!basic || !req) return Garbage("nvidia ocsp: not a basic OCSP response");
  // 1: both carry a nonce and they are equal (anything else is a replay or
  // a responder that ignored it).
  if (OCSP_check_nonce(req.get(), basic.get()) != 1) {
    return Garbage("nvidia ocsp: the response does not answer the request's nonce");
  }
  // Exactly one answer, about the certificate asked for (the verifier keys
  // it by serial).
  X509Ptr cert, issuer;
  if (!SplitCerts(AsView(t.id), cert, issuer)) return Error(ErrorCode::kInternal, "target");
  OCSP_SINGLERESP* single =
      OCSP_resp_count(basic.get()) == 1 ? OCSP_resp_get0(basic.get(), 0) : nullptr;
  ASN1_INTEGER* serial = nullptr;
  const OCSP_CERTID* cid = single == nullptr ? nullptr : OCSP_SINGLERESP_get0_id(single);
  if (cid == nullptr ||
      OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, const_cast<OCSP_CERTID*>(cid)) != 1 ||
      ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(cert.get())) != 0) {
    return Garbage("nvidia ocsp: the response is not about the certificate asked for");
  }
  return body;
}

}  // namespace tenzro::tee::fetch
