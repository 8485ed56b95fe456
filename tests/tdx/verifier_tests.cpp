// TdxVerifier on genuine quotes: binding, each policy knob, signature and
// chain failures made by single-byte edits, the pinned root, development
// roots and simulation, evidence age, caches and concurrency, and the epoch
// re-evaluation against admitted collateral.
#include <boost/test/unit_test.hpp>

#include <thread>

#include <openssl/bn.h>

#include <nlohmann/json.hpp>

#include "attestation/tdx/quote.h"
#include "attestation/tdx/validate.h"
#include "crypto/hash.h"
#include "crypto/x509.h"
#include "support/test_support.h"
#include "tdx_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;
using tenzro::tee::tdx::testing::Admit;
using tenzro::tee::tdx::testing::FindCase;
using tenzro::tee::tdx::testing::RunStandalone;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;

namespace {

struct Fixture {
  tenzro::tee::testing::VectorCase c;
  Bytes quote;
  std::vector<Bytes> blobs;
  TeeType type = TeeType::IntelTdx;
};

std::optional<Fixture> Load(const std::string& name) {
  auto c = FindCase(name);
  if (!c) {
    BOOST_TEST_MESSAGE("SKIPPED: real TDX vectors are absent");
    return std::nullopt;
  }
  Fixture f{*c, c->Evidence(), c->AllCollateral()};
  f.type = f.quote.at(4) == 0x81 ? TeeType::IntelTdx : TeeType::IntelSgx;
  return f;
}

Verdict Run(const Fixture& f, const Policy& p = Policy{}, CommonPolicy common = CommonPolicy{},
            std::vector<Hash32> dev = {}, std::optional<BindingInput> binding = std::nullopt,
            std::optional<uint64_t> evidence_time = std::nullopt, const Bytes* quote = nullptr) {
  TdxVerifier v(f.type, p, common, std::move(dev));
  return RunStandalone(v, f.type, quote != nullptr ? *quote : f.quote, f.blobs, f.c.verify_at,
                       binding, evidence_time);
}

Measurement M(uint8_t fill) {
  Measurement m;
  m.fill(fill);
  return m;
}

template <size_t N>
std::array<uint8_t, N> FromClaim(const Verdict& v, const char* name) {
  return *FromHexFixed<N>(v.ClaimsJson().at(name).get<std::string>());
}

const Hash32 kIntelRoot = kIntelRootCaSha256;

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_verifier)

BOOST_AUTO_TEST_CASE(genuine_quote_bound_to_another_key_is_binding_mismatch) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  const BindingInput other{IdFromLabel("validator-x"), HashFromLabel("challenge")};
  const Verdict v = Run(*f, Policy{}, CommonPolicy{}, {}, other);
  BOOST_TEST(!v.valid());
  BOOST_TEST(v.reason() == FailureCode::kBindingMismatch);
  BOOST_TEST(v.failures.size() == 1u);
  BOOST_TEST((v.binding_valid == std::optional<bool>(false)));
  BOOST_TEST(v.hardware_verified);
  BOOST_TEST(v.certificate_chain_valid);
  // No binding input: binding_valid stays null.
  BOOST_TEST(!Run(*f).binding_valid.has_value());
}

BOOST_AUTO_TEST_CASE(verdict_shape_and_valid_until) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  const uint64_t t = f->c.verify_at;
  const Verdict v = Run(*f, Policy{}, CommonPolicy{}, {}, std::nullopt, t - 100);
  BOOST_TEST(v.valid());
  BOOST_TEST(v.measurements_valid);
  BOOST_TEST(!v.debug);
  // min(evidence time + max_age, certificates' notAfter, collateral nextUpdate):
  // here the PCK CRL's nextUpdate, one second after verify_at.
  BOOST_TEST((v.valid_until == std::optional<uint64_t>(t + 1)));
  BOOST_TEST(v.valid_from <= t);
  BOOST_TEST(v.ClaimsJson().at("body_type") == "TD10");
  BOOST_TEST(v.ClaimsJson().at("rtmr3").get<std::string>().size() == 96u);
  BOOST_TEST(v.reeval_claims.count("fmspc") == 1u);
  const auto j = VerdictToJson(v);
  BOOST_TEST(j.at("tee_type") == "IntelTdx");
  BOOST_TEST(j.at("tcb_status") == "UpToDate");
}

BOOST_AUTO_TEST_CASE(evidence_age) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  CommonPolicy common;
  common.max_age_secs = 3600;
  const uint64_t t = f->c.verify_at;
  BOOST_TEST(Run(*f, Policy{}, common, {}, std::nullopt, t - 3600).valid());
  const Verdict old = Run(*f, Policy{}, common, {}, std::nullopt, t - 3601);
  BOOST_TEST(old.reason() == FailureCode::kExpired);
  BOOST_TEST(old.hardware_verified);
  BOOST_TEST(Run(*f, Policy{}, common, {}, std::nullopt, t + 10).reason() ==
             FailureCode::kNotYetValid);
}

