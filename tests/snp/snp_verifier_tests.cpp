// SnpVerifier: each check of DESIGN §3 made to fail on its own over a test
// PKI, the three evidence forms, collateral admission, epoch re-evaluation,
// the real Genoa CRL, binding with a real report, and concurrent use.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <functional>
#include <thread>

#include "attestation/snp/snp_verifier.h"
#include "crypto/hash.h"
#include "snp_test_util.h"
#include "support/test_support.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
namespace tu = tenzro::tee::snp::testutil;
using tenzro::tee::testing::HashFromLabel;
using tenzro::tee::testing::IdFromLabel;

namespace {

VerifierOptions NoDev() {
  VerifierOptions o;
  o.dev_arks.clear();
  return o;
}

// A genuine report, its VEK and its CA chain; edit any part, then Run().
struct World {
  Product product = Product::kGenoa;
  bool vlek = false;
  Policy policy = tu::PinnedTestPolicy();
  CommonPolicy common;
  VerifierOptions options = NoDev();
  Bytes report;  // signed
  tu::VekSpec vek;
  std::vector<Bytes> blobs;  // collateral besides the VEK (CA chain by default)
  bool vek_as_collateral = true;
  uint64_t now = tu::kNow;
  std::optional<BindingInput> binding;
  std::optional<uint64_t> evidence_time;
  // Evidence builder; default: the raw report.
  std::function<Bytes(const World&)> evidence;

  const tu::TestPki& pki() const { return tu::Pki(product); }
  const x509::PrivateKey& key() const { return vlek ? pki().vlek_key : pki().vcek_key; }
  // Edits the report and signs it again.
  void Edit(const std::function<void(Bytes&)>& f) {
    f(report);
    tu::Sign(report, key());
  }
  x509::Certificate Vek() const { return tu::IssueVek(pki(), vek); }

  Verdict Run() const {
    SnpVerifier v(policy, common, options);
    std::vector<Bytes> all = blobs;
    if (vek_as_collateral) all.push_back(Vek().der());
    const CollateralSet set = tu::Admit(v, all, now);
    const Bytes ev = evidence ? evidence(*this) : report;
    VerifyRequest req;
    req.evidence = AsView(ev);
    req.collateral = &set;
    req.now = now;
    req.binding = binding;
    req.evidence_time = evidence_time;
    auto r = v.Verify(req);
    BOOST_REQUIRE(r.ok());
    return *r;
  }
};

World Genuine(Product p = Product::kGenoa, uint32_t version = 3, bool vlek = false) {
  World w;
  w.product = p;
  w.vlek = vlek;
  w.report = tu::ReportTemplate(p, version);
  if (vlek)
    tu::PutLe(w.report, format::kSignerInfo,
              format::kSigningKeyVlek << format::kSignerSigningKeyShift);
  tu::Sign(w.report, w.key());
  w.vek.vlek = vlek;
  w.vek.tcb = tu::DefaultTcb(p);
  if (!vlek) w.vek.hwid = tu::ChipIdOf(w.report, p);
  w.blobs = {tu::Pem({vlek ? w.pki().asvk.cert : w.pki().ask.cert, w.pki().ark.cert})};
  return w;
}

std::string Dump(const Verdict& v) { return VerdictToJson(v).dump(); }

void ExpectValid(const World& w) {
  const Verdict v = w.Run();
  BOOST_TEST(v.valid(), Dump(v));
  BOOST_TEST(v.hardware_verified);
  BOOST_TEST(v.certificate_chain_valid);
  BOOST_TEST(v.measurements_valid);
}

// The reason is `code`, and every failure has that code (the check fails alone).
void ExpectAlone(const World& w, FailureCode code) {
  const Verdict v = w.Run();
  BOOST_TEST(!v.valid());
  BOOST_TEST(FailureCodeName(v.reason()) == FailureCodeName(code), Dump(v));
  for (const auto& f : v.failures)
    BOOST_TEST(FailureCodeName(f.code) == FailureCodeName(code), Dump(v));
}

Bytes Serial(const x509::Certificate& c) { return c.serial(); }

std::optional<std::filesystem::path> SnpDir() {
  auto d = testing::VectorsDir();
  if (!d) return std::nullopt;
  return *d / "snp";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_verifier)

BOOST_AUTO_TEST_CASE(genuine_reports_of_every_product_form_and_key) {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    BOOST_TEST_CONTEXT(format::ProductName(p)) {
      ExpectValid(Genuine(p, 3));
      ExpectValid(Genuine(p, 5));
      ExpectValid(Genuine(p, 3, /*vlek=*/true));
    }
  }
  // v2 (no CPUID): the VEK's productName picks Milan or Genoa.
  ExpectValid(Genuine(Product::kMilan, 2));
  ExpectValid(Genuine(Product::kGenoa, 2));

