// The signing half of crypto/x509 (crypto/x509_signing.h): testing target only.
#include "crypto/x509_signing.h"

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
#include "crypto/ossl_ptr.h"

namespace tenzro::tee::x509 {
namespace {

using namespace detail;  // NOLINT(google-build-using-namespace): crypto/'s own RAII owners

void ClearErrors() { ERR_clear_error(); }

int IntLen(size_t n) { return n > static_cast<size_t>(INT32_MAX) ? -1 : static_cast<int>(n); }

const EVP_MD* Md(Digest d) { return d == Digest::kSha256 ? EVP_sha256() : EVP_sha384(); }

Status Bad(const std::string& what) { return Error(ErrorCode::kInvalidArgument, what); }

// Signs with the scheme: ECDSA (SHA-256/384) or RSA-PSS SHA-384 with MGF1
// SHA-384 and a 48-byte salt (AMD's parameters).
MdCtxPtr SignCtx(SigScheme scheme, const PrivateKey& key) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return nullptr;
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = scheme == SigScheme::kEcdsaSha256 ? EVP_sha256() : EVP_sha384();
  if (EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.get()) != 1) return nullptr;
  if (scheme == SigScheme::kRsaPssSha384) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) != 1) {
      return nullptr;
    }
  }
  return ctx;
}

bool SetName(X509_NAME* name, const std::vector<NameEntry>& entries) {
  for (const auto& e : entries) {
    const int len = IntLen(e.value.size());
    if (len < 0 || X509_NAME_add_entry_by_txt(
                       name, e.field.c_str(), MBSTRING_UTF8,
                       reinterpret_cast<const unsigned char*>(e.value.data()), len, -1, 0) != 1) {
      return false;
    }
  }
  return true;
}

AsnIntPtr ToAsnInteger(ByteView be) {
  BnPtr bn(BN_bin2bn(be.data(), IntLen(be.size()), nullptr));
  if (!bn) return nullptr;
  return AsnIntPtr(BN_to_ASN1_INTEGER(bn.get(), nullptr));
}

}  // namespace

Result<PrivateKey> PrivateKey::Generate(KeyKind kind) {
  EVP_PKEY* k = nullptr;
  switch (kind) {
    case KeyKind::kP256:
      k = EVP_EC_gen("P-256");
      break;
    case KeyKind::kP384:
      k = EVP_EC_gen("P-384");
      break;
    case KeyKind::kRsa2048:
      k = EVP_RSA_gen(2048);
      break;
    case KeyKind::kRsa4096:
      k = EVP_RSA_gen(4096);
      break;
  }
  if (k == nullptr) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "key generation failed");
  }
  PrivateKey out;
  out.key_ = SharePkey(k);
  return out;
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  const int len = IntLen(pem.size());
  if (len <= 0) return Bad("empty key PEM");
  BioPtr bio(BIO_new_mem_buf(pem.data(), len));
  EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (k == nullptr) {
    ClearErrors();
    return Bad("not a private key PEM");
  }
  PrivateKey out;
  out.key_ = SharePkey(k);
  return out;
}

std::string PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    ClearErrors();
    return {};
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

PublicKey PrivateKey::public_key() const {
  // Export only the public half, so a PublicKey never carries the secret.
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key_.get(), &der);
  if (n <= 0) {
    ClearErrors();
    return PublicKey();
  }
  const unsigned char* p = der;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, n);
  OPENSSL_free(der);
  ClearErrors();
  return pub == nullptr ? PublicKey() : PublicKey(SharePkey(pub));
}

Result<Bytes> PrivateKey::EcdsaSignRaw(Digest digest, ByteView message) const {
  if (!key_ || EVP_PKEY_get_base_id(key_.get()) != EVP_PKEY_EC) return Bad("not an EC key");
  const size_t half = static_cast<size_t>(EVP_PKEY_get_bits(key_.get()) + 7) / 8;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, Md(digest), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, message.data(), message.size()) != 1) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "ECDSA sign failed");
  }
  Bytes der(sig_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &sig_len, message.data(), message.size()) != 1) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "ECDSA sign failed");
  }
  const unsigned char* p = der.data();
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig_len)));
  if (!sig) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "ECDSA signature decode failed");
  }
  Bytes out(2 * half, 0);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), static_cast<int>(half)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + half, static_cast<int>(half)) < 0) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "ECDSA signature encode failed");
  }
  return out;
}