BOOST_AUTO_TEST_CASE(single_byte_edits) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  auto q = ParseQuote(AsView(f->quote));
  BOOST_REQUIRE(q.ok());
  const auto off = [&](ByteView part) {
    return static_cast<size_t>(part.data() - f->quote.data());
  };
  const size_t sig_at = off(q->certified) - fmt::kEcdsaSignatureSize;
  struct Row {
    const char* name;
    size_t at;
    FailureCode code;
  };
  const std::vector<Row> rows = {
      {"MRTD", fmt::kHeaderSize + fmt::kTdMrTd, FailureCode::kBadSignature},
      {"header user data", fmt::kHdrUserData, FailureCode::kBadSignature},
      {"quote signature", sig_at + 5, FailureCode::kBadSignature},
      {"attestation key", off(q->certified) + 3, FailureCode::kBadSignature},
      {"QE report", off(q->qe_report_raw) + fmt::kRepIsvProdId, FailureCode::kBadSignature},
      {"QE report signature", off(q->qe_report_raw) + fmt::kSgxReportSize + 1,
       FailureCode::kBadSignature},
      {"QE auth data", off(q->qe_auth_data), FailureCode::kBadSignature},
      {"QE vendor id", fmt::kHdrQeVendorId, FailureCode::kUnsupported},
      {"version", fmt::kHdrVersion, FailureCode::kUnsupported},
  };
  for (const auto& r : rows) {
    Bytes edited = f->quote;
    edited[r.at] ^= 0x01;
    const Verdict v = Run(*f, Policy{}, CommonPolicy{}, {}, std::nullopt, std::nullopt, &edited);
    BOOST_TEST(v.reason() == r.code, r.name << ": " << VerdictToJson(v).dump());
    BOOST_TEST(!v.hardware_verified, r.name);
    BOOST_TEST(!v.certificate_chain_valid, r.name);
  }
  // A PEM byte of the PCK certificate's signature: the chain no longer verifies.
  const std::string pem(q->pck_chain_pem.begin(), q->pck_chain_pem.end());
  Bytes edited = f->quote;
  edited[off(q->pck_chain_pem) + pem.find("-----END CERTIFICATE-----") - 10] ^= 0x01;
  const Verdict v = Run(*f, Policy{}, CommonPolicy{}, {}, std::nullopt, std::nullopt, &edited);
  BOOST_TEST(!v.valid());
  BOOST_TEST((v.reason() == FailureCode::kMalformed || v.reason() == FailureCode::kChainUntrusted ||
              v.reason() == FailureCode::kBadSignature));
  BOOST_TEST(!v.hardware_verified);
}

BOOST_AUTO_TEST_CASE(evidence_of_the_other_type_is_unsupported) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  Fixture g = *f;
  g.type = TeeType::IntelSgx;
  BOOST_TEST(Run(g).reason() == FailureCode::kUnsupported);
}

BOOST_AUTO_TEST_CASE(unpinned_root_is_untrusted) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  Policy p;
  p.root_ca_sha256 = HashFromLabel("some other root");
  const Verdict v = Run(*f, p);
  BOOST_TEST(v.reason() == FailureCode::kChainUntrusted);
  BOOST_TEST(!v.hardware_verified);
  // The layer alone says the same.
  TdxVerifier layer(f->type, p, CommonPolicy{});
  VerifyRequest req;
  req.evidence = AsView(f->quote);
  req.now = f->c.verify_at;
  BOOST_TEST(layer.VerifyQuoteAndPckChain(req)->reason() == FailureCode::kChainUntrusted);
}

BOOST_AUTO_TEST_CASE(development_root_needs_simulation) {
  // Treat Intel's root as a development root (pinned root elsewhere): the
  // evidence is then dev-rooted.
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  Policy p;
  p.root_ca_sha256 = HashFromLabel("production root");
  const Verdict off = Run(*f, p, CommonPolicy{false, 86400}, {kIntelRoot});
  BOOST_TEST(off.reason() == FailureCode::kSimulationDisabled);
  BOOST_TEST(off.failures.size() == 1u);
  BOOST_TEST(!off.hardware_verified);
  BOOST_TEST(!off.certificate_chain_valid);
  const Verdict on = Run(*f, p, CommonPolicy{true, 86400}, {kIntelRoot});
  BOOST_TEST(on.valid(), VerdictToJson(on).dump());
  BOOST_TEST(!on.hardware_verified);
  BOOST_TEST((on.tcb_status == std::optional<std::string>("UpToDate")));
}