  const World w = Genuine();
  const Verdict v = w.Run();
  BOOST_TEST(v.ClaimsJson()["product"] == "Genoa");
  BOOST_TEST(v.ClaimsJson()["signing_key"] == "vcek");
  BOOST_TEST(v.ClaimsJson()["policy"] == "0x30000");
  BOOST_TEST(v.ClaimsJson()["report_version"] == 3);
  BOOST_TEST(v.ClaimsJson()["reported_tcb"] == "0a00000000001754");
  BOOST_TEST(v.ClaimsJson()["committed_fw"] == "1.55.40");
  BOOST_TEST(!v.binding_valid.has_value());
  // valid_until: the VEK's notAfter (earliest of the chain); valid_from its notBefore.
  BOOST_TEST(*v.valid_until == static_cast<uint64_t>(tu::kVekNotAfter));
  BOOST_TEST(v.valid_from == static_cast<uint64_t>(tu::kVekNotBefore));
  for (const char* k : {claim::kProduct, claim::kArkFingerprint, claim::kIntermediateSerial,
                        claim::kIntermediateFingerprint, claim::kVekSerial, claim::kNotAfter}) {
    BOOST_TEST(v.reeval_claims.count(k) == 1u, k);
  }
  BOOST_TEST((v.reeval_claims.at(claim::kIntermediateSerial) == Serial(w.pki().ask.cert)));
}

BOOST_AUTO_TEST_CASE(cert_table_and_hcl_forms) {
  // The chain in the evidence's certificate table, no collateral at all.
  World w = Genuine();
  w.blobs.clear();
  w.vek_as_collateral = false;
  w.evidence = [](const World& x) {
    return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()},
                                        {format::kGuidAsk, x.pki().ask.cert.der()},
                                        {format::kGuidArk, x.pki().ark.cert.der()}});
  };
  ExpectValid(w);
  BOOST_TEST(w.Run().ClaimsJson()["evidence_form"] == "cert_table");
  // VLEK: the ASVK travels under the ASK GUID.
  World l = Genuine(Product::kMilan, 3, true);
  l.blobs.clear();
  l.vek_as_collateral = false;
  l.evidence = [](const World& x) {
    return tu::WithCertTable(x.report, {{format::kGuidVlek, x.Vek().der()},
                                        {format::kGuidAsk, x.pki().asvk.cert.der()},
                                        {format::kGuidArk, x.pki().ark.cert.der()}});
  };
  ExpectValid(l);
  // Azure HCL.
  World h = Genuine();
  h.evidence = [](const World& x) { return tu::WrapHcl(x.report); };
  ExpectValid(h);
  BOOST_TEST(h.Run().ClaimsJson()["evidence_form"] == "azure_hcl");
}

BOOST_AUTO_TEST_CASE(parse_failures) {
  World w = Genuine();
  w.evidence = [](const World& x) {
    Bytes b = x.report;
    b.resize(100);
    return b;
  };
  ExpectAlone(w, FailureCode::kMalformed);
  w.evidence = [](const World& x) {
    Bytes b = x.report;
    tu::PutLe(b, format::kVersion, 9);
    return b;
  };
  ExpectAlone(w, FailureCode::kUnsupported);
  // An unknown product fails closed.
  w.evidence = [](const World& x) {
    Bytes b = x.report;
    b[format::kCpuidFamId.offset] = 0x17;
    return b;
  };
  ExpectAlone(w, FailureCode::kUnsupported);
}

BOOST_AUTO_TEST_CASE(signature) {
  World w = Genuine();
  w.report[format::kMeasurement.offset] ^= 1;  // not re-signed
  ExpectAlone(w, FailureCode::kBadSignature);
  const Verdict v = w.Run();
  BOOST_TEST(!v.hardware_verified);
  BOOST_TEST(v.certificate_chain_valid);  // the chain itself is fine
  // Signed by another P-384 key than the VEK's.
  World o = Genuine();
  const x509::PrivateKey other = *x509::PrivateKey::Generate(x509::KeyKind::kP384);
  tu::Sign(o.report, other);
  ExpectAlone(o, FailureCode::kBadSignature);
}

BOOST_AUTO_TEST_CASE(chain_trust) {
  auto table = [](const tu::TestPki& ca_pki) {
    return [&ca_pki](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()},
                                          {format::kGuidAsk, ca_pki.ask.cert.der()},
                                          {format::kGuidArk, ca_pki.ark.cert.der()}});
    };
  };
  // An ARK shipped with the evidence that is not the pinned one.
  {
    World w = Genuine();
    w.blobs.clear();
    w.vek_as_collateral = false;
    w.evidence = table(w.pki());
    w.policy.ark_genoa_sha256 = HashFromLabel("another ARK");
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
  // An impostor PKI with AMD's names: its ARK is not pinned.
  {
    World w = Genuine();
    w.blobs.clear();
    w.vek_as_collateral = false;
    const tu::TestPki& imp = tu::ImpostorPki(Product::kGenoa);
    w.vek.issuer = &imp.ask;
    w.evidence = table(imp);
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
  // The VEK signed by an impostor ASK that names itself SEV-Genoa, next to
  // the genuine ASK and ARK: the signatures do not verify.
  {
    World w = Genuine();
    w.blobs.clear();
    w.vek_as_collateral = false;
    const tu::TestPki& imp = tu::ImpostorPki(Product::kGenoa);
    w.vek.issuer = &imp.ask;
    w.evidence = [](const World& x) {
      // The VEK names the impostor ASK; only the genuine ASK/ARK are shipped.
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()},
                                          {format::kGuidAsk, x.pki().ask.cert.der()},
                                          {format::kGuidArk, x.pki().ark.cert.der()}});
    };
    const Verdict v = w.Run();
    BOOST_TEST(!v.valid());
    BOOST_TEST(
        (v.reason() == FailureCode::kChainIncomplete || v.reason() == FailureCode::kChainUntrusted),
        Dump(v));
  }
  // An unpinned ARK shipped in the table, with the pinned chain in collateral.
  {
    World w = Genuine();
    const tu::TestPki& imp = tu::ImpostorPki(Product::kGenoa);
    w.evidence = [&imp](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidArk, imp.ark.cert.der()}});
    };
    ExpectAlone(w, FailureCode::kChainUntrusted);
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidArk, x.pki().ark.cert.der()}});
    };
    ExpectValid(w);
  }
  // Missing pieces.
  {
    World w = Genuine();
    w.blobs.clear();
    w.vek_as_collateral = false;
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()},
                                          {format::kGuidAsk, x.pki().ask.cert.der()}});
    };
    ExpectAlone(w, FailureCode::kChainIncomplete);  // no ARK
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()},
                                          {format::kGuidArk, x.pki().ark.cert.der()}});
    };
    ExpectAlone(w, FailureCode::kChainIncomplete);  // no ASK
    w.evidence = nullptr;
    ExpectAlone(w, FailureCode::kChainIncomplete);  // nothing at all
  }
}

