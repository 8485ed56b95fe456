// NRAS tokens inside the NVIDIA verifier (issue 11): the JWKS admitted only
// under the chain's pin nras_jwks_sha256 (or the simulator's with simulation
// on), modes local / nras / both, each NRAS check failing alone with one
// code, and the epoch re-evaluation from the stored claims (DESIGN §6).
// Signatures come from the project's NRAS simulator (attestation/nvidia/sim);
// the real NRAS token of the shared vectors has no JWKS offline.
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/nras_signer.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "crypto/hash.h"
#include "nvidia/nras_vector.h"
#include "plugin/dev_roots.h"
#include "verify_helpers.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

constexpr uint64_t kNow = 1'767'225'600;  // 2026-01-01
constexpr uint64_t kIat = kNow - 600;

BindingInput Binding(uint8_t v = 0x11) {
  BindingInput b;
  b.validator_id.fill(v);
  b.challenge.fill(0x22);
  return b;
}

Bytes BindingNonce(const BindingInput& b) {
  const auto bind = ComputeBinding(b);
  return Bytes(bind.begin(), bind.begin() + kNonceSize);
}

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

std::string JwksText() { return sim::JwksJson(sim::DevNrasKey()); }
Hash32 JwksHash() { return crypto::Sha256(AsView(Text(JwksText()))); }

sim::EatSpec Spec() {
  sim::EatSpec s;
  s.nonce = BindingNonce(Binding());
  s.iat = kIat;
  return s;
}

std::string Eat(const sim::EatSpec& spec = Spec()) {
  auto eat = sim::MakeDetachedEat(spec, sim::DevNrasKey());
  BOOST_REQUIRE(eat.ok());
  return *eat;
}

// NVIDIA's SDK evidence JSON of one simulated GPU (nonce = binding[0..32)),
// carrying `eat` as "nras_eat" (text, or the JSON value when as_value).
std::string EvidenceJson(const std::optional<std::string>& eat, bool as_value = false,
                         int gpus = 1) {
  std::array<uint8_t, 48> fwid{};
  fwid.fill(0xF1);
  sim::ChainSpec cs;
  cs.fwid = fwid;
  auto chain = sim::IssueDevChain(cs);
  BOOST_REQUIRE(chain.ok());
  sim::ReportSpec spec;
  const Bytes nonce = BindingNonce(Binding());
  std::copy(nonce.begin(), nonce.end(), spec.nonce.begin());
  spec.measurements = sim::HopperMeasurements();
  spec.opaque = sim::GpuOpaque("550.90.07", {0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0}, fwid);
  auto report = sim::SignedReport(spec, chain->leaf_key());
  BOOST_REQUIRE(report.ok());
  nlohmann::json list = nlohmann::json::array();
  for (int i = 0; i < gpus; ++i) {
    list.push_back({{"evidence", sim::Base64(AsView(*report))},
                    {"certificate", sim::Base64(AsView(Text(chain->Pem())))}});
  }
  nlohmann::json j = {{"nonce", ToHex(nonce)}, {"arch", "HOPPER"}, {"evidence_list", list}};
  if (eat) j["nras_eat"] = as_value ? nlohmann::json::parse(*eat) : nlohmann::json(*eat);
  return j.dump();
}

struct Run {
  Mode mode = Mode::kNras;
  bool simulation = true;
  std::optional<Hash32> pin;  // nras_jwks_sha256
  bool admit_jwks = true;     // the simulator's JWKS in the set (admitted with sim on)
  uint64_t now = kNow;
  std::optional<BindingInput> binding = Binding();
  std::optional<DottedVersion> min_driver;
  bool dev_jwks_known = true;  // VerifierOptions::dev_nras_jwks holds the simulator's
};

Policy PolicyOf(const Run& r) {
  Policy p;
  p.mode = r.mode;
  p.nras_jwks_sha256 = r.pin;
  p.min_driver_version = r.min_driver;
  return p;
}

