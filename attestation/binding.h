// Bindings of evidence to what it attests for (DESIGN §4). One construction,
// one tag per kind, so evidence bound for one purpose never passes for another:
//   validator: SHA-512("tenzro-tee-bind-v1"  || validator_pubkey[32] || challenge[32])
//   provider:  SHA-512("tenzro-tee-model-v1" || provider_key[32] || model_hash[32] ||
//                      challenge[32])
//   hybrid ZK: SHA-512("tenzro-tee-zk-v1"    || SHA-256(proof) || SHA-256(public_inputs) ||
//                      vk_id[32] || challenge[32])
// Tags are their ASCII bytes without a terminator; every field after the tag
// has a fixed length, so no two inputs of one kind share an encoding, and the
// tags (18, 19 and 16 bytes, none a prefix of another) keep kinds apart.
#pragma once

#include <array>
#include <optional>
#include <variant>

#include "core/bytes.h"

namespace tenzro::tee {

inline constexpr char kBindingTag[] = "tenzro-tee-bind-v1";        // 18 bytes, no NUL
inline constexpr char kModelBindingTag[] = "tenzro-tee-model-v1";  // 19 bytes
inline constexpr char kZkBindingTag[] = "tenzro-tee-zk-v1";        // 16 bytes

// A validator's binding (the name every verifier and simulator knows).
struct BindingInput {
  ValidatorId validator_id{};
  Hash32 challenge{};
};

// A confidential-AI model provider's binding (issue 15).
struct ModelBinding {
  Hash32 provider_key{};
  Hash32 model_hash{};  // digest of the weights the provider commits to
  Hash32 challenge{};
};

// A hybrid ZK-in-TEE binding (issue 15): the TEE attests that it produced
// exactly this proof for exactly these public inputs under this key.
struct ZkBinding {
  Hash32 proof_hash{};          // SHA-256(proof)
  Hash32 public_inputs_hash{};  // SHA-256(public_inputs)
  Hash32 vk_id{};
  Hash32 challenge{};
  // Hashes proof and public inputs.
  static ZkBinding For(ByteView proof, ByteView public_inputs, const Hash32& vk_id,
                       const Hash32& challenge);
};

// What a verifier checks the report data against (pipeline::CheckBinding).
using ReportDataBinding = std::variant<BindingInput, ModelBinding, ZkBinding>;

std::array<uint8_t, 64> ComputeBinding(const BindingInput& in);
std::array<uint8_t, 64> ComputeBinding(const ModelBinding& in);
std::array<uint8_t, 64> ComputeBinding(const ZkBinding& in);
std::array<uint8_t, 64> ComputeBinding(const ReportDataBinding& in);

// "validator key and challenge", "provider key, model hash and challenge",
// "proof, public inputs, vk id and challenge": for failure messages.
const char* BindingSubject(const ReportDataBinding& in);

// Attested MPC signing events (DESIGN §4, issue 14): the report data of the
// evidence generate_attestation(signing_event_id) makes inside the TEE:
//   SHA-512("tenzro-tee-mpc-v1" || group_pk[32] || SHA-512(message)[64]
//           || event_id)
// (the tag is the 17 ASCII bytes, no terminator; the event id, 1..255
// bytes, is the only variable-length field and comes last, so the encoding
// is unambiguous). TDX and SNP carry it as the 64-byte report data.
inline constexpr char kMpcBindingTag[] = "tenzro-tee-mpc-v1";  // 17 bytes, no NUL
inline constexpr size_t kMaxSigningEventIdBytes = 255;

struct MpcSigningEvent {
  std::array<uint8_t, 32> group_public_key{};
  ByteView message;
  ByteView event_id;  // 1..255 bytes
};

// nullopt when the event id is empty or longer than 255 bytes.
std::optional<std::array<uint8_t, 64>> ComputeMpcBinding(const MpcSigningEvent& event);
// The verifier side: true iff report_data (64 bytes, from evidence whose
// verdict is valid) commits to this event. Constant-time comparison.
bool CheckMpcBinding(ByteView report_data, const MpcSigningEvent& event);

}  // namespace tenzro::tee