BOOST_AUTO_TEST_CASE(leaf_must_match_the_report) {
  // SIGNER_INFO says VLEK, only a VCEK at hand.
  {
    World w = Genuine();
    w.Edit([](Bytes& b) { tu::PutLe(b, format::kSignerInfo, 1u << 2); });
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
  // A VCEK issued by the ASVK (names do not match a VCEK's issuer).
  {
    World w = Genuine();
    w.vek.issuer = &w.pki().asvk;
    w.blobs = {tu::Pem({w.pki().ask.cert, w.pki().asvk.cert, w.pki().ark.cert})};
    w.vek_as_collateral = false;
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()}});
    };
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
  // hwID is another chip's.
  {
    World w = Genuine();
    w.vek.hwid[0] ^= 0xff;
    w.vek_as_collateral = false;
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()}});
    };
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
  // Turin compares the first 8 bytes of CHIP_ID with an 8-byte hwID.
  {
    World w = Genuine(Product::kTurin, 5);
    BOOST_TEST(w.vek.hwid.size() == 8u);
    ExpectValid(w);
    w.vek.hwid[7] ^= 1;
    w.vek_as_collateral = false;
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()}});
    };
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
  // SPLs differ from REPORTED_TCB (the VEK of another TCB).
  for (size_t byte : {0u, 1u, 6u, 7u}) {
    World w = Genuine();
    w.vek.tcb[byte] = static_cast<uint8_t>(w.vek.tcb[byte] + 1);
    ExpectAlone(w, FailureCode::kNoMatchingTcb);
  }
  {
    World w = Genuine(Product::kTurin, 5);
    w.vek.tcb[0] = 3;  // FMC
    ExpectAlone(w, FailureCode::kNoMatchingTcb);
  }
  // The VEK's productName is another product's.
  {
    World w = Genuine();
    w.vek.product_name = "Milan-B0";
    w.vek_as_collateral = false;
    w.evidence = [](const World& x) {
      return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()}});
    };
    ExpectAlone(w, FailureCode::kChainUntrusted);
  }
}

BOOST_AUTO_TEST_CASE(windows) {
  {
    World w = Genuine();
    w.vek.not_before = static_cast<int64_t>(w.now) + 1;
    ExpectAlone(w, FailureCode::kNotYetValid);
    BOOST_TEST(!w.Run().certificate_chain_valid);
    BOOST_TEST(w.Run().hardware_verified);  // signatures only
  }
  {
    World w = Genuine();
    w.vek.not_after = static_cast<int64_t>(w.now) - 1;
    ExpectAlone(w, FailureCode::kExpired);
  }
  {
    // Inclusive windows: valid exactly at notAfter.
    World w = Genuine();
    w.vek.not_after = static_cast<int64_t>(w.now);
    ExpectValid(w);
  }
  {
    // The only ASK at hand has expired.
    World w = Genuine();
    const auto old_ask = tu::IssueIntermediate(
        w.pki(), false, tu::kCaNotBefore, static_cast<int64_t>(w.now) - 10, {0x02, 0x00, 0x07});
    w.blobs = {tu::Pem({old_ask, w.pki().ark.cert})};
    ExpectAlone(w, FailureCode::kExpired);
    // With the current ASK as well, the chain through it is preferred.
    w.blobs.push_back(tu::Pem({w.pki().ask.cert, w.pki().ark.cert}));
    ExpectValid(w);
  }
  {
    // Evidence age (§5).
    World w = Genuine();
    w.evidence_time = w.now - 86400 - 1;
    ExpectAlone(w, FailureCode::kExpired);
    w.evidence_time = w.now - 10;
    const Verdict v = w.Run();
    BOOST_TEST(v.valid());
    BOOST_TEST(*v.valid_until == w.now - 10 + 86400);
    w.evidence_time = w.now + 10;
    ExpectAlone(w, FailureCode::kNotYetValid);
  }
}

