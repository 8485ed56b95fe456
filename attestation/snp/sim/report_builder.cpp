#include "attestation/snp/sim/report_builder.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string_view>

#include "crypto/hash.h"

namespace tenzro::tee::snp::sim {
namespace {

ByteView Text(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

template <size_t N>
void PutAt(Bytes& out, const format::Range& r, const std::array<uint8_t, N>& v) {
  static_assert(N > 0);
  assert(r.size == N && r.end() <= out.size());
  std::copy(v.begin(), v.end(), out.begin() + static_cast<std::ptrdiff_t>(r.offset));
}

void PutLeAt(Bytes& out, size_t offset, uint64_t v, size_t width) {
  assert(offset + width <= out.size());
  for (size_t i = 0; i < width; ++i) out[offset + i] = static_cast<uint8_t>(v >> (8 * i));
}

void PutU8At(Bytes& out, const format::Range& r, uint8_t v) {
  assert(r.size == 1);
  out[r.offset] = v;
}

}  // namespace

std::array<uint8_t, 64> DefaultChipId(Product product) {
  std::string tag = "tenzro-tee-snp-sim-chip-id-v1:" + std::string(format::ProductName(product));
  std::array<uint8_t, 64> id = crypto::Sha512(Text(tag));
  if (product == Product::kTurin) {
    std::fill(id.begin() + format::kTurinChipIdSize, id.end(), uint8_t{0});
  }
  return id;
}

Bytes HwIdFor(Product product, const std::array<uint8_t, 64>& chip_id) {
  const size_t n = product == Product::kTurin ? format::kTurinChipIdSize : format::kChipIdSize;
  return Bytes(chip_id.begin(), chip_id.begin() + static_cast<std::ptrdiff_t>(n));
}

std::array<uint8_t, 48> DefaultMeasurement() {
  auto h = crypto::Sha512(Text("tenzro-tee-snp-sim-measurement-v1"));
  std::array<uint8_t, 48> m{};
  std::copy_n(h.begin(), m.size(), m.begin());
  return m;
}

Cpuid DefaultCpuid(Product product) {
  switch (product) {
    case Product::kMilan:
      return {format::kFamilyZen3Zen4, 0x01, 1};
    case Product::kGenoa:
      return {format::kFamilyZen3Zen4, 0x11, 1};
    case Product::kTurin:
      return {format::kFamilyZen5, 0x02, 1};
    case Product::kUnknown:
      break;
  }
  return {};
}

Tcb DefaultTcb(Product product) {
  switch (product) {
    case Product::kMilan:
      return {0, 4, 0, 24, 219};
    case Product::kGenoa:
      return {0, 10, 0, 23, 84};
    case Product::kTurin:
      return {0, 1, 0, 2, 71};
    case Product::kUnknown:
      break;
  }
  return {};
}

uint64_t EncodeTcb(Product product, const Tcb& tcb) {
  const format::TcbLayout& l = format::TcbLayoutFor(product);
  std::array<uint8_t, 8> b{};
  if (l.fmc >= 0) b[static_cast<size_t>(l.fmc)] = tcb.fmc;
  b[static_cast<size_t>(l.boot_loader)] = tcb.boot_loader;
  b[static_cast<size_t>(l.tee)] = tcb.tee;
  b[static_cast<size_t>(l.snp)] = tcb.snp;
  b[static_cast<size_t>(l.microcode)] = tcb.microcode;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= uint64_t{b[i]} << (8 * i);
  return v;
}

ReportSpec DefaultReportSpec(Product product) {
  ReportSpec s;
  s.product = product;
  s.version = product == Product::kTurin ? 5 : 3;
  Tcb tcb = DefaultTcb(product);
  s.current_tcb = s.reported_tcb = s.committed_tcb = s.launch_tcb = tcb;
  s.chip_id = DefaultChipId(product);
  s.measurement = DefaultMeasurement();
  if (product == Product::kTurin) {
    s.current_fw = s.committed_fw = FwVersion{1, 55, 61};
  }
  return s;
}

void Bind(ReportSpec& spec, const ReportDataBinding& binding) {
  spec.report_data = ComputeBinding(binding);
}

Bytes BuildUnsignedReport(const ReportSpec& spec) {
  Bytes r(format::kReportSize, 0);
  PutLeAt(r, format::kVersion.offset, spec.version, 4);
  PutLeAt(r, format::kGuestSvn.offset, spec.guest_svn, 4);
  PutLeAt(r, format::kPolicy.offset, spec.policy, 8);
  PutAt(r, format::kFamilyId, spec.family_id);
  PutAt(r, format::kImageId, spec.image_id);
  PutLeAt(r, format::kVmpl.offset, spec.vmpl, 4);
  PutLeAt(r, format::kSignatureAlgo.offset, spec.signature_algo, 4);
  PutLeAt(r, format::kCurrentTcb.offset, EncodeTcb(spec.product, spec.current_tcb), 8);
  PutLeAt(r, format::kPlatformInfo.offset, spec.platform_info, 8);
  uint32_t signer =
      (spec.author_key_en ? format::kSignerAuthorKeyEn : 0u) |
      (spec.mask_chip_id ? format::kSignerMaskChipKey : 0u) |
      ((spec.signing_key << format::kSignerSigningKeyShift) & format::kSignerSigningKeyMask) |
      (spec.signer_info_reserved & format::kSignerReservedMask);
  PutLeAt(r, format::kSignerInfo.offset, signer, 4);
  PutAt(r, format::kReportData, spec.report_data);
  PutAt(r, format::kMeasurement, spec.measurement);
  PutAt(r, format::kHostData, spec.host_data);
  PutAt(r, format::kIdKeyDigest, spec.id_key_digest);
  PutAt(r, format::kAuthorKeyDigest, spec.author_key_digest);
  PutAt(r, format::kReportId, spec.report_id);
  PutAt(r, format::kReportIdMa, spec.report_id_ma);
  PutLeAt(r, format::kReportedTcb.offset, EncodeTcb(spec.product, spec.reported_tcb), 8);
  if (spec.version >= 3) {
    Cpuid c = spec.cpuid ? *spec.cpuid : DefaultCpuid(spec.product);
    PutU8At(r, format::kCpuidFamId, c.family);
    PutU8At(r, format::kCpuidModId, c.model);
    PutU8At(r, format::kCpuidStep, c.stepping);
  }
  if (!spec.mask_chip_id) PutAt(r, format::kChipId, spec.chip_id);
  PutLeAt(r, format::kCommittedTcb.offset, EncodeTcb(spec.product, spec.committed_tcb), 8);
  PutU8At(r, format::kCurrentBuild, spec.current_fw.build);
  PutU8At(r, format::kCurrentMinor, spec.current_fw.minor);
  PutU8At(r, format::kCurrentMajor, spec.current_fw.major);
  PutU8At(r, format::kCommittedBuild, spec.committed_fw.build);
  PutU8At(r, format::kCommittedMinor, spec.committed_fw.minor);
  PutU8At(r, format::kCommittedMajor, spec.committed_fw.major);
  PutLeAt(r, format::kLaunchTcb.offset, EncodeTcb(spec.product, spec.launch_tcb), 8);
  if (spec.version >= 4) {
    PutLeAt(r, format::kLaunchMitVector.offset, spec.launch_mit_vector, 8);
    PutLeAt(r, format::kCurrentMitVector.offset, spec.current_mit_vector, 8);
  }
  return r;
}

Status SignReport(Bytes& report, const x509::PrivateKey& key) {
  if (report.size() != format::kReportSize) {
    return Error(ErrorCode::kInvalidArgument, "SignReport: report is not 1184 bytes");
  }
  TEE_ASSIGN_OR_RETURN(Bytes rs, key.EcdsaSignRaw(x509::Digest::kSha384,
                                                  ByteView(report.data(), format::kSignedSize)));
  constexpr size_t n = format::kP384ScalarSize;
  if (rs.size() != 2 * n) return Error(ErrorCode::kInternal, "SignReport: not a P-384 signature");
  std::fill(report.begin() + static_cast<std::ptrdiff_t>(format::kSignature.offset),
            report.begin() + static_cast<std::ptrdiff_t>(format::kSignature.end()), uint8_t{0});
  // Big-endian r || s to little-endian 72-byte fields.
  for (size_t i = 0; i < n; ++i) {
    report[format::kSignatureR.offset + i] = rs[n - 1 - i];
    report[format::kSignatureS.offset + i] = rs[2 * n - 1 - i];
  }
  return Status::Ok();
}

Result<Bytes> BuildSignedReport(const ReportSpec& spec, const x509::PrivateKey& key) {
  Bytes r = BuildUnsignedReport(spec);
  TEE_TRY(SignReport(r, key));
  return r;
}

Bytes WithCertTable(ByteView report, const std::vector<CertTableEntry>& entries) {
  Bytes table;
  const size_t header = (entries.size() + 1) * format::kCertTableEntrySize;
  size_t offset = header;
  for (const auto& e : entries) {
    PutBytes(table, AsView(e.guid));
    PutU32Le(table, static_cast<uint32_t>(offset));
    PutU32Le(table, static_cast<uint32_t>(e.data.size()));
    offset += e.data.size();
  }
  table.resize(header, 0);  // the all-zero terminator
  for (const auto& e : entries) PutBytes(table, AsView(e.data));
  Bytes out(report.begin(), report.end());
  PutBytes(out, AsView(table));
  return out;
}

std::array<uint8_t, 64> HclReportData(ByteView runtime_data) {
  std::array<uint8_t, 64> rd{};
  Hash32 h = crypto::Sha256(runtime_data);
  std::copy(h.begin(), h.end(), rd.begin());
  return rd;
}

Bytes WrapHcl(ByteView report, ByteView runtime_data, size_t total_size) {
  Bytes out(format::kHclVariableDataOffset, 0);
  std::copy(format::kHclMagic.begin(), format::kHclMagic.end(), out.begin());
  const size_t used = format::kHclVariableDataOffset + runtime_data.size();
  PutLeAt(out, format::kHclVersion.offset, 1, 4);
  PutLeAt(out, format::kHclReportSize.offset, used, 4);
  PutLeAt(out, format::kHclRequestType.offset, 2, 4);  // "get SNP report"
  PutLeAt(out, format::kHclStatus.offset, 0, 4);
  std::copy(report.begin(), report.end(),
            out.begin() + static_cast<std::ptrdiff_t>(format::kHclReportOffset));
  // IGVM request data: its size counts the 20-byte header and the variable data.
  PutLeAt(out, format::kHclIgvmDataSize.offset, 20 + runtime_data.size(), 4);
  PutLeAt(out, format::kHclIgvmVersion.offset, 1, 4);
  PutLeAt(out, format::kHclIgvmReportType.offset, format::kHclReportTypeSnp, 4);
  PutLeAt(out, format::kHclIgvmHashType.offset, 1, 4);  // SHA-256
  PutLeAt(out, format::kHclIgvmVariableSize.offset, runtime_data.size(), 4);
  PutBytes(out, runtime_data);
  if (out.size() < total_size) out.resize(total_size, 0);
  return out;
}

void PutLe32At(Bytes& report, size_t offset, uint32_t v) { PutLeAt(report, offset, v, 4); }
void PutLe64At(Bytes& report, size_t offset, uint64_t v) { PutLeAt(report, offset, v, 8); }

}  // namespace tenzro::tee::snp::sim
