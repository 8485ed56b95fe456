#include "provider_support.h"

#include <boost/test/unit_test.hpp>

#include "attestation/snp/sim/simulator.h"
#include "attestation/snp/snp_verifier.h"
#include "attestation/tdx/tdx_verifier.h"

namespace tenzro::tee::provtest {
namespace {
template <typename T>
T MustOk(Result<T> r, const char* what) {
  BOOST_REQUIRE_MESSAGE(r.ok(), what << ": " << (r.ok() ? "" : r.status().ToString()));
  return std::move(*r);
}
}  // namespace

std::unique_ptr<AttestationVerifier> MakeVerifier() {
  const CommonPolicy common{true, kMaxAge};
  auto v = std::make_unique<AttestationVerifier>();
  v->Install(
      std::make_unique<tdx::TdxVerifier>(TeeType::IntelTdx, tdx::Policy{}, common,
                                         std::vector<Hash32>{tdx::sim::DevRootFingerprint()}));
  v->Install(std::make_unique<snp::SnpVerifier>(snp::Policy{}, common));
  return v;
}

Bytes TdxQuote(const ReportDataBinding& binding) {
  auto s = tdx::sim::Scenario::Tdx();
  // The simulator binds validators itself (QuoteSpec::binding); any other
  // kind goes in as the TD's report data.
  s.quote.td.report_data = ComputeBinding(binding);
  return MustOk(s.Quote(), "tdx quote");
}

std::vector<Bytes> TdxCollateral(const tdx::sim::Scenario& s) {
  return MustOk(s.Collateral(), "tdx collateral");
}

Bytes SnpEvidence(const ReportDataBinding& binding) {
  auto spec = snp::sim::DefaultSimSpec(snp::format::Product::kGenoa);
  snp::sim::Bind(spec.report, binding);
  return MustOk(snp::sim::Simulate(spec), "snp evidence").Extended();
}

Verdict Verify(const AttestationVerifier& v, TeeType type, const Bytes& evidence,
               const ReportDataBinding& binding) {
  CollateralSet set;
  if (type == TeeType::IntelTdx) {
    for (const Bytes& b : TdxCollateral()) {
      set = set.With(MustOk(v.For(type).ParseCollateral(AsView(b), set, kNow), "admit"));
    }
  }
  VerifyRequest req;
  req.evidence = AsView(evidence);
  req.collateral = &set;
  req.now = kNow;
  req.evidence_time = kNow;
  req.binding = binding;
  return MustOk(v.Verify(type, req), "verify");
}

ByteView Text(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

Bytes SnpAskRevocation(int64_t t) {
  const auto p = snp::format::Product::kGenoa;
  auto crl =
      MustOk(snp::sim::IssueArkCrl(p, t, t + 30 * 86400, {snp::sim::DevPki(p).ask.cert.serial()}),
             "ark crl");
  const std::string pem = x509::CrlToPem(crl) + x509::ToPem({snp::sim::DevPki(p).ark.cert});
  return Bytes(pem.begin(), pem.end());
}

}  // namespace tenzro::tee::provtest
