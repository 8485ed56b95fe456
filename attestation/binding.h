// Binding of evidence to a validator key and a node-chosen challenge (DESIGN §4):
//   binding = SHA-512("tenzro-tee-bind-v1" || validator_pubkey[32] || challenge[32])
#pragma once

#include <array>

#include "core/bytes.h"

namespace tenzro::tee {

inline constexpr char kBindingTag[] = "tenzro-tee-bind-v1";  // 18 bytes, no NUL

struct BindingInput {
  ValidatorId validator_id{};
  Hash32 challenge{};
};

std::array<uint8_t, 64> ComputeBinding(const BindingInput& in);

}  // namespace tenzro::tee