Result<Certificate> IssueCertificate(const CertSpec& spec, const PublicKey& subject_key,
                                     const Certificate* issuer, const PrivateKey& issuer_key) {
  std::unique_ptr<X509, Deleter<X509, X509_free>> x(X509_new());
  if (!x || X509_set_version(x.get(), 2) != 1)
    return Error(ErrorCode::kInternal, "X509_new failed");
  AsnIntPtr serial = ToAsnInteger(spec.serial_be);
  if (!serial || X509_set_serialNumber(x.get(), serial.get()) != 1) return Bad("bad serial");
  if (!SetName(X509_get_subject_name(x.get()), spec.subject)) return Bad("bad subject name");
  if (issuer != nullptr) {
    if (X509_set_issuer_name(x.get(), X509_get_subject_name(issuer->raw())) != 1)
      return Bad("bad issuer");
  } else if (X509_set_issuer_name(x.get(), X509_get_subject_name(x.get())) != 1) {
    return Bad("bad issuer");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(spec.not_before)) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(spec.not_after)) == nullptr) {
    return Bad("bad validity");
  }
  if (subject_key.empty() || X509_set_pubkey(x.get(), subject_key.get()) != 1)
    return Bad("bad subject key");
  if (spec.is_ca) {
    BcPtr bc(BASIC_CONSTRAINTS_new());
    if (!bc) return Error(ErrorCode::kInternal, "BASIC_CONSTRAINTS_new failed");
    bc->ca = 0xFF;
    if (spec.path_len) {
      bc->pathlen = ASN1_INTEGER_new();
      if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, *spec.path_len) != 1)
        return Bad("bad path_len");
    }
    if (X509_add1_ext_i2d(x.get(), NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT) != 1) {
      return Error(ErrorCode::kInternal, "basicConstraints failed");
    }
  }
  for (const auto& e : spec.extensions) {
    AsnObjPtr obj(OBJ_txt2obj(e.oid.c_str(), 1));
    OctetPtr value(ASN1_OCTET_STRING_new());
    if (!obj || !value ||
        ASN1_OCTET_STRING_set(value.get(), e.value.data(), IntLen(e.value.size())) != 1) {
      ClearErrors();
      return Bad("bad extension " + e.oid);
    }
    ExtPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), e.critical ? 1 : 0, value.get()));
    if (!ext || X509_add_ext(x.get(), ext.get(), -1) != 1) {
      ClearErrors();
      return Bad("bad extension " + e.oid);
    }
  }
  MdCtxPtr ctx = SignCtx(spec.scheme, issuer_key);
  if (!ctx || X509_sign_ctx(x.get(), ctx.get()) <= 0) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "certificate signing failed");
  }
  unsigned char* der = nullptr;
  const int n = i2d_X509(x.get(), &der);
  if (n <= 0) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "certificate encoding failed");
  }
  Bytes bytes(der, der + n);
  OPENSSL_free(der);
  return Certificate::FromDer(bytes);
}

Result<Crl> IssueCrl(const CrlSpec& spec, const Certificate& issuer, const PrivateKey& issuer_key) {
  std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>> crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.raw())) != 1) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "X509_CRL_new failed");
  }
  std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>> tu(
      ASN1_TIME_set(nullptr, static_cast<time_t>(spec.this_update)));
  std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>> nu(
      ASN1_TIME_set(nullptr, static_cast<time_t>(spec.next_update)));
  if (!tu || !nu || X509_CRL_set1_lastUpdate(crl.get(), tu.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), nu.get()) != 1) {
    ClearErrors();
    return Bad("bad CRL window");
  }
  for (const auto& s : spec.revoked_serials_be) {
    RevokedPtr r(X509_REVOKED_new());
    AsnIntPtr serial = ToAsnInteger(s);
    if (!r || !serial || X509_REVOKED_set_serialNumber(r.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(r.get(), tu.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), r.get()) != 1) {
      ClearErrors();
      return Bad("bad revoked serial");
    }
    r.release();  // owned by the CRL now
  }
  X509_CRL_sort(crl.get());
  MdCtxPtr ctx = SignCtx(spec.scheme, issuer_key);
  if (!ctx || X509_CRL_sign_ctx(crl.get(), ctx.get()) <= 0) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "CRL signing failed");
  }
  unsigned char* der = nullptr;
  const int n = i2d_X509_CRL(crl.get(), &der);
  if (n <= 0) {
    ClearErrors();
    return Error(ErrorCode::kInternal, "CRL encoding failed");
  }
  Bytes bytes(der, der + n);
  OPENSSL_free(der);
  return Crl::Parse(bytes);
}

}  // namespace tenzro::tee::x509