BOOST_AUTO_TEST_CASE(development_collateral_is_never_used_for_intel_evidence) {
  // Collateral admitted under a development anchor has other keys: an Intel
  // quote finds none of it.
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  Policy dev_policy;
  dev_policy.root_ca_sha256 = HashFromLabel("production root");
  TdxVerifier dev(f->type, dev_policy, CommonPolicy{true, 86400}, {kIntelRoot});
  const CollateralSet dev_set = Admit(dev, f->blobs, f->c.verify_at);
  BOOST_TEST(dev_set.docs().size() == 8u);
  TdxVerifier prod(f->type, Policy{}, CommonPolicy{true, 86400});
  VerifyRequest req;
  req.evidence = AsView(f->quote);
  req.now = f->c.verify_at;
  req.collateral = &dev_set;
  const auto v = prod.Verify(req);
  BOOST_REQUIRE(v.ok());
  BOOST_TEST(v->reason() == FailureCode::kCollateralMissing);
  BOOST_TEST(v->hardware_verified);
}

BOOST_AUTO_TEST_CASE(tdx_allow_lists) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  const Verdict base = Run(*f);
  const auto mrtd = FromClaim<48>(base, "mrtd");
  Policy p;
  p.mrtd = {M(1), mrtd};
  BOOST_TEST(Run(*f, p).valid());
  p.mrtd = {M(1)};
  Verdict v = Run(*f, p);
  BOOST_TEST(v.reason() == FailureCode::kMeasurementMismatch);
  BOOST_TEST(!v.measurements_valid);
  BOOST_TEST(v.hardware_verified);
  for (size_t i = 0; i < 4; ++i) {
    Policy r;
    r.rtmr[i] = {M(2)};
    BOOST_TEST(Run(*f, r).reason() == FailureCode::kMeasurementMismatch, "rtmr" << i);
    r.rtmr[i] = {FromClaim<48>(base, ("rtmr" + std::to_string(i)).c_str())};
    BOOST_TEST(Run(*f, r).valid(), "rtmr" << i);
  }
  Policy s;
  s.mrseam = {M(3)};
  BOOST_TEST(Run(*f, s).reason() == FailureCode::kMeasurementMismatch);
  s.mrseam = {FromClaim<48>(base, "mrseam")};
  BOOST_TEST(Run(*f, s).valid());
  Policy c;
  c.mrconfigid = {M(4)};
  BOOST_TEST(Run(*f, c).reason() == FailureCode::kMeasurementMismatch);
  c.mrconfigid = {FromClaim<48>(base, "mrconfigid")};
  BOOST_TEST(Run(*f, c).valid());
}

BOOST_AUTO_TEST_CASE(sept_ve_disable) {
  auto f = Load("tdx-v4-uptodate");  // td_attributes 0000001000000000: bit 28 set
  if (!f) return;
  Policy p;
  p.require_sept_ve_disable = true;
  BOOST_TEST(Run(*f, p).valid());
  auto g = Load("tdx-v4-spr-e4-no-matching-tcb");  // 0000004000000000: clear
  if (!g) return;
  const Verdict v = Run(*g, p);
  BOOST_TEST(v.Has(FailureCode::kPolicyViolation));
  BOOST_TEST(!Run(*g).Has(FailureCode::kPolicyViolation));
}

BOOST_AUTO_TEST_CASE(sgx_allow_lists) {
  auto f = Load("sgx-v3-zkdcap-sw-hardening");
  if (!f) return;
  const Verdict base = Run(*f);
  BOOST_REQUIRE(base.valid());
  Policy p;
  p.sgx_mrenclave = {FromClaim<32>(base, "mrenclave")};
  p.sgx_mrsigner = {FromClaim<32>(base, "mrsigner")};
  p.sgx_isvprodid = {base.ClaimsJson().at("isv_prod_id").get<uint16_t>()};
  p.sgx_min_isvsvn = base.ClaimsJson().at("isv_svn").get<uint16_t>();
  BOOST_TEST(Run(*f, p).valid());
  Policy q = p;
  q.sgx_mrenclave = {std::array<uint8_t, 32>{}};
  BOOST_TEST(Run(*f, q).reason() == FailureCode::kMeasurementMismatch);
  q = p;
  q.sgx_mrsigner = {std::array<uint8_t, 32>{}};
  BOOST_TEST(Run(*f, q).reason() == FailureCode::kMeasurementMismatch);
  q = p;
  q.sgx_isvprodid = {static_cast<uint16_t>(p.sgx_isvprodid[0] + 1)};
  BOOST_TEST(Run(*f, q).reason() == FailureCode::kMeasurementMismatch);
  q = p;
  q.sgx_min_isvsvn = static_cast<uint16_t>(p.sgx_min_isvsvn + 1);
  BOOST_TEST(Run(*f, q).reason() == FailureCode::kPolicyViolation);
}