std::unique_ptr<NvidiaVerifier> Verifier(const Run& r, bool simulation) {
  VerifierOptions o;
  o.dev_roots = {sim::DevRootFingerprint()};
  if (r.dev_jwks_known) o.dev_nras_jwks = {plugin::kNvidiaDevNrasJwksSha256};
  CommonPolicy common;
  common.simulation = simulation;
  return std::make_unique<NvidiaVerifier>(PolicyOf(r), common, o);
}

// The collateral: the JWKS admitted by a verifier with simulation on (so the
// set holds it whatever the verifying node's switch is).
CollateralSet Set(const Run& r) {
  CollateralSet set;
  if (!r.admit_jwks) return set;
  Run admit = r;
  auto v = Verifier(admit, true);
  auto doc = v->ParseCollateral(AsView(Text(JwksText())), kNow);
  BOOST_REQUIRE_MESSAGE(doc.ok(), (doc.ok() ? std::string() : doc.status().ToString()));
  return set.With(std::move(*doc));
}

Verdict Verify(const std::string& evidence, const Run& r = Run{}) {
  auto v = Verifier(r, r.simulation);
  const CollateralSet set = Set(r);
  const Bytes ev = Text(evidence);
  return sim_tests::VerifyOnce(*v, AsView(ev), set, r.now, r.binding);
}

