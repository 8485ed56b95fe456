// An NRAS-style token signer (TESTING library only, tenzro_nvidia_rim_sim):
// ES384 compact JWS under the committed development key, its JWKS, and the
// detached EAT [["JWT", overall], {"GPU-0": device, ...}] with the overall
// token's submods naming each device token's SHA-256, as NRAS returns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509_signing.h"

namespace tenzro::tee::nvidia::sim {

struct NrasKey {
  std::string kid;
  x509::PrivateKey key;
};

// The committed development NRAS key and its kid.
const NrasKey& DevNrasKey();

// {"keys": [ {kty EC, crv P-384, kid, x, y, alg ES384, use sig} ]}.
std::string JwksJson(const NrasKey& key);

// A compact JWS of `payload` under `key` (header {"kid", "alg": "ES384"}).
Result<std::string> SignJwt(const nlohmann::json& payload, const NrasKey& key);

// Claims of a token set as NRAS writes them (v3), at `iat` with 1 h lifetime.
struct EatSpec {
  std::string issuer = "https://nras.attestation.nvidia.com";
  Bytes nonce = Bytes(32, 0x5a);
  uint64_t iat = 1749601858;
  uint64_t lifetime = 3600;
  bool overall_result = true;
  std::string measres = "success";
  std::string dbgstat = "disabled";
  std::string driver_version = "550.90.07";
  std::string vbios_version = "96.00.9F.00.01";
  int devices = 1;  // GPU-0 .. GPU-(n-1)
};
nlohmann::json OverallClaims(const EatSpec& spec);  // without submods
nlohmann::json DeviceClaims(const EatSpec& spec);

// [["JWT", overall], {name: token, ...}] as text.
std::string DetachedEatJson(const std::string& overall,
                            const std::map<std::string, std::string>& devices);

// Signs the device tokens, then the overall token whose submods hold their
// SHA-256 digests; returns the detached EAT JSON text.
Result<std::string> MakeDetachedEat(const EatSpec& spec, const NrasKey& key);

}  // namespace tenzro::tee::nvidia::sim