BOOST_AUTO_TEST_CASE(accepted_tcb_statuses) {
  auto f = Load("sgx-v3-zkdcap-sw-hardening");
  if (!f) return;
  Policy p;
  p.accepted_tcb_statuses = {TcbStatus::kUpToDate};
  const Verdict v = Run(*f, p);
  BOOST_TEST(v.reason() == FailureCode::kTcbStatusRejected);
  BOOST_TEST((v.tcb_status == std::optional<std::string>("SWHardeningNeeded")));
  // A grace period applies to OutOfDate only.
  p.outofdate_grace_secs = 1u << 30;
  BOOST_TEST(Run(*f, p).reason() == FailureCode::kTcbStatusRejected);
  p.accepted_tcb_statuses.insert(TcbStatus::kSWHardeningNeeded);
  BOOST_TEST(Run(*f, p).valid());
}

BOOST_AUTO_TEST_CASE(crls_required_by_policy) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  Fixture g = *f;
  g.blobs = {f->c.Collateral("pck_sign_chain"), f->c.Collateral("tcb_sign_chain"),
             f->c.Collateral("tcb_info"), f->c.Collateral("qe_identity")};
  BOOST_TEST(Run(g).valid());
  Policy p;
  p.require_crls = true;
  const Verdict v = Run(g, p);
  BOOST_TEST(v.reason() == FailureCode::kCollateralMissing);
  BOOST_TEST(v.failures.size() == 2u);
  // Typed fetch hints name exactly the two missing CRLs (DESIGN §9).
  BOOST_REQUIRE(v.fetch_hints.size() == 2u);
  BOOST_TEST(v.fetch_hints[0].kind == kKindPckCrl);
  BOOST_TEST((v.fetch_hints[0].name == "platform" || v.fetch_hints[0].name == "processor"));
  BOOST_TEST(v.fetch_hints[1].kind == kKindRootCaCrl);
  BOOST_TEST(Run(g).fetch_hints.empty());  // not required: nothing missing
  BOOST_TEST(Run(*f, p).valid());
  BOOST_TEST(Run(*f, p).fetch_hints.empty());
  // Without QE Identity: fail closed, and hinted.
  g.blobs.pop_back();
  const Verdict no_qe = Run(g);
  BOOST_TEST(no_qe.reason() == FailureCode::kCollateralMissing);
  BOOST_REQUIRE(no_qe.fetch_hints.size() == 1u);
  BOOST_TEST(no_qe.fetch_hints[0].kind == kKindQeIdentity);
  // Without TCB Info: hinted by the quote's FMSPC.
  g.blobs = {f->c.Collateral("pck_sign_chain"), f->c.Collateral("tcb_sign_chain"),
             f->c.Collateral("qe_identity")};
  const Verdict no_tcb = Run(g);
  BOOST_TEST(no_tcb.reason() == FailureCode::kCollateralMissing);
  BOOST_REQUIRE(no_tcb.fetch_hints.size() == 1u);
  BOOST_TEST(no_tcb.fetch_hints[0].kind == kKindTcbInfo);
  BOOST_TEST(ToHex(AsView(no_tcb.fetch_hints[0].id)) ==
             ToHex(AsView(no_tcb.reeval_claims.at("fmspc"))));
}

// Issue 9 item 2: a verification against a set lacking the TCB Info's
// signer must fail alike on a verifier that earlier verified against a set
// holding it (the standalone path's extra issuers) and on a fresh one.
BOOST_AUTO_TEST_CASE(collateral_authentication_depends_only_on_the_set_at_hand) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  TdxVerifier seen(f->type, Policy{}, CommonPolicy{});
  TdxVerifier fresh(f->type, Policy{}, CommonPolicy{});
  const CollateralSet full = Admit(seen, f->blobs, f->c.verify_at);
  // The same documents but the certificates documents that hold the TCB
  // Signing certificate (as a node that never admitted them holds them).
  std::vector<CollateralDoc> docs;
  for (const auto& d : full.docs()) {
    bool holds_signer = false;
    for (const Bytes& der : x509::PemBlocksDer(AsView(d.data), "CERTIFICATE")) {
      auto c = x509::Certificate::FromDer(AsView(der));
      holds_signer |=
          c.ok() && c->SubjectAttr("CN") == std::optional<std::string>("Intel SGX TCB Signing");
    }
    if (d.kind != kKindCerts || !holds_signer) docs.push_back(d);
  }
  const CollateralSet partial(std::move(docs));
  BOOST_REQUIRE(partial.docs().size() < full.docs().size());
  VerifyRequest req;
  req.evidence = AsView(f->quote);
  req.now = f->c.verify_at;
  req.collateral = &full;
  BOOST_REQUIRE(seen.Verify(req)->valid());
  req.collateral = &partial;
  const auto expected = VerdictToJson(*fresh.Verify(req)).dump();
  BOOST_TEST(fresh.Verify(req)->reason() == FailureCode::kChainIncomplete);
  BOOST_TEST(VerdictToJson(*seen.Verify(req)).dump() == expected);
  seen.ClearCaches();
  BOOST_TEST(VerdictToJson(*seen.Verify(req)).dump() == expected);
  // The issuer index extended admission by admission and the one built from
  // the stored documents give the same answer.
  std::vector<CollateralDoc> stored(full.docs().begin(), full.docs().end());
  const CollateralSet reloaded(std::move(stored));
  req.collateral = &full;
  const auto incremental = VerdictToJson(*fresh.Verify(req)).dump();
  req.collateral = &reloaded;
  BOOST_TEST(VerdictToJson(*fresh.Verify(req)).dump() == incremental);
}

