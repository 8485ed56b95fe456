// enclave_crypto (seed: "Enclave Encryption"; issue 14): AES-256-GCM under a
// per-key-id key derived from a hardware root key.
//
//   derived_key = HKDF-SHA256(ikm = root key of the source,
//                             salt = key_id, info = vendor tag)
//
// Wire format of Encrypt's output (version 1):
//
//   header(1) || nonce(12) || ciphertext || tag(16)
//
// - header: 0x01 (format version 1) for hardware sources, 0x81 for the
//   simulation source (bit 7 = simulation flag). A node whose source is not
//   the simulation one refuses a 0x81 ciphertext with kSimulationDisabled,
//   before any key is derived. The bytes after the header are the seed's
//   `nonce(12) || ciphertext || tag(16)`; the header was added because the
//   flag must be visible, and a 96-bit GCM nonce has no bit to spare
//   (SP 800-38D §8.2.2: the random field of an RBG-based IV is >= 96 bits).
// - nonce: 12 bytes from the OS CSPRNG (getrandom(2) via libsodium's
//   randombytes_buf), never a counter, never reused on purpose.
// - AAD (authenticated, not transmitted), exactly:
//     "tenzro-tee-enclave-v1"   21 ASCII bytes, no terminator
//     || header                 1 byte (version and simulation flag)
//     || vendor                 1 byte: the TeeType value (1 TDX, 3 SNP,
//                               4 Nitro, 5 NVIDIA)
//     || len(key_id)            1 byte (1..255)
//     || key_id                 the key id bytes
//   so a ciphertext opens only under the key id, vendor, format version and
//   simulation flag it was made with (besides the key itself).
//
// Limits: key ids are 1..255 bytes; plaintexts at most kMaxPlaintextBytes.
// Per key (per key id of one root), at most 2^32 messages: with random
// 96-bit nonces NIST SP 800-38D §8.3 caps a key at 2^32 invocations (the
// chance of any nonce repeating then stays below 2^-32). The counter is
// in memory: Encrypt refuses (kOverflow) once this process has sealed
// max_messages_per_key messages under one key id; it does not survive a
// restart (nothing here persists), so callers that seal near that many
// messages rotate key ids.
//
// Errors of Decrypt: shorter than 29 bytes or an unknown version
// (kInvalidArgument / kUnsupported); simulation ciphertext on a production
// node (kSimulationDisabled); tampered bytes, a wrong key id, vendor or root
// (kAuthentication). Plaintext is never returned on failure.
//
// Keys: derived keys are cached in memory per key id (wiped when evicted or
// when the object dies); root keys are wiped after each derivation. Nothing
// is logged. Thread-safety: all methods may be called from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "attestation/enclave_crypto/key_source.h"
#include "core/bytes.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "crypto/aead.h"

namespace tenzro::tee::enclave_crypto {

inline constexpr uint8_t kFormatVersion = 1;
inline constexpr uint8_t kSimulationFlag = 0x80;
inline constexpr size_t kHeaderBytes = 1;
inline constexpr size_t kOverheadBytes =
    kHeaderBytes + crypto::kGcmNonceBytes + crypto::kGcmTagBytes;
inline constexpr size_t kMaxKeyIdBytes = 255;
inline constexpr size_t kMaxPlaintextBytes = 64u << 20;
inline constexpr uint64_t kMaxMessagesPerKey = uint64_t{1} << 32;
inline constexpr char kAadTag[] = "tenzro-tee-enclave-v1";  // 21 bytes, no NUL

struct Options {
  // Encrypt refuses the message after this many under one key id.
  uint64_t max_messages_per_key = kMaxMessagesPerKey;
  // Derived keys kept in memory (least recently derived evicted first).
  size_t max_cached_keys = 1024;
};

class EnclaveCrypto {
 public:
  explicit EnclaveCrypto(std::shared_ptr<const RootKeySource> source, Options options = {});
  ~EnclaveCrypto();
  EnclaveCrypto(const EnclaveCrypto&) = delete;
  EnclaveCrypto& operator=(const EnclaveCrypto&) = delete;

  Result<Bytes> Encrypt(std::string_view key_id, ByteView plaintext);
  Result<Bytes> Decrypt(std::string_view key_id, ByteView sealed) const;

  TeeType vendor() const { return source_->vendor(); }
  bool simulated() const { return source_->simulated(); }
  const RootKeySource& source() const { return *source_; }

  // The AAD of a ciphertext (for tests and the README's worked example).
  static Bytes Aad(uint8_t header, TeeType vendor, std::string_view key_id);

 private:
  struct Entry {
    crypto::SecretKey256 key;
    uint64_t sealed = 0;  // messages encrypted under it by this process
    uint64_t age = 0;     // insertion order, for eviction
  };
  Status CheckKeyId(std::string_view key_id) const;
  // Copies out the derived key of key_id; with count, also counts one more
  // message against the limit.
  Result<crypto::SecretKey256> Key(std::string_view key_id, bool count) const;
  // The key of a cache entry, counting one message when count is set.
  Result<crypto::SecretKey256> Take(Entry& entry, bool count) const REQUIRES(mu_);
  uint8_t Header() const { return kFormatVersion | (simulated() ? kSimulationFlag : 0); }

  const std::shared_ptr<const RootKeySource> source_;
  const Options options_;
  const crypto::Aes256Gcm gcm_;
  mutable Mutex mu_;
  mutable std::map<std::string, Entry, std::less<>> keys_ GUARDED_BY(mu_);
  mutable uint64_t next_age_ GUARDED_BY(mu_) = 0;
};

}  // namespace tenzro::tee::enclave_crypto