BOOST_AUTO_TEST_CASE(crls) {
  const int64_t now = static_cast<int64_t>(tu::kNow);
  auto with_crl = [&](World w, const tu::Ca& issuer, int64_t tu_, int64_t nu,
                      std::vector<Bytes> revoked) {
    w.blobs.push_back(tu::IssueCrl(issuer, tu_, nu, revoked).der());
    return w;
  };
  const World base = Genuine();
  const tu::TestPki& pki = base.pki();
  // The ASK revoked by the ARK.
  {
    World w = with_crl(base, pki.ark, now - 100, now + 100, {Serial(pki.ask.cert)});
    ExpectAlone(w, FailureCode::kRevoked);
    const Verdict v = w.Run();
    BOOST_TEST(!v.certificate_chain_valid);
    BOOST_TEST(v.hardware_verified);
  }
  // Another serial revoked: fine, and the CRL bounds valid_until.
  {
    World w = with_crl(base, pki.ark, now - 100, now + 100, {{0x02, 0x00, 0x01}});
    ExpectValid(w);
    BOOST_TEST(*w.Run().valid_until == static_cast<uint64_t>(now + 100));
  }
  // Stale and future CRLs.
  ExpectAlone(with_crl(base, pki.ark, now - 200, now - 100, {}), FailureCode::kExpired);
  ExpectAlone(with_crl(base, pki.ark, now + 100, now + 200, {}), FailureCode::kNotYetValid);
  // A fresh CRL is preferred to a stale one.
  {
    World w = with_crl(base, pki.ark, now - 200, now - 100, {});
    w = with_crl(w, pki.ark, now - 50, now + 100, {});
    ExpectValid(w);
  }
  // A CRL signed by an impostor ARK is not admitted: as if absent.
  {
    const tu::TestPki& imp = tu::ImpostorPki(Product::kGenoa);
    World w = with_crl(base, imp.ark, now - 100, now + 100, {Serial(pki.ask.cert)});
    ExpectValid(w);
  }
  // A VEK revoked by an ASK-signed CRL.
  ExpectAlone(with_crl(base, pki.ask, now - 100, now + 100, {{0x00}}), FailureCode::kRevoked);
  // require_crls.
  {
    World w = base;
    w.policy.require_crls = true;
    ExpectAlone(w, FailureCode::kCollateralMissing);
    ExpectValid(with_crl(w, pki.ark, now - 100, now + 100, {}));
  }
  // VLEK: the ASVK revoked.
  {
    World l = Genuine(Product::kMilan, 3, true);
    ExpectAlone(with_crl(l, l.pki().ark, now - 100, now + 100, {Serial(l.pki().asvk.cert)}),
                FailureCode::kRevoked);
  }
}

BOOST_AUTO_TEST_CASE(policy_knobs) {
  // Minimum TCB per product (on REPORTED_TCB).
  {
    World w = Genuine();
    w.policy.min_tcb_genoa = MinTcb{0, 10, 0, 23, 84};
    ExpectValid(w);
    w.policy.min_tcb_genoa = MinTcb{0, 10, 0, 23, 85};
    ExpectAlone(w, FailureCode::kFirmwareTooOld);
    w.policy.min_tcb_genoa.reset();
    w.policy.min_tcb_milan = MinTcb{0, 99, 99, 99, 99};  // another product's minimum
    ExpectValid(w);
    World t = Genuine(Product::kTurin, 5);
    t.policy.min_tcb_turin = MinTcb{1, 0, 0, 0, 0};  // FMC 0 < 1
    ExpectAlone(t, FailureCode::kFirmwareTooOld);
  }
  // Minimum committed firmware.
  {
    World w = Genuine();
    w.policy.min_committed_fw = MinFirmware{1, 55, 40};
    ExpectValid(w);
    w.policy.min_committed_fw = MinFirmware{1, 55, 41};
    ExpectAlone(w, FailureCode::kFirmwareTooOld);
  }
  // DEBUG.
  {
    World w = Genuine();
    w.Edit([](Bytes& b) { tu::PutLe(b, format::kPolicy, 0x30000 | (1u << 19)); });
    ExpectAlone(w, FailureCode::kDebugEnclave);
    const Verdict v = w.Run();
    BOOST_TEST(v.debug);
    BOOST_TEST(v.hardware_verified);
    BOOST_TEST(v.certificate_chain_valid);
    w.policy.allow_debug = true;
    ExpectValid(w);
  }
  // VMPL.
  {
    World w = Genuine();
    w.Edit([](Bytes& b) { tu::PutLe(b, format::kVmpl, 2); });
    ExpectValid(w);
    w.policy.max_vmpl = 1;
    ExpectAlone(w, FailureCode::kVmpl);
    World four = Genuine();
    four.Edit([](Bytes& b) { tu::PutLe(b, format::kVmpl, 4); });
    ExpectAlone(four, FailureCode::kVmpl);
  }
  // MIGRATE_MA.
  {
    World w = Genuine();
    w.Edit([](Bytes& b) { tu::PutLe(b, format::kPolicy, 0x30000 | (1u << 18)); });
    ExpectAlone(w, FailureCode::kPolicyViolation);
    w.policy.allow_migrate_ma = true;
    ExpectValid(w);
  }
  // Masked chip id (a VCEK then cannot be found by hwID: ship it in the table).
  {
    World w = Genuine();
    w.Edit([](Bytes& b) {
      tu::PutLe(b, format::kSignerInfo, format::kSignerMaskChipKey);
      for (size_t i = 0; i < 64; ++i) b[format::kChipId.offset + i] = 0;
    });
    ExpectValid(w);  // accepted by default (§10), found among admitted VCEKs
    w.policy.allow_masked_chip_id = false;
    ExpectAlone(w, FailureCode::kPolicyViolation);
  }
  // Allow-lists.
  {
    World w = Genuine();
    auto m = [&](size_t off, size_t n) {
      std::array<uint8_t, 48> a{};
      std::copy(w.report.begin() + static_cast<std::ptrdiff_t>(off),
                w.report.begin() + static_cast<std::ptrdiff_t>(off + n), a.begin());
      return a;
    };
    w.policy.measurements = {m(format::kMeasurement.offset, 48)};
    ExpectValid(w);
    w.policy.measurements = {std::array<uint8_t, 48>{}};
    ExpectAlone(w, FailureCode::kMeasurementMismatch);
    BOOST_TEST(!w.Run().measurements_valid);
    w.policy.measurements.clear();
    w.policy.host_data = {std::array<uint8_t, 32>{1}};
    ExpectAlone(w, FailureCode::kMeasurementMismatch);
    w.policy.host_data = {std::array<uint8_t, 32>{}};  // the template's HOST_DATA is zero
    ExpectValid(w);
    w.policy.id_key_digests = {std::array<uint8_t, 48>{1}};
    ExpectAlone(w, FailureCode::kMeasurementMismatch);
    w.policy.id_key_digests.clear();
    w.policy.author_key_digests = {std::array<uint8_t, 48>{1}};
    ExpectAlone(w, FailureCode::kMeasurementMismatch);
  }
}

