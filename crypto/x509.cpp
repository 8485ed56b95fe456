#include "crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "crypto/ossl_ptr.h"

namespace tenzro::tee::x509 {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): crypto/'s own RAII owners

using crypto::ErrorMark;
using crypto::LibCtx;

int IntLen(size_t n) { return n > static_cast<size_t>(INT32_MAX) ? -1 : static_cast<int>(n); }

// Digest names, fetched from LibCtx() by the operations that use them.
const char* MdName(Digest d) { return d == Digest::kSha256 ? "SHA256" : "SHA384"; }

std::optional<int64_t> ToUnix(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Bytes NameDer(const X509_NAME* name) {
  unsigned char* buf = nullptr;
  const int n = i2d_X509_NAME(name, &buf);
  if (n <= 0) return {};
  Bytes out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}

Bytes SerialBytes(const ASN1_INTEGER* serial) {
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return {};
  const int n = BN_num_bytes(bn.get());
  if (n <= 0 || n > 64) return n == 0 ? Bytes{0} : Bytes{};  // serials are at most 20 bytes
  Bytes out(static_cast<size_t>(n));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

// Every PEM block of a text as (name, DER); text between blocks is skipped.
std::vector<std::pair<std::string, Bytes>> PemBlocks(ByteView data) {
  const ErrorMark mark;
  std::vector<std::pair<std::string, Bytes>> out;
  const int len = IntLen(data.size());
  if (len < 0) return out;
  BioPtr bio(BIO_new_mem_buf(data.data(), len));
  if (!bio) return out;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* body = nullptr;
    long n = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &body, &n) != 1) break;
    out.emplace_back(name, Bytes(body, body + (n > 0 ? n : 0)));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(body);
  }
  return out;
}

// Byte-string order for serials (an explicit memcmp: gcc 12's inlined
// vector<uint8_t> operator< trips a false -Wstringop-overread at -O3).
bool SerialLess(const Bytes& a, const Bytes& b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  return c < 0 || (c == 0 && a.size() < b.size());
}

Status Bad(const std::string& what) { return Error(ErrorCode::kInvalidArgument, what); }

}  // namespace

bool LooksLikePem(ByteView data) {
  const ErrorMark mark;
  static constexpr std::string_view kBegin = "-----BEGIN ";
  return std::search(data.begin(), data.end(), kBegin.begin(), kBegin.end()) != data.end();
}

std::vector<Bytes> PemBlocksDer(ByteView pem, std::string_view label) {
  const ErrorMark mark;
  std::vector<Bytes> out;
  for (auto& [name, der] : PemBlocks(pem)) {
    if (name == label) out.push_back(std::move(der));
  }
  return out;
}

// ---- keys and ECDSA ---------------------------------------------------------

std::optional<Bytes> PublicKey::EcPointXY() const {
  const ErrorMark mark;
  if (!key_ || EVP_PKEY_get_base_id(key_.get()) != EVP_PKEY_EC) return std::nullopt;
  unsigned char buf[1 + 2 * 66];
  size_t n = 0;
  if (EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &n) !=
          1 ||
      n < 3 || buf[0] != 0x04) {
    return std::nullopt;
  }
  return Bytes(buf + 1, buf + n);
}

Result<PublicKey> EcPublicKeyFromXY(Curve curve, ByteView xy) {
  const ErrorMark mark;
  const size_t want = curve == Curve::kP256 ? 64 : 96;
  if (xy.size() != want) return Bad("EC point must be " + std::to_string(want) + " bytes");
  Bytes point(1 + xy.size());
  point[0] = 0x04;
  std::memcpy(point.data() + 1, xy.data(), xy.size());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  const char* group = curve == Curve::kP256 ? "P-256" : "P-384";
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Error(ErrorCode::kInternal, "OSSL_PARAM_BLD failed");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(LibCtx(), "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return Bad("not a point on the curve");
  }
  auto shared = SharePkey(pkey);
  // fromdata decodes the point; check it is on the curve explicitly (the
  // quick check: on the curve and not infinity, enough for prime-order
  // curves like P-256 and P-384).
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(LibCtx(), pkey, nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
    return Bad("not a point on the curve");
  }
  return PublicKey(std::move(shared));
}

