#include "attestation/binding.h"

#include <cstring>
#include <initializer_list>

#include "crypto/hash.h"

namespace tenzro::tee {
namespace {
std::array<uint8_t, 64> Bind(const char* tag, std::initializer_list<const Hash32*> fields) {
  Bytes msg;
  const size_t tag_len = std::strlen(tag);
  msg.reserve(tag_len + 32 * fields.size());
  const auto* t = reinterpret_cast<const uint8_t*>(tag);
  msg.insert(msg.end(), t, t + tag_len);
  for (const Hash32* f : fields) PutBytes(msg, AsView(*f));
  return crypto::Sha512(AsView(msg));
}
}  // namespace

ZkBinding ZkBinding::For(ByteView proof, ByteView public_inputs, const Hash32& vk_id,
                         const Hash32& challenge) {
  return ZkBinding{crypto::Sha256(proof), crypto::Sha256(public_inputs), vk_id, challenge};
}

std::array<uint8_t, 64> ComputeBinding(const BindingInput& in) {
  return Bind(kBindingTag, {&in.validator_id, &in.challenge});
}

std::array<uint8_t, 64> ComputeBinding(const ModelBinding& in) {
  return Bind(kModelBindingTag, {&in.provider_key, &in.model_hash, &in.challenge});
}

std::array<uint8_t, 64> ComputeBinding(const ZkBinding& in) {
  return Bind(kZkBindingTag, {&in.proof_hash, &in.public_inputs_hash, &in.vk_id, &in.challenge});
}

std::array<uint8_t, 64> ComputeBinding(const ReportDataBinding& in) {
  return std::visit([](const auto& b) { return ComputeBinding(b); }, in);
}

const char* BindingSubject(const ReportDataBinding& in) {
  switch (in.index()) {
    case 0:
      return "the validator key and challenge";
    case 1:
      return "the provider key, model hash and challenge";
    default:
      return "the proof, public inputs, vk id and challenge";
  }
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
