// Symmetric primitives of enclave_crypto (issue 14), never hand-rolled:
// AES-256-GCM and HKDF-SHA256 from OpenSSL 3 EVP in the plugin's own library
// context (crypto/ossl.h); random bytes from the OS CSPRNG via libsodium.
//
// Every entry point sets an ErrorMark, so OpenSSL's error queue of the
// calling thread is left as it was. Key material lives in SecretKey256,
// which wipes itself (OPENSSL_cleanse) when destroyed; nothing here logs.
// Thread-safety: Aes256Gcm is immutable after construction and may be used
// from several threads at once; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/bytes.h"
#include "core/status.h"

typedef struct evp_cipher_st EVP_CIPHER;

namespace tenzro::tee::crypto {

inline constexpr size_t kAes256KeyBytes = 32;
inline constexpr size_t kGcmNonceBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;

// Overwrites the bytes so that the compiler cannot drop the store.
void Wipe(std::span<uint8_t> bytes);

// 32 secret bytes, wiped on destruction and on move-from.
class SecretKey256 {
 public:
  SecretKey256() = default;
  explicit SecretKey256(ByteView bytes);  // REQUIRES: bytes.size() == 32
  ~SecretKey256() { Wipe(bytes_); }
  SecretKey256(const SecretKey256& other) = default;
  SecretKey256& operator=(const SecretKey256& other) = default;
  SecretKey256(SecretKey256&& other) noexcept : bytes_(other.bytes_) { Wipe(other.bytes_); }
  SecretKey256& operator=(SecretKey256&& other) noexcept {
    bytes_ = other.bytes_;
    Wipe(other.bytes_);
    return *this;
  }

  ByteView view() const { return {bytes_.data(), bytes_.size()}; }
  std::span<uint8_t> mutable_view() { return {bytes_.data(), bytes_.size()}; }

 private:
  std::array<uint8_t, kAes256KeyBytes> bytes_{};
};

// Fills out from the OS CSPRNG (libsodium randombytes_buf: getrandom(2)).
// REQUIRES: crypto::InitCrypto() ran (sodium_init).
Status RandomBytes(std::span<uint8_t> out);

// HKDF-SHA256 (RFC 5869) of out.size() bytes (at most 255 * 32). An empty
// salt is RFC 5869's "not provided" (HashLen zero bytes); empty info is
// allowed.
Status HkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::span<uint8_t> out);
Result<SecretKey256> HkdfSha256Key(ByteView ikm, ByteView salt, ByteView info);

// AES-256-GCM with 96-bit nonces and 128-bit tags (NIST SP 800-38D).
class Aes256Gcm {
 public:
  // Fetches the cipher from LibCtx() once; aborts only if the default
  // provider lacks AES-256-GCM (an installation invariant).
  Aes256Gcm();
  ~Aes256Gcm();
  Aes256Gcm(const Aes256Gcm&) = delete;
  Aes256Gcm& operator=(const Aes256Gcm&) = delete;

  // out receives ciphertext || tag: plaintext.size() + 16 bytes.
  // REQUIRES: nonce.size() == 12, out.size() == plaintext.size() + 16.
  Status Seal(const SecretKey256& key, ByteView nonce, ByteView aad, ByteView plaintext,
              std::span<uint8_t> out) const;
  // in is ciphertext || tag; out receives in.size() - 16 bytes. A wrong tag
  // is kAuthentication and out is wiped (never released plaintext).
  // REQUIRES: nonce.size() == 12, in.size() >= 16, out.size() == in.size() - 16.
  Status Open(const SecretKey256& key, ByteView nonce, ByteView aad, ByteView in,
              std::span<uint8_t> out) const;

 private:
  EVP_CIPHER* cipher_ = nullptr;
};

}  // namespace tenzro::tee::crypto
