// The enclave's ephemeral RSA key of the AWS KMS recipient flow (issue 14):
// its public key travels in the Nitro attestation document (`public_key`);
// KMS answers with CiphertextForRecipient, a CMS EnvelopedData (RFC 5652)
// addressed to that key, which only this process can open. OpenSSL CMS does
// the work, in the plugin's library context.
// Thread-safety: a RsaRecipientKey is immutable and may be shared.
#pragma once

#include <memory>

#include "core/bytes.h"
#include "core/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace tenzro::tee::crypto {

class RsaRecipientKey {
 public:
  // A fresh RSA-2048 key pair; the private half never leaves this object.
  static Result<RsaRecipientKey> Generate();

  // DER SubjectPublicKeyInfo of the public half.
  Result<Bytes> PublicKeyDer() const;

  // Opens a DER CMS EnvelopedData whose key-transport recipient is this key
  // (RSAES-OAEP or PKCS#1 v1.5, as KMS and OpenSSL write them) and returns
  // its content, at most max_plaintext bytes. Not an EnvelopedData, not for
  // this key, or tampered: kAuthentication or kInvalidArgument; the caller
  // wipes the result when it holds a key.
  Result<Bytes> OpenEnveloped(ByteView cms_der, size_t max_plaintext) const;

  EVP_PKEY* get() const { return key_.get(); }

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace tenzro::tee::crypto
