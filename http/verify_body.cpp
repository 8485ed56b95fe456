#include "http/verify_body.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "http/public_base64.h"

namespace tenzro::tee::http {

using nlohmann::json;

namespace {

// Nesting depth of a JSON text, counted outside strings; refuses deep
// documents before a recursive parser or destructor sees them.
bool DepthWithin(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

bool HasHexPrefix(std::string_view text) {
  return text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

Response BadRequest(const std::string& code, const std::string& message) {
  return JsonError(400, code, message);
}

}  // namespace

std::variant<VerifyBody, Response> ReadVerifyBodyReference(std::string_view text,
                                                           const ApiLimits& lim) {
  if (!DepthWithin(text, lim.max_json_depth))
    return BadRequest("malformed_json",
                      "JSON nested deeper than " + std::to_string(lim.max_json_depth) + " levels");
  const json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return BadRequest("malformed_json", "body is not JSON");
  if (!body.is_object()) return BadRequest("malformed_json", "body must be a JSON object");
  static const std::vector<std::string> kKeys = {
      "attestation", "provider", "collateral", "validator_key", "challenge", "nonce", "at"};
  for (const auto& [k, v] : body.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), k) == kKeys.end())
      return BadRequest("unknown_field", "unknown field " + k);
  }
  auto string_field = [&](const char* key) -> const std::string* {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  auto wrong_type = [&](const char* key, const char* want) {
    return BadRequest("wrong_type", std::string(key) + " must be " + want);
  };

  VerifyBody out;
  const std::string* provider = string_field("provider");
  if (provider == nullptr) return wrong_type("provider", "a TEE type name such as \"IntelTdx\"");
  auto type = TeeTypeFromName(*provider);
  if (!type) return BadRequest("unknown_provider", "unknown provider " + json(*provider).dump());
  out.tee_type = *type;

  const std::string* attestation = string_field("attestation");
  if (attestation == nullptr)
    return wrong_type("attestation", "a string (0x-prefixed hex or base64)");
  if (attestation->size() > 2 * lim.max_evidence_bytes + 2)
    return JsonError(413, "payload_too_large", "attestation over max_evidence_bytes");
  auto evidence = HasHexPrefix(*attestation) ? FromHex(std::string_view(*attestation).substr(2))
                                             : crypto::Base64Decode(*attestation);
  if (!evidence) return BadRequest("bad_encoding", "attestation is neither 0x hex nor base64");
  if (evidence->empty()) return BadRequest("bad_encoding", "attestation is empty");
  if (evidence->size() > lim.max_evidence_bytes)
    return JsonError(413, "payload_too_large", "attestation over max_evidence_bytes");
  out.evidence = std::move(*evidence);

  if (auto it = body.find("collateral"); it != body.end()) {
    if (!it->is_array()) return wrong_type("collateral", "an array of base64 strings");
    if (it->size() > lim.max_collateral_blobs)
      return JsonError(413, "payload_too_large", "more collateral blobs than allowed");
    uint64_t total = 0;
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      auto blob = e.is_string() ? crypto::Base64Decode(e.get_ref<const std::string&>())
                                : std::optional<Bytes>();
      if (!blob)
        return BadRequest("bad_encoding", "collateral[" + std::to_string(i) + "] is not base64");
      total += blob->size();
      if (total > lim.max_collateral_bytes)
        return JsonError(413, "payload_too_large", "collateral over its byte limit");
      out.collateral.push_back(std::move(*blob));
    }
  }

  // The seed calls the node's challenge a nonce: either name, not both with
  // different values.
  std::optional<Hash32> key, challenge;
  for (const char* name : {"validator_key", "challenge", "nonce"}) {
    auto it = body.find(name);
    if (it == body.end()) continue;
    auto v = it->is_string() ? FromHexFixed<32>(it->get_ref<const std::string&>())
                             : std::optional<Hash32>();
    if (!v) return wrong_type(name, "64 hex digits (32 bytes)");
    if (std::string_view(name) == "validator_key") {
      key = v;
    } else {
      if (challenge && *challenge != *v)
        return BadRequest("invalid_argument", "challenge and nonce differ");
      challenge = v;
    }
  }
  if (key.has_value() != challenge.has_value())
    return BadRequest("invalid_argument", "validator_key and challenge go together");
  if (key) out.binding = BindingInput{*key, *challenge};

  if (auto it = body.find("at"); it != body.end()) {
    if (!it->is_number_unsigned()) return wrong_type("at", "unix seconds (a non-negative integer)");
    out.at = it->get<uint64_t>();
  }
  return out;
}

