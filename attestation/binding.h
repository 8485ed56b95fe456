// Binding of evidence to a validator key and a node-chosen challenge (DESIGN §4):
//   binding = SHA-512("tenzro-tee-bind-v1" || validator_pubkey[32] || challenge[32])
#pragma once

#include <array>
#include <optional>

#include "core/bytes.h"

namespace tenzro::tee {

inline constexpr char kBindingTag[] = "tenzro-tee-bind-v1";  // 18 bytes, no NUL

struct BindingInput {
  ValidatorId validator_id{};
  Hash32 challenge{};
};

std::array<uint8_t, 64> ComputeBinding(const BindingInput& in);

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
