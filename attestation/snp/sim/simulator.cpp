#include "attestation/snp/sim/simulator.h"

namespace tenzro::tee::snp::sim {

SimSpec DefaultSimSpec(Product product) {
  SimSpec s;
  s.report = DefaultReportSpec(product);
  return s;
}

VekSpec VekSpecFor(const ReportSpec& report) {
  VekSpec v;
  v.product = report.product;
  v.vlek = report.signing_key == format::kSigningKeyVlek;
  v.tcb = report.reported_tcb;
  v.hwid = HwIdFor(report.product, report.chip_id);
  return v;
}

Result<SimEvidence> Simulate(const SimSpec& spec) {
  const DevProductPki& pki = DevPki(spec.report.product);
  SimEvidence ev;
  ev.product = spec.report.product;
  VekSpec vek = spec.vek ? *spec.vek : VekSpecFor(spec.report);
  ev.vlek = vek.vlek;
  TEE_ASSIGN_OR_RETURN(ev.vek, IssueVek(vek));
  ev.intermediate = spec.intermediate ? *spec.intermediate : (vek.vlek ? pki.asvk : pki.ask).cert;
  ev.ark = spec.ark ? *spec.ark : pki.ark.cert;
  const x509::PrivateKey& key = spec.signing_key  ? *spec.signing_key
                                : vek.subject_key ? *vek.subject_key
                                : vek.vlek        ? pki.vlek_key
                                                  : pki.vcek_key;
  TEE_ASSIGN_OR_RETURN(ev.report, BuildSignedReport(spec.report, key));
  return ev;
}

Bytes SimEvidence::Extended(bool with_ark) const {
  std::vector<CertTableEntry> entries;
  entries.push_back({vlek ? format::kGuidVlek : format::kGuidVcek, vek.der()});
  entries.push_back({format::kGuidAsk, intermediate.der()});
  if (with_ark) entries.push_back({format::kGuidArk, ark.der()});
  return WithCertTable(AsView(report), entries);
}

Bytes SimEvidence::Hcl(ByteView runtime_data) const {
  return WrapHcl(AsView(report), runtime_data);
}

std::string SimEvidence::VekPem() const { return x509::ToPem({vek}); }
std::string SimEvidence::ChainPem() const { return x509::ToPem({intermediate, ark}); }

}  // namespace tenzro::tee::snp::sim
