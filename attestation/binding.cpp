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

std::optional<std::array<uint8_t, 64>> ComputeMpcBinding(const MpcSigningEvent& event) {
  if (event.event_id.empty() || event.event_id.size() > kMaxSigningEventIdBytes) {
    return std::nullopt;
  }
  Bytes msg;
  msg.reserve(17 + 32 + 64 + event.event_id.size());
  const auto* tag = reinterpret_cast<const uint8_t*>(kMpcBindingTag);
  msg.insert(msg.end(), tag, tag + std::strlen(kMpcBindingTag));
  PutBytes(msg, AsView(event.group_public_key));
  PutBytes(msg, AsView(crypto::Sha512(event.message)));
  PutBytes(msg, event.event_id);
  return crypto::Sha512(AsView(msg));
}

bool CheckMpcBinding(ByteView report_data, const MpcSigningEvent& event) {
  const auto expected = ComputeMpcBinding(event);
  return expected && report_data.size() == expected->size() &&
         crypto::ConstantTimeEqual(report_data, AsView(*expected));
}

}  // namespace tenzro::tee
