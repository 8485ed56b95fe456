#include "attestation/nvidia/nras.h"

#include <algorithm>

#include "crypto/base64.h"
#include "crypto/hash.h"

namespace tenzro::tee::nvidia::nras {
namespace {

using nlohmann::json;

ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status Bad(std::string m) { return Error(ErrorCode::kInvalidArgument, "NRAS: " + std::move(m)); }

// Strict JSON of at most `max` bytes; nullopt on any syntax error.
std::optional<json> ParseJson(std::string_view text, size_t max) {
  if (text.size() > max) return std::nullopt;
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::optional<json> DecodeSegment(std::string_view seg) {
  auto bytes = crypto::Base64UrlDecode(seg);
  if (!bytes) return std::nullopt;
  auto j = ParseJson({reinterpret_cast<const char*>(bytes->data()), bytes->size()}, kMaxEatBytes);
  if (!j || !j->is_object()) return std::nullopt;
  return j;
}

Result<Jws> ParseJws(const json& token) {
  if (!token.is_string()) return Bad("token is not a string");
  Jws jws;
  jws.compact = token.get<std::string>();
  const std::string_view t = jws.compact;
  const size_t a = t.find('.');
  const size_t b = a == std::string_view::npos ? a : t.find('.', a + 1);
  if (b == std::string_view::npos || t.find('.', b + 1) != std::string_view::npos) {
    return Bad("token is not three segments");
  }
  auto header = DecodeSegment(t.substr(0, a));
  auto payload = DecodeSegment(t.substr(a + 1, b - a - 1));
  auto sig = crypto::Base64UrlDecode(t.substr(b + 1));
  if (!header || !payload || !sig) return Bad("token segment is not base64url JSON");
  const auto alg = header->find("alg");
  const auto kid = header->find("kid");
  if (alg == header->end() || !alg->is_string() || kid == header->end() || !kid->is_string()) {
    return Bad("token header lacks alg or kid");
  }
  jws.alg = alg->get<std::string>();
  jws.kid = kid->get<std::string>();
  if (jws.alg != "ES384") return Error(ErrorCode::kUnsupported, "NRAS: alg " + jws.alg);
  if (header->contains("crit")) return Error(ErrorCode::kUnsupported, "NRAS: crit header");
  if (sig->size() != 96) return Bad("ES384 signature is not 96 bytes");
  jws.payload = std::move(*payload);
  jws.signature = std::move(*sig);
  return jws;
}

}  // namespace

std::string Jws::SigningInput() const { return compact.substr(0, compact.rfind('.')); }

Result<DetachedEat> ParseDetachedEat(ByteView bytes) {
  auto j = ParseJson({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, kMaxEatBytes);
  if (!j) return Bad("not JSON (or over the size limit)");
  // [["JWT", overall], {"GPU-0": device, ...}]
  if (!j->is_array() || j->size() != 2 || !(*j)[0].is_array() || (*j)[0].size() != 2 ||
      (*j)[0][0] != "JWT" || !(*j)[1].is_object()) {
    return Bad("not a detached EAT [[\"JWT\", token], {device: token}]");
  }
  DetachedEat eat;
  TEE_ASSIGN_OR_RETURN(eat.overall, ParseJws((*j)[0][1]));
  if ((*j)[1].empty() || (*j)[1].size() > kMaxDevices) return Bad("device token count");
  for (const auto& [name, token] : (*j)[1].items()) {
    TEE_ASSIGN_OR_RETURN(Jws device, ParseJws(token));
    eat.devices.emplace(name, std::move(device));
  }
  return eat;
}

Result<Jwks> ParseJwks(ByteView bytes) {
  auto j = ParseJson({reinterpret_cast<const char*>(bytes.data()), bytes.size()}, kMaxJwksBytes);
  if (!j || !j->is_object() || !j->contains("keys") || !(*j)["keys"].is_array()) {
    return Bad("JWKS is not {\"keys\": [...]}");
  }
  Jwks out;
  for (const json& k : (*j)["keys"]) {
    if (!k.is_object() || k.value("kty", "") != "EC" || k.value("crv", "") != "P-384") continue;
    const std::string kid = k.value("kid", "");
    auto x = crypto::Base64UrlDecode(k.value("x", ""));
    auto y = crypto::Base64UrlDecode(k.value("y", ""));
    if (kid.empty() || !x || !y || x->size() != 48 || y->size() != 48) return Bad("JWK " + kid);
    Bytes xy = *x;
    xy.insert(xy.end(), y->begin(), y->end());
    TEE_ASSIGN_OR_RETURN(x509::PublicKey key, x509::EcPublicKeyFromXY(x509::Curve::kP384, xy));
    if (!out.keys.emplace(kid, std::move(key)).second) return Bad("duplicate kid " + kid);
    if (out.keys.size() > kMaxJwksKeys) return Bad("too many keys");
  }
  if (out.keys.empty()) return Bad("no EC P-384 key in the JWKS");
  return out;
}

// ---- claims -------------------------------------------------------------------

namespace {

Status ReadTime(const json& p, const char* name, uint64_t& out) {
  const auto it = p.find(name);
  if (it == p.end() || !it->is_number_unsigned()) return Bad(std::string("claim ") + name);
  out = it->get<uint64_t>();
  return Status::Ok();
}

std::string Str(const json& p, const char* name) {
  const auto it = p.find(name);
  return it != p.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status ReadNonce(const json& p, Bytes& out) {
  auto nonce = FromHex(Str(p, "eat_nonce"));
  if (!nonce || nonce->empty()) return Bad("claim eat_nonce");
  out = std::move(*nonce);
  return Status::Ok();
}

// submods: {"GPU-0": ["DIGEST", ["SHA-256", hex]]}
Status ReadSubmods(const json& p, std::map<std::string, Hash32>& out) {
  const auto it = p.find("submods");
  if (it == p.end() || !it->is_object()) return Bad("claim submods");
  for (const auto& [name, v] : it->items()) {
    if (!v.is_array() || v.size() != 2 || v[0] != "DIGEST" || !v[1].is_array() ||
        v[1].size() != 2 || v[1][0] != "SHA-256" || !v[1][1].is_string()) {
      return Bad("submod " + name + " is not a SHA-256 DIGEST");
    }
    auto digest = FromHexFixed<32>(v[1][1].get<std::string>());
    if (!digest) return Bad("submod " + name + " digest");
    out.emplace(name, *digest);
  }
  return Status::Ok();
}

Result<OverallClaims> ReadOverall(const json& p) {
  OverallClaims c;
  c.issuer = Str(p, "iss");
  c.version = Str(p, "x-nvidia-ver");
  c.subject = Str(p, "sub");
  TEE_TRY(ReadTime(p, "iat", c.iat));
  TEE_TRY(ReadTime(p, "nbf", c.nbf));
  TEE_TRY(ReadTime(p, "exp", c.exp));
  TEE_TRY(ReadNonce(p, c.eat_nonce));
  const auto result = p.find("x-nvidia-overall-att-result");
  if (result == p.end() || !result->is_boolean()) return Bad("claim x-nvidia-overall-att-result");
  c.overall_result = result->get<bool>();
  TEE_TRY(ReadSubmods(p, c.submods));
  return c;
}

Result<DeviceClaims> ReadDevice(const json& p) {
  DeviceClaims c;
  c.issuer = Str(p, "iss");
  c.measres = Str(p, "measres");
  c.hwmodel = Str(p, "hwmodel");
  c.oemid = Str(p, "oemid");
  c.ueid = Str(p, "ueid");
  c.dbgstat = Str(p, "dbgstat");
  c.driver_version = Str(p, "x-nvidia-gpu-driver-version");
  c.vbios_version = Str(p, "x-nvidia-gpu-vbios-version");
  if (p.contains("secboot") && p["secboot"].is_boolean()) c.secboot = p["secboot"].get<bool>();
  TEE_TRY(ReadTime(p, "iat", c.iat));
  TEE_TRY(ReadTime(p, "nbf", c.nbf));
  TEE_TRY(ReadTime(p, "exp", c.exp));
  TEE_TRY(ReadNonce(p, c.eat_nonce));
  for (const auto& [name, v] : p.items()) {
    if (name.rfind("x-nvidia-", 0) == 0 && v.is_boolean()) c.checks.emplace(name, v.get<bool>());
  }
  return c;
}

}  // namespace

namespace {

void Fail(NrasVerification& v, FailureCode code, std::string msg) {
  v.failures.push_back({code, "NRAS: " + std::move(msg)});
}

// One token's signature under the JWKS key with its kid.
void CheckSignature(NrasVerification& v, const Jwks& jwks, const Jws& jws, std::string_view what) {
  const auto key = jwks.keys.find(jws.kid);
  if (key == jwks.keys.end()) {
    Fail(v, FailureCode::kCollateralMissing, "no JWKS key with kid " + jws.kid);
  } else if (!x509::EcdsaVerifyRaw(key->second, x509::Digest::kSha384, AsBytes(jws.SigningInput()),
                                   jws.signature)) {
    Fail(v, FailureCode::kBadSignature, std::string(what) + " token signature does not verify");
  }
}

// iss, the time window and the nonce of one token.
void CheckToken(NrasVerification& v, const Expectations& expect, std::string_view what,
                const std::string& iss, uint64_t iat, uint64_t nbf, uint64_t exp,
                const Bytes& nonce, uint64_t now) {
  if (iss != expect.issuer)
    Fail(v, FailureCode::kChainUntrusted, std::string(what) + " iss " + iss);
  const uint64_t from = std::max(iat, nbf);
  const uint64_t until = exp == 0 ? 0 : exp - 1;  // RFC 7519: unusable at exp
  v.valid_from = std::max(v.valid_from, from);
  v.valid_until = std::min(v.valid_until, until);
  if (now < from) Fail(v, FailureCode::kNotYetValid, std::string(what) + " token not yet valid");
  if (now > until) Fail(v, FailureCode::kExpired, std::string(what) + " token expired");
  if (expect.nonce && nonce != *expect.nonce)
    Fail(v, FailureCode::kNonceMismatch, std::string(what) + " eat_nonce");
}

}  // namespace

json ClaimsToJson(const NrasClaims& claims) {
  const OverallClaims& o = claims.overall;
  json out = {{"issuer", o.issuer},
              {"version", o.version},
              {"iat", o.iat},
              {"nbf", o.nbf},
              {"exp", o.exp},
              {"eat_nonce", ToHex(o.eat_nonce)},
              {"overall_result", o.overall_result}};
  json devices = json::object();
  for (const auto& [name, d] : claims.devices) {
    json dj = {{"measres", d.measres},
               {"hwmodel", d.hwmodel},
               {"oemid", d.oemid},
               {"ueid", d.ueid},
               {"dbgstat", d.dbgstat},
               {"driver_version", d.driver_version},
               {"vbios_version", d.vbios_version},
               {"submod_digest", ""}};
    if (d.secboot) dj["secboot"] = *d.secboot;
    const auto digest = o.submods.find(name);
    if (digest != o.submods.end()) dj["submod_digest"] = ToHex(digest->second);
    dj["checks"] = d.checks;
    devices[name] = std::move(dj);
  }
  out["devices"] = std::move(devices);
  return out;
}

namespace {

// Parses the claims of every token into v.claims; false (with the failure
// recorded) when a required claim is missing or the submods do not name
// exactly the device tokens.
bool ReadClaims(NrasVerification& v, const DetachedEat& eat) {
  auto overall = ReadOverall(eat.overall.payload);
  if (!overall.ok()) {
    Fail(v, FailureCode::kMalformed, overall.status().message());
    return false;
  }
  v.claims.overall = std::move(*overall);
  for (const auto& [name, jws] : eat.devices) {
    auto device = ReadDevice(jws.payload);
    if (!device.ok()) {
      Fail(v, FailureCode::kMalformed, name + ": " + device.status().message());
      return false;
    }
    v.claims.devices.emplace(name, std::move(*device));
  }
  const auto& submods = v.claims.overall.submods;
  const bool same = submods.size() == eat.devices.size() &&
                    std::equal(submods.begin(), submods.end(), eat.devices.begin(),
                               [](const auto& a, const auto& b) { return a.first == b.first; });
  if (!same) Fail(v, FailureCode::kMalformed, "submods do not name exactly the device tokens");
  return same;
}

void CheckAuthenticity(NrasVerification& v, const DetachedEat& eat, const Jwks& jwks) {
  CheckSignature(v, jwks, eat.overall, "overall");
  for (const auto& [name, jws] : eat.devices) {
    CheckSignature(v, jwks, jws, name);
    // The overall token signs each device token through its SHA-256.
    if (crypto::Sha256(AsBytes(jws.compact)) != v.claims.overall.submods.at(name)) {
      Fail(v, FailureCode::kBadSignature, name + " token is not the one its submod digest names");
    }
  }
  v.signatures_valid = v.failures.empty();
}

}  // namespace

Result<NrasVerification> VerifyDetachedEat(ByteView eat_json, const Jwks& jwks,
                                           const Expectations& expect, uint64_t now) {
  NrasVerification v;
  auto eat = ParseDetachedEat(eat_json);
  if (!eat.ok()) {
    const bool unsupported = eat.status().code() == ErrorCode::kUnsupported;
    Fail(v, unsupported ? FailureCode::kUnsupported : FailureCode::kMalformed,
         eat.status().message());
    return v;
  }
  if (!ReadClaims(v, *eat)) return v;
  CheckAuthenticity(v, *eat, jwks);
  const OverallClaims& o = v.claims.overall;
  CheckToken(v, expect, "overall", o.issuer, o.iat, o.nbf, o.exp, o.eat_nonce, now);
  if (!o.overall_result) Fail(v, FailureCode::kPolicyViolation, "overall result is false");
  for (const auto& [name, d] : v.claims.devices) {
    CheckToken(v, expect, name, d.issuer, d.iat, d.nbf, d.exp, d.eat_nonce, now);
    if (d.measres != "success") Fail(v, FailureCode::kMeasurementMismatch, name + " measres");
  }
  std::stable_sort(v.failures.begin(), v.failures.end(),
                   [](const Failure& a, const Failure& b) { return a.code < b.code; });
  return v;
}

}  // namespace tenzro::tee::nvidia::nras
