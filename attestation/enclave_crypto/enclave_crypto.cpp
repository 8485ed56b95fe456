#include "attestation/enclave_crypto/enclave_crypto.h"

#include <cstring>

namespace tenzro::tee::enclave_crypto {
namespace {

ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

EnclaveCrypto::EnclaveCrypto(std::shared_ptr<const RootKeySource> source, Options options)
    : source_(std::move(source)), options_(options) {}

EnclaveCrypto::~EnclaveCrypto() = default;  // Entry keys wipe themselves

Bytes EnclaveCrypto::Aad(uint8_t header, TeeType vendor, std::string_view key_id) {
  Bytes aad;
  aad.reserve(sizeof(kAadTag) - 1 + 3 + key_id.size());
  PutBytes(aad, AsBytes(std::string_view(kAadTag, sizeof(kAadTag) - 1)));
  PutU8(aad, header);
  PutU8(aad, static_cast<uint8_t>(static_cast<int32_t>(vendor)));
  PutU8(aad, static_cast<uint8_t>(key_id.size()));
  PutBytes(aad, AsBytes(key_id));
  return aad;
}

Status EnclaveCrypto::CheckKeyId(std::string_view key_id) const {
  if (key_id.empty() || key_id.size() > kMaxKeyIdBytes) {
    return Error(ErrorCode::kInvalidArgument, "key id must be 1..255 bytes");
  }
  return Status::Ok();
}

Result<crypto::SecretKey256> EnclaveCrypto::Key(std::string_view key_id, bool count) const {
  {
    MutexLock lock(&mu_);
    auto it = keys_.find(key_id);
    if (it != keys_.end()) return Take(it->second, count);
  }
  // Derive outside the lock: a hardware source may issue an ioctl.
  const auto tag = VendorTag(source_->vendor());
  if (!tag) return Error(ErrorCode::kInvalidArgument, "no enclave key tag for this TEE type");
  TEE_ASSIGN_OR_RETURN(crypto::SecretKey256 root, source_->RootKey(AsBytes(key_id)));
  TEE_ASSIGN_OR_RETURN(crypto::SecretKey256 derived,
                       crypto::HkdfSha256Key(root.view(), AsBytes(key_id), AsBytes(*tag)));
  MutexLock lock(&mu_);
  auto [it, inserted] = keys_.try_emplace(std::string(key_id));
  if (inserted) {
    it->second.key = derived;
    it->second.age = next_age_++;
    if (keys_.size() > options_.max_cached_keys) {
      // Evict the oldest other entry. Its message count goes with it, so
      // the cache bound also bounds how long the limit is tracked: callers
      // that need the 2^32 limit enforced keep max_cached_keys above their
      // number of live key ids.
      auto oldest = keys_.end();
      for (auto j = keys_.begin(); j != keys_.end(); ++j) {
        if (j != it && (oldest == keys_.end() || j->second.age < oldest->second.age)) oldest = j;
      }
      if (oldest != keys_.end()) keys_.erase(oldest);
    }
  }
  return Take(it->second, count);
}

Result<crypto::SecretKey256> EnclaveCrypto::Take(Entry& entry, bool count) const {
  if (count) {
    if (entry.sealed >= options_.max_messages_per_key) {
      return Error(ErrorCode::kOverflow,
                   "per-key message limit reached (2^32 random nonces, SP 800-38D 8.3)");
    }
    ++entry.sealed;
  }
  return entry.key;
}

Result<Bytes> EnclaveCrypto::Encrypt(std::string_view key_id, ByteView plaintext) {
  TEE_TRY(CheckKeyId(key_id));
  if (plaintext.size() > kMaxPlaintextBytes) {
    return Error(ErrorCode::kTooLarge, "plaintext over 64 MiB");
  }
  TEE_ASSIGN_OR_RETURN(crypto::SecretKey256 key, Key(key_id, /*count=*/true));
  const uint8_t header = Header();
  Bytes out(kOverheadBytes + plaintext.size());
  out[0] = header;
  std::span<uint8_t> nonce(out.data() + kHeaderBytes, crypto::kGcmNonceBytes);
  TEE_TRY(crypto::RandomBytes(nonce));
  const Bytes aad = Aad(header, source_->vendor(), key_id);
  TEE_TRY(gcm_.Seal(key, nonce, AsView(aad), plaintext,
                    std::span<uint8_t>(out).subspan(kHeaderBytes + crypto::kGcmNonceBytes)));
  return out;
}

Result<Bytes> EnclaveCrypto::Decrypt(std::string_view key_id, ByteView sealed) const {
  TEE_TRY(CheckKeyId(key_id));
  if (sealed.size() < kOverheadBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "ciphertext shorter than header, nonce and tag (29 bytes)");
  }
  if (sealed.size() > kOverheadBytes + kMaxPlaintextBytes) {
    return Error(ErrorCode::kTooLarge, "ciphertext over 64 MiB");
  }
  const uint8_t header = sealed[0];
  if ((header & static_cast<uint8_t>(~kSimulationFlag)) != kFormatVersion) {
    return Error(ErrorCode::kUnsupported, "unknown enclave ciphertext format version");
  }
  const bool sim = (header & kSimulationFlag) != 0;
  if (sim && !simulated()) {
    return Error(ErrorCode::kSimulationDisabled,
                 "ciphertext made by the simulation key source; a production node refuses it");
  }
  if (!sim && simulated()) {
    return Error(ErrorCode::kAuthentication,
                 "ciphertext made by a hardware key source; the simulation source cannot open it");
  }
  TEE_ASSIGN_OR_RETURN(crypto::SecretKey256 key, Key(key_id, /*count=*/false));
  const Bytes aad = Aad(header, source_->vendor(), key_id);
  const ByteView nonce = sealed.subspan(kHeaderBytes, crypto::kGcmNonceBytes);
  const ByteView body = sealed.subspan(kHeaderBytes + crypto::kGcmNonceBytes);
  Bytes plain(body.size() - crypto::kGcmTagBytes);
  TEE_TRY(gcm_.Open(key, nonce, AsView(aad), body, plain));
  return plain;
}

}  // namespace tenzro::tee::enclave_crypto