BOOST_AUTO_TEST_CASE(binding) {
  const BindingInput mine{IdFromLabel("validator-a"), HashFromLabel("challenge-1")};
  World w = Genuine();
  const auto expected = ComputeBinding(mine);
  w.Edit([&](Bytes& b) { tu::PutBytesAt(b, format::kReportData.offset, AsView(expected)); });
  w.binding = mine;
  ExpectValid(w);
  BOOST_TEST(*w.Run().binding_valid);
  w.binding = BindingInput{IdFromLabel("validator-b"), HashFromLabel("challenge-1")};
  ExpectAlone(w, FailureCode::kBindingMismatch);
  BOOST_TEST(!*w.Run().binding_valid);
  w.binding = BindingInput{IdFromLabel("validator-a"), HashFromLabel("challenge-2")};
  ExpectAlone(w, FailureCode::kBindingMismatch);
}

BOOST_AUTO_TEST_CASE(development_roots) {
  World w = Genuine();
  w.policy = Policy();  // AMD's pins only
  w.options = tu::TestDevOptions();
  w.common.simulation = false;
  // Dev collateral is not admitted while simulation is off: nothing to chain to.
  ExpectAlone(w, FailureCode::kChainIncomplete);
  // A dev chain shipped in the evidence is judged simulation_disabled.
  w.evidence = [](const World& x) {
    return tu::WithCertTable(x.report, {{format::kGuidVcek, x.Vek().der()},
                                        {format::kGuidAsk, x.pki().ask.cert.der()},
                                        {format::kGuidArk, x.pki().ark.cert.der()}});
  };
  ExpectAlone(w, FailureCode::kSimulationDisabled);
  const Verdict off = w.Run();
  BOOST_TEST(!off.hardware_verified);
  BOOST_TEST(!off.certificate_chain_valid);
  BOOST_TEST(off.reeval_claims.at(claim::kDevRoot) == Bytes{1});
  w.common.simulation = true;
  ExpectValid(w);
  w.evidence = nullptr;  // and through collateral
  ExpectValid(w);
  // The same chain with neither pin nor dev pin.
  w.options = NoDev();
  const Verdict none = w.Run();
  BOOST_TEST((none.reason() == FailureCode::kChainIncomplete));  // nothing admitted
}

