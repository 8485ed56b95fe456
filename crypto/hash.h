// Hashes and signatures the plugin uses, all from libsodium (never hand-rolled).
//
// REQUIRES: InitCrypto() returned true before any other call (the plugin calls
// it at open; it is idempotent and thread-safe).
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "core/bytes.h"

namespace tenzro::tee::crypto {

bool InitCrypto();

Hash32 Sha256(ByteView data);
std::array<uint8_t, 64> Sha512(ByteView data);
// BLAKE2b with a 32-byte digest; key may be empty (unkeyed), at most 64 bytes.
Hash32 Blake2b256(ByteView data, ByteView key = {});

// Incremental BLAKE2b-256, for digests over many pieces.
class Blake2b256Stream {
 public:
  explicit Blake2b256Stream(ByteView key = {});
  void Update(ByteView data);
  Hash32 Final();

 private:
  alignas(64) std::array<uint8_t, 384> state_{};
};

using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;
using Ed25519Seed = std::array<uint8_t, 32>;

bool Ed25519Verify(const Ed25519PublicKey& pk, ByteView message, const Ed25519Signature& sig);

// A signing key; its secret is wiped on destruction.
class Ed25519KeyPair {
 public:
  explicit Ed25519KeyPair(const Ed25519Seed& seed);
  ~Ed25519KeyPair();
  Ed25519KeyPair(const Ed25519KeyPair&) = delete;
  Ed25519KeyPair& operator=(const Ed25519KeyPair&) = delete;

  const Ed25519PublicKey& public_key() const { return pk_; }
  Ed25519Signature Sign(ByteView message) const;

 private:
  Ed25519PublicKey pk_{};
  std::array<uint8_t, 64> sk_{};
};

// Constant-time equality for digests and secrets.
bool ConstantTimeEqual(ByteView a, ByteView b);

}  // namespace tenzro::tee::crypto
