#include "scenario.h"

#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>

#include "support/test_support.h"

namespace tenzro::tee::snp::testing {
namespace {

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// The key that signs a scenario's report.
const x509::PrivateKey& SigningKeyOf(const sim::SimSpec& s) {
  if (s.signing_key != nullptr) return *s.signing_key;
  const sim::VekSpec vek = s.vek ? *s.vek : sim::VekSpecFor(s.report);
  if (vek.subject_key != nullptr) return *vek.subject_key;
  const auto& pki = sim::DevPki(vek.product);
  return vek.vlek ? pki.vlek_key : pki.vcek_key;
}

template <typename T>
T MustOk(Result<T> r, const char* what) {
  if (!r.ok()) BOOST_FAIL(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

}  // namespace

Scenario::Scenario(Product product) : sim(sim::DefaultSimSpec(product)) {
  binding = DefaultBinding();
  sim::Bind(sim.report, *binding);
}

BindingInput DefaultBinding() {
  return BindingInput{tee::testing::IdFromLabel("snp-validator"),
                      tee::testing::HashFromLabel("snp-challenge")};
}

Outcome Run(const Scenario& s) {
  sim::SimEvidence ev = MustOk(sim::Simulate(s.sim), "simulate");
  if (s.edit_report) {
    s.edit_report(ev.report);
    Status st = sim::SignReport(ev.report, SigningKeyOf(s.sim));
    BOOST_REQUIRE_MESSAGE(st.ok(), st.ToString());
  }
  std::vector<Bytes> blobs;
  Outcome out;
  switch (s.form) {
    case Form::kExtended:
      out.evidence = ev.Extended();
      break;
    case Form::kExtendedArkFromCollateral:
      out.evidence = ev.Extended(/*with_ark=*/false);
      blobs.push_back(Text(x509::ToPem({ev.ark})));
      break;
    case Form::kExtendedNoArk:
      out.evidence = ev.Extended(/*with_ark=*/false);
      break;
    case Form::kRawWithCollateral:
      out.evidence = ev.report;
      blobs.push_back(Text(ev.ChainPem()));
      blobs.push_back(Text(ev.VekPem()));
      break;
    case Form::kHclWithCollateral: {
      const std::string json = R"({"keys":[],"user-data":"tenzro"})";
      out.evidence = ev.Hcl(AsView(Text(json)));
      blobs.push_back(Text(ev.ChainPem()));
      blobs.push_back(Text(ev.VekPem()));
      break;
    }
  }
  if (s.edit_evidence) s.edit_evidence(out.evidence);
  blobs.insert(blobs.end(), s.collateral.begin(), s.collateral.end());

  VerifierOptions options;
  if (s.dev_arks) options.dev_arks = *s.dev_arks;
  SnpVerifier verifier(s.policy, s.common, options);
  CollateralSet set;
  for (const Bytes& blob : blobs) {
    set = set.With(MustOk(verifier.ParseCollateral(AsView(blob), set, s.now), "admit collateral"));
  }
  for (const CollateralDoc& d : s.forced) set = set.With(d);

  VerifyRequest req;
  req.evidence = AsView(out.evidence);
  req.collateral = &set;
  req.now = s.now;
  req.evidence_time = s.evidence_time;
  req.binding = s.binding;
  out.verdict = MustOk(verifier.Verify(req), "verify");
  return out;
}

std::string Describe(const Verdict& v) {
  if (v.failures.empty()) return "valid";
  std::string out;
  for (const auto& f : v.failures) {
    if (!out.empty()) out += "; ";
    out += std::string(FailureCodeName(f.code)) + ": " + f.message;
  }
  return out;
}

void ExpectValid(const Scenario& s) {
  const Verdict v = Run(s).verdict;
  BOOST_TEST(v.valid(), "expected valid, got " << Describe(v));
  BOOST_TEST(v.hardware_verified);
  BOOST_TEST(v.certificate_chain_valid);
  BOOST_TEST(v.measurements_valid);
}

void ExpectAlone(const Scenario& s, FailureCode code) {
  const Verdict v = Run(s).verdict;
  BOOST_TEST(!v.valid());
  BOOST_TEST((v.reason() == code),
             "expected " << FailureCodeName(code) << " alone, got " << Describe(v));
  BOOST_TEST(v.failures.size() == 1u, "expected one failure, got " << Describe(v));
}

std::string ChainPemOf(Product p, bool vlek) {
  const auto& pki = sim::DevPki(p);
  return x509::ToPem({vlek ? pki.asvk.cert : pki.ask.cert, pki.ark.cert});
}

Bytes DevCrlBundle(Product p, int64_t this_update, int64_t next_update,
                   const std::vector<Bytes>& revoked) {
  auto crl = sim::IssueArkCrl(p, this_update, next_update, revoked);
  if (!crl.ok()) BOOST_FAIL(crl.status().ToString());
  return Text(x509::CrlToPem(*crl) + x509::ToPem({sim::DevPki(p).ark.cert}));
}

const x509::PrivateKey& RogueRsaKey() {
  static const x509::PrivateKey key = *x509::PrivateKey::Generate(x509::KeyKind::kRsa2048);
  return key;
}

const x509::PrivateKey& RogueP384Key() {
  static const x509::PrivateKey key = *x509::PrivateKey::Generate(x509::KeyKind::kP384);
  return key;
}

const x509::Certificate& RogueArk(Product p) {
  static std::mutex mu;
  static std::map<Product, x509::Certificate> made;
  std::lock_guard<std::mutex> lock(mu);
  auto it = made.find(p);
  if (it == made.end()) {
    x509::CertSpec spec;
    spec.subject = sim::DevSubject("ARK-" + std::string(format::ProductName(p)));
    spec.serial_be = sim::DevPki(p).ark.cert.serial();
    spec.not_before = sim::kDevCaNotBefore;
    spec.not_after = sim::kDevCaNotAfter;
    spec.is_ca = true;
    spec.scheme = x509::SigScheme::kRsaPssSha384;
    auto cert = x509::IssueCertificate(spec, RogueRsaKey().public_key(), nullptr, RogueRsaKey());
    BOOST_REQUIRE(cert.ok());
    it = made.emplace(p, *cert).first;
  }
  return it->second;
}

namespace {
const sim::DevCa& Forged(Product p, int which) {
  static std::mutex mu;
  static std::map<std::pair<Product, int>, sim::DevCa> made;
  std::lock_guard<std::mutex> lock(mu);
  auto key = std::make_pair(p, which);
  auto it = made.find(key);
  if (it == made.end()) {
    const auto& pki = sim::DevPki(p);
    const sim::DevCa& real = which == 0 ? pki.ark : which == 1 ? pki.ask : pki.asvk;
    it = made.emplace(key, sim::DevCa{real.cert, RogueRsaKey()}).first;
  }
  return it->second;
}
}  // namespace

const sim::DevCa& ForgedArkSigner(Product p) { return Forged(p, 0); }
const sim::DevCa& ForgedAskSigner(Product p) { return Forged(p, 1); }
const sim::DevCa& ForgedAsvkSigner(Product p) { return Forged(p, 2); }

}  // namespace tenzro::tee::snp::testing
