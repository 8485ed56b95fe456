// NVIDIA Remote Attestation Service (NRAS) tokens: the detached EAT
// `[["JWT", overall], {"GPU-0": device JWT, ...}]` that NRAS returns, and
// the JWKS (collateral) whose keys sign it (issue 11, "NRAS tokens").
//
//   ParseDetachedEat / ParseJwks  pure: bytes -> typed values (nlohmann-json,
//                                 base64url from crypto/base64.h);
//   VerifyDetachedEat             every JWS (ES384) under the JWKS key with
//                                 its kid, the claims at `now` -> typed claims
//                                 and failures;
//   ClaimsToJson                  the one conversion of the typed claims.
//
// JOSE library choice: none. libcjose (Debian libcjose-dev) and libjwt both
// verify through OpenSSL's default library context (the host's providers and
// config), which the project forbids for consensus decisions, and libcjose
// adds Jansson as a second JSON parser. A compact JWS is three base64url
// segments; ES384 verification is crypto/x509's EcdsaVerifyRaw (P-384,
// SHA-384, raw r||s, RFC 7518 §3.4) in the plugin's library context, base64url
// is libsodium's codec and JSON is nlohmann-json: no cryptography is written
// here, only the framing. No clock, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "attestation/nvidia/policy.h"
#include "attestation/verdict.h"
#include "core/bytes.h"
#include "core/status.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia::nras {

inline constexpr size_t kMaxEatBytes = 256 * 1024;
inline constexpr size_t kMaxJwksBytes = 64 * 1024;
inline constexpr size_t kMaxDevices = 64;
inline constexpr size_t kMaxJwksKeys = 32;
// The issuer NRAS writes: nvidia::kNrasIssuer (policy.h), the one constant.

// One compact JWS (RFC 7515 §7.1), decoded but not verified.
struct Jws {
  std::string compact;  // the token as received
  std::string alg, kid;
  nlohmann::json payload;  // a JSON object
  Bytes signature;         // raw r||s
  // ASCII of "header.payload": what the signature covers.
  std::string SigningInput() const;
};

struct DetachedEat {
  Jws overall;
  std::map<std::string, Jws> devices;  // "GPU-0" -> device token
};

// Pure parse of NRAS's detached EAT. Errors: kInvalidArgument (malformed:
// not the array shape, a token that is not three base64url segments of JSON
// objects, no or over kMaxDevices devices, a signature of the wrong size),
// kUnsupported (a JWS alg other than ES384, or a "crit" header).
Result<DetachedEat> ParseDetachedEat(ByteView json);

// The JWKS (RFC 7517) NRAS publishes: {"keys": [{"kty":"EC","crv":"P-384",
// "kid", "x", "y", ...}]}. Keys of another type or curve are skipped; a
// duplicate kid, a bad point or no usable key is kInvalidArgument. x5c, when
// present, is not evaluated (the JWKS is admitted collateral).
struct Jwks {
  std::map<std::string, x509::PublicKey> keys;  // kid -> P-384 key
};
Result<Jwks> ParseJwks(ByteView json);

struct OverallClaims {
  std::string issuer, version, subject;  // iss, x-nvidia-ver, sub
  uint64_t iat = 0, nbf = 0, exp = 0;
  Bytes eat_nonce;
  bool overall_result = false;            // x-nvidia-overall-att-result
  std::map<std::string, Hash32> submods;  // device name -> SHA-256 digest
};

struct DeviceClaims {
  std::string issuer, measres, hwmodel, oemid, ueid, dbgstat;
  std::string driver_version, vbios_version;  // x-nvidia-gpu-*-version
  std::optional<bool> secboot;
  uint64_t iat = 0, nbf = 0, exp = 0;
  Bytes eat_nonce;
  std::map<std::string, bool> checks;  // every boolean x-nvidia-* claim, by name
};

struct NrasClaims {
  OverallClaims overall;
  std::map<std::string, DeviceClaims> devices;
};

// The one conversion of NRAS claims to JSON (hex in lower case, times as
// integers): the verifier assigns it to Verdict::claims in one place.
nlohmann::json ClaimsToJson(const NrasClaims& claims);

struct Expectations {
  std::string issuer = std::string(kNrasIssuer);  // required `iss` of every token
  // Required eat_nonce of every token (the binding nonce, 32 bytes, §4).
  // Unset: not compared (the verifier has no binding and no expected nonce).
  std::optional<Bytes> nonce;
};

// What VerifyDetachedEat established. `failures` in §3 order, each check
// failing alone with one code:
//   malformed / unsupported  ParseDetachedEat failed, a required claim is
//                            missing or mistyped, or the submods do not name
//                            exactly the device tokens present;
//   collateral_missing       no JWKS key with a token's kid;
//   bad_signature            an ES384 signature does not verify, or a submod
//                            digest is not the SHA-256 of its device token;
//   chain_untrusted          `iss` is not the expected issuer;
//   not_yet_valid / expired  now < nbf or now < iat / now >= exp (RFC 7519:
//                            a token is unusable at exp; valid_until = exp-1);
//   policy_violation         x-nvidia-overall-att-result is not true;
//   measurement_mismatch     a device's measres is not "success";
//   nonce_mismatch           an eat_nonce is not the expected nonce.
struct NrasVerification {
  NrasClaims claims;
  bool signatures_valid = false;  // every token under its JWKS key, digests bind
  uint64_t valid_from = 0, valid_until = UINT64_MAX;
  std::vector<Failure> failures;
  bool ok() const { return failures.empty(); }
};

// Verifies the detached EAT `eat_json` with `jwks` at `now` (unix seconds).
// A non-ok Result is a failure of the machine only.
Result<NrasVerification> VerifyDetachedEat(ByteView eat_json, const Jwks& jwks,
                                           const Expectations& expect, uint64_t now);

}  // namespace tenzro::tee::nvidia::nras
