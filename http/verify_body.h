// VerifyBody: the body of POST /api/verify/tee-attestation, read and decoded
// (issue 13). Two readers, one contract:
//
// - ReadVerifyBodyReference (nlohmann-json) defines every answer: the 400s
//   (malformed_json, unknown_field, wrong_type, unknown_provider,
//   bad_encoding, invalid_argument) and 413s with their messages.
// - ReadVerifyBodyFast (simdjson's validating DOM parser) reads only a plain,
//   valid body: a flat object of the known fields, each once, with the right
//   types, no escape sequence and no '-' anywhere (so no "-0"), decoding
//   within every limit. For anything else it returns nullopt and the
//   reference reader answers, so an error is always the reference's.
//   Reading the long hex and base64 strings byte by byte in nlohmann's lexer
//   was the server's largest cost outside verification.
//
// ReadVerifyBody: the fast reader, else the reference. Pure functions of
// (body, limits); thread-safe (the fast reader keeps one parser per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "attestation/binding.h"
#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "http/api.h"
#include "http/server.h"

namespace tenzro::tee::http {

struct VerifyBody {
  TeeType tee_type = TeeType::None;
  Bytes evidence;
  std::vector<Bytes> collateral;
  std::optional<BindingInput> binding;  // validator_key with challenge (or nonce)
  std::optional<uint64_t> at;
};

// Bodies above this go to the reference reader only: it bounds the memory a
// pool thread's parser keeps (simdjson's DOM takes ~15 bytes per input byte).
inline constexpr size_t kFastBodyMax = 1u << 20;

std::variant<VerifyBody, Response> ReadVerifyBodyReference(std::string_view body,
                                                           const ApiLimits& limits);
std::optional<VerifyBody> ReadVerifyBodyFast(std::string_view body, const ApiLimits& limits);
std::variant<VerifyBody, Response> ReadVerifyBody(std::string_view body, const ApiLimits& limits);

}  // namespace tenzro::tee::http