bool EcdsaVerify(const PublicKey& key, Digest digest, ByteView message, ByteView r_be,
                 ByteView s_be) {
  const ErrorMark mark;
  if (key.empty() || r_be.empty() || s_be.empty() || r_be.size() > 128 || s_be.size() > 128)
    return false;
  SigPtr sig(ECDSA_SIG_new());
  if (!sig) return false;
  BIGNUM* r = BN_bin2bn(r_be.data(), IntLen(r_be.size()), nullptr);
  BIGNUM* s = BN_bin2bn(s_be.data(), IntLen(s_be.size()), nullptr);
  if (r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok = ctx &&
                  EVP_DigestVerifyInit_ex(ctx.get(), nullptr, MdName(digest), LibCtx(), nullptr,
                                          key.get(), nullptr) == 1 &&
                  EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len), message.data(),
                                   message.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

bool EcdsaVerifyRaw(const PublicKey& key, Digest digest, ByteView message, ByteView rs_be) {
  if (rs_be.size() != 64 && rs_be.size() != 96) return false;
  const size_t half = rs_be.size() / 2;
  return EcdsaVerify(key, digest, message, rs_be.first(half), rs_be.subspan(half));
}

// ---- certificates -----------------------------------------------------------

Result<Certificate> Certificate::FromDer(ByteView der) {
  const ErrorMark mark;
  const int len = IntLen(der.size());
  if (len <= 0) return Bad("empty certificate");
  const unsigned char* p = der.data();
  // Allocated in our library context first, so the certificate's key and
  // signature operations use it (d2i frees and nulls it on failure).
  X509* raw = X509_new_ex(LibCtx(), nullptr);
  if (raw == nullptr) return Error(ErrorCode::kInternal, "X509_new_ex failed");
  if (d2i_X509(&raw, &p, len) == nullptr) {
    X509_free(raw);
    return Bad("not a DER certificate");
  }
  Certificate c;
  c.x509_ = std::shared_ptr<X509>(raw, X509_free);
  if (p != der.data() + der.size()) return Bad("trailing bytes after the certificate");
  c.der_.assign(der.begin(), der.end());
  c.fingerprint_ = crypto::Sha256(der);
  c.subject_ = NameText(X509_get_subject_name(raw));
  c.issuer_ = NameText(X509_get_issuer_name(raw));
  c.subject_der_ = NameDer(X509_get_subject_name(raw));
  c.issuer_der_ = NameDer(X509_get_issuer_name(raw));
  c.serial_ = SerialBytes(X509_get0_serialNumber(raw));
  const auto nb = ToUnix(X509_get0_notBefore(raw));
  const auto na = ToUnix(X509_get0_notAfter(raw));
  if (!nb || !na || c.serial_.empty()) {
    return Bad("certificate has an unreadable validity or serial");
  }
  c.not_before_ = *nb;
  c.not_after_ = *na;
  c.is_ca_ = (X509_get_extension_flags(raw) & EXFLAG_CA) != 0;
  EVP_PKEY* key = X509_get0_pubkey(raw);
  if (key == nullptr) {
    return Bad("certificate has an unreadable public key");
  }
  EVP_PKEY_up_ref(key);
  c.key_ = PublicKey(SharePkey(key));
  return c;
}

Result<std::vector<Certificate>> Certificate::ParseAll(ByteView pem_or_der) {
  const ErrorMark mark;
  std::vector<Certificate> out;
  if (LooksLikePem(pem_or_der)) {
    for (auto& [name, der] : PemBlocks(pem_or_der)) {
      if (name != "CERTIFICATE") continue;
      TEE_ASSIGN_OR_RETURN(Certificate c, FromDer(der));
      out.push_back(std::move(c));
    }
  } else {
    TEE_ASSIGN_OR_RETURN(Certificate c, FromDer(pem_or_der));
    out.push_back(std::move(c));
  }
  if (out.empty()) return Bad("no certificate found");
  return out;
}

std::optional<std::string> Certificate::SubjectAttr(std::string_view short_name) const {
  const ErrorMark mark;
  const int nid = OBJ_txt2nid(std::string(short_name).c_str());
  if (nid == NID_undef) return std::nullopt;
  const X509_NAME* name = X509_get_subject_name(x509_.get());
  const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return std::nullopt;
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) {
    return std::nullopt;
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::optional<Bytes> Certificate::Extension(std::string_view oid) const {
  const ErrorMark mark;
  AsnObjPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  if (!obj) {
    return std::nullopt;
  }
  const int idx = X509_get_ext_by_OBJ(x509_.get(), obj.get(), -1);
  if (idx < 0) return std::nullopt;
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(x509_.get(), idx));
  if (data == nullptr) return std::nullopt;
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
}

bool Certificate::SignatureVerifiesWith(const PublicKey& issuer_key) const {
  const ErrorMark mark;
  if (issuer_key.empty()) return false;
  const bool ok = X509_verify(x509_.get(), issuer_key.get()) == 1;
  return ok;
}

bool Certificate::IssuedBy(const Certificate& issuer) const {
  return issuer_der_ == issuer.subject_der_ && SignatureVerifiesWith(issuer.public_key());
}

// ---- CRLs ---------------------------------------------------------------------

bool Crl::LooksLikeCrl(ByteView data) {
  const ErrorMark mark;
  if (LooksLikePem(data)) {
    for (const auto& [name, der] : PemBlocks(data)) {
      if (name == "X509 CRL") return true;
    }
    return false;
  }
  return Parse(data).ok();
}

Result<Crl> Crl::Parse(ByteView der_or_pem) {
  const ErrorMark mark;
  Bytes der;
  if (LooksLikePem(der_or_pem)) {
    for (auto& [name, body] : PemBlocks(der_or_pem)) {
      if (name == "X509 CRL") {
        der = std::move(body);
        break;
      }
    }
    if (der.empty()) return Bad("no X509 CRL block");
  } else {
    der.assign(der_or_pem.begin(), der_or_pem.end());
  }
  const int len = IntLen(der.size());
  if (len <= 0) return Bad("empty CRL");
  const unsigned char* p = der.data();
  X509_CRL* raw = X509_CRL_new_ex(LibCtx(), nullptr);
  if (raw == nullptr) return Error(ErrorCode::kInternal, "X509_CRL_new_ex failed");
  if (d2i_X509_CRL(&raw, &p, len) == nullptr) {
    X509_CRL_free(raw);
    return Bad("not a DER CRL");
  }
  Crl c;
  c.crl_ = std::shared_ptr<X509_CRL>(raw, X509_CRL_free);
  if (p != der.data() + der.size()) return Bad("trailing bytes after the CRL");
  c.fingerprint_ = crypto::Sha256(der);
  c.der_ = std::move(der);
  c.issuer_ = NameText(X509_CRL_get_issuer(raw));
  c.issuer_der_ = NameDer(X509_CRL_get_issuer(raw));
  const auto tu = ToUnix(X509_CRL_get0_lastUpdate(raw));
  if (!tu) return Bad("CRL has an unreadable thisUpdate");
  c.this_update_ = *tu;
  if (X509_CRL_get0_nextUpdate(raw) != nullptr) {
    c.next_update_ = ToUnix(X509_CRL_get0_nextUpdate(raw));
    if (!c.next_update_) return Bad("CRL has an unreadable nextUpdate");
  }
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(raw);
  const int n = revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked);
  for (int i = 0; i < n; ++i) {
    c.revoked_.push_back(
        SerialBytes(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
  }
  std::sort(c.revoked_.begin(), c.revoked_.end(), SerialLess);
  return c;
}

bool Crl::SignatureVerifiesWith(const PublicKey& issuer_key) const {
  const ErrorMark mark;
  if (issuer_key.empty()) return false;
  const bool ok = X509_CRL_verify(crl_.get(), issuer_key.get()) == 1;
  return ok;
}

bool Crl::IssuedBy(const Certificate& issuer) const {
  return issuer_der_ == issuer.subject_der() && SignatureVerifiesWith(issuer.public_key());
}

bool Crl::IsRevoked(ByteView serial) const {
  const Bytes key = MinimalBigEndian(serial);
  return std::binary_search(revoked_.begin(), revoked_.end(), key, SerialLess);
}

Bytes MinimalBigEndian(ByteView be) {
  size_t i = 0;
  while (i + 1 < be.size() && be[i] == 0) ++i;
  if (be.empty()) return Bytes{0};
  return Bytes(be.begin() + static_cast<std::ptrdiff_t>(i), be.end());
}

std::string ToPem(const std::vector<Certificate>& certs) {
  const ErrorMark mark;
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  for (const auto& c : certs) {
    if (PEM_write_bio_X509(bio.get(), c.raw()) != 1) {
      return {};
    }
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string CrlToPem(const Crl& crl) {
  const ErrorMark mark;
  const int len = IntLen(crl.der().size());
  const unsigned char* p = crl.der().data();
  std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>> raw(d2i_X509_CRL(nullptr, &p, len));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!raw || !bio || PEM_write_bio_X509_CRL(bio.get(), raw.get()) != 1) {
    return {};
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Bytes DigestOf(Digest digest, ByteView data) {
  ErrorMark mark;
  EVP_MD* md = EVP_MD_fetch(LibCtx(), MdName(digest), nullptr);
  Bytes out(static_cast<size_t>(EVP_MAX_MD_SIZE));
  unsigned int len = 0;
  const bool ok =
      md != nullptr && EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) == 1;
  EVP_MD_free(md);
  out.resize(ok ? len : 0);
  return out;
}

std::optional<int64_t> GeneralizedTimeToUnix(ByteView content) {
  // DER: exactly YYYYMMDDHHMMSSZ (RFC 5280 4.1.2.5.2, no fractions).
  if (content.size() != 15 || content[14] != 'Z') return std::nullopt;
  for (size_t i = 0; i < 14; ++i) {
    if (content[i] < '0' || content[i] > '9') return std::nullopt;
  }
  ErrorMark mark;
  const std::string text(content.begin(), content.end());
  GenTimePtr t(ASN1_GENERALIZEDTIME_new());
  if (!t || ASN1_GENERALIZEDTIME_set_string(t.get(), text.c_str()) != 1) return std::nullopt;
  return ToUnix(t.get());
}

}  // namespace tenzro::tee::x509
