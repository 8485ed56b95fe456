#include "attestation/nvidia/sim/nras_signer.h"

#include <cstdlib>

#include "attestation/nvidia/sim/rim_dev_pki_data.h"
#include "crypto/base64.h"
#include "crypto/hash.h"

namespace tenzro::tee::nvidia::sim {
namespace {

using nlohmann::json;

ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string B64(std::string_view s) { return crypto::Base64UrlEncode(AsBytes(s)); }

}  // namespace

const NrasKey& DevNrasKey() {
  static const NrasKey key = [] {
    auto k = x509::PrivateKey::FromPem(data::kNrasKey);
    if (!k.ok()) std::abort();  // the committed key is an invariant, never input
    return NrasKey{data::kNrasKid, std::move(k).value()};
  }();
  return key;
}

std::string JwksJson(const NrasKey& key) {
  const Bytes xy = key.key.public_key().EcPointXY().value_or(Bytes(96, 0));
  const ByteView v(xy);
  const json jwk = {{"kty", "EC"},
                    {"crv", "P-384"},
                    {"kid", key.kid},
                    {"alg", "ES384"},
                    {"use", "sig"},
                    {"x", crypto::Base64UrlEncode(v.first(48))},
                    {"y", crypto::Base64UrlEncode(v.subspan(48))}};
  return json{{"keys", json::array({jwk})}}.dump();
}

Result<std::string> SignJwt(const json& payload, const NrasKey& key) {
  const json header = {{"kid", key.kid}, {"alg", "ES384"}};
  const std::string input = B64(header.dump()) + "." + B64(payload.dump());
  TEE_ASSIGN_OR_RETURN(Bytes sig, key.key.EcdsaSignRaw(x509::Digest::kSha384, AsBytes(input)));
  return input + "." + crypto::Base64UrlEncode(sig);
}

json OverallClaims(const EatSpec& spec) {
  return {{"sub", "NVIDIA-PLATFORM-ATTESTATION"},
          {"x-nvidia-ver", "3.0"},
          {"iss", spec.issuer},
          {"iat", spec.iat},
          {"nbf", spec.iat},
          {"exp", spec.iat + spec.lifetime},
          {"eat_nonce", ToHex(spec.nonce)},
          {"x-nvidia-overall-att-result", spec.overall_result},
          {"jti", "tenzro-dev-overall"}};
}

json DeviceClaims(const EatSpec& spec) {
  return {{"iss", spec.issuer},
          {"iat", spec.iat},
          {"nbf", spec.iat},
          {"exp", spec.iat + spec.lifetime},
          {"eat_nonce", ToHex(spec.nonce)},
          {"measres", spec.measres},
          {"hwmodel", "GH100 A01 GSP BROM"},
          {"oemid", "5703"},
          {"ueid", "1"},
          {"dbgstat", spec.dbgstat},
          {"secboot", true},
          {"x-nvidia-gpu-driver-version", spec.driver_version},
          {"x-nvidia-gpu-vbios-version", spec.vbios_version},
          {"x-nvidia-gpu-attestation-report-signature-verified", true},
          {"x-nvidia-gpu-arch-check", true}};
}

std::string DetachedEatJson(const std::string& overall,
                            const std::map<std::string, std::string>& devices) {
  json device_map = json::object();
  for (const auto& [name, token] : devices) device_map[name] = token;
  return json::array({json::array({"JWT", overall}), device_map}).dump();
}

Result<std::string> MakeDetachedEat(const EatSpec& spec, const NrasKey& key) {
  std::map<std::string, std::string> devices;
  json submods = json::object();
  for (int i = 0; i < spec.devices; ++i) {
    const std::string name = "GPU-" + std::to_string(i);
    TEE_ASSIGN_OR_RETURN(std::string token, SignJwt(DeviceClaims(spec), key));
    submods[name] =
        json::array({"DIGEST", json::array({"SHA-256", ToHex(crypto::Sha256(AsBytes(token)))})});
    devices.emplace(name, std::move(token));
  }
  json overall = OverallClaims(spec);
  overall["submods"] = std::move(submods);
  TEE_ASSIGN_OR_RETURN(std::string overall_token, SignJwt(overall, key));
  return DetachedEatJson(overall_token, devices);
}

}  // namespace tenzro::tee::nvidia::sim