// Issue 9 item 8 (§4): the evidence id is that of the signed content
// (header + body). Trailing bytes and the high-S form of the same ECDSA
// signature (s' = n - s) are the same evidence; both forms verify (OpenSSL,
// like Intel's QVL, does not require low S), so the id, not the signature
// encoding, is what "one evidence, one validator" is enforced on.
BOOST_AUTO_TEST_CASE(evidence_id_is_the_signed_content) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  auto verdict_of = [&](const Bytes& quote) {
    return Run(*f, Policy{}, CommonPolicy{}, {}, {}, {}, &quote);
  };
  const Verdict base = verdict_of(f->quote);
  BOOST_REQUIRE(base.valid());
  BOOST_REQUIRE(base.evidence_id.has_value());

  Bytes trailing = f->quote;
  trailing.insert(trailing.end(), {0xde, 0xad, 0xbe, 0xef});
  const Verdict t = verdict_of(trailing);
  BOOST_TEST(t.valid());
  BOOST_TEST((t.evidence_id == base.evidence_id));

  auto q = ParseQuote(AsView(f->quote));
  BOOST_REQUIRE(q.ok());
  auto at = std::search(f->quote.begin(), f->quote.end(), q->signature.begin(), q->signature.end());
  BOOST_REQUIRE((at != f->quote.end()));
  BIGNUM* n = nullptr;
  BOOST_REQUIRE(BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551") >
                0);
  BIGNUM* sv = BN_bin2bn(q->signature.data() + 32, 32, nullptr);
  BOOST_REQUIRE(BN_sub(sv, n, sv) == 1);
  Bytes high_s = f->quote;
  const auto s_at = static_cast<size_t>(at - f->quote.begin()) + 32;
  BOOST_REQUIRE(BN_bn2binpad(sv, high_s.data() + s_at, 32) == 32);
  BN_free(sv);
  BN_free(n);
  BOOST_REQUIRE((high_s != f->quote));
  const Verdict h = verdict_of(high_s);
  BOOST_TEST(h.valid(), VerdictToJson(h).dump());
  BOOST_TEST((h.evidence_id == base.evidence_id));

  // Other signed content, another id (even though it no longer verifies).
  Bytes other = f->quote;
  other[q->signed_data.size() - 1] ^= 0x01;  // last byte of the body
  const Verdict o = verdict_of(other);
  BOOST_REQUIRE(o.evidence_id.has_value());
  BOOST_TEST((o.evidence_id != base.evidence_id));
}

