#include "crypto/hash.h"
#include "crypto/ossl.h"

#include <sodium.h>

#include <cstring>

namespace tenzro::tee::crypto {

static_assert(sizeof(crypto_generichash_state) <= 384, "Blake2b256Stream state buffer too small");

bool InitCrypto() {
  (void)LibCtx();  // the plugin's OpenSSL context, before anything can use it
  return sodium_init() >= 0;
}

Hash32 Sha256(ByteView data) {
  Hash32 out{};
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

std::array<uint8_t, 64> Sha512(ByteView data) {
  std::array<uint8_t, 64> out{};
  crypto_hash_sha512(out.data(), data.data(), data.size());
  return out;
}

Hash32 Blake2b256(ByteView data, ByteView key) {
  Hash32 out{};
  crypto_generichash(out.data(), out.size(), data.data(), data.size(),
                     key.empty() ? nullptr : key.data(), key.size());
  return out;
}

Blake2b256Stream::Blake2b256Stream(ByteView key) {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_.data()),
                          key.empty() ? nullptr : key.data(), key.size(), 32);
}
void Blake2b256Stream::Update(ByteView data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_.data()), data.data(),
                            data.size());
}
Hash32 Blake2b256Stream::Final() {
  Hash32 out{};
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_.data()), out.data(),
                           out.size());
  return out;
}

bool Ed25519Verify(const Ed25519PublicKey& pk, ByteView message, const Ed25519Signature& sig) {
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
}

Ed25519KeyPair::Ed25519KeyPair(const Ed25519Seed& seed) {
  crypto_sign_seed_keypair(pk_.data(), sk_.data(), seed.data());
}
Ed25519KeyPair::~Ed25519KeyPair() { sodium_memzero(sk_.data(), sk_.size()); }

Ed25519Signature Ed25519KeyPair::Sign(ByteView message) const {
  Ed25519Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk_.data());
  return sig;
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<Bytes> FromBase64(std::string_view text) {
  Bytes out(text.size() / 4 * 3 + 3);
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
    size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                          variant) == 0 &&
        end == text.data() + text.size()) {
      out.resize(len);
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace tenzro::tee::crypto
