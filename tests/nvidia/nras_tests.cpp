// NRAS detached EATs (attestation/nvidia/nras.h): the real NRAS token of the
// shared vectors (claims and submod digests; no JWKS exists offline for it),
// and every check failing alone with the simulator's signer.
#include <boost/test/unit_test.hpp>

#include <set>

#include "attestation/nvidia/nras.h"
#include "attestation/nvidia/sim/nras_signer.h"
#include "crypto/base64.h"
#include "crypto/hash.h"
#include "nvidia/nras_vector.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

ByteView View(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Describe(const std::vector<Failure>& failures) {
  std::string s;
  for (const auto& f : failures)
    s += std::string(FailureCodeName(f.code)) + ": " + f.message + "; ";
  return s;
}

std::set<FailureCode> Codes(const std::vector<Failure>& failures) {
  std::set<FailureCode> out;
  for (const auto& f : failures) out.insert(f.code);
  return out;
}

const sim::EatSpec kSpec{};
constexpr uint64_t kAt = 1749601858 + 60;

nras::Jwks DevJwks() {
  auto j = nras::ParseJwks(View(sim::JwksJson(sim::DevNrasKey())));
  BOOST_REQUIRE_MESSAGE(j.ok(), (j.ok() ? std::string() : j.status().ToString()));
  return std::move(j).value();
}

nras::Expectations Expect(const sim::EatSpec& spec = kSpec) {
  nras::Expectations e;
  e.nonce = spec.nonce;
  return e;
}

nras::NrasVerification Verify(const std::string& eat, uint64_t now = kAt,
                              const nras::Expectations& expect = Expect()) {
  auto r = nras::VerifyDetachedEat(View(eat), DevJwks(), expect, now);
  BOOST_REQUIRE(r.ok());
  return std::move(r).value();
}

std::string Eat(const sim::EatSpec& spec = kSpec) {
  auto eat = sim::MakeDetachedEat(spec, sim::DevNrasKey());
  BOOST_REQUIRE(eat.ok());
  return *eat;
}

void ExpectOnly(const nras::NrasVerification& v, FailureCode code) {
  BOOST_TEST_INFO("failures: " << Describe(v.failures));
  BOOST_TEST((Codes(v.failures) == std::set<FailureCode>{code}));
}

// Element [0][1] (overall token) and [1] (device map) of a detached EAT text.
nlohmann::json Json(const std::string& eat) { return nlohmann::json::parse(eat); }

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_nras)

BOOST_AUTO_TEST_CASE(simulated_eat_verifies_with_claims) {
  sim::EatSpec spec;
  spec.devices = 3;
  const auto v = Verify(Eat(spec));
  BOOST_TEST(v.ok(), Describe(v.failures));
  BOOST_TEST(v.signatures_valid);
  BOOST_TEST(v.valid_from == spec.iat);
  BOOST_TEST(v.valid_until == spec.iat + spec.lifetime - 1);
  BOOST_TEST(v.claims.devices.size() == 3u);
  const auto& d = v.claims.devices.at("GPU-2");
  BOOST_TEST(d.driver_version == "550.90.07");
  BOOST_TEST(d.measres == "success");
  BOOST_TEST(d.checks.at("x-nvidia-gpu-arch-check"));
  const auto j = nras::ClaimsToJson(v.claims);
  BOOST_TEST(j["eat_nonce"] == ToHex(spec.nonce));
  BOOST_TEST(j["devices"]["GPU-1"]["vbios_version"] == "96.00.9F.00.01");
  BOOST_TEST(j["overall_result"] == true);
}

BOOST_AUTO_TEST_CASE(wrong_issuer_alone) {
  sim::EatSpec spec;
  spec.issuer = "https://nras.example";
  ExpectOnly(Verify(Eat(spec)), FailureCode::kChainUntrusted);
}

BOOST_AUTO_TEST_CASE(wrong_nonce_alone) {
  sim::EatSpec spec;
  spec.nonce = Bytes(32, 0x11);
  ExpectOnly(Verify(Eat(spec)), FailureCode::kNonceMismatch);
}

BOOST_AUTO_TEST_CASE(time_window_alone) {
  const std::string eat = Eat();
  ExpectOnly(Verify(eat, kSpec.iat - 1), FailureCode::kNotYetValid);
  ExpectOnly(Verify(eat, kSpec.iat + kSpec.lifetime), FailureCode::kExpired);  // unusable at exp
  BOOST_TEST(Verify(eat, kSpec.iat).ok());
  BOOST_TEST(Verify(eat, kSpec.iat + kSpec.lifetime - 1).ok());
}

