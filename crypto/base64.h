// Base64 (RFC 4648 §4) and base64url (§5) over libsodium's constant-time
// codec: never hand-rolled. Pure functions, thread-safe, no allocation beyond
// the result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace tenzro::tee::crypto {

// Standard alphabet with '=' padding. ASCII whitespace (space, tab, CR, LF)
// anywhere is skipped, as in PEM bodies and XML-DSig text nodes. nullopt on
// any other character, bad padding or trailing garbage.
std::optional<Bytes> Base64Decode(std::string_view text);
std::string Base64Encode(ByteView bytes);

// URL-safe alphabet without padding (JOSE, RFC 7515 §2). No whitespace is
// accepted: a JWS segment is one exact string.
std::optional<Bytes> Base64UrlDecode(std::string_view text);
std::string Base64UrlEncode(ByteView bytes);

}  // namespace tenzro::tee::crypto