BOOST_AUTO_TEST_CASE(caches_hit_and_never_change_the_verdict) {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return;
  TdxVerifier v(f->type, Policy{}, CommonPolicy{});
  const CollateralSet set = Admit(v, f->blobs, f->c.verify_at);
  VerifyRequest req;
  req.evidence = AsView(f->quote);
  req.now = f->c.verify_at;
  req.collateral = &set;
  const auto first = VerdictToJson(*v.Verify(req)).dump();
  const auto s1 = v.cache_stats();
  const auto second = VerdictToJson(*v.Verify(req)).dump();
  const auto s2 = v.cache_stats();
  BOOST_TEST(first == second);
  BOOST_TEST(s2.certification_hits == s1.certification_hits + 1);
  BOOST_TEST(s2.certification_misses == s1.certification_misses);
  BOOST_TEST(s2.collateral_misses == s1.collateral_misses);
  // Windows are still checked per call on cached entries.
  req.now = f->c.verify_at + 2;
  BOOST_TEST(v.Verify(req)->reason() == FailureCode::kExpired);
  // A platform never seen before: at most its PCK leaf is parsed again
  // (here none: the leaf was also admitted as a collateral document).
  req.now = f->c.verify_at;
  v.ClearEvidenceCaches();
  BOOST_TEST(VerdictToJson(*v.Verify(req)).dump() == first);
  const auto s3 = v.cache_stats();
  BOOST_TEST(s3.certification_misses == s2.certification_misses + 1);
  BOOST_TEST(s3.certificates_parsed <= s2.certificates_parsed + 1);
  BOOST_TEST(s3.collateral_misses == s2.collateral_misses);
  // Everything cleared: the set still remembers what authenticated in it
  // (its AuthMemo, a function of the set value and the anchors) ...
  v.ClearCaches();
  BOOST_TEST(VerdictToJson(*v.Verify(req)).dump() == first);
  BOOST_TEST(v.cache_stats().collateral_misses == s3.collateral_misses);
  // ... and another set value with the same documents starts afresh:
  // collateral is parsed and authenticated again, to the same verdict.
  const CollateralSet fresh(std::vector<CollateralDoc>(set.docs().begin(), set.docs().end()));
  req.collateral = &fresh;
  BOOST_TEST(VerdictToJson(*v.Verify(req)).dump() == first);
  BOOST_TEST(v.cache_stats().collateral_misses > s3.collateral_misses);
  req.collateral = &set;

  // Concurrent verifications give the same verdict.
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 10; ++k) {
        if (k == 5) v.ClearCaches();
        auto r = v.Verify(req);
        if (!r.ok() || VerdictToJson(*r).dump() != first) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(mismatches.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- epoch re-evaluation ------------------------------------------------------

namespace {

// A TCB Info doc as admission would store it, made from `info` without a
// valid signature: re-evaluation never checks signatures.
CollateralDoc HandMadeTcbInfo(const nlohmann::json& info, const CollateralDoc& like) {
  const std::string text =
      "{\"tcbInfo\":" + info.dump() + ",\"signature\":\"" + std::string(128, '0') + "\"}";
  CollateralDoc d = like;
  d.data.assign(text.begin(), text.end());
  d.content_hash = crypto::Sha256(AsView(d.data));
  d.rank = info.at("tcbEvaluationDataNumber").get<uint64_t>();
  return d;
}

struct Reeval {
  Fixture f;
  CollateralSet set;
  Verdict verdict;
  std::optional<CollateralDoc> tcb;
};

std::optional<Reeval> PrepareReeval() {
  auto f = Load("tdx-v4-uptodate");
  if (!f) return std::nullopt;
  Reeval r{*f, {}, {}, std::nullopt};
  TdxVerifier v(f->type, Policy{}, CommonPolicy{});
  r.set = Admit(v, f->blobs, f->c.verify_at);
  VerifyRequest req;
  req.evidence = AsView(f->quote);
  req.now = f->c.verify_at;
  req.collateral = &r.set;
  r.verdict = *v.Verify(req);
  for (const auto& d : r.set.docs()) {
    if (d.kind == kKindTcbInfo) r.tcb = d;
  }
  return r;
}

// TCB recovery: a newer level (unreachable components) dated `newer_date`,
// every existing level now OutOfDate.
nlohmann::json Recovery(const CollateralDoc& tcb, const std::string& newer_date) {
  const std::string text(tcb.data.begin(), tcb.data.end());
  nlohmann::json info = nlohmann::json::parse(text).at("tcbInfo");
  info["tcbEvaluationDataNumber"] = info["tcbEvaluationDataNumber"].get<int>() + 1;
  for (auto& l : info["tcbLevels"]) l["tcbStatus"] = "OutOfDate";
  nlohmann::json top = info["tcbLevels"][0];
  for (auto& c : top["tcb"]["sgxtcbcomponents"]) c["svn"] = 255;
  top["tcbDate"] = newer_date;
  top["tcbStatus"] = "UpToDate";
  info["tcbLevels"].insert(info["tcbLevels"].begin(), top);
  return info;
}

CollateralDoc CrlDoc(const char* kind, ByteView key, const Bytes& serial, uint64_t t) {
  auto k = *x509::PrivateKey::Generate(x509::KeyKind::kP256);
  x509::CertSpec spec;
  spec.subject = {{"CN", "test CRL issuer"}};
  spec.is_ca = true;
  spec.not_before = 0;
  spec.not_after = static_cast<int64_t>(t) + 86400;
  auto issuer = *x509::IssueCertificate(spec, k.public_key(), nullptr, k);
  x509::CrlSpec c;
  c.this_update = static_cast<int64_t>(t) - 10;
  c.next_update = static_cast<int64_t>(t) + 86400;
  c.revoked_serials_be = {serial};
  auto crl = *x509::IssueCrl(c, issuer, k);
  CollateralDoc d;
  d.tee_type = TeeType::IntelTdx;
  d.kind = kind;
  d.key.assign(key.begin(), key.end());
  d.this_update = t - 10;
  d.next_update = t + 86400;
  d.data = crl.der();
  d.content_hash = crypto::Sha256(AsView(d.data));
  return d;
}

Bytes KeyWith(const ClaimSet& claims, const char* issuer_claim) {
  Bytes k{kAnchorIntel};
  const Bytes& h = claims.at(issuer_claim);
  k.insert(k.end(), h.begin(), h.end());
  return k;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_reevaluation)

BOOST_AUTO_TEST_CASE(unchanged_collateral_keeps_the_record) {
  auto r = PrepareReeval();
  if (!r) return;
  BOOST_REQUIRE(r->verdict.valid());
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  BOOST_TEST(!v.BeginReevaluation(r->set, r->f.c.verify_at)
                  ->Check(r->verdict.reeval_claims)
                  .value()
                  .has_value());
  // No collateral at all: nothing to re-check (valid_until covers expiry).
  BOOST_TEST(!v.BeginReevaluation(CollateralSet(), r->f.c.verify_at)
                  ->Check(r->verdict.reeval_claims)
                  .value()
                  .has_value());
}

BOOST_AUTO_TEST_CASE(newer_tcb_info_makes_the_level_out_of_date) {
  auto r = PrepareReeval();
  if (!r) return;
  BOOST_REQUIRE(r->tcb.has_value());
  const uint64_t t = r->f.c.verify_at;
  // The recovery was published 10 days before t.
  const CollateralSet set =
      r->set.With(HandMadeTcbInfo(Recovery(*r->tcb, "2025-07-09T10:00:00Z"), *r->tcb));
  // Default policy accepts OutOfDate (reported, not demoted).
  TdxVerifier defaults(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  BOOST_TEST(
      !defaults.BeginReevaluation(set, t)->Check(r->verdict.reeval_claims).value().has_value());
  // A strict policy demotes.
  Policy strict;
  strict.accepted_tcb_statuses = {TcbStatus::kUpToDate, TcbStatus::kSWHardeningNeeded};
  TdxVerifier sv(TeeType::IntelTdx, strict, CommonPolicy{});
  auto failure = sv.BeginReevaluation(set, t)->Check(r->verdict.reeval_claims).value();
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->code == FailureCode::kTcbStatusRejected);
  // ... unless inside the grace period after the newer level's tcbDate.
  strict.outofdate_grace_secs = 30 * 86400;
  TdxVerifier grace(TeeType::IntelTdx, strict, CommonPolicy{});
  BOOST_TEST(!grace.BeginReevaluation(set, t)->Check(r->verdict.reeval_claims).value().has_value());
  strict.outofdate_grace_secs = 5 * 86400;
  TdxVerifier short_grace(TeeType::IntelTdx, strict, CommonPolicy{});
  BOOST_TEST(
      short_grace.BeginReevaluation(set, t)->Check(r->verdict.reeval_claims).value().has_value());
  // The older document alone (selection before the newer one existed) keeps it.
  BOOST_TEST(!sv.BeginReevaluation(r->set, t)->Check(r->verdict.reeval_claims).value().has_value());
}

BOOST_AUTO_TEST_CASE(newer_tcb_info_without_any_matching_level) {
  auto r = PrepareReeval();
  if (!r) return;
  auto info = Recovery(*r->tcb, "2025-07-09T10:00:00Z");
  info["tcbLevels"].erase(info["tcbLevels"].begin() + 1, info["tcbLevels"].end());
  const CollateralSet set = r->set.With(HandMadeTcbInfo(info, *r->tcb));
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  auto failure =
      v.BeginReevaluation(set, r->f.c.verify_at)->Check(r->verdict.reeval_claims).value();
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->code == FailureCode::kNoMatchingTcb);
}

BOOST_AUTO_TEST_CASE(crl_revoking_the_pck_or_its_ca) {
  auto r = PrepareReeval();
  if (!r) return;
  const ClaimSet& claims = r->verdict.reeval_claims;
  const uint64_t t = r->f.c.verify_at;
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  // A newer PCK CRL listing the PCK, signed by another key than the record's
  // PCK CA (CrlDoc's issuer): not the leaf's CA's CRL, so it is ignored ...
  CollateralDoc pck =
      CrlDoc(kKindPckCrl, AsView(KeyWith(claims, "pck_issuer")), claims.at("pck_serial"), t);
  pck.this_update = t - 5;
  BOOST_REQUIRE(claims.count("pck_ca_key") == 1u);
  BOOST_TEST(!v.BeginReevaluation(r->set.With(pck), t)->Check(claims).value().has_value());
  // ... while a record stored before the PCK CA key was a claim is checked
  // by the CRL its issuer name selects.
  ClaimSet legacy = claims;
  legacy.erase("pck_ca_key");
  auto failure = v.BeginReevaluation(r->set.With(pck), t)->Check(legacy).value();
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->code == FailureCode::kRevoked);
  // The Root CA CRL listing the PCK CA.
  CollateralDoc root = CrlDoc(kKindRootCaCrl, AsView(KeyWith(claims, "pck_ca_issuer")),
                              claims.at("pck_ca_serial"), t);
  root.this_update = t - 5;
  failure = v.BeginReevaluation(r->set.With(root), t)->Check(claims).value();
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(failure->code == FailureCode::kRevoked);
  // A CRL listing another serial changes nothing.
  CollateralDoc other =
      CrlDoc(kKindPckCrl, AsView(KeyWith(claims, "pck_issuer")), Bytes{0x01, 0x02}, t);
  other.this_update = t - 5;
  BOOST_TEST(!v.BeginReevaluation(r->set.With(other), t)->Check(legacy).value().has_value());
}

BOOST_AUTO_TEST_CASE(chain_expiry_and_bad_claims) {
  auto r = PrepareReeval();
  if (!r) return;
  ClaimSet claims = r->verdict.reeval_claims;
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  uint64_t not_after = 0;
  for (size_t i = 8; i > 0; --i) not_after = (not_after << 8) | claims.at("chain_not_after")[i - 1];
  BOOST_TEST(!v.BeginReevaluation(CollateralSet(), not_after)->Check(claims).value().has_value());
  auto f = v.BeginReevaluation(CollateralSet(), not_after + 1)->Check(claims).value();
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(f->code == FailureCode::kExpired);
  claims.erase("fmspc");
  // Incomplete stored claims are the machine's failure, never a verdict.
  auto broken = v.BeginReevaluation(CollateralSet(), r->f.c.verify_at)->Check(claims);
  BOOST_REQUIRE(!broken.ok());
  BOOST_TEST((broken.status().code() == ErrorCode::kStorage));
}

// Issue 9 item 6 for TDX: a parameter migration of the quote-body policy
// (allow-lists, SEPT_VE_DISABLE) applies to records verified before it.
BOOST_AUTO_TEST_CASE(quote_policy_migration_applies_to_old_records) {
  auto r = PrepareReeval();
  if (!r) return;
  const ClaimSet& claims = r->verdict.reeval_claims;
  const uint64_t t = r->f.c.verify_at;
  auto facts = FactsFromClaims(claims);
  BOOST_REQUIRE(facts.ok());
  BOOST_REQUIRE(facts->has_value());
  auto check = [&](const Policy& p) {
    TdxVerifier v(TeeType::IntelTdx, p, CommonPolicy{});
    auto f = v.BeginReevaluation(r->set, t)->Check(claims);
    BOOST_REQUIRE(f.ok());
    return f->has_value() ? std::string(FailureCodeName((*f)->code)) : std::string("kept");
  };
  Policy own;
  own.mrtd = {(*facts)->mr_td};
  BOOST_TEST(check(own) == "kept");
  Policy other;
  other.mrtd = {(*facts)->mr_td};
  other.mrtd[0][0] ^= 1;
  BOOST_TEST(check(other) == "measurement_mismatch");
  Policy sept;
  sept.require_sept_ve_disable = true;
  const bool has_sept = ((*facts)->td_attributes[3] & 0x10) != 0;
  BOOST_TEST(check(sept) == (has_sept ? "kept" : "policy_violation"));
}

// Issue 9 item 9: an admitted document that no longer parses fails the
// epoch (a storage error); it is never treated as absent.
BOOST_AUTO_TEST_CASE(unparsable_admitted_document_is_a_machine_failure) {
  auto r = PrepareReeval();
  if (!r || !r->tcb) return;
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  CollateralDoc corrupt = *r->tcb;
  corrupt.data.resize(corrupt.data.size() / 2);
  corrupt.content_hash = crypto::Sha256(AsView(corrupt.data));
  corrupt.rank += 1;  // selected over the intact one
  const CollateralSet set = r->set.With(corrupt);
  auto out = v.BeginReevaluation(set, r->f.c.verify_at)->Check(r->verdict.reeval_claims);
  BOOST_REQUIRE(!out.ok());
  BOOST_TEST((out.status().code() == ErrorCode::kStorage));
}

// Issue 9 item 6: re-evaluation applies the current anchors and simulation
// switch, not those of the registration.
BOOST_AUTO_TEST_CASE(parameter_migration_is_applied) {
  auto r = PrepareReeval();
  if (!r) return;
  const ClaimSet& claims = r->verdict.reeval_claims;
  const uint64_t t = r->f.c.verify_at;
  // The pinned root changed: the record's chain is no longer trusted.
  Policy moved;
  moved.root_ca_sha256 = HashFromLabel("another pinned root");
  TdxVerifier after_move(TeeType::IntelTdx, moved, CommonPolicy{});
  auto f = after_move.BeginReevaluation(r->set, t)->Check(claims).value();
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(f->code == FailureCode::kChainUntrusted);
  // A record whose root is a development root (Intel's, re-rooted as in
  // development_root_needs_simulation): kept with simulation on, demoted
  // once simulation is switched off.
  TdxVerifier sim_on(TeeType::IntelTdx, moved, CommonPolicy{true, 86400}, {kIntelRoot});
  BOOST_TEST(!sim_on.BeginReevaluation(r->set, t)->Check(claims).value().has_value());
  TdxVerifier sim_off(TeeType::IntelTdx, moved, CommonPolicy{false, 86400}, {kIntelRoot});
  f = sim_off.BeginReevaluation(r->set, t)->Check(claims).value();
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(f->code == FailureCode::kSimulationDisabled);
  // A narrower TCB policy is applied to the record as it stands.
  Policy strict;
  strict.accepted_tcb_statuses = {TcbStatus::kOutOfDate};
  TdxVerifier narrowed(TeeType::IntelTdx, strict, CommonPolicy{});
  f = narrowed.BeginReevaluation(r->set, t)->Check(claims).value();
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(f->code == FailureCode::kTcbStatusRejected);
}

BOOST_AUTO_TEST_SUITE_END()