BOOST_AUTO_TEST_CASE(overall_result_false_alone) {
  sim::EatSpec spec;
  spec.overall_result = false;
  ExpectOnly(Verify(Eat(spec)), FailureCode::kPolicyViolation);
}

BOOST_AUTO_TEST_CASE(measres_alone) {
  sim::EatSpec spec;
  spec.measres = "fail";
  ExpectOnly(Verify(Eat(spec)), FailureCode::kMeasurementMismatch);
}

BOOST_AUTO_TEST_CASE(tampered_signature_alone) {
  auto j = Json(Eat());
  std::string overall = j[0][1];
  // Flip one bit of the signature's first byte (keep the base64url valid).
  const size_t dot = overall.rfind('.');
  auto sig = crypto::Base64UrlDecode(std::string_view(overall).substr(dot + 1));
  BOOST_REQUIRE(sig.has_value());
  (*sig)[0] ^= 1;
  j[0][1] = overall.substr(0, dot + 1) + crypto::Base64UrlEncode(*sig);
  ExpectOnly(Verify(j.dump()), FailureCode::kBadSignature);
}

BOOST_AUTO_TEST_CASE(swapped_device_token_fails_its_digest_alone) {
  // A validly signed device token that is not the one the overall token names.
  auto j = Json(Eat());
  sim::EatSpec other;
  other.driver_version = "535.86.09";
  auto token = sim::SignJwt(sim::DeviceClaims(other), sim::DevNrasKey());
  BOOST_REQUIRE(token.ok());
  j[1]["GPU-0"] = *token;
  const auto v = Verify(j.dump());
  ExpectOnly(v, FailureCode::kBadSignature);
  BOOST_TEST(!v.signatures_valid);
}

BOOST_AUTO_TEST_CASE(unknown_kid_alone) {
  auto key = x509::PrivateKey::Generate(x509::KeyKind::kP384);
  BOOST_REQUIRE(key.ok());
  const sim::NrasKey other{"another-kid", std::move(key).value()};
  auto eat = sim::MakeDetachedEat(kSpec, other);
  BOOST_REQUIRE(eat.ok());
  ExpectOnly(Verify(*eat), FailureCode::kCollateralMissing);
}

BOOST_AUTO_TEST_CASE(key_under_the_right_kid_but_another_key_is_bad_signature) {
  auto key = x509::PrivateKey::Generate(x509::KeyKind::kP384);
  BOOST_REQUIRE(key.ok());
  const sim::NrasKey impostor{sim::DevNrasKey().kid, std::move(key).value()};
  auto eat = sim::MakeDetachedEat(kSpec, impostor);
  BOOST_REQUIRE(eat.ok());
  ExpectOnly(Verify(*eat), FailureCode::kBadSignature);
}

BOOST_AUTO_TEST_CASE(submods_must_name_exactly_the_devices) {
  auto j = Json(Eat());
  j[1]["GPU-1"] = j[1]["GPU-0"];
  ExpectOnly(Verify(j.dump()), FailureCode::kMalformed);
}

BOOST_AUTO_TEST_CASE(parse_errors) {
  const std::string good = Eat();
  auto j = Json(good);
  const std::string alg_none =
      crypto::Base64UrlEncode(View(std::string(R"({"alg":"none","kid":"k"})")));
  const std::string overall = j[0][1];
  auto none = j;
  none[0][1] = alg_none + overall.substr(overall.find('.'));
  auto two_segments = j;
  two_segments[0][1] = overall.substr(0, overall.rfind('.'));
  auto not_jwt = j;
  not_jwt[0][0] = "JWS";
  auto no_devices = j;
  no_devices[1] = nlohmann::json::object();
  const std::pair<std::string, FailureCode> cases[] = {
      {"[]", FailureCode::kMalformed},
      {"not json", FailureCode::kMalformed},
      {none.dump(), FailureCode::kUnsupported},
      {two_segments.dump(), FailureCode::kMalformed},
      {not_jwt.dump(), FailureCode::kMalformed},
      {no_devices.dump(), FailureCode::kMalformed},
      {std::string(nras::kMaxEatBytes + 1, ' '), FailureCode::kMalformed},
  };
  for (const auto& [text, code] : cases) {
    BOOST_TEST_CONTEXT(text.substr(0, 40)) { ExpectOnly(Verify(text), code); }
  }
}

