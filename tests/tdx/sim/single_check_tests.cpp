// Every check of the TDX/SGX verifier (issue 3, DESIGN §3) made to fail on
// its own: each case starts from a simulated machine whose quote and
// collateral verify, asserts that baseline passes, changes exactly one thing
// and asserts the reason code.
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "sim_fixture.h"
#include "tdx/tdx_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;
using namespace tenzro::tee::tdx::sim;
using namespace tenzro::tee::tdx::simtest;

namespace {

using Fault = std::function<void(Scenario&, Options&)>;

struct Case {
  std::string name;
  Fault fault;
  FailureCode code;
};

std::string Name(FailureCode c) { return std::string(FailureCodeName(c)); }

std::string Describe(const Verdict& v) {
  std::string s;
  for (const auto& f : v.failures) s += "[" + Name(f.code) + ": " + f.message + "] ";
  return s;
}

// The baseline verifies; the fault alone makes `code` the reason.
void ExpectAlone(const Scenario& base, const Options& base_opts, const Case& c) {
  BOOST_TEST_CONTEXT(c.name) {
    const Verdict good = Run(base, base_opts);
    BOOST_TEST(good.valid(), "baseline: " << Describe(good));
    Scenario s = base;
    Options o = base_opts;
    c.fault(s, o);
    const Verdict bad = Run(s, o);
    BOOST_TEST_MESSAGE(c.name << ": " << Describe(bad));
    BOOST_TEST(!bad.valid());
    BOOST_TEST(Name(bad.reason()) == Name(c.code), Describe(bad));
    // Alone: every failure reported is that check's (a revoked certificate
    // may be reported once per place it signs).
    for (const auto& f : bad.failures) BOOST_TEST(Name(f.code) == Name(c.code), f.message);
  }
}

void ExpectAll(const Scenario& base, const Options& opts, const std::vector<Case>& cases) {
  for (const auto& c : cases) ExpectAlone(base, opts, c);
}

constexpr int64_t kNow = static_cast<int64_t>(kSimNow);
constexpr int64_t kYear = 365 * static_cast<int64_t>(kDay);

Measurement48 M48(uint8_t v) {
  Measurement48 m{};
  m.fill(v);
  return m;
}

KeyedCert NewPck(const Scenario& s, int64_t not_before, int64_t not_after,
                 const KeyedCert* issuer = nullptr) {
  auto pck = IssuePlatformPck(s.platform, {0x10, 0x77}, not_before, not_after, issuer);
  BOOST_REQUIRE(pck.ok());
  return *pck;
}

// A CA of the dev Platform CA's name and serial under a forged root of the dev
// root's name: what someone without the dev root's key can make.
KeyedCert ForgedPlatformCa() {
  KeyedCert root = Forge("Tenzro DEV SGX Root CA", true, nullptr, {0x01});
  return Forge("Tenzro DEV SGX PCK Platform CA", true, &root, {0x02});
}

// Admission (ParseCollateral) of the blob `index` of the scenario.
Result<CollateralDoc> Admission(const Scenario& s, size_t index, const Options& o = {}) {
  auto blobs = s.Collateral();
  BOOST_REQUIRE(blobs.ok());
  BOOST_REQUIRE(index < blobs->size());
  return MakeVerifier(TypeOf(s), o)->ParseCollateral(AsView((*blobs)[index]), s.now);
}

// Whether admission refuses the blob `index` of the scenario.
bool AdmissionRefuses(const Scenario& s, size_t index, const Options& o = {}) {
  auto doc = Admission(s, index, o);
  return !doc.ok() && doc.status().code() == ErrorCode::kCollateral;
}

// The kind the blob `index` of the scenario is admitted as ("" if refused).
std::string AdmittedKind(const Scenario& s, size_t index) {
  auto doc = Admission(s, index);
  return doc.ok() ? doc->kind : std::string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_single_check)

BOOST_AUTO_TEST_CASE(baselines_verify_in_every_format) {
  for (QuoteFormat f : {QuoteFormat::kTdxV4, QuoteFormat::kTdxV5Td10, QuoteFormat::kTdxV5Td15}) {
    const Verdict v = Run(Scenario::Tdx(f));
    BOOST_TEST(v.valid(), Describe(v));
    BOOST_TEST(v.tcb_status.value_or("") == "UpToDate");
    BOOST_TEST(!v.hardware_verified);  // a development root is never hardware
    BOOST_TEST(v.ClaimsJson()["fmspc"] == "DE7D00000000");
    BOOST_TEST(v.ClaimsJson()["mrtd"] == ToHex(AsView(M48(0x7d))));
  }
  const Verdict sgx5 = Run(Scenario::Sgx(kSimNow, QuoteFormat::kSgxV5));
  BOOST_TEST(sgx5.valid(), Describe(sgx5));
  const Verdict sgx = Run(Scenario::Sgx());
  BOOST_TEST(sgx.valid(), Describe(sgx));
  BOOST_TEST((sgx.tee_type == TeeType::IntelSgx));
  BOOST_TEST(sgx.ClaimsJson()["mrenclave"] ==
             ToHex(AsView(Scenario::Sgx().quote.enclave.mrenclave)));
  // Real quotes carry zero padding after the signature data.
  Scenario padded = Scenario::Tdx();
  padded.quote.faults.trailing_zeros = 70;
  BOOST_TEST(Run(padded).valid());
  // Signed JSON with whitespace inside the signed value (never re-serialized).
  Scenario pretty = Scenario::Tdx();
  pretty.tcb_info.signing.pretty = true;
  pretty.qe_identity.signing.pretty = true;
  const Verdict pv = Run(pretty);
  BOOST_TEST(pv.valid(), Describe(pv));
  // CRLs as DER and as bare PEM (issuers then come from elsewhere: the
  // quote's chain is not collateral, so give the CA certificates as a blob).
  Scenario der = Scenario::Tdx();
  der.pck_crl.encoding = CrlEncoding::kDer;
  der.root_crl.encoding = CrlEncoding::kPem;
  der.extra_collateral.push_back(CertsPem({Dev().platform_ca.cert, Dev().root.cert}));
  Options strict;
  strict.policy.require_crls = true;
  const Verdict dv = Run(der, strict);
  BOOST_TEST(dv.valid(), Describe(dv));
}

BOOST_AUTO_TEST_CASE(devnet_helpers_verify_with_simulation_on_only) {
  BindingInput b;
  b.validator_id[3] = 0x33;
  b.challenge[5] = 0x55;
  const uint64_t now = kSimNow + 400 * kDay;  // any time: collateral follows it
  for (bool tdx : {true, false}) {
    auto quote = SimulateQuote(tdx, b);
    auto blobs = SimulateCollateral(tdx, now);
    BOOST_REQUIRE(quote.ok());
    BOOST_REQUIRE(blobs.ok());
    for (bool simulation : {true, false}) {
      const TeeType type = tdx ? TeeType::IntelTdx : TeeType::IntelSgx;
      Options o;
      o.simulation = simulation;
      AttestationVerifier facade;
      facade.Install(MakeVerifier(type, o));
      StandaloneRequest req;
      req.tee_type = type;
      req.evidence = AsView(*quote);
      for (const auto& blob : *blobs) req.collateral_blobs.push_back(AsView(blob));
      req.now = now;
      req.binding = b;
      auto v = VerifyStandalone(facade, req);
      BOOST_REQUIRE(v.ok());
      if (simulation) {
        BOOST_TEST(v->valid(), Describe(*v));
      } else {
        BOOST_TEST(Name(v->reason()) == Name(FailureCode::kSimulationDisabled));
      }
    }
  }
}

// ---- header and structure --------------------------------------------------

BOOST_AUTO_TEST_CASE(header_fields) {
  ExpectAll(
      Scenario::Tdx(), {},
      {
          {"version 2", [](Scenario& s, Options&) { s.quote.version = 2; },
           FailureCode::kUnsupported},
          {"version 6", [](Scenario& s, Options&) { s.quote.version = 6; },
           FailureCode::kUnsupported},
          {"attestation key type P-384",
           [](Scenario& s, Options&) { s.quote.att_key_type = fmt::kAttKeyEcdsaP384; },
           FailureCode::kUnsupported},
          {"v4 quote with the SGX TEE type",
           [](Scenario& s, Options&) { s.quote.tee_type = fmt::kTeeTypeSgx; },
           FailureCode::kUnsupported},
          {"unknown TEE type", [](Scenario& s, Options&) { s.quote.tee_type = 0x42; },
           FailureCode::kUnsupported},
          {"QE vendor id not Intel's",
           [](Scenario& s, Options&) { s.quote.qe_vendor_id[0] ^= 0xff; },
           FailureCode::kUnsupported},
          {"certification data type 5 at the top",
           [](Scenario& s, Options&) { s.quote.faults.outer_cert_type = fmt::kCertTypePckChain; },
           FailureCode::kUnsupported},
          {"inner certification data type 4",
           [](Scenario& s, Options&) {
             s.quote.faults.inner_cert_type = fmt::kCertTypePckCleartext;
           },
           FailureCode::kUnsupported},
      });
  ExpectAll(Scenario::Tdx(QuoteFormat::kTdxV5Td15), {},
            {
                {"v5 body type 4", [](Scenario& s, Options&) { s.quote.faults.body_type = 4; },
                 FailureCode::kUnsupported},
                {"v5 body type TD10 over a TD15 body",
                 [](Scenario& s, Options&) { s.quote.faults.body_type = fmt::kBodyTypeTd10; },
                 FailureCode::kMalformed},
                {"v5 body size off by one",
                 [](Scenario& s, Options&) { s.quote.faults.body_size_delta = 1; },
                 FailureCode::kMalformed},
            });
}

BOOST_AUTO_TEST_CASE(declared_lengths) {
  ExpectAll(Scenario::Tdx(), {},
            {
                {"sig data length beyond the quote",
                 [](Scenario& s, Options&) { s.quote.faults.sig_data_len_delta = 1; },
                 FailureCode::kMalformed},
                {"sig data length short of the certification data",
                 [](Scenario& s, Options&) { s.quote.faults.sig_data_len_delta = -1; },
                 FailureCode::kMalformed},
                {"certification data size beyond the sig data",
                 [](Scenario& s, Options&) { s.quote.faults.outer_cert_size_delta = 1; },
                 FailureCode::kMalformed},
                {"certification data size short",
                 [](Scenario& s, Options&) { s.quote.faults.outer_cert_size_delta = -1; },
                 FailureCode::kMalformed},
                {"PCK chain size beyond its container",
                 [](Scenario& s, Options&) { s.quote.faults.inner_cert_size_delta = 1; },
                 FailureCode::kMalformed},
                {"PCK chain size short",
                 [](Scenario& s, Options&) { s.quote.faults.inner_cert_size_delta = -1; },
                 FailureCode::kMalformed},
                {"QE auth data length beyond its container",
                 [](Scenario& s, Options&) { s.quote.faults.qe_auth_len_delta = 5000; },
                 FailureCode::kMalformed},
                {"truncated inside the PCK chain",
                 [](Scenario& s, Options&) { s.quote.faults.truncate_to = 3000; },
                 FailureCode::kMalformed},
                {"truncated inside the body",
                 [](Scenario& s, Options&) { s.quote.faults.truncate_to = 100; },
                 FailureCode::kMalformed},
                {"PCK chain not PEM",
                 [](Scenario& s, Options&) { s.quote.chain_pem_override = "not a certificate"; },
                 FailureCode::kMalformed},
            });
  ExpectAll(Scenario::Sgx(), {},
            {
                {"SGX sig data length beyond the quote",
                 [](Scenario& s, Options&) { s.quote.faults.sig_data_len_delta = 1; },
                 FailureCode::kMalformed},
                {"SGX PCK chain size short",
                 [](Scenario& s, Options&) { s.quote.faults.inner_cert_size_delta = -1; },
                 FailureCode::kMalformed},
            });
}

// ---- signatures: quote, QE report, QE report data ------------------------------

BOOST_AUTO_TEST_CASE(quote_and_qe_signatures) {
  const std::vector<Case> cases = {
      {"quote signature", [](Scenario& s, Options&) { s.quote.faults.quote_signature = true; },
       FailureCode::kBadSignature},
      {"quote signed by a key the quote does not carry",
       [](Scenario& s, Options&) { s.quote.faults.foreign_attestation_key = true; },
       FailureCode::kBadSignature},
      {"QE report signature",
       [](Scenario& s, Options&) { s.quote.faults.qe_report_signature = true; },
       FailureCode::kBadSignature},
      {"QE report data not bound to the attestation key",
       [](Scenario& s, Options&) { s.quote.faults.qe_report_data = true; },
       FailureCode::kBadSignature},
      {"QE report signed by another PCK key",
       [](Scenario& s, Options&) {
         KeyedCert other = *s.quote.pck;
         other.key = *x509::PrivateKey::Generate(x509::KeyKind::kP256);
         s.quote.pck = other;
       },
       FailureCode::kBadSignature},
  };
  Scenario tdx = Scenario::Tdx();
  tdx.quote.pck = Dev().pck_tdx;
  ExpectAll(tdx, {}, cases);
  Scenario sgx = Scenario::Sgx();
  sgx.quote.pck = Dev().pck_sgx;
  ExpectAll(sgx, {}, cases);
}

// ---- the PCK chain: signatures, completeness, anchor, windows ---------------------

BOOST_AUTO_TEST_CASE(pck_chain_signatures_and_anchor) {
  ExpectAll(
      Scenario::Tdx(), {},
      {
          {"PCK leaf signature broken",
           [](Scenario& s, Options&) {
             s.quote.pck = KeyedCert{*WithBadSignature(Dev().pck_tdx.cert), Dev().pck_tdx.key};
           },
           FailureCode::kChainUntrusted},
          {"PCK leaf issued by a forged Platform CA of the same name",
           [](Scenario& s, Options&) {
             KeyedCert root = Forge("Tenzro DEV SGX Root CA", true, nullptr, {0x01});
             KeyedCert forged = Forge("Tenzro DEV SGX PCK Platform CA", true, &root, {0x02});
             s.quote.pck = NewPck(s, sim::kDevPckNotBefore, sim::kDevPckNotAfter, &forged);
           },
           FailureCode::kChainUntrusted},
          {"Platform CA signature broken",
           [](Scenario& s, Options&) {
             s.quote.ca_chain = {*WithBadSignature(Dev().platform_ca.cert), Dev().root.cert};
           },
           FailureCode::kChainUntrusted},
          {"chain under a root of the same name that is not pinned",
           [](Scenario& s, Options&) {
             KeyedCert root = Forge("Tenzro DEV SGX Root CA", true, nullptr, {0x01});
             KeyedCert ca = Reissue(Dev().platform_ca, kDevCaNotBefore, kDevCaNotAfter, &root);
             s.quote.ca_chain = {ca.cert, root.cert};
           },
           FailureCode::kChainUntrusted},
          {"chain without its root",
           [](Scenario& s, Options&) { s.quote.ca_chain = {Dev().platform_ca.cert}; },
           FailureCode::kChainIncomplete},
          {"chain of the leaf alone",
           [](Scenario& s, Options&) {
             s.quote.chain_pem_override = x509::ToPem({Dev().pck_tdx.cert});
           },
           FailureCode::kChainIncomplete},
      });
}

BOOST_AUTO_TEST_CASE(pck_chain_windows) {
  ExpectAll(Scenario::Tdx(), {},
            {
                {"PCK leaf expired",
                 [](Scenario& s, Options&) { s.quote.pck = NewPck(s, kNow - kYear, kNow - 1); },
                 FailureCode::kExpired},
                {"PCK leaf not yet valid",
                 [](Scenario& s, Options&) { s.quote.pck = NewPck(s, kNow + 1, kNow + kYear); },
                 FailureCode::kNotYetValid},
                {"Platform CA expired",
                 [](Scenario& s, Options&) {
                   s.quote.ca_chain = {
                       Reissue(Dev().platform_ca, kNow - kYear, kNow - 1, &Dev().root).cert,
                       Dev().root.cert};
                 },
                 FailureCode::kExpired},
                {"Platform CA not yet valid",
                 [](Scenario& s, Options&) {
                   s.quote.ca_chain = {
                       Reissue(Dev().platform_ca, kNow + 1, kNow + kYear, &Dev().root).cert,
                       Dev().root.cert};
                 },
                 FailureCode::kNotYetValid},
            });
  // The root's own window: verify after it ends (2054) with every other
  // certificate and document re-issued to be valid then.
  const uint64_t late = static_cast<uint64_t>(kDevCaNotAfter) + 30 * kDay;
  const int64_t far = kDevCaNotAfter + 50 * kYear;
  Scenario s = Scenario::Tdx(QuoteFormat::kTdxV4, late);
  KeyedCert ca = Reissue(Dev().platform_ca, kDevCaNotBefore, far, &Dev().root);
  KeyedCert tcb = Reissue(Dev().tcb_signing, kDevCaNotBefore, far, &Dev().root);
  s.quote.pck = NewPck(s, kDevPckNotBefore, far, &ca);
  s.quote.ca_chain = {ca.cert, Dev().root.cert};
  s.tcb_info.signing.signer = tcb;
  s.qe_identity.signing.signer = tcb;
  s.pck_crl.issuer = ca;
  s.with_root_crl = false;  // its signer would be the expired root itself
  const Verdict v = Run(s);
  BOOST_TEST(!v.valid());
  BOOST_TEST(Name(v.reason()) == Name(FailureCode::kExpired), Describe(v));
  for (const auto& f : v.failures) {
    BOOST_TEST(Name(f.code) == Name(FailureCode::kExpired), f.message);
    std::string lower = f.message;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    BOOST_TEST(lower.find("root") != std::string::npos, f.message);
  }
}

// ---- CRLs: issuer, window, revocation of each certificate ---------------------------

BOOST_AUTO_TEST_CASE(crls) {
  Options strict;
  strict.policy.require_crls = true;
  const Scenario base = Scenario::Tdx();
  ExpectAll(base, strict,
            {
                {"PCK CRL absent", [](Scenario& s, Options&) { s.with_pck_crl = false; },
                 FailureCode::kCollateralMissing},
                {"Root CA CRL absent", [](Scenario& s, Options&) { s.with_root_crl = false; },
                 FailureCode::kCollateralMissing},
                {"PCK CRL signed by a forged Platform CA",
                 [](Scenario& s, Options&) { s.pck_crl.issuer = ForgedPlatformCa(); },
                 FailureCode::kCollateralMissing},
                {"PCK CRL issued by the root instead of the PCK CA",
                 [](Scenario& s, Options&) { s.pck_crl.issuer = Dev().root; },
                 FailureCode::kCollateralMissing},
                {"PCK CRL signature broken",
                 [](Scenario& s, Options&) { s.pck_crl.bad_signature = true; },
                 FailureCode::kCollateralMissing},
                {"Root CA CRL signature broken",
                 [](Scenario& s, Options&) { s.root_crl.bad_signature = true; },
                 FailureCode::kCollateralMissing},
            });
  // A refused CRL is refused at admission, not quietly used.
  {
    Scenario s = base;
    s.pck_crl.bad_signature = true;
    BOOST_TEST(AdmissionRefuses(s, 2));
    s = base;
    s.pck_crl.issuer = ForgedPlatformCa();
    BOOST_TEST(AdmissionRefuses(s, 2));
  }
  ExpectAll(
      base, {},
      {
          {"PCK CRL expired",
           [](Scenario& s, Options&) {
             s.pck_crl.this_update = s.now - 40 * kDay;
             s.pck_crl.next_update = s.now - 1;
           },
           FailureCode::kExpired},
          {"PCK CRL not yet valid",
           [](Scenario& s, Options&) {
             s.pck_crl.this_update = s.now + 1;
             s.pck_crl.next_update = s.now + 30 * kDay;
           },
           FailureCode::kNotYetValid},
          {"Root CA CRL expired",
           [](Scenario& s, Options&) {
             s.root_crl.this_update = s.now - 40 * kDay;
             s.root_crl.next_update = s.now - 1;
           },
           FailureCode::kExpired},
          {"Root CA CRL not yet valid",
           [](Scenario& s, Options&) {
             s.root_crl.this_update = s.now + 1;
             s.root_crl.next_update = s.now + 30 * kDay;
           },
           FailureCode::kNotYetValid},
          {"PCK leaf revoked",
           [](Scenario& s, Options&) { s.pck_crl.revoked_serials = {Dev().pck_tdx.cert.serial()}; },
           FailureCode::kRevoked},
          {"Platform CA revoked",
           [](Scenario& s, Options&) {
             s.root_crl.revoked_serials = {Dev().platform_ca.cert.serial()};
           },
           FailureCode::kRevoked},
          {"TCB signing certificate revoked",
           [](Scenario& s, Options&) {
             s.root_crl.revoked_serials = {Dev().tcb_signing.cert.serial()};
           },
           FailureCode::kRevoked},
      });
  // Other serials on the lists revoke nothing.
  Scenario other = base;
  other.pck_crl.revoked_serials = {Dev().pck_sgx.cert.serial(), {0x12, 0x34}};
  other.root_crl.revoked_serials = {{0x7f}};
  const Verdict ov = Run(other, strict);
  BOOST_TEST(ov.valid(), Describe(ov));
}

// ---- CRL signer roles: who may issue which CRL, and which CRL speaks of which certificate ----
//
// Intel's PKI: the PCK CRL is issued by the PCK Platform or Processor CA
// that issued the PCK leaf, the Root CA CRL by the root. A CRL of any other
// signer is refused at admission; an admitted CRL of another issuer than
// this chain's (another key under the same name) is ignored, as absent.
// Each case below passes only with its check in place.

namespace {

// A second key of the dev Platform CA: the same name, issued by the dev
// root (as a re-keyed Intel CA would be). Authentic, but not the CA of the
// default PCK leaf.
KeyedCert TwinPlatformCa() {
  return Forge("Tenzro DEV SGX PCK Platform CA", true, &Dev().root, {0x22});
}
KeyedCert ProcessorCa() {
  return Forge("Tenzro DEV SGX PCK Processor CA", true, &Dev().root, {0x23});
}
// Another development root of the dev root's name, pinned too (Options).
KeyedCert TwinRoot() { return Forge("Tenzro DEV SGX Root CA", true, nullptr, {0x01}); }

const Bytes kLeafSerial = {0x10, 0x77};  // NewPck's

// The collateral of `s` admitted in passes by `v` (the standalone path's way).
CollateralSet AdmitAll(const TdxVerifier& v, const Scenario& s) {
  auto blobs = s.Collateral();
  BOOST_REQUIRE(blobs.ok());
  return tdx::testing::Admit(v, *blobs, s.now);
}

Verdict VerifyIn(const TdxVerifier& v, const CollateralSet& set, const Scenario& s) {
  auto quote = s.Quote();
  BOOST_REQUIRE(quote.ok());
  VerifyRequest req;
  req.evidence = AsView(*quote);
  req.now = s.now;
  req.collateral = &set;
  auto out = v.Verify(req);
  BOOST_REQUIRE(out.ok());
  return *out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(crl_signers_are_refused_outside_their_role) {
  Options strict;
  strict.policy.require_crls = true;
  const Scenario base = Scenario::Tdx();
  struct Misuse {
    std::string name;
    Fault fault;
    size_t blob;  // index of the misused CRL among the scenario's collateral
  };
  const std::vector<Misuse> misuses = {
      {"PCK CRL signed by the TCB Signing certificate",
       [](Scenario& s, Options&) { s.pck_crl.issuer = Dev().tcb_signing; }, 2},
      {"PCK CRL signed by the PCK leaf",
       [](Scenario& s, Options&) {
         s.pck_crl.issuer = Dev().pck_tdx;
         s.pck_crl.chain = std::vector<x509::Certificate>{Dev().pck_tdx.cert,
                                                          Dev().platform_ca.cert, Dev().root.cert};
       },
       2},
      {"PCK CRL signed by a CA under the root that is no PCK CA",
       [](Scenario& s, Options&) {
         s.pck_crl.issuer = Forge("Tenzro DEV SGX Other CA", true, &Dev().root, {0x24});
       },
       2},
      {"PCK CRL signed by a PCK CA that is not directly under the root",
       [](Scenario& s, Options&) {
         KeyedCert sub = Forge("Tenzro DEV SGX PCK Processor CA", true, &Dev().platform_ca, {0x25});
         s.pck_crl.issuer = sub;
         s.pck_crl.chain =
             std::vector<x509::Certificate>{sub.cert, Dev().platform_ca.cert, Dev().root.cert};
       },
       2},
      {"Root CA CRL signed by the TCB Signing certificate",
       [](Scenario& s, Options&) { s.root_crl.issuer = Dev().tcb_signing; }, 3},
  };
  for (const auto& m : misuses) {
    BOOST_TEST_CONTEXT(m.name) {
      Scenario s = base;
      Options o = strict;
      m.fault(s, o);
      BOOST_TEST(AdmissionRefuses(s, m.blob));
      ExpectAlone(base, strict, {m.name, m.fault, FailureCode::kCollateralMissing});
    }
  }
  // The PCK CA's own CRL is admitted as a PCK CRL, never as the Root CA CRL
  // it poses as: the root's CRL is still missing.
  Scenario posing = base;
  posing.root_crl.issuer = Dev().platform_ca;
  BOOST_TEST(AdmittedKind(posing, 3) == kKindPckCrl);
  ExpectAlone(base, strict,
              {"a PCK CA CRL posing as the Root CA CRL",
               [](Scenario& s, Options&) { s.root_crl.issuer = Dev().platform_ca; },
               FailureCode::kCollateralMissing});
}

BOOST_AUTO_TEST_CASE(a_crl_of_another_issuer_is_not_used) {
  Options strict;
  strict.policy.require_crls = true;
  const Scenario base = Scenario::Tdx();
  const KeyedCert twin = TwinPlatformCa();
  const KeyedCert twin_root = TwinRoot();
  Options both_roots = strict;
  both_roots.extra_dev_roots = {twin_root.cert.fingerprint()};

  // Another key of the Platform CA: its CRL is admitted (an authentic PCK
  // CRL), but it does not speak of this leaf, so it is absent here.
  Scenario by_twin = base;
  by_twin.pck_crl.issuer = twin;
  BOOST_TEST(AdmittedKind(by_twin, 2) == kKindPckCrl);
  ExpectAlone(base, strict,
              {"PCK CRL of another key of the Platform CA",
               [twin](Scenario& s, Options&) { s.pck_crl.issuer = twin; },
               FailureCode::kCollateralMissing});
  // Ignored, not merely outranked: listing the leaf revokes nothing ...
  Scenario listed = base;
  listed.pck_crl.issuer = twin;
  listed.pck_crl.revoked_serials = {Dev().pck_tdx.cert.serial()};
  const Verdict lv = Run(listed);
  BOOST_TEST(lv.valid(), Describe(lv));
  // ... and a newer one never shadows the issuer's own CRL, either way.
  CrlBuildSpec newer = base.pck_crl;
  newer.issuer = twin;
  newer.this_update = base.pck_crl.this_update + kDay;
  Scenario shadowed = base;
  shadowed.pck_crl.revoked_serials = {Dev().pck_tdx.cert.serial()};
  shadowed.extra_collateral = {*MakePckCrl(newer)};
  const Verdict sv = Run(shadowed, strict);
  BOOST_TEST(Name(sv.reason()) == Name(FailureCode::kRevoked), Describe(sv));
  newer.revoked_serials = {Dev().pck_tdx.cert.serial()};
  Scenario clean = base;
  clean.extra_collateral = {*MakePckCrl(newer)};
  const Verdict cv = Run(clean, strict);
  BOOST_TEST(cv.valid(), Describe(cv));

  // Another pinned root of the same name: its CRL is a Root CA CRL, but not
  // this chain's root's.
  BOOST_TEST(Run(base, both_roots).valid());
  ExpectAlone(base, both_roots,
              {"Root CA CRL of another root of the same name",
               [twin_root](Scenario& s, Options&) {
                 s.root_crl.issuer = twin_root;
                 s.root_crl.chain = std::vector<x509::Certificate>{twin_root.cert};
               },
               FailureCode::kCollateralMissing});
  Scenario root_listed = base;
  root_listed.root_crl.issuer = twin_root;
  root_listed.root_crl.chain = std::vector<x509::Certificate>{twin_root.cert};
  root_listed.root_crl.revoked_serials = {Dev().platform_ca.cert.serial()};
  Options lax = both_roots;
  lax.policy.require_crls = false;
  const Verdict rv = Run(root_listed, lax);
  BOOST_TEST(rv.valid(), Describe(rv));
}

BOOST_AUTO_TEST_CASE(processor_and_platform_crls) {
  Options strict;
  strict.policy.require_crls = true;
  const KeyedCert proc = ProcessorCa();
  Scenario s = Scenario::Tdx();
  s.quote.pck = NewPck(s, kDevPckNotBefore, kDevPckNotAfter, &proc);
  s.quote.ca_chain = {proc.cert, Dev().root.cert};
  // The Platform CA's CRL, even listing the leaf's serial, is not about a
  // Processor CA leaf.
  s.pck_crl.revoked_serials = {kLeafSerial};
  const Verdict platform_only = Run(s, strict);
  BOOST_TEST(Name(platform_only.reason()) == Name(FailureCode::kCollateralMissing),
             Describe(platform_only));
  for (const auto& f : platform_only.failures) {
    BOOST_TEST(Name(f.code) == Name(FailureCode::kCollateralMissing), f.message);
  }
  // Its own CA's CRL is.
  s.pck_crl.issuer = proc;
  s.pck_crl.revoked_serials = {};
  const Verdict own = Run(s, strict);
  BOOST_TEST(own.valid(), Describe(own));
  s.pck_crl.revoked_serials = {kLeafSerial};
  BOOST_TEST(Name(Run(s, strict).reason()) == Name(FailureCode::kRevoked));
}

// The set's AuthMemo remembers what a CRL's bytes authenticate as; which
// leaf a CRL may check is decided per quote. Two quotes on one set, leaves
// of the same serial under two keys of the Platform CA, each get their own
// CA's CRL in either order.
BOOST_AUTO_TEST_CASE(crl_issuer_is_decided_per_quote_not_per_set) {
  Options strict;
  strict.policy.require_crls = true;
  const KeyedCert twin = TwinPlatformCa();
  Scenario real = Scenario::Tdx();
  real.quote.pck = NewPck(real, kDevPckNotBefore, kDevPckNotAfter);  // under the real CA
  real.pck_crl.revoked_serials = {kLeafSerial};
  CrlBuildSpec twin_crl = real.pck_crl;
  twin_crl.issuer = twin;
  twin_crl.revoked_serials = {};
  real.extra_collateral = {*MakePckCrl(twin_crl)};
  Scenario other = real;
  other.quote.pck = NewPck(other, kDevPckNotBefore, kDevPckNotAfter, &twin);
  other.quote.ca_chain = {twin.cert, Dev().root.cert};

  for (bool real_first : {true, false}) {
    BOOST_TEST_CONTEXT("real leaf first: " << real_first) {
      const auto v = MakeVerifier(TeeType::IntelTdx, strict);
      const CollateralSet set = AdmitAll(*v, real);
      BOOST_TEST(set.Group(TeeType::IntelTdx, kKindPckCrl).size() == 2u);
      for (int round = 0; round < 2; ++round) {
        for (bool is_real : {real_first, !real_first}) {
          const Verdict vd = VerifyIn(*v, set, is_real ? real : other);
          if (is_real) {
            BOOST_TEST(Name(vd.reason()) == Name(FailureCode::kRevoked), Describe(vd));
          } else {
            BOOST_TEST(vd.valid(), Describe(vd));
          }
        }
      }
    }
  }
}

// ---- TCB Info and QE Identity: signature, window, id, FMSPC, PCE id -------------------------

BOOST_AUTO_TEST_CASE(tcb_info_and_qe_identity_documents) {
  const Scenario base = Scenario::Tdx();
  ExpectAll(
      base, {},
      {
          {"TCB Info signature broken",
           [](Scenario& s, Options&) { s.tcb_info.signing.bad_signature = true; },
           FailureCode::kCollateralMissing},
          {"TCB Info signed by a forged TCB signing certificate",
           [](Scenario& s, Options&) {
             KeyedCert root = Forge("Tenzro DEV SGX Root CA", true, nullptr, {0x01});
             KeyedCert signer = Forge("Tenzro DEV SGX TCB Signing", false, &root, {0x03});
             s.tcb_info.signing.signer = signer;
             s.tcb_info.signing.chain = std::vector<x509::Certificate>{signer.cert, root.cert};
           },
           FailureCode::kCollateralMissing},
          // Signer role (issue 9 item 4): only the TCB Signing certificate,
          // directly under the root, signs TCB Info and QE Identity.
          {"TCB Info signed by the PCK Platform CA",
           [](Scenario& s, Options&) {
             s.tcb_info.signing.signer = Dev().platform_ca;
             s.tcb_info.signing.chain =
                 std::vector<x509::Certificate>{Dev().platform_ca.cert, Dev().root.cert};
           },
           FailureCode::kCollateralMissing},
          {"TCB Info signed by a PCK leaf key",
           [](Scenario& s, Options&) {
             s.tcb_info.signing.signer = Dev().pck_tdx;
             s.tcb_info.signing.chain = std::vector<x509::Certificate>{
                 Dev().pck_tdx.cert, Dev().platform_ca.cert, Dev().root.cert};
           },
           FailureCode::kCollateralMissing},
          {"QE Identity signed by the PCK Platform CA",
           [](Scenario& s, Options&) {
             s.qe_identity.signing.signer = Dev().platform_ca;
             s.qe_identity.signing.chain =
                 std::vector<x509::Certificate>{Dev().platform_ca.cert, Dev().root.cert};
           },
           FailureCode::kCollateralMissing},
          {"QE Identity signed by a PCK leaf key",
           [](Scenario& s, Options&) {
             s.qe_identity.signing.signer = Dev().pck_tdx;
             s.qe_identity.signing.chain = std::vector<x509::Certificate>{
                 Dev().pck_tdx.cert, Dev().platform_ca.cert, Dev().root.cert};
           },
           FailureCode::kCollateralMissing},
          {"TCB Signing certificate issued by the PCK Platform CA",
           [](Scenario& s, Options&) {
             KeyedCert signer =
                 Forge("Tenzro DEV SGX TCB Signing", false, &Dev().platform_ca, {0x03});
             s.tcb_info.signing.signer = signer;
             s.tcb_info.signing.chain = std::vector<x509::Certificate>{
                 signer.cert, Dev().platform_ca.cert, Dev().root.cert};
           },
           FailureCode::kCollateralMissing},
          {"TCB Info expired",
           [](Scenario& s, Options&) {
             s.tcb_info.issue_date = s.now - 40 * kDay;
             s.tcb_info.next_update = s.now - 1;
           },
           FailureCode::kExpired},
          {"TCB Info not yet issued",
           [](Scenario& s, Options&) {
             s.tcb_info.issue_date = s.now + 1;
             s.tcb_info.next_update = s.now + 30 * kDay;
           },
           FailureCode::kNotYetValid},
          {"TCB Info id SGX for a TDX quote", [](Scenario& s, Options&) { s.tcb_info.id = "SGX"; },
           FailureCode::kCollateralMissing},
          {"TCB Info for another FMSPC", [](Scenario& s, Options&) { s.tcb_info.fmspc[5] ^= 0x01; },
           FailureCode::kCollateralMissing},
          {"TCB Info for another PCE id",
           [](Scenario& s, Options&) { s.tcb_info.pce_id[1] = 0x01; },
           FailureCode::kCollateralMissing},
          {"TCB signing certificate expired",
           [](Scenario& s, Options&) {
             KeyedCert old = Reissue(Dev().tcb_signing, kNow - kYear, kNow - 1, &Dev().root);
             s.tcb_info.signing.signer = old;
           },
           FailureCode::kExpired},
          {"QE Identity signature broken",
           [](Scenario& s, Options&) { s.qe_identity.signing.bad_signature = true; },
           FailureCode::kCollateralMissing},
          {"QE Identity expired",
           [](Scenario& s, Options&) {
             s.qe_identity.issue_date = s.now - 40 * kDay;
             s.qe_identity.next_update = s.now - 1;
           },
           FailureCode::kExpired},
          {"QE Identity not yet issued",
           [](Scenario& s, Options&) {
             s.qe_identity.issue_date = s.now + 1;
             s.qe_identity.next_update = s.now + 30 * kDay;
           },
           FailureCode::kNotYetValid},
          {"QE Identity id QE for a TDX quote",
           [](Scenario& s, Options&) { s.qe_identity.id = "QE"; }, FailureCode::kCollateralMissing},
          {"TCB Info absent", [](Scenario& s, Options&) { s.with_tcb_info = false; },
           FailureCode::kCollateralMissing},
          {"QE Identity absent", [](Scenario& s, Options&) { s.with_qe_identity = false; },
           FailureCode::kCollateralMissing},
      });
  // The refused documents are refused at admission.
  for (auto fault :
       std::vector<Fault>{[](Scenario&s, Options&) { s.tcb_info.signing.bad_signature = true; },
                          [](Scenario&s, Options&) { s.tcb_info.id = "SGX"; }}) {
    Scenario s = base;
    Options o;
    fault(s, o);
    BOOST_TEST(AdmissionRefuses(s, 0));
  }
  Scenario qe = base;
  qe.qe_identity.signing.bad_signature = true;
  BOOST_TEST(AdmissionRefuses(qe, 1));
  // SGX flavours.
  ExpectAll(
      Scenario::Sgx(), {},
      {
          {"TCB Info id TDX for an SGX quote", [](Scenario& s, Options&) { s.tcb_info.id = "TDX"; },
           FailureCode::kCollateralMissing},
          {"QE Identity id TD_QE for an SGX quote",
           [](Scenario& s, Options&) { s.qe_identity.id = "TD_QE"; },
           FailureCode::kCollateralMissing},
          {"SGX TCB Info for another FMSPC",
           [](Scenario& s, Options&) { s.tcb_info.fmspc[0] ^= 0x01; },
           FailureCode::kCollateralMissing},
      });
}

// ---- QE identity match ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(qe_identity_match) {
  const std::vector<Case> cases = {
      {"QE MRSIGNER", [](Scenario& s, Options&) { s.quote.qe_report.mrsigner[0] ^= 0x01; },
       FailureCode::kNoMatchingTcb},
      {"QE ISVPRODID", [](Scenario& s, Options&) { s.quote.qe_report.isvprodid += 1; },
       FailureCode::kNoMatchingTcb},
      {"QE MISCSELECT under the mask",
       [](Scenario& s, Options&) { s.quote.qe_report.miscselect = 0x00000001; },
       FailureCode::kNoMatchingTcb},
      {"QE ATTRIBUTES under the mask",
       [](Scenario& s, Options&) { s.quote.qe_report.attributes[0] ^= 0x10; },  // PROVISIONKEY
       FailureCode::kNoMatchingTcb},
      {"QE ISVSVN below every level", [](Scenario& s, Options&) { s.quote.qe_report.isvsvn = 0; },
       FailureCode::kNoMatchingTcb},
  };
  ExpectAll(Scenario::Tdx(), {}, cases);
  ExpectAll(Scenario::Sgx(), {}, cases);

  // Bits outside the masks are not compared.
  Scenario masked = Scenario::Tdx();
  masked.qe_identity.miscselect_mask = 0xfffffffe;
  masked.quote.qe_report.miscselect = 0x00000001;
  masked.quote.qe_report.attributes[0] ^= 0x04;  // MODE64BIT, outside Intel's mask
  masked.quote.qe_report.attributes[8] ^= 0x80;  // XFRM, outside the mask
  const Verdict mv = Run(masked);
  BOOST_TEST(mv.valid(), Describe(mv));

  // The QE's ISVSVN gives the QE TCB status, which the platform's converges with.
  Scenario old_qe = Scenario::Tdx();
  old_qe.quote.qe_report.isvsvn = static_cast<uint16_t>(old_qe.platform.qe.isvsvn - 1);
  const Verdict ov = Run(old_qe);
  BOOST_TEST(ov.valid(), Describe(ov));
  BOOST_TEST(ov.tcb_status.value_or("") == "OutOfDate");
  BOOST_TEST((ov.advisory_ids == std::vector<std::string>{kOldLevelAdvisory}));
  Options strict;
  strict.policy.accepted_tcb_statuses = {TcbStatus::kUpToDate};
  BOOST_TEST(Name(Run(old_qe, strict).reason()) == Name(FailureCode::kTcbStatusRejected));
}

// ---- TCB level matching ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(tcb_matching_no_level) {
  ExpectAll(Scenario::Tdx(), {},
            {
                {"SGX components below every level",
                 [](Scenario& s, Options&) {
                   for (auto& l : s.tcb_info.levels) l.sgx_components[7] = 9;
                 },
                 FailureCode::kNoMatchingTcb},
                {"PCESVN below every level",
                 [](Scenario& s, Options&) {
                   for (auto& l : s.tcb_info.levels) l.pcesvn = 40;
                 },
                 FailureCode::kNoMatchingTcb},
                {"TDX components below every level",
                 [](Scenario& s, Options&) {
                   for (auto& l : s.tcb_info.levels) l.tdx_components[2] = 9;
                 },
                 FailureCode::kNoMatchingTcb},
                {"no TDX module identity for the module's major version",
                 [](Scenario& s, Options&) { s.tcb_info.module_identities[0].id = "TDX_02"; },
                 FailureCode::kNoMatchingTcb},
                {"TDX module SVN below every module level",
                 [](Scenario& s, Options&) {
                   for (auto& l : s.tcb_info.module_identities[0].levels) l.isvsvn = 9;
                 },
                 FailureCode::kNoMatchingTcb},
                {"MRSIGNERSEAM not the module identity's",
                 [](Scenario& s, Options&) { s.quote.td.mrsignerseam[0] = 0x01; },
                 FailureCode::kNoMatchingTcb},
                {"SEAM attributes not the module identity's",
                 [](Scenario& s, Options&) { s.quote.td.seam_attributes[0] = 0x01; },
                 FailureCode::kNoMatchingTcb},
            });
  ExpectAll(Scenario::Sgx(), {},
            {
                {"SGX platform below every level",
                 [](Scenario& s, Options&) {
                   for (auto& l : s.tcb_info.levels) l.sgx_components[0] = 200;
                 },
                 FailureCode::kNoMatchingTcb},
            });
}

BOOST_AUTO_TEST_CASE(tcb_matching_each_status) {
  for (bool tdx : {true, false}) {
    for (const char* status : kTcbStatuses) {
      BOOST_TEST_CONTEXT((tdx ? "TDX " : "SGX ") << status) {
        Scenario s = tdx ? Scenario::Tdx() : Scenario::Sgx();
        s.tcb_info.levels[0].status = status;
        s.tcb_info.levels[0].advisory_ids = {"INTEL-SA-DEV42"};
        const Verdict v = Run(s);
        BOOST_TEST(v.tcb_status.value_or("") == status);
        BOOST_TEST((v.advisory_ids == std::vector<std::string>{"INTEL-SA-DEV42"}));
        // Defaults accept every status but Revoked (§10).
        if (std::string(status) == "Revoked") {
          BOOST_TEST(Name(v.reason()) == Name(FailureCode::kTcbStatusRejected), Describe(v));
        } else {
          BOOST_TEST(v.valid(), Describe(v));
        }
        // A policy of UpToDate only rejects every other status.
        Options strict;
        strict.policy.accepted_tcb_statuses = {TcbStatus::kUpToDate};
        const Verdict sv = Run(s, strict);
        if (std::string(status) == "UpToDate") {
          BOOST_TEST(sv.valid(), Describe(sv));
        } else {
          BOOST_TEST(Name(sv.reason()) == Name(FailureCode::kTcbStatusRejected), Describe(sv));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(tcb_matching_picks_the_first_level_the_platform_meets) {
  // A newer level the platform does not reach, then its own: its own status.
  Scenario s = Scenario::Tdx();
  sim::TcbLevel newer = s.tcb_info.levels[0];
  newer.sgx_components[0] += 1;
  newer.status = "UpToDate";
  s.tcb_info.levels[0].status = "SWHardeningNeeded";
  s.tcb_info.levels.insert(s.tcb_info.levels.begin(), newer);
  const Verdict v = Run(s);
  BOOST_TEST(v.valid(), Describe(v));
  BOOST_TEST(v.tcb_status.value_or("") == "SWHardeningNeeded");
  // The TDX module's level converges: an out-of-date module makes the TD OutOfDate.
  Scenario m = Scenario::Tdx();
  m.tcb_info.module_identities[0].levels[0].isvsvn =
      static_cast<uint8_t>(m.platform.tee_tcb_svn[0] + 1);
  const Verdict mv = Run(m);
  BOOST_TEST(mv.valid(), Describe(mv));
  BOOST_TEST(mv.tcb_status.value_or("") == "OutOfDate");
}

BOOST_AUTO_TEST_CASE(outofdate_grace_period) {
  // After a TCB recovery 10 days ago, a 30-day grace still accepts OutOfDate;
  // a 5-day grace no longer does.
  Scenario s = Scenario::Tdx();
  s.tcb_info = TcbRecovery(s.tcb_info, s.now - 10 * kDay, s.now + 20 * kDay);
  Options o;
  o.policy.accepted_tcb_statuses = {TcbStatus::kUpToDate};
  o.policy.outofdate_grace_secs = 30 * kDay;
  const Verdict v = Run(s, o);
  BOOST_TEST(v.valid(), Describe(v));
  BOOST_TEST(v.tcb_status.value_or("") == "OutOfDate");
  BOOST_TEST(v.valid_until.value_or(0) <= s.now + 20 * kDay);
  o.policy.outofdate_grace_secs = 5 * kDay;
  BOOST_TEST(Name(Run(s, o).reason()) == Name(FailureCode::kTcbStatusRejected));
}

// ---- debug, policy allow-lists, SEPT_VE_DISABLE ----------------------------------------------

BOOST_AUTO_TEST_CASE(debug_is_always_rejected) {
  ExpectAlone(
      Scenario::Tdx(), {},
      {"debug TD", [](Scenario& s, Options&) { s.quote.td.td_attributes |= fmt::kTdAttrDebug; },
       FailureCode::kDebugEnclave});
  ExpectAlone(
      Scenario::Sgx(), {},
      {"debug enclave",
       [](Scenario& s, Options&) { s.quote.enclave.attributes[0] |= fmt::kSgxAttrDebugBit; },
       FailureCode::kDebugEnclave});
  Scenario d = Scenario::Tdx();
  d.quote.td.td_attributes |= fmt::kTdAttrDebug;
  BOOST_TEST(Run(d).debug);
}

BOOST_AUTO_TEST_CASE(tdx_allow_lists) {
  const Scenario base = Scenario::Tdx();
  Options listed;  // every list holds the quote's value (and another)
  listed.policy.mrtd = {M48(0x01), base.quote.td.mrtd};
  for (size_t i = 0; i < 4; ++i) listed.policy.rtmr[i] = {base.quote.td.rtmr[i], M48(0x02)};
  listed.policy.mrseam = {base.quote.td.mrseam};
  listed.policy.mrconfigid = {base.quote.td.mrconfigid};
  std::vector<Case> cases = {
      {"MRTD", [](Scenario& s, Options&) { s.quote.td.mrtd[0] ^= 1; },
       FailureCode::kMeasurementMismatch},
      {"MRSEAM", [](Scenario& s, Options&) { s.quote.td.mrseam[0] ^= 1; },
       FailureCode::kMeasurementMismatch},
      {"MRCONFIGID", [](Scenario& s, Options&) { s.quote.td.mrconfigid[0] ^= 1; },
       FailureCode::kMeasurementMismatch},
  };
  for (size_t i = 0; i < 4; ++i) {
    cases.push_back({"RTMR" + std::to_string(i),
                     [i](Scenario& s, Options&) { s.quote.td.rtmr[i][0] ^= 1; },
                     FailureCode::kMeasurementMismatch});
  }
  ExpectAll(base, listed, cases);
  const Verdict v = Run(base, listed);
  BOOST_TEST(v.measurements_valid);
}

BOOST_AUTO_TEST_CASE(sgx_allow_lists) {
  const Scenario base = Scenario::Sgx();
  Options listed;
  listed.policy.sgx_mrenclave = {base.quote.enclave.mrenclave};
  listed.policy.sgx_mrsigner = {base.quote.enclave.mrsigner};
  listed.policy.sgx_isvprodid = {base.quote.enclave.isvprodid};
  listed.policy.sgx_min_isvsvn = base.quote.enclave.isvsvn;
  ExpectAll(
      base, listed,
      {
          {"MRENCLAVE", [](Scenario& s, Options&) { s.quote.enclave.mrenclave[0] ^= 1; },
           FailureCode::kMeasurementMismatch},
          {"MRSIGNER", [](Scenario& s, Options&) { s.quote.enclave.mrsigner[0] ^= 1; },
           FailureCode::kMeasurementMismatch},
          {"ISVPRODID", [](Scenario& s, Options&) { s.quote.enclave.isvprodid += 1; },
           FailureCode::kMeasurementMismatch},
          {"ISVSVN below the minimum", [](Scenario& s, Options&) { s.quote.enclave.isvsvn -= 1; },
           FailureCode::kPolicyViolation},
      });
}

BOOST_AUTO_TEST_CASE(sept_ve_disable) {
  Options required;
  required.policy.require_sept_ve_disable = true;
  ExpectAlone(
      Scenario::Tdx(), required,
      {"SEPT_VE_DISABLE clear while required",
       [](Scenario& s, Options&) { s.quote.td.td_attributes &= ~fmt::kTdAttrSeptVeDisable; },
       FailureCode::kPolicyViolation});
  // Not required by default (§10).
  Scenario clear = Scenario::Tdx();
  clear.quote.td.td_attributes &= ~fmt::kTdAttrSeptVeDisable;
  BOOST_TEST(Run(clear).valid());
}

// ---- binding, evidence age, simulation
// ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(binding) {
  BindingInput b;
  b.validator_id[0] = 0xa1;
  b.challenge[0] = 0xc1;
  Options o;
  o.binding = b;
  for (Scenario base : {Scenario::Tdx(), Scenario::Sgx()}) {
    base.quote.binding = b;
    ExpectAll(base, o,
              {
                  {"report data for another validator",
                   [](Scenario& s, Options&) {
                     std::get<BindingInput>(*s.quote.binding).validator_id[0] ^= 1;
                   },
                   FailureCode::kBindingMismatch},
                  {"report data for another challenge",
                   [](Scenario& s, Options&) {
                     std::get<BindingInput>(*s.quote.binding).challenge[0] ^= 1;
                   },
                   FailureCode::kBindingMismatch},
              });
    const Verdict v = Run(base, o);
    BOOST_TEST((v.binding_valid == std::optional<bool>(true)));
    BOOST_TEST(!Run(base).binding_valid.has_value());  // no binding input: null
  }
}

BOOST_AUTO_TEST_CASE(evidence_age) {
  Options o;
  o.evidence_time = kSimNow - kDay / 2;
  ExpectAlone(Scenario::Tdx(), o,
              {"evidence older than max_age",
               [](Scenario& s, Options& opt) { opt.evidence_time = s.now - 2 * kDay; },
               FailureCode::kExpired});
  const Verdict v = Run(Scenario::Tdx(), o);
  BOOST_TEST(v.valid_until.value_or(0) == *o.evidence_time + kMaxAge);
}

BOOST_AUTO_TEST_CASE(simulation_off) {
  for (Scenario base : {Scenario::Tdx(), Scenario::Sgx()}) {
    ExpectAlone(
        base, {},
        {"development root with simulation off",
         [](Scenario&, Options& o) { o.simulation = false; }, FailureCode::kSimulationDisabled});
    Options off;
    off.simulation = false;
    const Verdict v = Run(base, off);
    BOOST_TEST(!v.hardware_verified);
    BOOST_TEST(v.failures.size() == 1u, Describe(v));
    // Development collateral is refused at admission too.
    BOOST_TEST(AdmissionRefuses(base, 0, off));
  }
}

BOOST_AUTO_TEST_SUITE_END()
