#include "crypto/cms.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <limits>

#include "crypto/aead.h"
#include "crypto/ossl.h"

namespace tenzro::tee::crypto {
namespace {

struct CmsFree {
  void operator()(CMS_ContentInfo* c) const { CMS_ContentInfo_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};

// Bounds the DER we hand to the ASN.1 decoder (a KMS envelope of a 32-byte
// key is well under 2 KiB).
constexpr size_t kMaxEnvelopeBytes = 64u << 10;

}  // namespace

Result<RsaRecipientKey> RsaRecipientKey::Generate() {
  const ErrorMark mark;
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(LibCtx(), nullptr, "RSA", static_cast<size_t>(2048));
  if (raw == nullptr) return Error(ErrorCode::kInternal, "RSA-2048 key generation failed");
  RsaRecipientKey k;
  k.key_ = std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free);
  return k;
}

Result<Bytes> RsaRecipientKey::PublicKeyDer() const {
  const ErrorMark mark;
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key_.get(), &der);
  if (n <= 0 || der == nullptr) return Error(ErrorCode::kInternal, "public key encoding failed");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> RsaRecipientKey::OpenEnveloped(ByteView cms_der, size_t max_plaintext) const {
  const ErrorMark mark;
  if (cms_der.empty() || cms_der.size() > kMaxEnvelopeBytes) {
    return Error(ErrorCode::kInvalidArgument, "CMS envelope empty or over 64 KiB");
  }
  // A context made in our library context keeps it through d2i, so the
  // content cipher and the key transport are fetched from LibCtx().
  CMS_ContentInfo* slot = CMS_ContentInfo_new_ex(LibCtx(), nullptr);
  if (slot == nullptr) return Error(ErrorCode::kInternal, "CMS allocation failed");
  const unsigned char* p = cms_der.data();
  // d2i frees *slot itself when it fails, so ownership is taken after it.
  const bool parsed = d2i_CMS_ContentInfo(&slot, &p, static_cast<long>(cms_der.size())) != nullptr;
  std::unique_ptr<CMS_ContentInfo, CmsFree> cms(slot);
  if (!parsed || !cms || p != cms_der.data() + cms_der.size()) {
    return Error(ErrorCode::kInvalidArgument, "not one DER CMS ContentInfo");
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_enveloped) {
    return Error(ErrorCode::kInvalidArgument, "CMS content is not EnvelopedData");
  }
  // Only RSAES-OAEP key transport (what KMS writes: RSAES_OAEP_SHA_256).
  // The host hands us the envelope and may send many: accepting PKCS#1 v1.5
  // would give it a Bleichenbacher oracle on the key that opens KMS's real
  // envelope.
  STACK_OF(CMS_RecipientInfo)* ris = CMS_get0_RecipientInfos(cms.get());
  const int ri_count = ris == nullptr ? 0 : sk_CMS_RecipientInfo_num(ris);
  if (ri_count <= 0 || ri_count > 16) {
    return Error(ErrorCode::kInvalidArgument, "CMS envelope has no or too many recipients");
  }
  for (int i = 0; i < ri_count; ++i) {
    CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(ris, i);
    X509_ALGOR* alg = nullptr;
    if (CMS_RecipientInfo_type(ri) != CMS_RECIPINFO_TRANS ||
        CMS_RecipientInfo_ktri_get0_algs(ri, nullptr, nullptr, &alg) != 1 || alg == nullptr ||
        OBJ_obj2nid(alg->algorithm) != NID_rsaesOaep) {
      return Error(ErrorCode::kInvalidArgument, "CMS recipient is not RSAES-OAEP key transport");
    }
  }
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  if (!out) return Error(ErrorCode::kInternal, "BIO allocation failed");
  // No certificate: every key-transport recipient is tried with our key
  // (OpenSSL keeps its random-key countermeasure for a wrong key).
  if (CMS_decrypt(cms.get(), key_.get(), nullptr, nullptr, out.get(), CMS_BINARY) != 1) {
    return Error(ErrorCode::kAuthentication, "CMS envelope does not open under this key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  if (n < 0 || static_cast<size_t>(n) > max_plaintext) {
    if (data != nullptr && n > 0) Wipe({reinterpret_cast<uint8_t*>(data), static_cast<size_t>(n)});
    return Error(ErrorCode::kInvalidArgument, "CMS content longer than expected");
  }
  Bytes plain(reinterpret_cast<uint8_t*>(data), reinterpret_cast<uint8_t*>(data) + n);
  if (n > 0) Wipe({reinterpret_cast<uint8_t*>(data), static_cast<size_t>(n)});
  return plain;
}

}  // namespace tenzro::tee::crypto