std::optional<VerifyBody> ReadVerifyBodyFast(std::string_view text, const ApiLimits& lim) {
  // A plain body has depth 2 (object, collateral array); escapes and '-'
  // (negative numbers, "-0") are left to the reference reader, which tells
  // a string's escapes and a number's sign exactly as it always did.
  if (text.size() > kFastBodyMax || lim.max_json_depth < 2) return std::nullopt;
  if (std::memchr(text.data(), '\\', text.size()) != nullptr ||
      std::memchr(text.data(), '-', text.size()) != nullptr) {
    return std::nullopt;
  }
  // One parser per pool thread: its buffers are reused from one request to
  // the next. It validates the whole text (structure, UTF-8, strings,
  // numbers) before anything is read from it.
  thread_local simdjson::dom::parser parser(kFastBodyMax);
  simdjson::dom::object object;
  if (parser.parse(text.data(), text.size()).get_object().get(object) != simdjson::SUCCESS)
    return std::nullopt;

  enum Field : unsigned {
    kAttestation,
    kProvider,
    kCollateral,
    kValidatorKey,
    kChallenge,
    kNonce,
    kAt
  };
  static constexpr std::array<std::string_view, 7> kNames = {
      "attestation", "provider", "collateral", "validator_key", "challenge", "nonce", "at"};
  unsigned seen = 0;
  VerifyBody out;
  std::optional<Hash32> key, challenge;
  for (const simdjson::dom::key_value_pair field : object) {
    const auto name = std::find(kNames.begin(), kNames.end(), field.key);
    if (name == kNames.end()) return std::nullopt;
    const unsigned f = static_cast<unsigned>(name - kNames.begin());
    if ((seen & (1u << f)) != 0) return std::nullopt;  // duplicate: the reference keeps the last
    seen |= 1u << f;
    std::string_view s;
    switch (f) {
      case kProvider: {
        if (field.value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
        const auto type = TeeTypeFromName(s);
        if (!type) return std::nullopt;
        out.tee_type = *type;
        break;
      }
      case kAttestation: {
        if (field.value.get_string().get(s) != simdjson::SUCCESS ||
            s.size() > 2 * lim.max_evidence_bytes + 2) {
          return std::nullopt;
        }
        auto evidence = HasHexPrefix(s) ? FromHex(s.substr(2)) : DecodePublicBase64(s);
        if (!evidence || evidence->empty() || evidence->size() > lim.max_evidence_bytes)
          return std::nullopt;
        out.evidence = std::move(*evidence);
        break;
      }
      case kCollateral: {
        simdjson::dom::array blobs;
        if (field.value.get_array().get(blobs) != simdjson::SUCCESS ||
            blobs.size() > lim.max_collateral_blobs) {
          return std::nullopt;
        }
        uint64_t total = 0;
        out.collateral.reserve(blobs.size());
        for (const simdjson::dom::element e : blobs) {
          if (e.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
          auto blob = DecodePublicBase64(s);
          if (!blob) return std::nullopt;
          total += blob->size();
          if (total > lim.max_collateral_bytes) return std::nullopt;
          out.collateral.push_back(std::move(*blob));
        }
        break;
      }
      case kValidatorKey:
      case kChallenge:
      case kNonce: {
        if (field.value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
        const auto v = FromHexFixed<32>(s);
        if (!v) return std::nullopt;
        if (f == kValidatorKey) {
          key = v;
        } else {
          if (challenge && *challenge != *v) return std::nullopt;
          challenge = v;
        }
        break;
      }
      case kAt: {
        // Without '-' in the text every integer is non-negative; a fraction
        // or an exponent is a double, which get_uint64 refuses, as the
        // reference does.
        uint64_t at = 0;
        if (field.value.get_uint64().get(at) != simdjson::SUCCESS) return std::nullopt;
        out.at = at;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  if ((seen & (1u << kProvider)) == 0 || (seen & (1u << kAttestation)) == 0) return std::nullopt;
  if (key.has_value() != challenge.has_value()) return std::nullopt;
  if (key) out.binding = BindingInput{*key, *challenge};
  return out;
}

std::variant<VerifyBody, Response> ReadVerifyBody(std::string_view body, const ApiLimits& limits) {
  if (auto fast = ReadVerifyBodyFast(body, limits)) return std::move(*fast);
  return ReadVerifyBodyReference(body, limits);
}

}  // namespace tenzro::tee::http
