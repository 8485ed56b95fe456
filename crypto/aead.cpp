#include "crypto/aead.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <sodium.h>

#include <cstdlib>
#include <limits>
#include <memory>

#include "crypto/ossl.h"

namespace tenzro::tee::crypto {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* k) const { EVP_KDF_CTX_free(k); }
};

// OpenSSL takes int lengths; every caller bounds its inputs far below this.
bool FitsInt(size_t n) { return n <= static_cast<size_t>(std::numeric_limits<int>::max()); }

Status Internal(const char* what) { return Error(ErrorCode::kInternal, what); }

}  // namespace

void Wipe(std::span<uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

SecretKey256::SecretKey256(ByteView bytes) {
  if (bytes.size() != bytes_.size()) std::abort();  // invariant, never input
  for (size_t i = 0; i < bytes_.size(); ++i) bytes_[i] = bytes[i];
}

Status RandomBytes(std::span<uint8_t> out) {
  // getrandom(2) through libsodium: the kernel's CSPRNG, no user-space state
  // to duplicate across fork(), and a third of the cost of a DRBG call
  // (benches/enclave_crypto_bench.cpp). It cannot fail once sodium_init ran.
  if (!out.empty()) randombytes_buf(out.data(), out.size());
  return Status::Ok();
}

Status HkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::span<uint8_t> out) {
  const ErrorMark mark;
  if (out.empty() || out.size() > 255 * 32) {
    return Error(ErrorCode::kInvalidArgument, "HKDF-SHA256 output length out of range");
  }
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(LibCtx(), OSSL_KDF_NAME_HKDF, nullptr));
  if (!kdf) return Internal("HKDF is not available");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return Internal("HKDF context allocation failed");
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  // OpenSSL reads these buffers only; its API takes them as void*.
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                  const_cast<uint8_t*>(ikm.data()), ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                                    const_cast<uint8_t*>(info.data()), info.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    Wipe(out);
    return Internal("HKDF-SHA256 derivation failed");
  }
  return Status::Ok();
}

Result<SecretKey256> HkdfSha256Key(ByteView ikm, ByteView salt, ByteView info) {
  SecretKey256 key;
  TEE_TRY(HkdfSha256(ikm, salt, info, key.mutable_view()));
  return key;
}

Aes256Gcm::Aes256Gcm() {
  const ErrorMark mark;
  cipher_ = EVP_CIPHER_fetch(LibCtx(), "AES-256-GCM", nullptr);
  if (cipher_ == nullptr) std::abort();  // the default provider always has it
}

Aes256Gcm::~Aes256Gcm() { EVP_CIPHER_free(cipher_); }

Status Aes256Gcm::Seal(const SecretKey256& key, ByteView nonce, ByteView aad, ByteView plaintext,
                       std::span<uint8_t> out) const {
  const ErrorMark mark;
  if (nonce.size() != kGcmNonceBytes || out.size() != plaintext.size() + kGcmTagBytes ||
      !FitsInt(plaintext.size()) || !FitsInt(aad.size())) {
    return Error(ErrorCode::kInvalidArgument, "AES-256-GCM seal: bad buffer sizes");
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Internal("cipher context allocation failed");
  int len = 0;
  // 12-byte nonces are GCM's default IV length: no IVLEN control needed.
  if (EVP_EncryptInit_ex2(ctx.get(), cipher_, key.view().data(), nonce.data(), nullptr) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                         static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kGcmTagBytes),
                          out.data() + plaintext.size()) != 1) {
    Wipe(out);
    return Internal("AES-256-GCM encryption failed");
  }
  return Status::Ok();
}

Status Aes256Gcm::Open(const SecretKey256& key, ByteView nonce, ByteView aad, ByteView in,
                       std::span<uint8_t> out) const {
  const ErrorMark mark;
  if (nonce.size() != kGcmNonceBytes || in.size() < kGcmTagBytes ||
      out.size() != in.size() - kGcmTagBytes || !FitsInt(in.size()) || !FitsInt(aad.size())) {
    return Error(ErrorCode::kInvalidArgument, "AES-256-GCM open: bad buffer sizes");
  }
  const size_t ct_len = in.size() - kGcmTagBytes;
  std::array<uint8_t, kGcmTagBytes> tag{};
  for (size_t i = 0; i < kGcmTagBytes; ++i) tag[i] = in[ct_len + i];
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Internal("cipher context allocation failed");
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), cipher_, key.view().data(), nonce.data(), nullptr) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                         static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(ct_len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kGcmTagBytes),
                          tag.data()) != 1) {
    Wipe(out);
    return Internal("AES-256-GCM decryption failed");
  }
  // The tag is compared (in constant time, by OpenSSL) only here: until
  // then out holds unauthenticated plaintext, which is wiped on failure.
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &len) != 1) {
    Wipe(out);
    return Error(ErrorCode::kAuthentication, "AES-256-GCM tag mismatch");
  }
  return Status::Ok();
}

}  // namespace tenzro::tee::crypto