BOOST_AUTO_TEST_CASE(collateral_admission) {
  const World w = Genuine();
  const tu::TestPki& pki = w.pki();
  SnpVerifier v(w.policy, CommonPolicy{}, NoDev());
  auto code = [&](const Bytes& blob, const CollateralSet& known) {
    auto d = v.ParseCollateral(AsView(blob), known, tu::kNow);
    return d.ok() ? ErrorCode::kOk : d.status().code();
  };
  const CollateralSet none;
  // CA certificates: a pinned ARK and what it certifies.
  const Bytes chain = tu::Pem({pki.ask.cert, pki.ark.cert});
  auto ca = v.ParseCollateral(AsView(chain), none, tu::kNow);
  BOOST_REQUIRE(ca.ok());
  BOOST_TEST(ca->kind == kKindCaCerts);
  BOOST_TEST(std::string(ca->key.begin(), ca->key.end()) == "Genoa");
  BOOST_TEST((ca->content_hash == crypto::Sha256(AsView(chain))));
  BOOST_TEST(ca->next_update == static_cast<uint64_t>(tu::kCaNotAfter));
  // The ARK alone; then the ASK alone is authenticated by the known ARK.
  auto ark_only = v.ParseCollateral(AsView(tu::Pem({pki.ark.cert})), none, tu::kNow);
  BOOST_REQUIRE(ark_only.ok());
  BOOST_TEST((code(tu::Pem({pki.ask.cert}), none) == ErrorCode::kCollateral));
  BOOST_TEST((code(tu::Pem({pki.ask.cert}), CollateralSet({*ark_only})) == ErrorCode::kOk));
  // Unpinned ARK, impostor chain, mixed products, garbage.
  const tu::TestPki& imp = tu::ImpostorPki(Product::kGenoa);
  BOOST_TEST((code(tu::Pem({imp.ask.cert, imp.ark.cert}), none) == ErrorCode::kCollateral));
  BOOST_TEST((code(tu::Pem({pki.ask.cert, pki.ark.cert, tu::Pki(Product::kMilan).ark.cert}),
                   none) == ErrorCode::kCollateral));
  BOOST_TEST((code(Bytes{1, 2, 3}, none) == ErrorCode::kCollateral));
  BOOST_TEST((code(Bytes(), none) == ErrorCode::kCollateral));
  // A VEK needs its chain (known or in the same PEM).
  const x509::Certificate vek = w.Vek();
  BOOST_TEST((code(vek.der(), none) == ErrorCode::kCollateral));
  const CollateralSet with_ca({*ca});
  auto vek_doc = v.ParseCollateral(AsView(vek.der()), with_ca, tu::kNow);
  BOOST_REQUIRE(vek_doc.ok());
  BOOST_TEST(vek_doc->kind == kKindVek);
  BOOST_TEST((vek_doc->key == w.vek.hwid));
  auto bundle =
      v.ParseCollateral(AsView(tu::Pem({vek, pki.ask.cert, pki.ark.cert})), none, tu::kNow);
  BOOST_REQUIRE(bundle.ok());
  BOOST_TEST(bundle->kind == kKindVek);
  // A VLEK is keyed by product.
  const World l = Genuine(Product::kMilan, 3, true);
  auto vlek_doc = v.ParseCollateral(AsView(tu::Pem({l.Vek(), l.pki().asvk.cert, l.pki().ark.cert})),
                                    none, tu::kNow);
  BOOST_REQUIRE(vlek_doc.ok());
  BOOST_TEST(std::string(vlek_doc->key.begin(), vlek_doc->key.end()) == "VLEK-Milan");
  // CRLs: keyed by the issuer's fingerprint, authenticated by it.
  const x509::Crl crl = tu::IssueCrl(pki.ark, 100, 200, {});
  BOOST_TEST((code(crl.der(), none) == ErrorCode::kCollateral));  // ARK not at hand
  auto crl_doc = v.ParseCollateral(AsView(crl.der()), with_ca, tu::kNow);
  BOOST_REQUIRE(crl_doc.ok());
  BOOST_TEST(crl_doc->kind == kKindCrl);
  BOOST_TEST((crl_doc->key ==
              Bytes(pki.ark.cert.fingerprint().begin(), pki.ark.cert.fingerprint().end())));
  BOOST_TEST(crl_doc->this_update == 100u);
  BOOST_TEST(crl_doc->next_update == 200u);  // stale CRLs are admitted; verification reports them
  // PEM CRL followed by its issuer chain (the bundle convention).
  std::string pem = x509::CrlToPem(crl) + x509::ToPem({pki.ark.cert});
  BOOST_TEST((code(Bytes(pem.begin(), pem.end()), none) == ErrorCode::kOk));
  BOOST_TEST((code(tu::IssueCrl(imp.ark, 100, 200, {}).der(), with_ca) == ErrorCode::kCollateral));
}

