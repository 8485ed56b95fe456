// Issue 9 on the SNP verifier: every candidate leaf is tried (item 7), the
// evidence identity is the signed report (item 8), re-evaluation applies the
// current anchors and policy (item 6), and signer roles (item 4).
#include <boost/test/unit_test.hpp>

#include <functional>

#include "attestation/pipeline.h"
#include "attestation/snp/snp_verifier.h"
#include "crypto/hash.h"
#include "snp_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
namespace tu = tenzro::tee::snp::testutil;

namespace {

VerifierOptions NoDev() {
  VerifierOptions o;
  o.dev_arks.clear();
  return o;
}

// A signed Genoa (or other) v3 report and the VEK that certifies it.
struct Genuine {
  Product product = Product::kGenoa;
  bool vlek = false;
  Bytes report;
  tu::VekSpec vek;

  explicit Genuine(Product p = Product::kGenoa, bool vlek_ = false) : product(p), vlek(vlek_) {
    report = tu::ReportTemplate(p, 3);
    if (vlek)
      tu::PutLe(report, format::kSignerInfo,
                format::kSigningKeyVlek << format::kSignerSigningKeyShift);
    tu::Sign(report, key());
    vek.vlek = vlek;
    vek.tcb = tu::DefaultTcb(p);
    if (!vlek) vek.hwid = tu::ChipIdOf(report, p);
  }
  const tu::TestPki& pki() const { return tu::Pki(product); }
  const x509::PrivateKey& key() const { return vlek ? pki().vlek_key : pki().vcek_key; }
  void Edit(const std::function<void(Bytes&)>& f) {
    f(report);
    tu::Sign(report, key());
  }
  x509::Certificate Vek() const { return tu::IssueVek(pki(), vek); }
  Bytes CaChain() const {
    return tu::Pem({vlek ? pki().asvk.cert : pki().ask.cert, pki().ark.cert});
  }
};

Verdict Run(const SnpVerifier& v, ByteView evidence, const CollateralSet& set,
            uint64_t now = tu::kNow) {
  VerifyRequest req;
  req.evidence = evidence;
  req.collateral = &set;
  req.now = now;
  auto r = v.Verify(req);
  BOOST_REQUIRE(r.ok());
  return *r;
}

std::string Dump(const Verdict& v) { return VerdictToJson(v).dump(); }
std::string Reason(const Verdict& v) { return std::string(FailureCodeName(v.reason())); }

Bytes Fp(const x509::Certificate& c) {
  return Bytes(c.fingerprint().begin(), c.fingerprint().end());
}

// Fingerprint order is what a verifier trying one leaf would follow, so the
// tests arrange it instead of hoping for it: the right VEK sorts in the upper
// half (its certificate is re-issued, RSA-PSS salts are random) and at least
// one wrong VEK in the lower half. Each loop fails with probability 2^-64.
bool UpperHalf(const x509::Certificate& c) { return c.fingerprint()[0] >= 0x80; }

x509::Certificate RightVek(const Genuine& g) {
  for (int i = 0; i < 64; ++i) {
    x509::Certificate c = g.Vek();
    if (UpperHalf(c)) return c;
  }
  BOOST_FAIL("no VEK certificate in the upper half of fingerprints in 64 issues");
  return g.Vek();
}

// VEKs of g's kind and TCB under keys that did not sign g's report, at least
// one of which sorts before `right` (in the upper half) by fingerprint.
std::vector<x509::Certificate> WrongVeks(const Genuine& g, const x509::Certificate& right,
                                         Bytes hwid) {
  BOOST_REQUIRE(UpperHalf(right));
  std::vector<x509::Certificate> out;
  bool before = false;
  for (int i = 0; !before || out.size() < 3; ++i) {
    BOOST_REQUIRE(i < 64);
    auto k = x509::PrivateKey::Generate(x509::KeyKind::kP384);
    BOOST_REQUIRE(k.ok());
    tu::VekSpec spec = g.vek;
    spec.hwid = hwid;
    spec.key = &*k;
    out.push_back(tu::IssueVek(g.pki(), spec));
    before = before || !UpperHalf(out.back());
  }
  return out;
}

void ExpectChosen(const Genuine& g, const std::vector<x509::Certificate>& wrong,
                  const x509::Certificate& right) {
  SnpVerifier v(tu::PinnedTestPolicy(), CommonPolicy{}, NoDev());
  std::vector<Bytes> blobs = {g.CaChain()};
  for (const auto& c : wrong) blobs.push_back(c.der());
  const CollateralSet without = tu::Admit(v, blobs, tu::kNow);
  BOOST_REQUIRE(without.docs().size() == 1 + wrong.size());
  // None of the wrong keys signed the report: bad_signature.
  BOOST_TEST(Reason(Run(v, AsView(g.report), without)) == "bad_signature");
  blobs.push_back(right.der());
  const CollateralSet with = tu::Admit(v, blobs, tu::kNow);
  const Verdict ok = Run(v, AsView(g.report), with);
  BOOST_TEST(ok.valid(), Dump(ok));
  BOOST_TEST((ok.reeval_claims.at(claim::kVekFingerprint) == Fp(right)));
  // A wrong VEK shipped in the evidence's table, the right one admitted.
  const format::Guid guid = g.vlek ? format::kGuidVlek : format::kGuidVcek;
  const CollateralSet ca = tu::Admit(v, {g.CaChain(), right.der()}, tu::kNow);
  const Bytes ext = tu::WithCertTable(g.report, {{guid, wrong.back().der()}});
  const Verdict shipped = Run(v, AsView(ext), ca);
  BOOST_TEST(shipped.valid(), Dump(shipped));
  BOOST_TEST((shipped.reeval_claims.at(claim::kVekFingerprint) == Fp(right)));
}

// A CA certificate named as `named` but with a key of its own, issued by `issuer`.
tu::Ca AskUnder(const tu::Ca& issuer, const x509::Certificate& named) {
  auto key = x509::PrivateKey::Generate(x509::KeyKind::kRsa2048);
  BOOST_REQUIRE(key.ok());
  x509::CertSpec spec;
  spec.subject = tu::Subject(named.SubjectAttr("CN").value_or(""));
  spec.serial_be = {0x42};
  spec.not_before = tu::kCaNotBefore;
  spec.not_after = tu::kCaNotAfter;
  spec.is_ca = true;
  spec.scheme = x509::SigScheme::kRsaPssSha384;
  auto cert = x509::IssueCertificate(spec, key->public_key(), &issuer.cert, issuer.key);
  BOOST_REQUIRE(cert.ok());
  return tu::Ca{*cert, *key};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_pipeline)

// Item 7: several admitted VLEKs (all keyed "VLEK-<product>").
BOOST_AUTO_TEST_CASE(every_admitted_vlek_is_tried) {
  const Genuine g(Product::kMilan, true);
  const x509::Certificate right = RightVek(g);
  ExpectChosen(g, WrongVeks(g, right, {}), right);
}

// Item 7: VCEKs under a masked chip id (any admitted VCEK may be the one).
BOOST_AUTO_TEST_CASE(every_vcek_is_tried_under_a_masked_chip_id) {
  Genuine g(Product::kGenoa);
  g.Edit([](Bytes& r) {
    std::fill(
        r.begin() + format::kChipId.offset,
        r.begin() + static_cast<std::ptrdiff_t>(format::kChipId.offset + format::kChipId.size), 0);
  });
  g.vek.hwid = tu::ChipIdOf(tu::ReportTemplate(Product::kGenoa, 3), Product::kGenoa);
  const x509::Certificate right = RightVek(g);
  Bytes other_hwid = g.vek.hwid;
  other_hwid[0] ^= 0xFF;
  ExpectChosen(g, WrongVeks(g, right, other_hwid), right);
}

// Item 8: one id per signed report, whatever carries it.
BOOST_AUTO_TEST_CASE(evidence_id_is_the_signed_report) {
  const Genuine g;
  SnpVerifier v(tu::PinnedTestPolicy(), CommonPolicy{}, NoDev());
  const CollateralSet set = tu::Admit(v, {g.CaChain(), g.Vek().der()}, tu::kNow);
  const Hash32 expected =
      pipeline::EvidenceId(TeeType::AmdSevSnp, ByteView(g.report.data(), format::kSignedSize));
  const Bytes vcek = g.Vek().der();
  const Bytes ask = g.pki().ask.cert.der(), ark = g.pki().ark.cert.der();
  Bytes trailing = tu::WithCertTable(g.report, {{format::kGuidVcek, vcek}});
  trailing.insert(trailing.end(), 64, 0);
  const std::vector<std::pair<std::string, Bytes>> forms = {
      {"raw", g.report},
      {"table", tu::WithCertTable(g.report, {{format::kGuidVcek, vcek}, {format::kGuidAsk, ask}})},
      {"reordered table", tu::WithCertTable(g.report, {{format::kGuidArk, ark},
                                                       {format::kGuidAsk, ask},
                                                       {format::kGuidVcek, vcek}})},
      {"table with trailing bytes", trailing},
      {"another table", tu::WithCertTable(g.report, {{format::kGuidAsk, ask}})},
      {"hcl", tu::WrapHcl(g.report)},
  };
  for (const auto& [name, ev] : forms) {
    const Verdict r = Run(v, AsView(ev), set);
    BOOST_TEST_CONTEXT(name) {
      BOOST_REQUIRE(r.evidence_id.has_value());
      BOOST_TEST((*r.evidence_id == expected));
    }
  }
  // A report whose signature fails still has an identity; another report has another.
  Bytes bad_sig = g.report;
  bad_sig[format::kSignatureR.offset] ^= 1;
  const Verdict bs = Run(v, AsView(bad_sig), set);
  BOOST_TEST(Reason(bs) == "bad_signature");
  BOOST_TEST((bs.evidence_id == expected));  // the signed bytes are the same
  Genuine other = g;
  other.Edit([](Bytes& r) { r[format::kReportData.offset] ^= 1; });
  const Verdict o = Run(v, AsView(other.report), set);
  BOOST_REQUIRE(o.evidence_id.has_value());
  BOOST_TEST((*o.evidence_id != expected));
  // Unparseable evidence has none.
  BOOST_TEST(!Run(v, AsView(Bytes{1, 2, 3}), set).evidence_id.has_value());
}

// Item 6: after a parameter migration, Check applies the current anchors and
// policy to the stored claims (no signature is re-checked).
BOOST_AUTO_TEST_CASE(reevaluation_applies_current_anchors_and_policy) {
  const Genuine g;
  const uint64_t t = tu::kNow + 3600;
  auto verdict_under = [&](const Policy& p, CommonPolicy c, VerifierOptions o) {
    SnpVerifier v(p, c, o);
    const Verdict r =
        Run(v, AsView(g.report), tu::Admit(v, {g.CaChain(), g.Vek().der()}, tu::kNow));
    BOOST_REQUIRE(r.valid());
    return r.reeval_claims;
  };
  auto check = [&](const Policy& p, CommonPolicy c, VerifierOptions o, const ClaimSet& claims) {
    SnpVerifier v(p, c, o);
    auto r = v.BeginReevaluation(CollateralSet(), t)->Check(claims);
    BOOST_REQUIRE(r.ok());
    return r->has_value() ? std::string(FailureCodeName((*r)->code)) : std::string("kept");
  };
  const Policy pinned = tu::PinnedTestPolicy();
  const ClaimSet claims = verdict_under(pinned, CommonPolicy{}, NoDev());
  BOOST_TEST(check(pinned, CommonPolicy{}, NoDev(), claims) == "kept");
  // The pinned ARK changed (here: back to AMD's).
  BOOST_TEST(check(Policy(), CommonPolicy{}, NoDev(), claims) == "chain_untrusted");
  // Simulation switched off under a record made on a development root.
  CommonPolicy sim;
  sim.simulation = true;
  const ClaimSet dev = verdict_under(Policy(), sim, tu::TestDevOptions());
  BOOST_TEST(dev.at(claim::kDevRoot) == Bytes{1});
  BOOST_TEST(check(Policy(), sim, tu::TestDevOptions(), dev) == "kept");
  BOOST_TEST(check(Policy(), CommonPolicy{}, tu::TestDevOptions(), dev) == "simulation_disabled");
  // The development root no longer known either: untrusted first.
  BOOST_TEST(check(Policy(), sim, NoDev(), dev) == "chain_untrusted");
  // One case per re-checkable policy knob.
  struct Knob {
    const char* name;
    std::function<void(Policy&)> set;
    const char* expected;
  };
  const std::vector<Knob> knobs = {
      {"min_tcb",
       [](Policy& p) {
         p.min_tcb_genoa = MinTcb{0, 0, 0, 200, 0};
       },
       "firmware_too_old"},
      {"min_committed_fw",
       [](Policy& p) {
         p.min_committed_fw = MinFirmware{9, 0, 0};
       },
       "firmware_too_old"},
      {"max_vmpl", [](Policy& p) { p.max_vmpl = 0; }, "kept"},
      {"measurements",
       [](Policy& p) {
         p.measurements = {{}};
         p.measurements[0][0] = 1;
       },
       "measurement_mismatch"},
      {"host_data",
       [](Policy& p) {
         p.host_data = {{}};
         p.host_data[0][0] = 1;
       },
       "measurement_mismatch"},
      {"allow_masked_chip_id", [](Policy& p) { p.allow_masked_chip_id = false; }, "kept"},
  };
  for (const Knob& k : knobs) {
    Policy p = pinned;
    k.set(p);
    BOOST_TEST(check(p, CommonPolicy{}, NoDev(), claims) == k.expected, k.name);
  }
  // A VMPL 2 record under max_vmpl = 1.
  Genuine high = g;
  high.Edit([](Bytes& r) { tu::PutLe(r, format::kVmpl, 2); });
  SnpVerifier hv(pinned, CommonPolicy{}, NoDev());
  const Verdict hr =
      Run(hv, AsView(high.report), tu::Admit(hv, {g.CaChain(), g.Vek().der()}, tu::kNow));
  BOOST_TEST_REQUIRE(hr.valid(), Dump(hr));
  Policy strict = pinned;
  strict.max_vmpl = 1;
  BOOST_TEST(check(strict, CommonPolicy{}, NoDev(), hr.reeval_claims) == "vmpl");
  // A record stored before the fact claims existed is still re-checked for
  // anchors and windows; a record with only some of them is a damaged store.
  ClaimSet legacy = claims;
  for (const char* n : {claim::kReportedTcb, claim::kCommittedFw, claim::kGuestPolicy, claim::kVmpl,
                        claim::kChipIdMasked, claim::kMeasurement, claim::kHostData,
                        claim::kIdKeyDigest, claim::kAuthorKeyDigest}) {
    legacy.erase(n);
  }
  BOOST_TEST(check(pinned, CommonPolicy{}, NoDev(), legacy) == "kept");
  BOOST_TEST(check(Policy(), CommonPolicy{}, NoDev(), legacy) == "chain_untrusted");
  ClaimSet partial = claims;
  partial.erase(claim::kMeasurement);
  SnpVerifier pv(pinned, CommonPolicy{}, NoDev());
  auto pr = pv.BeginReevaluation(CollateralSet(), t)->Check(partial);
  BOOST_REQUIRE(!pr.ok());
  BOOST_TEST((pr.status().code() == ErrorCode::kStorage));
}

// Item 4: each signer role is held by the right certificate only.
BOOST_AUTO_TEST_CASE(signer_roles) {
  const Genuine g;                         // Genoa VCEK
  const Genuine l(Product::kGenoa, true);  // Genoa VLEK
  const tu::TestPki& pki = g.pki();
  const Policy pinned = tu::PinnedTestPolicy();
  SnpVerifier v(pinned, CommonPolicy{}, NoDev());
  const int64_t now = static_cast<int64_t>(tu::kNow);
  const Bytes all_ca = tu::Pem({pki.ask.cert, pki.asvk.cert, pki.ark.cert});
  const tu::Ca vcek_as_ca{g.Vek(), pki.vcek_key};
  const tu::Ca vlek_as_ca{l.Vek(), pki.vlek_key};
  // Evidence-side misuse: a VEK under the wrong intermediate, an
  // intermediate not directly under the ARK.
  struct Case {
    const char* name;
    const Genuine* who;
    std::function<tu::VekSpec(tu::VekSpec)> vek;
    std::vector<Bytes> extra;  // more collateral
    const char* expected;
  };
  // An "ASK" (same name, its own key) issued by the ASVK instead of the ARK.
  const tu::Ca ask_under_asvk_ca = AskUnder(pki.asvk, pki.ask.cert);
  const x509::Certificate& ask_under_asvk = ask_under_asvk_ca.cert;
  const std::vector<Case> cases = {
      {"genuine VCEK", &g, [](tu::VekSpec s) { return s; }, {}, "none"},
      {"genuine VLEK", &l, [](tu::VekSpec s) { return s; }, {}, "none"},
      {"VCEK issued by the ASVK",
       &g,
       [&](tu::VekSpec s) {
         s.issuer = &pki.asvk;
         return s;
       },
       {},
       "chain_untrusted"},
      {"VLEK issued by the ASK",
       &l,
       [&](tu::VekSpec s) {
         s.issuer = &pki.ask;
         return s;
       },
       {},
       "chain_untrusted"},
      {"VCEK issued by a VCEK",
       &g,
       [&](tu::VekSpec s) {
         s.issuer = &vcek_as_ca;
         s.scheme = x509::SigScheme::kEcdsaSha384;
         return s;
       },
       {},
       "chain_untrusted"},
      {"VLEK issued by a VLEK",
       &l,
       [&](tu::VekSpec s) {
         s.issuer = &vlek_as_ca;
         s.scheme = x509::SigScheme::kEcdsaSha384;
         return s;
       },
       {},
       "chain_untrusted"},
      {"VCEK under an ASK that is under the ASVK",
       &g,
       [&](tu::VekSpec s) {
         s.issuer = &ask_under_asvk_ca;
         return s;
       },
       {},
       "chain_untrusted"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      const x509::Certificate vek = tu::IssueVek(c.who->pki(), c.vek(c.who->vek));
      const CollateralSet set = tu::Admit(v, {all_ca}, tu::kNow);
      // The VEK (and a misplaced intermediate) ship in the evidence's table:
      // admission would refuse them.
      std::vector<std::pair<format::Guid, Bytes>> table = {
          {c.who->vlek ? format::kGuidVlek : format::kGuidVcek, vek.der()}};
      if (c.vek(c.who->vek).issuer == &ask_under_asvk_ca)
        table.emplace_back(format::kGuidAsk, ask_under_asvk.der());
      const Verdict r = Run(v, AsView(tu::WithCertTable(c.who->report, table)), set);
      BOOST_TEST((r.valid() ? std::string("none") : Reason(r)) == c.expected, Dump(r));
      const bool admitted =
          tu::Admit(v, {vek.der()}, tu::kNow, set).docs().size() > set.docs().size();
      BOOST_TEST(admitted == (std::string(c.expected) == "none"));
    }
  }
  // An intermediate not directly under the ARK is not admitted either.
  const CollateralSet ark_only = tu::Admit(v, {tu::Pem({pki.ark.cert})}, tu::kNow);
  BOOST_TEST(!v.ParseCollateral(AsView(tu::Pem({ask_under_asvk})), ark_only, tu::kNow).ok());
  // CRLs: only the ARK, or an ASK/ASVK under it, may sign one; a VEK may not.
  const CollateralSet base = tu::Admit(v, {all_ca, g.Vek().der(), l.Vek().der()}, tu::kNow);
  BOOST_REQUIRE(base.docs().size() == 3u);
  auto admits = [&](const tu::Ca& issuer) {
    x509::CrlSpec spec;
    spec.this_update = now - 10;
    spec.next_update = now + 100;
    spec.scheme = issuer.cert.public_key().EcPointXY() ? x509::SigScheme::kEcdsaSha384
                                                       : x509::SigScheme::kRsaPssSha384;
    auto crl = x509::IssueCrl(spec, issuer.cert, issuer.key);
    BOOST_REQUIRE(crl.ok());
    return v.ParseCollateral(AsView(crl->der()), base, tu::kNow).ok();
  };
  BOOST_TEST(admits(pki.ark));
  BOOST_TEST(admits(pki.ask));
  BOOST_TEST(admits(pki.asvk));
  BOOST_TEST(!admits(vcek_as_ca));
  BOOST_TEST(!admits(vlek_as_ca));
  BOOST_TEST(!admits(ask_under_asvk_ca));
  // A CRL is consulted only for what its signer issued: the ASVK's CRL does
  // not revoke a VCEK, the ASK's CRL does not revoke the ASK, the ARK's CRL
  // does not revoke a VCEK (only the ASK/ASVK).
  auto reason_with = [&](const Genuine& who, const tu::Ca& issuer, const Bytes& serial) {
    const CollateralSet set =
        tu::Admit(v, {tu::IssueCrl(issuer, now - 10, now + 100, {serial}).der()}, tu::kNow, base);
    BOOST_REQUIRE(set.docs().size() == base.docs().size() + 1);
    const Verdict r = Run(v, AsView(who.report), set);
    return r.valid() ? std::string("none") : Reason(r);
  };
  const Bytes vcek_serial = g.Vek().serial(), vlek_serial = l.Vek().serial();
  BOOST_TEST(reason_with(g, pki.ask, vcek_serial) == "revoked");
  BOOST_TEST(reason_with(l, pki.asvk, vlek_serial) == "revoked");
  BOOST_TEST(reason_with(g, pki.asvk, vcek_serial) == "none");
  BOOST_TEST(reason_with(l, pki.ask, vlek_serial) == "none");
  BOOST_TEST(reason_with(g, pki.ask, pki.ask.cert.serial()) == "none");
  BOOST_TEST(reason_with(g, pki.ark, vcek_serial) == "none");
  BOOST_TEST(reason_with(g, pki.ark, pki.ask.cert.serial()) == "revoked");
  BOOST_TEST(reason_with(l, pki.ark, pki.asvk.cert.serial()) == "revoked");
}

BOOST_AUTO_TEST_SUITE_END()
