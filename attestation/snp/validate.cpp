#include "attestation/snp/validate.h"

#include <string>

#include "attestation/pipeline.h"
#include "attestation/snp/snp_verifier.h"

namespace tenzro::tee::snp {
namespace {

const std::optional<MinTcb>& MinTcbFor(const Policy& p, Product product) {
  switch (product) {
    case Product::kMilan:
      return p.min_tcb_milan;
    case Product::kGenoa:
      return p.min_tcb_genoa;
    default:
      return p.min_tcb_turin;
  }
}

void ValidateFirmware(Verdict& v, const ReportFacts& f, const Policy& policy) {
  const TcbParts tcb = DecodeTcb(f.reported_tcb, f.product);
  if (const auto& min = MinTcbFor(policy, f.product)) {
    const bool fmc_ok = f.product != Product::kTurin || tcb.fmc >= min->fmc;
    if (!fmc_ok || tcb.boot_loader < min->boot_loader || tcb.tee < min->tee || tcb.snp < min->snp ||
        tcb.microcode < min->microcode) {
      v.Fail(FailureCode::kFirmwareTooOld, "REPORTED_TCB is below the minimum TCB for " +
                                               std::string(format::ProductName(f.product)));
    }
  }
  if (policy.min_committed_fw) {
    const MinFirmware& m = *policy.min_committed_fw;
    const FirmwareVersion min{m.major, m.minor, m.build};
    if (f.committed_fw < min) {
      v.Fail(FailureCode::kFirmwareTooOld, "committed firmware " + f.committed_fw.ToString() +
                                               " is older than " + min.ToString());
    }
  }
}

void ValidateGuestPolicy(Verdict& v, const ReportFacts& f, const Policy& policy) {
  const bool debug = (f.guest_policy >> format::kPolicyBitDebug) & 1u;
  const bool migrate_ma = (f.guest_policy >> format::kPolicyBitMigrateMa) & 1u;
  if (debug && !policy.allow_debug) v.Fail(FailureCode::kDebugEnclave, "POLICY.DEBUG is set");
  if (f.vmpl > policy.max_vmpl) {
    v.Fail(FailureCode::kVmpl, "VMPL " + std::to_string(f.vmpl) + " is above max_vmpl " +
                                   std::to_string(policy.max_vmpl));
  }
  if (migrate_ma && !policy.allow_migrate_ma) {
    v.Fail(FailureCode::kPolicyViolation, "POLICY.MIGRATE_MA is set");
  }
  if (f.chip_id_masked && !policy.allow_masked_chip_id) {
    v.Fail(FailureCode::kPolicyViolation, "CHIP_ID is masked");
  }
}

template <size_t N>
bool ReadArray(const ClaimSet& claims, const char* name, std::array<uint8_t, N>& out) {
  auto it = claims.find(name);
  if (it == claims.end() || it->second.size() != N) return false;
  std::copy(it->second.begin(), it->second.end(), out.begin());
  return true;
}

}  // namespace

ReportFacts FactsOf(const Report& r, Product product) {
  ReportFacts f;
  f.product = product;
  f.reported_tcb = r.reported_tcb;
  f.committed_fw = r.committed_fw;
  f.guest_policy = r.policy;
  f.vmpl = r.vmpl;
  f.chip_id_masked = r.chip_id_masked();
  f.measurement = r.measurement;
  f.host_data = r.host_data;
  f.id_key_digest = r.id_key_digest;
  f.author_key_digest = r.author_key_digest;
  return f;
}

void Validate(Verdict& v, const ReportFacts& f, const Policy& policy) {
  ValidateFirmware(v, f, policy);
  ValidateGuestPolicy(v, f, policy);
  v.measurements_valid = true;
  auto listed = [&](bool ok, const char* what) {
    if (ok) return;
    v.measurements_valid = false;
    v.Fail(FailureCode::kMeasurementMismatch, std::string(what) + " is not on the allow-list");
  };
  listed(pipeline::Listed(policy.measurements, f.measurement), "MEASUREMENT");
  listed(pipeline::Listed(policy.host_data, f.host_data), "HOST_DATA");
  listed(pipeline::Listed(policy.id_key_digests, f.id_key_digest), "ID_KEY_DIGEST");
  listed(pipeline::Listed(policy.author_key_digests, f.author_key_digest), "AUTHOR_KEY_DIGEST");
}

void PutFactClaims(const ReportFacts& f, ClaimSet& c) {
  auto bytes = [](const auto& a) { return Bytes(a.begin(), a.end()); };
  c[claim::kReportedTcb] = bytes(f.reported_tcb);
  c[claim::kCommittedFw] = Bytes{f.committed_fw.major, f.committed_fw.minor, f.committed_fw.build};
  c[claim::kGuestPolicy] = pipeline::U64Le(f.guest_policy);
  c[claim::kVmpl] = pipeline::U64Le(f.vmpl);
  c[claim::kChipIdMasked] = Bytes{static_cast<uint8_t>(f.chip_id_masked ? 1 : 0)};
  c[claim::kMeasurement] = bytes(f.measurement);
  c[claim::kHostData] = bytes(f.host_data);
  c[claim::kIdKeyDigest] = bytes(f.id_key_digest);
  c[claim::kAuthorKeyDigest] = bytes(f.author_key_digest);
}

Result<std::optional<ReportFacts>> FactsFromClaims(const ClaimSet& c) {
  static constexpr const char* kNames[] = {
      claim::kReportedTcb, claim::kCommittedFw,  claim::kGuestPolicy,
      claim::kVmpl,        claim::kChipIdMasked, claim::kMeasurement,
      claim::kHostData,    claim::kIdKeyDigest,  claim::kAuthorKeyDigest};
  size_t present = 0;
  for (const char* n : kNames) present += c.count(n);
  if (present == 0) return std::optional<ReportFacts>();
  const auto bad =
      Error(ErrorCode::kStorage, "stored SNP report claims are incomplete or malformed");
  auto product = c.find(claim::kProduct);
  auto fw = c.find(claim::kCommittedFw);
  auto masked = c.find(claim::kChipIdMasked);
  ReportFacts f;
  if (present != std::size(kNames) || product == c.end() || product->second.size() != 1 ||
      fw->second.size() != 3 || masked->second.size() != 1) {
    return bad;
  }
  auto policy = pipeline::ReadU64Le(AsView(c.at(claim::kGuestPolicy)));
  auto vmpl = pipeline::ReadU64Le(AsView(c.at(claim::kVmpl)));
  if (!policy || !vmpl || *vmpl > UINT32_MAX) return bad;
  if (!ReadArray(c, claim::kReportedTcb, f.reported_tcb) ||
      !ReadArray(c, claim::kMeasurement, f.measurement) ||
      !ReadArray(c, claim::kHostData, f.host_data) ||
      !ReadArray(c, claim::kIdKeyDigest, f.id_key_digest) ||
      !ReadArray(c, claim::kAuthorKeyDigest, f.author_key_digest)) {
    return bad;
  }
  if (product->second[0] < 1 || product->second[0] > 3) return bad;
  f.product = static_cast<Product>(product->second[0]);
  f.committed_fw = {fw->second[0], fw->second[1], fw->second[2]};
  f.guest_policy = *policy;
  f.vmpl = static_cast<uint32_t>(*vmpl);
  f.chip_id_masked = masked->second[0] != 0;
  return std::optional<ReportFacts>(f);
}

}  // namespace tenzro::tee::snp