BOOST_AUTO_TEST_CASE(jwks_parsing) {
  BOOST_TEST(DevJwks().keys.count(sim::DevNrasKey().kid) == 1u);
  auto j = nlohmann::json::parse(sim::JwksJson(sim::DevNrasKey()));
  auto dup = j;
  dup["keys"].push_back(j["keys"][0]);
  BOOST_TEST(!nras::ParseJwks(View(dup.dump())).ok());
  auto bad_point = j;
  std::string x = bad_point["keys"][0]["x"];
  x[5] = x[5] == 'A' ? 'B' : 'A';
  bad_point["keys"][0]["x"] = x;
  BOOST_TEST(!nras::ParseJwks(View(bad_point.dump())).ok());
  auto rsa_only = j;
  rsa_only["keys"][0]["kty"] = "RSA";
  BOOST_TEST(!nras::ParseJwks(View(rsa_only.dump())).ok());
  BOOST_TEST(!nras::ParseJwks(View(std::string("{}"))).ok());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the real NRAS token -------------------------------------------------------

BOOST_AUTO_TEST_SUITE(nvidia_nras_vectors)

BOOST_AUTO_TEST_CASE(real_detached_eat_parses_and_its_digests_bind) {
  const auto real = testing_nras::RealDetachedEat();
  if (!real) return;
  const Bytes& text = *real;
  auto eat = nras::ParseDetachedEat(text);
  BOOST_REQUIRE_MESSAGE(eat.ok(), (eat.ok() ? std::string() : eat.status().ToString()));
  BOOST_TEST(eat->overall.kid ==
             "nv-eat-kid-prod-20250609211310110-93b13aa1-17e4-4c14-9d33-dba2323329f2");
  BOOST_TEST(eat->devices.size() == 1u);
  BOOST_TEST(eat->devices.count("GPU-0") == 1u);

  // No JWKS exists offline for NRAS's key: verified against the dev JWKS, the
  // only failures must be the missing key (every claim check passes).
  const Bytes nonce = *FromHex(testing_nras::kRealEatNonceHex);
  nras::Expectations expect;
  expect.nonce = nonce;
  auto r = nras::VerifyDetachedEat(text, DevJwks(), expect, 1749601858 + 10);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST_INFO(Describe(r->failures));
  BOOST_TEST((Codes(r->failures) == std::set<FailureCode>{FailureCode::kCollateralMissing}));
  const auto& o = r->claims.overall;
  BOOST_TEST(o.issuer == "https://nras.attestation.nvidia.com");
  BOOST_TEST(o.version == "3.0");
  BOOST_TEST(o.iat == 1749601858u);
  BOOST_TEST(o.exp == 1749605458u);
  BOOST_TEST(o.overall_result);
  BOOST_TEST((o.eat_nonce == nonce));
  BOOST_TEST(ToHex(o.submods.at("GPU-0")) ==
             "d7c2a949a5c69bff1a12de3da0c9a23bc966041b811b99a89dfe44c2dde8c37c");
  const std::string& device_token = eat->devices.at("GPU-0").compact;
  BOOST_TEST((crypto::Sha256(View(device_token)) == o.submods.at("GPU-0")));
  const auto& d = r->claims.devices.at("GPU-0");
  BOOST_TEST(d.measres == "success");
  BOOST_TEST(d.driver_version == "550.90.07");
  BOOST_TEST(d.vbios_version == "96.00.9F.00.01");
  BOOST_TEST(d.hwmodel == "GH100 A01 GSP BROM");
  BOOST_TEST(d.dbgstat == "disabled");
  BOOST_TEST(d.secboot.value_or(false));

  // The same token an hour later is expired, and with another nonce mismatched.
  auto late = nras::VerifyDetachedEat(text, DevJwks(), expect, 1749605458);
  BOOST_REQUIRE(late.ok());
  BOOST_TEST(Codes(late->failures).count(FailureCode::kExpired) == 1u);
  expect.nonce = Bytes(32, 0);
  auto other = nras::VerifyDetachedEat(text, DevJwks(), expect, 1749601858 + 10);
  BOOST_REQUIRE(other.ok());
  BOOST_TEST(Codes(other->failures).count(FailureCode::kNonceMismatch) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
