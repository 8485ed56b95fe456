// SEV-SNP evidence in its three forms (raw report, report + certificate
// table, Azure HCL): the parsers, then the whole verifier with simulation on
// so dev-rooted inputs reach every check. Never crashes, never reads past
// the input.
#include "attestation/snp/report.h"
#include "attestation/snp/snp_verifier.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  if (auto e = snp::ParseEvidence(in); e.ok()) {
    (void)e->report.product();
    (void)e->Find(snp::format::kGuidVcek);
  }
  (void)snp::ParseReport(in);
  if (size > snp::format::kReportSize)
    (void)snp::ParseCertTable(in.subspan(snp::format::kReportSize));
  static const snp::SnpVerifier verifier(snp::Policy{}, CommonPolicy{true, 86400});
  VerifyRequest req;
  req.evidence = in;
  req.now = 1'767'225'600;
  (void)verifier.Verify(req);
  return 0;
}
