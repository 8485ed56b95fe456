// Standard base64 (RFC 4648 §4, with padding) through libsodium: the text form
// of evidence in registration requests and NVIDIA's serialized evidence.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace tenzro::tee::crypto {

std::string ToBase64(ByteView data);
// nullopt on a character outside the alphabet or bad padding.
std::optional<Bytes> FromBase64(std::string_view text);

}  // namespace tenzro::tee::crypto
