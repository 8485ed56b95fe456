// Stage 2 and the whole verifier on simulator documents: each check made to
// fail alone, each asserting exactly one failure code.
#include <boost/test/unit_test.hpp>

#include <set>

#include "nitro_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nitro;
namespace tu = tenzro::tee::nitro::testutil;

namespace {

constexpr uint64_t kNow = tu::kDocTime + 60;
const int64_t kLeafNotAfter = static_cast<int64_t>(tu::kDocTime) - 1 + sim::kLeafLifetimeSecs;

std::set<std::string> Codes(const Verdict& v) {
  std::set<std::string> out;
  for (const auto& f : v.failures) out.insert(std::string(FailureCodeName(f.code)));
  return out;
}

// Exactly one failure code (possibly reported by more than one check).
void ExpectOnly(const Verdict& v, const char* code) {
  BOOST_TEST_INFO("verdict: " << VerdictToJson(v).dump());
  BOOST_TEST((Codes(v) == std::set<std::string>{code}));
}

x509::PrivateKey NewKey() {
  auto k = x509::PrivateKey::Generate(x509::KeyKind::kP384);
  if (!k.ok()) BOOST_FAIL(k.status().ToString());
  return std::move(k).value();
}

x509::Certificate Leaf(const sim::LeafSpec& spec) {
  sim::LeafSpec s = spec;
  if (s.not_before == 0) s.not_before = static_cast<int64_t>(tu::kDocTime) - 1;
  if (s.not_after == 0) s.not_after = kLeafNotAfter;
  auto c = sim::IssueLeaf(s);
  if (!c.ok()) BOOST_FAIL(c.status().ToString());
  return std::move(c).value();
}

sim::DevCa Ca(const std::string& cn, std::optional<int> path_len, const sim::DevCa* issuer,
              const x509::PrivateKey* issuer_key = nullptr) {
  sim::DevCa ca{{}, NewKey()};
  sim::CaSpec spec;
  spec.cn = cn;
  spec.path_len = path_len;
  auto c = sim::IssueCa(spec, ca.key.public_key(), issuer,
                        issuer_key ? *issuer_key : (issuer ? issuer->key : ca.key));
  if (!c.ok()) BOOST_FAIL(c.status().ToString());
  ca.cert = std::move(c).value();
  return ca;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nitro_verifier)

BOOST_AUTO_TEST_CASE(a_genuine_simulated_document_is_valid_tagged_or_not) {
  auto v = tu::DevVerifier();
  for (bool tagged : {false, true}) {
    sim::DocumentSpec spec;
    spec.tagged = tagged;
    const Verdict r = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
    BOOST_TEST(r.valid(), VerdictToJson(r).dump());
    BOOST_TEST(r.hardware_verified);
    BOOST_TEST(r.certificate_chain_valid);
    BOOST_TEST(r.measurements_valid);
    BOOST_TEST(!r.debug);
    BOOST_TEST(r.ClaimsJson()["cose_tagged"].get<bool>() == tagged);
    // valid_until = min(leaf notAfter, timestamp + max_age).
    BOOST_TEST(r.valid_until.value_or(0) == static_cast<uint64_t>(kLeafNotAfter));
  }
}

BOOST_AUTO_TEST_CASE(evidence_identity_is_what_the_leaf_signed) {
  auto v = tu::DevVerifier();
  sim::DocumentSpec spec;
  spec.leaf = Leaf({});
  const Verdict a = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
  spec.tagged = true;  // another encoding, another (random) ECDSA signature
  const Verdict b = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
  BOOST_TEST(a.valid());
  BOOST_TEST(b.valid());
  BOOST_TEST((a.evidence_id == b.evidence_id));
  spec.user_data = Bytes{1};
  const Verdict c = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
  BOOST_TEST((a.evidence_id != c.evidence_id));
}

BOOST_AUTO_TEST_CASE(unsupported_alg_and_digest) {
  auto v = tu::DevVerifier();
  sim::DocumentSpec es256;
  es256.alg = -7;
  ExpectOnly(tu::VerifyAt(*v, AsView(tu::MakeDoc(es256)), kNow), "unsupported");
  sim::DocumentSpec sha256;
  sha256.digest = "SHA256";
  ExpectOnly(tu::VerifyAt(*v, AsView(tu::MakeDoc(sha256)), kNow), "unsupported");
}

BOOST_AUTO_TEST_CASE(cose_signature_under_another_key_is_bad_signature) {
  auto v = tu::DevVerifier();
  const x509::PrivateKey other = NewKey();
  sim::DocumentSpec spec;
  spec.signing_key = &other;
  const Verdict r = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
  ExpectOnly(r, "bad_signature");
  BOOST_TEST(r.certificate_chain_valid);
  BOOST_TEST(!r.hardware_verified);
}

BOOST_AUTO_TEST_CASE(a_root_that_is_not_pinned_is_chain_untrusted) {
  auto v = tu::DevVerifier();
  const sim::DevCa rogue = Ca("dev.nitro-enclaves", std::nullopt, nullptr);
  sim::DocumentSpec spec;
  std::vector<Bytes> bundle = sim::Dev().Cabundle();
  bundle[0] = rogue.cert.der();
  spec.cabundle = bundle;
  const Verdict r = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
  ExpectOnly(r, "chain_untrusted");
  BOOST_TEST(!r.hardware_verified);
  BOOST_TEST(!r.certificate_chain_valid);
  // The production pin (AWS Root-G1) does not trust the dev root either,
  // unless the dev root is known as one (then: simulation_disabled below).
  NitroVerifier aws(Policy{}, CommonPolicy{});
  ExpectOnly(tu::VerifyAt(aws, AsView(tu::MakeDoc()), kNow), "chain_untrusted");
}

BOOST_AUTO_TEST_CASE(link_faults_are_chain_untrusted) {
  auto v = tu::DevVerifier();
  const sim::DevPki& dev = sim::Dev();
  // An instance CA of the right name signed by a key that is not the zonal's.
  const x509::PrivateKey rogue_key = NewKey();
  const sim::DevCa forged =
      Ca(dev.instance.cert.SubjectAttr("CN").value_or(""), 0, &dev.zonal, &rogue_key);
  // An extra CA under the instance CA (pathLen 0) signing the leaf.
  const sim::DevCa too_deep = Ca("sub.instance", std::nullopt, &dev.instance);
  struct Case {
    const char* name;
    std::vector<Bytes> bundle;
    sim::LeafSpec leaf;
  };
  sim::LeafSpec under_forged;
  under_forged.issuer = &forged;
  sim::LeafSpec under_deep;
  under_deep.issuer = &too_deep;
  sim::LeafSpec no_ku;
  no_ku.key_usage = false;
  sim::LeafSpec ca_leaf;
  ca_leaf.is_ca = true;
  sim::LeafSpec sha256;
  sha256.scheme = x509::SigScheme::kEcdsaSha256;
  std::vector<Bytes> with_forged = dev.Cabundle();
  with_forged[3] = forged.cert.der();
  std::vector<Bytes> with_deep = dev.Cabundle();
  with_deep.push_back(too_deep.cert.der());
  const Case cases[] = {
      {"intermediate signature", with_forged, under_forged},
      {"pathLen", with_deep, under_deep},
      {"leaf keyUsage", dev.Cabundle(), no_ku},
      {"leaf is a CA", dev.Cabundle(), ca_leaf},
      {"leaf signed with SHA-256", dev.Cabundle(), sha256},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      sim::DocumentSpec spec;
      spec.cabundle = c.bundle;
      spec.leaf = Leaf(c.leaf);
      const Verdict r = tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow);
      ExpectOnly(r, "chain_untrusted");
      BOOST_TEST(!r.hardware_verified);
      BOOST_TEST(!r.certificate_chain_valid);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_chain_window_at_now) {
  auto v = tu::DevVerifier();
  const Bytes doc = tu::MakeDoc();
  const auto end = static_cast<uint64_t>(kLeafNotAfter);
  BOOST_TEST(tu::VerifyAt(*v, AsView(doc), end).valid());  // inclusive
  const Verdict late = tu::VerifyAt(*v, AsView(doc), end + 1);
  ExpectOnly(late, "expired");
  BOOST_TEST(!late.certificate_chain_valid);
  BOOST_TEST(late.hardware_verified);  // signatures only
  ExpectOnly(tu::VerifyAt(*v, AsView(doc), tu::kDocTime - 2), "not_yet_valid");
}

BOOST_AUTO_TEST_CASE(check_chain_at_document_takes_freshness_from_max_age) {
  Policy p;
  p.check_chain_at = ChainTime::kDocument;
  auto v = tu::DevVerifier(p);
  const Bytes doc = tu::MakeDoc();
  const uint64_t after_leaf = static_cast<uint64_t>(kLeafNotAfter) + 3600;
  const Verdict r = tu::VerifyAt(*v, AsView(doc), after_leaf);
  BOOST_TEST(r.valid(), VerdictToJson(r).dump());
  BOOST_TEST(r.valid_until.value_or(0) == tu::kDocTime + 86400);  // max_age alone
  ExpectOnly(tu::VerifyAt(*v, AsView(doc), tu::kDocTime + 86401), "expired");
  // A leaf that had expired when the document was made.
  sim::DocumentSpec spec;
  sim::LeafSpec old;
  old.not_before = static_cast<int64_t>(tu::kDocTime) - 20000;
  old.not_after = static_cast<int64_t>(tu::kDocTime) - 10000;
  spec.leaf = Leaf(old);
  ExpectOnly(tu::VerifyAt(*v, AsView(tu::MakeDoc(spec)), kNow), "expired");
}

BOOST_AUTO_TEST_CASE(age_and_clock_skew) {
  Policy p;
  p.max_age_secs = 600;
  auto v = tu::DevVerifier(p);
  const Bytes doc = tu::MakeDoc();
  BOOST_TEST(tu::VerifyAt(*v, AsView(doc), tu::kDocTime + 600).valid());
  ExpectOnly(tu::VerifyAt(*v, AsView(doc), tu::kDocTime + 601), "expired");
  // Skew: a document dated after now, its chain checked at its own time.
  Policy q;
  q.check_chain_at = ChainTime::kDocument;
  auto w = tu::DevVerifier(q);
  BOOST_TEST(tu::VerifyAt(*w, AsView(doc), tu::kDocTime - 300).valid());
  ExpectOnly(tu::VerifyAt(*w, AsView(doc), tu::kDocTime - 301), "not_yet_valid");
}

BOOST_AUTO_TEST_CASE(debug_enclaves) {
  sim::DocumentSpec spec;
  spec.pcrs = sim::DebugPcrs();
  const Bytes doc = tu::MakeDoc(spec);
  const Verdict r = tu::VerifyAt(*tu::DevVerifier(), AsView(doc), kNow);
  ExpectOnly(r, "debug_enclave");
  BOOST_TEST(r.debug);
  BOOST_TEST(r.hardware_verified);
  BOOST_TEST(r.certificate_chain_valid);
  Policy allow;
  allow.allow_debug = true;
  BOOST_TEST(tu::VerifyAt(*tu::DevVerifier(allow), AsView(doc), kNow).valid());
}

BOOST_AUTO_TEST_CASE(image_allow_list) {
  const auto pcrs = sim::DefaultPcrs();
  Image ours{{{0, pcrs.at(0)}, {1, pcrs.at(1)}, {2, pcrs.at(2)}}};
  Image other = ours;
  other.pcrs[2] = Bytes(48, 0x55);
  Image with16 = ours;
  with16.pcrs[16] = Bytes(48, 0x16);
  const Bytes doc = tu::MakeDoc();
  Policy p;
  p.images = {other};
  const Verdict miss = tu::VerifyAt(*tu::DevVerifier(p), AsView(doc), kNow);
  ExpectOnly(miss, "measurement_mismatch");
  BOOST_TEST(!miss.measurements_valid);
  p.images = {other, ours};
  BOOST_TEST(tu::VerifyAt(*tu::DevVerifier(p), AsView(doc), kNow).valid());
  // PCR16 pinned: absent from the default document, present in this one.
  p.images = {with16};
  ExpectOnly(tu::VerifyAt(*tu::DevVerifier(p), AsView(doc), kNow), "measurement_mismatch");
  sim::DocumentSpec spec;
  spec.pcrs[16] = Bytes(48, 0x16);  // 17 PCRs
  BOOST_TEST(tu::VerifyAt(*tu::DevVerifier(p), AsView(tu::MakeDoc(spec)), kNow).valid());
}

BOOST_AUTO_TEST_CASE(binding_is_the_whole_64_byte_nonce) {
  auto v = tu::DevVerifier();
  const BindingInput mine{tenzro::tee::ValidatorId{1}, Hash32{2}};
  const BindingInput other{tenzro::tee::ValidatorId{3}, Hash32{2}};
  sim::DocumentSpec spec;
  spec.nonce = sim::BindingNonce(mine);
  const Bytes doc = tu::MakeDoc(spec);
  const Verdict ok = tu::VerifyAt(*v, AsView(doc), kNow, mine);
  BOOST_TEST(ok.valid());
  BOOST_TEST(ok.binding_valid.value_or(false));
  const Verdict bad = tu::VerifyAt(*v, AsView(doc), kNow, other);
  ExpectOnly(bad, "binding_mismatch");
  BOOST_TEST(!bad.binding_valid.value_or(true));
  // No nonce, or only a prefix of the binding: never bound.
  ExpectOnly(tu::VerifyAt(*v, AsView(tu::MakeDoc()), kNow, mine), "binding_mismatch");
  sim::DocumentSpec prefix;
  prefix.nonce = Bytes(spec.nonce->begin(), spec.nonce->begin() + 32);
  ExpectOnly(tu::VerifyAt(*v, AsView(tu::MakeDoc(prefix)), kNow, mine), "binding_mismatch");
}

BOOST_AUTO_TEST_CASE(expected_nonce) {
  auto v = tu::DevVerifier();
  sim::DocumentSpec spec;
  spec.nonce = Bytes{0x4e, 0x6f};
  const Bytes doc = tu::MakeDoc(spec);
  BOOST_TEST(tu::VerifyAt(*v, AsView(doc), kNow, std::nullopt, Bytes{0x4e, 0x6f}).valid());
  ExpectOnly(tu::VerifyAt(*v, AsView(doc), kNow, std::nullopt, Bytes{0x4e}), "nonce_mismatch");
  ExpectOnly(tu::VerifyAt(*v, AsView(tu::MakeDoc()), kNow, std::nullopt, Bytes{0x4e}),
             "nonce_mismatch");
}

BOOST_AUTO_TEST_CASE(the_dev_root_needs_simulation) {
  const Bytes doc = tu::MakeDoc();
  const Verdict off = tu::VerifyAt(*tu::DevVerifier({}, false), AsView(doc), kNow);
  ExpectOnly(off, "simulation_disabled");
  BOOST_TEST(!off.hardware_verified);
  BOOST_TEST(!off.certificate_chain_valid);
  BOOST_TEST(tu::VerifyAt(*tu::DevVerifier({}, true), AsView(doc), kNow).valid());
}

BOOST_AUTO_TEST_CASE(a_warm_verifier_gives_the_same_verdicts) {
  auto v = tu::DevVerifier();
  const x509::PrivateKey other = NewKey();
  sim::DocumentSpec bad;
  bad.signing_key = &other;
  const Bytes docs[] = {tu::MakeDoc(), tu::MakeDoc(bad)};
  for (const Bytes& d : docs) {
    const Verdict cold = tu::VerifyAt(*v, AsView(d), kNow);
    const Verdict warm = tu::VerifyAt(*v, AsView(d), kNow);
    BOOST_TEST(VerdictToJson(cold).dump() == VerdictToJson(warm).dump());
  }
}

BOOST_AUTO_TEST_CASE(reevaluation_applies_the_current_policy_to_stored_claims) {
  const Verdict r = tu::VerifyAt(*tu::DevVerifier(), AsView(tu::MakeDoc()), kNow);
  BOOST_REQUIRE(r.valid());
  auto check = [&](const NitroVerifier& v, uint64_t t) {
    auto f = v.BeginReevaluation(CollateralSet(), t)->Check(r.reeval_claims);
    BOOST_REQUIRE(f.ok());
    return *f ? std::string(FailureCodeName((*f)->code)) : std::string("none");
  };
  BOOST_TEST(check(*tu::DevVerifier(), kNow) == "none");
  BOOST_TEST(check(*tu::DevVerifier(), static_cast<uint64_t>(kLeafNotAfter) + 1) == "expired");
  Policy images;
  images.images = {Image{{{0, Bytes(48, 0x55)}, {1, Bytes(48, 1)}, {2, Bytes(48, 2)}}}};
  BOOST_TEST(check(*tu::DevVerifier(images), kNow) == "measurement_mismatch");
  BOOST_TEST(check(*tu::DevVerifier({}, false), kNow) == "simulation_disabled");
  NitroVerifier aws(Policy{}, CommonPolicy{true, 86400});  // the dev root no longer known
  BOOST_TEST(check(aws, kNow) == "chain_untrusted");
  ClaimSet damaged = r.reeval_claims;
  damaged.erase(claim::kRootFingerprint);
  BOOST_TEST((aws.BeginReevaluation(CollateralSet(), kNow)->Check(damaged).status().code() ==
              ErrorCode::kStorage));
}

BOOST_AUTO_TEST_SUITE_END()