std::string Describe(const Verdict& v) { return VerdictToJson(v).dump(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_nras_verifier)

BOOST_AUTO_TEST_CASE(dev_jwks_fingerprint_is_the_simulator_jwks) {
  BOOST_TEST((plugin::kNvidiaDevNrasJwksSha256 == JwksHash()));
}

// The JWKS is collateral only under the pin (or, simulation on, the
// simulator's): without a pin nobody can mint NRAS tokens.
BOOST_AUTO_TEST_CASE(jwks_admission_follows_the_pin) {
  const Bytes jwks = Text(JwksText());
  auto admit = [&](std::optional<Hash32> pin, bool simulation, const Bytes& data) {
    Run r;
    r.pin = pin;
    return Verifier(r, simulation)->ParseCollateral(AsView(data), kNow);
  };
  // No pin, simulation off: refused.
  auto none = admit(std::nullopt, false, jwks);
  BOOST_TEST(!none.ok());
  BOOST_TEST((none.status().code() == ErrorCode::kCollateral));
  // Pinned: admitted, keyed by its SHA-256, no window of its own.
  auto pinned = admit(JwksHash(), false, jwks);
  BOOST_REQUIRE(pinned.ok());
  BOOST_TEST(pinned->kind == kKindNrasJwks);
  const Hash32 h = JwksHash();
  BOOST_TEST((pinned->key == Bytes(h.begin(), h.end())));
  BOOST_TEST(pinned->next_update == UINT64_MAX);
  // Another pin: refused, even though the document is a good JWKS.
  Hash32 other{};
  other.fill(0x42);
  auto wrong = admit(other, false, jwks);
  BOOST_TEST(!wrong.ok());
  BOOST_TEST(wrong.status().message().find("not the pinned") != std::string::npos,
             wrong.status().message());
  // One byte changed (a space): another hash, refused under the pin.
  Bytes spaced = jwks;
  spaced.push_back(' ');
  BOOST_TEST(!admit(JwksHash(), false, spaced).ok());
  // Simulation on, no pin: the simulator's JWKS only.
  BOOST_TEST(admit(std::nullopt, true, jwks).ok());
  BOOST_TEST(!admit(std::nullopt, true, spaced).ok());
  // Pinned bytes that are no JWKS: refused.
  const Bytes empty = Text("{\"keys\":[]}");
  BOOST_TEST(!admit(crypto::Sha256(AsView(empty)), false, empty).ok());
}

BOOST_AUTO_TEST_CASE(mode_nras_token_alone_decides) {
  Run r;
  r.pin = JwksHash();
  r.simulation = false;  // a pinned JWKS needs no simulation
  const Verdict v = Verify(Eat(), r);
  BOOST_TEST(v.valid(), Describe(v));
  BOOST_TEST(v.hardware_verified);
  BOOST_TEST(v.certificate_chain_valid);
  BOOST_TEST(v.measurements_valid);
  BOOST_TEST((v.binding_valid == std::optional<bool>(true)));
  BOOST_TEST(v.evidence_id.has_value());
  BOOST_TEST((v.valid_until == std::optional<uint64_t>(kIat + 3600 - 1)));
  const auto claims = v.ClaimsJson();
  BOOST_TEST(claims["nras"]["devices"]["GPU-0"]["measres"] == "success");
  BOOST_TEST(claims["gpu_count"] == 0);
  BOOST_TEST(v.reeval_claims.count(claim::kNrasJwksSha256) == 1u);
  // The same token inside NVIDIA's evidence JSON, as text or as a JSON value.
  for (bool as_value : {false, true}) {
    const Verdict j = Verify(EvidenceJson(Eat(), as_value), r);
    BOOST_TEST(j.valid(), Describe(j));
    BOOST_TEST(j.hardware_verified);
  }
}

BOOST_AUTO_TEST_CASE(mode_local_ignores_the_token_and_refuses_it_alone) {
  Run r;
  r.mode = Mode::kLocal;
  const Verdict with = Verify(EvidenceJson(Eat()), r);
  BOOST_TEST(with.valid(), Describe(with));
  BOOST_TEST(with.ClaimsJson().count("nras") == 0u);
  // A token the local mode does not read does not fail it either.
  sim::EatSpec bad = Spec();
  bad.measres = "fail";
  BOOST_TEST(Verify(EvidenceJson(Eat(bad)), r).valid());
  sim_tests::ExpectAlone(Verify(Eat(), r), FailureCode::kUnsupported, "token alone, local");
}

BOOST_AUTO_TEST_CASE(mode_both_needs_the_reports_and_the_token) {
  Run r;
  r.mode = Mode::kBoth;
  const Verdict ok = Verify(EvidenceJson(Eat()), r);
  BOOST_TEST(ok.valid(), Describe(ok));
  BOOST_TEST(ok.hardware_verified);
  BOOST_TEST(ok.ClaimsJson()["nras"]["overall_result"] == true);
  BOOST_TEST(ok.reeval_claims.count(claim::kNrasJwksSha256) == 1u);
  BOOST_TEST(ok.reeval_claims.count(claim::GpuPrefix(0) + claim::kRootSha256) == 1u);
  // The token failing alone fails the document.
  sim::EatSpec bad = Spec();
  bad.measres = "fail";
  sim_tests::ExpectAlone(Verify(EvidenceJson(Eat(bad)), r), FailureCode::kMeasurementMismatch,
                         "both: token measres");
  // The local report failing alone (its nonce is another validator's
  // binding; the token's is right) fails the document.
  Run other = r;
  sim::EatSpec spec = Spec();
  spec.nonce = BindingNonce(Binding(0x33));
  other.binding = Binding(0x33);
  const Verdict report_unbound = Verify(EvidenceJson(Eat(spec)), other);
  sim_tests::ExpectAlone(report_unbound, FailureCode::kNonceMismatch, "both: report nonce");
  // The token's good binding does not hide the report's bad one.
  BOOST_TEST((report_unbound.binding_valid == std::optional<bool>(false)));
  // No token, or a token alone.
  sim_tests::ExpectAlone(Verify(EvidenceJson(std::nullopt), r), FailureCode::kCollateralMissing,
                         "both: no token");
  sim_tests::ExpectAlone(Verify(Eat(), r), FailureCode::kUnsupported, "both: token alone");
  // The token must speak for as many GPUs as the evidence holds.
  sim::EatSpec two = Spec();
  two.devices = 2;
  sim_tests::ExpectAlone(Verify(EvidenceJson(Eat(two)), r), FailureCode::kPolicyViolation,
                         "both: device count");
}

// Each NRAS check fails alone with exactly one code (mode nras, token alone).
BOOST_AUTO_TEST_CASE(each_nras_check_fails_alone) {
  using Tweak = std::function<void(Run&, sim::EatSpec&)>;
  struct Case {
    const char* name;
    FailureCode want;
    Tweak tweak;                                                 // the run and the token
    std::function<std::string(const sim::EatSpec&)> make = Eat;  // the evidence
  };
  const Tweak none = [](Run&, sim::EatSpec&) {};
  const std::vector<Case> cases = {
      {"no token", FailureCode::kCollateralMissing, none,
       [](const sim::EatSpec&) { return EvidenceJson(std::nullopt); }},
      {"no JWKS pinned or admitted", FailureCode::kCollateralMissing,
       [](Run& r, sim::EatSpec&) { r.admit_jwks = false; }},
      {"the pinned JWKS is not admitted", FailureCode::kCollateralMissing,
       [](Run& r, sim::EatSpec&) {
         r.pin = JwksHash(), r.simulation = false, r.admit_jwks = false;
       }},
      {"issuer", FailureCode::kChainUntrusted,
       [](Run&, sim::EatSpec& s) { s.issuer = "https://nras.example.org"; }},
      {"not yet valid", FailureCode::kNotYetValid, [](Run& r, sim::EatSpec&) { r.now = kIat - 1; }},
      {"expired at exp", FailureCode::kExpired, [](Run& r, sim::EatSpec&) { r.now = kIat + 3600; }},
      {"eat_nonce is another binding", FailureCode::kNonceMismatch,
       [](Run& r, sim::EatSpec&) { r.binding = Binding(0x44); }},
      {"overall result false", FailureCode::kPolicyViolation,
       [](Run&, sim::EatSpec& s) { s.overall_result = false; }},
      {"dbgstat enabled (debug state)", FailureCode::kDebugEnclave,
       [](Run&, sim::EatSpec& s) { s.dbgstat = "enabled"; }},
      {"measres", FailureCode::kMeasurementMismatch,
       [](Run&, sim::EatSpec& s) { s.measres = "fail"; }},
      {"device token swapped (submod digest)", FailureCode::kBadSignature, none,
       [](const sim::EatSpec& spec) {
         const auto eat = nlohmann::json::parse(Eat(spec));
         sim::EatSpec s = spec;
         s.driver_version = "999.99.99";
         auto other = sim::SignJwt(sim::DeviceClaims(s), sim::DevNrasKey());
         BOOST_REQUIRE(other.ok());
         return sim::DetachedEatJson(eat[0][1].get<std::string>(), {{"GPU-0", *other}});
       }},
      {"signed by another key under the same kid", FailureCode::kBadSignature, none,
       [](const sim::EatSpec& spec) {
         auto key = x509::PrivateKey::Generate(x509::KeyKind::kP384);
         BOOST_REQUIRE(key.ok());
         auto eat = sim::MakeDetachedEat(spec, {sim::DevNrasKey().kid, std::move(*key)});
         BOOST_REQUIRE(eat.ok());
         return *eat;
       }},
      {"dev JWKS while simulation is off", FailureCode::kSimulationDisabled,
       [](Run& r, sim::EatSpec&) { r.simulation = false; }},
      {"driver below the minimum (token's claim)", FailureCode::kFirmwareTooOld,
       [](Run& r, sim::EatSpec&) { r.min_driver = DottedVersion{{560}}; }},
      {"malformed token", FailureCode::kMalformed, none,
       [](const sim::EatSpec&) { return std::string(R"([["JWT","a.b.c"],{"GPU-0":"a.b.c"}])"); }},
  };
  for (const auto& c : cases) {
    Run r;
    sim::EatSpec spec = Spec();
    c.tweak(r, spec);
    const Verdict v = Verify(c.make(spec), r);
    sim_tests::ExpectAlone(v, c.want, c.name);
    BOOST_TEST(!v.valid(), c.name);
  }
}

// Re-evaluation (§6) from the stored claims alone: the JWKS must still be
// the pinned one, the token's window must hold, the current mode and policy
// apply.
BOOST_AUTO_TEST_CASE(reevaluation_from_stored_claims) {
  Run r;
  r.pin = JwksHash();
  r.simulation = false;
  const Verdict v = Verify(Eat(), r);
  BOOST_REQUIRE(v.valid());
  auto check = [&](const Run& now_run, uint64_t t) {
    const auto re = Verifier(now_run, now_run.simulation)->BeginReevaluation(CollateralSet(), t);
    auto f = re->Check(v.reeval_claims);
    BOOST_REQUIRE(f.ok());
    return f->has_value() ? (*f)->code : FailureCode::kNone;
  };
  BOOST_TEST((check(r, kNow + 60) == FailureCode::kNone));
  BOOST_TEST((check(r, kIat + 3600) == FailureCode::kExpired));
  Run repinned = r;
  repinned.pin = Hash32{};
  repinned.dev_jwks_known = false;
  BOOST_TEST((check(repinned, kNow + 60) == FailureCode::kChainUntrusted));
  Run local = r;
  local.mode = Mode::kLocal;
  BOOST_TEST((check(local, kNow + 60) == FailureCode::kChainIncomplete));
  Run stricter = r;
  stricter.min_driver = DottedVersion{{560}};
  BOOST_TEST((check(stricter, kNow + 60) == FailureCode::kFirmwareTooOld));

  // A record verified locally, re-evaluated once the chain asks for tokens.
  Run lr;
  lr.mode = Mode::kLocal;
  const Verdict lv = Verify(EvidenceJson(std::nullopt), lr);
  BOOST_REQUIRE(lv.valid());
  Run both = lr;
  both.mode = Mode::kBoth;
  const auto re = Verifier(both, true)->BeginReevaluation(CollateralSet(), kNow + 60);
  auto f = re->Check(lv.reeval_claims);
  BOOST_REQUIRE(f.ok());
  BOOST_REQUIRE(f->has_value());
  BOOST_TEST(((*f)->code == FailureCode::kCollateralMissing));
}

// The real NRAS token of the shared vectors through the verifier: no JWKS
// with NVIDIA's key exists offline, so against the simulator's JWKS its only
// failure is that key being missing; every claim check passes.
BOOST_AUTO_TEST_CASE(real_nras_token_through_the_verifier) {
  const auto real = testing_nras::RealDetachedEat();
  if (!real) return;
  const Bytes& text = *real;
  Run r;
  auto verifier = Verifier(r, true);
  const CollateralSet set = Set(r);
  VerifyRequest req;
  req.evidence = AsView(text);
  req.collateral = &set;
  req.now = testing_nras::kRealEatIat + 10;
  req.expected_nonce = *FromHex(testing_nras::kRealEatNonceHex);
  auto v = verifier->Verify(req);
  BOOST_REQUIRE(v.ok());
  sim_tests::ExpectAlone(*v, FailureCode::kCollateralMissing, "real token, dev JWKS");
  const auto claims = v->ClaimsJson();
  BOOST_TEST(claims["nras"]["devices"]["GPU-0"]["submod_digest"] ==
             "d7c2a949a5c69bff1a12de3da0c9a23bc966041b811b99a89dfe44c2dde8c37c");
  BOOST_TEST(claims["nras"]["devices"]["GPU-0"]["driver_version"] == "550.90.07");
  BOOST_TEST(!v->hardware_verified);
  // Another nonce: nonce_mismatch joins (the claims were read).
  req.expected_nonce = Bytes(32, 0);
  auto w = verifier->Verify(req);
  BOOST_REQUIRE(w.ok());
  BOOST_TEST(w->Has(FailureCode::kNonceMismatch));
}

BOOST_AUTO_TEST_SUITE_END()