BOOST_AUTO_TEST_CASE(reevaluation_demotes_on_a_later_crl_and_on_expiry) {
  const World w = Genuine();
  const tu::TestPki& pki = w.pki();
  SnpVerifier v(w.policy, CommonPolicy{}, NoDev());
  const Verdict verdict = w.Run();
  BOOST_REQUIRE(verdict.valid());
  const ClaimSet& claims = verdict.reeval_claims;
  const CollateralSet admitted = tu::Admit(v, {tu::Pem({pki.ask.cert, pki.ark.cert})}, tu::kNow);
  const uint64_t t = tu::kNow + 86400;

  BOOST_TEST(!v.BeginReevaluation(admitted, t)->Check(claims).value().has_value());
  // A CRL admitted later that revokes the ASK demotes; one revoking others does not.
  const int64_t ti = static_cast<int64_t>(t);
  const CollateralSet other =
      tu::Admit(v, {tu::IssueCrl(pki.ark, ti - 10, ti + 1000, {{0x05}}).der()}, t, admitted);
  BOOST_TEST(!v.BeginReevaluation(other, t)->Check(claims).value().has_value());
  const CollateralSet revoking = tu::Admit(
      v, {tu::IssueCrl(pki.ark, ti - 10, ti + 1000, {Serial(pki.ask.cert)}).der()}, t, admitted);
  auto f = v.BeginReevaluation(revoking, t)->Check(claims).value();
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(FailureCodeName(f->code) == "revoked");
  // A VEK-revoking ASK CRL.
  const CollateralSet vek_crl =
      tu::Admit(v, {tu::IssueCrl(pki.ask, ti - 10, ti + 1000, {{0x00}}).der()}, t, admitted);
  auto fv = v.BeginReevaluation(vek_crl, t)->Check(claims).value();
  BOOST_REQUIRE(fv.has_value());
  BOOST_TEST(FailureCodeName(fv->code) == "revoked");
  // Expiry of the chain (the VEK's notAfter).
  auto e = v.BeginReevaluation(admitted, static_cast<uint64_t>(tu::kVekNotAfter) + 1)
               ->Check(claims)
               .value();
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(FailureCodeName(e->code) == "expired");
  // A stale CRL at t.
  const CollateralSet stale =
      tu::Admit(v, {tu::IssueCrl(pki.ark, ti - 100, ti - 10, {}).der()}, t, admitted);
  auto s = v.BeginReevaluation(stale, t)->Check(claims).value();
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(FailureCodeName(s->code) == "expired");
  // require_crls without any CRL.
  Policy strict = w.policy;
  strict.require_crls = true;
  SnpVerifier sv(strict, CommonPolicy{}, NoDev());
  auto m = sv.BeginReevaluation(admitted, t)->Check(claims).value();
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(FailureCodeName(m->code) == "collateral_missing");
  // An admitted CRL document that no longer parses is a damaged store: a
  // machine failure that fails the epoch, never a demotion (issue 9 item 9).
  CollateralDoc junk;
  junk.tee_type = TeeType::AmdSevSnp;
  junk.kind = kKindCrl;
  junk.key = claims.at(claim::kArkFingerprint);
  junk.this_update = 0;
  junk.next_update = UINT64_MAX;
  junk.data = {1, 2, 3};
  junk.content_hash = crypto::Sha256(AsView(junk.data));
  auto j = v.BeginReevaluation(admitted.With(junk), t)->Check(claims);
  BOOST_REQUIRE(!j.ok());
  BOOST_TEST((j.status().code() == ErrorCode::kStorage));
  // Verification over the same damaged set is a machine failure too.
  const CollateralSet damaged = tu::Admit(v, {w.Vek().der()}, tu::kNow, admitted).With(junk);
  VerifyRequest req;
  req.evidence = AsView(w.report);
  req.collateral = &damaged;
  req.now = t;
  auto dv = v.Verify(req);
  BOOST_REQUIRE(!dv.ok());
  BOOST_TEST((dv.status().code() == ErrorCode::kStorage));
  // Incomplete stored claims are a machine problem, never a demotion reason.
  ClaimSet partial = claims;
  partial.erase(claim::kVekSerial);
  auto p = v.BeginReevaluation(admitted, t)->Check(partial);
  BOOST_REQUIRE(!p.ok());
  BOOST_TEST((p.status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_CASE(concurrent_verification_uses_the_caches_safely) {
  const World w = Genuine();
  SnpVerifier v(w.policy, CommonPolicy{}, NoDev());
  const CollateralSet set = tu::Admit(v, {w.blobs[0], w.Vek().der()}, tu::kNow);
  std::atomic<int> valid{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 25; ++k) {
        VerifyRequest req;
        req.evidence = AsView(w.report);
        req.collateral = &set;
        req.now = tu::kNow;
        auto r = v.Verify(req);
        if (r.ok() && r->valid()) ++valid;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(valid.load() == 100);
  // A small cache still gives the same verdicts (eviction path).
  VerifierOptions tiny = NoDev();
  tiny.cache_capacity = 1;
  SnpVerifier small(w.policy, CommonPolicy{}, tiny);
  for (int k = 0; k < 3; ++k) {
    VerifyRequest req;
    req.evidence = AsView(w.report);
    req.collateral = &set;
    req.now = tu::kNow;
    auto r = small.Verify(req);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->valid());
  }
}

// Issue 9 item 1: with one-entry caches every call evicts what another
// thread is reading, so a reader that does not own the object it iterates
// reads freed memory (ASan: heap-use-after-free on every run before the fix).
// Verify and ParseCollateral both walk the certificates of several documents.
BOOST_AUTO_TEST_CASE(tiny_caches_under_many_threads_keep_what_they_read_alive) {
  const World w = Genuine();
  const tu::TestPki& pki = w.pki();
  VerifierOptions tiny = NoDev();
  tiny.cache_capacity = 1;
  SnpVerifier v(w.policy, CommonPolicy{}, tiny);
  const int64_t now = static_cast<int64_t>(tu::kNow);
  const CollateralSet set =
      tu::Admit(v,
                {tu::Pem({pki.ark.cert}), tu::Pem({pki.ask.cert}), w.Vek().der(),
                 tu::IssueCrl(pki.ark, now - 100, now + 100, {{0x05}}).der(),
                 tu::IssueCrl(pki.ask, now - 100, now + 100, {{0x05}}).der()},
                tu::kNow);
  BOOST_REQUIRE(set.docs().size() == 5u);
  const Bytes crl = tu::IssueCrl(pki.ark, now - 50, now + 100, {}).der();
  constexpr int kThreads = 8, kRounds = 40;
  std::atomic<int> valid{0}, admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < kRounds; ++k) {
        VerifyRequest req;
        req.evidence = AsView(w.report);
        req.collateral = &set;
        req.now = tu::kNow;
        auto r = v.Verify(req);
        if (r.ok() && r->valid()) ++valid;
        if (v.ParseCollateral(AsView(crl), set, tu::kNow).ok()) ++admitted;
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(valid.load() == kThreads * kRounds);
  BOOST_TEST(admitted.load() == kThreads * kRounds);
}

BOOST_AUTO_TEST_CASE(amd_ark_pins_are_the_roots) {
  auto dir = SnpDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real SNP vectors absent");
    return;
  }
  const Policy p;
  for (auto [file, pin] : {std::pair{"ark_milan.pem", p.ark_milan_sha256},
                           std::pair{"ark_genoa.pem", p.ark_genoa_sha256},
                           std::pair{"ark_turin.pem", p.ark_turin_sha256}}) {
    auto certs = x509::Certificate::ParseAll(AsView(testing::ReadFileBytes(*dir / "roots" / file)));
    BOOST_REQUIRE(certs.ok());
    BOOST_TEST((certs->front().fingerprint() == pin), file);
  }
}

BOOST_AUTO_TEST_CASE(real_genoa_crl_revokes_0x020001_not_the_current_ask) {
  auto dir = SnpDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real SNP vectors absent");
    return;
  }
  const auto set_dir = *dir / "openpcc-azure-genoa-v3-crl";
  const uint64_t at = 1751328000;  // inside the CRL's window
  SnpVerifier v(Policy(), CommonPolicy{});
  const Bytes chain = testing::ReadFileBytes(set_dir / "ask_ark_genoa.pem");
  const Bytes crl_der = testing::ReadFileBytes(set_dir / "crl_genoa.der");
  const CollateralSet set = tu::Admit(v, {crl_der, chain}, at);
  BOOST_REQUIRE(set.docs().size() == 2u);
  auto crl = x509::Crl::Parse(AsView(crl_der));
  BOOST_REQUIRE(crl.ok());
  BOOST_TEST(crl->IsRevoked(AsView(Bytes{0x02, 0x00, 0x01})));
  auto ask =
      x509::Certificate::ParseAll(AsView(testing::ReadFileBytes(*dir / "roots" / "ask_genoa.pem")));
  BOOST_REQUIRE(ask.ok());
  BOOST_TEST(ToHex(AsView(ask->front().serial())) == "020002");
  BOOST_TEST(!crl->IsRevoked(AsView(ask->front().serial())));
  // The real report verifies with the CRL checked, and re-evaluates clean.
  const Bytes report = testing::ReadFileBytes(set_dir / "report.bin");
  const CollateralSet full = tu::Admit(v, {testing::ReadFileBytes(set_dir / "vcek.pem")}, at, set);
  VerifyRequest req;
  req.evidence = AsView(report);
  req.collateral = &full;
  req.now = at;
  auto r = v.Verify(req);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->valid(), Dump(*r));
  BOOST_TEST(!r->Has(FailureCode::kRevoked));
  BOOST_TEST(*r->valid_until == 1762131600u);  // the CRL's nextUpdate
  BOOST_TEST(!v.BeginReevaluation(full, at)->Check(r->reeval_claims).value().has_value());
  // Under require_crls the same holds; without the CRL it is collateral_missing.
  Policy strict;
  strict.require_crls = true;
  SnpVerifier sv(strict, CommonPolicy{});
  BOOST_TEST(sv.Verify(req)->valid());
  const CollateralSet no_crl =
      tu::Admit(sv, {chain, testing::ReadFileBytes(set_dir / "vcek.pem")}, at);
  req.collateral = &no_crl;
  BOOST_TEST(FailureCodeName(sv.Verify(req)->reason()) == "collateral_missing");
}

BOOST_AUTO_TEST_CASE(real_report_bound_to_another_validator_is_binding_mismatch) {
  auto dir = SnpDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real SNP vectors absent");
    return;
  }
  const auto set_dir = *dir / "yaxi-genoa-v3";
  SnpVerifier v(Policy(), CommonPolicy{});
  const CollateralSet set =
      tu::Admit(v, {testing::ReadFileBytes(set_dir / "vcek-chain-genoa.pem")}, tu::kNow);
  const Bytes report = testing::ReadFileBytes(set_dir / "report.bin");
  VerifyRequest req;
  req.evidence = AsView(report);
  req.collateral = &set;
  req.now = tu::kNow;
  req.binding = BindingInput{IdFromLabel("another validator"), HashFromLabel("epoch seed")};
  auto r = v.Verify(req);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(!r->valid());
  BOOST_TEST(FailureCodeName(r->reason()) == "binding_mismatch");
  BOOST_TEST(r->failures.size() == 1u);
  BOOST_TEST(r->hardware_verified);
  BOOST_TEST(r->certificate_chain_valid);
  BOOST_TEST(!*r->binding_valid);
}

BOOST_AUTO_TEST_SUITE_END()
