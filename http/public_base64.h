// DecodePublicBase64: base64 of public data (evidence, collateral in an HTTP
// body) in variable time. crypto::Base64Decode is libsodium's constant-time
// codec, made for secrets and about ten times slower; nothing in a verify
// request is secret.
//
// The answer is crypto::Base64Decode's for every input, by construction:
// OpenSSL's EVP_DecodeBlock decodes, and the result is kept only when the
// input is the canonical encoding of it (whole blocks of the 64 characters,
// at most two '=' and only at the end, zero padding bits), which libsodium
// decodes the same way. Anything else (whitespace, missing padding,
// non-zero padding bits, a stray character) goes to crypto::Base64Decode,
// which decides.
//
// Pure, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "core/bytes.h"

namespace tenzro::tee::http {

std::optional<Bytes> DecodePublicBase64(std::string_view text);

}  // namespace tenzro::tee::http
