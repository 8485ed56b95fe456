#include "attestation/binding.h"

#include <cstring>

#include "crypto/hash.h"

namespace tenzro::tee {

std::array<uint8_t, 64> ComputeBinding(const BindingInput& in) {
  Bytes msg;
  msg.reserve(18 + 64);
  const auto* tag = reinterpret_cast<const uint8_t*>(kBindingTag);
  msg.insert(msg.end(), tag, tag + std::strlen(kBindingTag));
  PutBytes(msg, AsView(in.validator_id));
  PutBytes(msg, AsView(in.challenge));
  return crypto::Sha512(AsView(msg));
}

}  // namespace tenzro::tee
