// Test helper: the same Simulated evidence under another valid signature.
//
// Ed25519 signatures are deterministic only by convention: whoever holds the
// key (and the development key is public by construction) can sign the same
// body with any nonce r. S = r + H(R || A || M) * a, R = [r]B is a second
// valid signature over the same signed bytes, so the blob changes while what
// the key signed does not (DESIGN §4).
#pragma once

#include <sodium.h>

#include <array>
#include <cstring>
#include <string>

#include "attestation/simulated/evidence.h"
#include "core/bytes.h"
#include "crypto/hash.h"

namespace tenzro::tee::testing {

// REQUIRES: evidence is well-formed Simulated evidence signed by the
// development key. `label` picks the nonce.
inline Bytes ResignSimulated(const Bytes& evidence, const std::string& label) {
  const std::string tag = "tenzro-tee-simulated-dev-key-v1";
  const auto seed =
      crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(tag.data()), tag.size()));
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  // The secret scalar a: SHA-512(seed)[0..32), clamped (what the X25519
  // conversion computes), reduced mod L.
  std::array<uint8_t, 64> wide{};
  crypto_sign_ed25519_sk_to_curve25519(wide.data(), sk.data());
  std::array<uint8_t, 32> a{};
  crypto_core_ed25519_scalar_reduce(a.data(), wide.data());
  // r from the label.
  std::array<uint8_t, 64> h{};
  crypto_hash_sha512(h.data(), reinterpret_cast<const uint8_t*>(label.data()), label.size());
  std::array<uint8_t, 32> r{};
  crypto_core_ed25519_scalar_reduce(r.data(), h.data());
  std::array<uint8_t, 32> big_r{};
  crypto_scalarmult_ed25519_base_noclamp(big_r.data(), r.data());
  // k = SHA-512(R || A || M) mod L.
  Bytes msg(big_r.begin(), big_r.end());
  msg.insert(msg.end(), pk.begin(), pk.end());
  msg.insert(msg.end(), evidence.begin(), evidence.begin() + simulated::kSignedSize);
  crypto_hash_sha512(h.data(), msg.data(), msg.size());
  std::array<uint8_t, 32> k{};
  crypto_core_ed25519_scalar_reduce(k.data(), h.data());
  std::array<uint8_t, 32> ka{}, s{};
  crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
  crypto_core_ed25519_scalar_add(s.data(), r.data(), ka.data());
  Bytes out = evidence;
  std::memcpy(out.data() + simulated::kSignedSize, big_r.data(), 32);
  std::memcpy(out.data() + simulated::kSignedSize + 32, s.data(), 32);
  return out;
}

}  // namespace tenzro::tee::testing
