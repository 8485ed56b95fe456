#include "attestation/snp/report.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/reader.h"

namespace tenzro::tee::snp {
namespace {

using format::Range;

Status Malformed(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "snp: " + std::move(what));
}
Status Unsupported(std::string what) {
  return Error(ErrorCode::kUnsupported, "snp: " + std::move(what));
}

std::string Hex32(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

bool AllZero(ByteView v) {
  return std::all_of(v.begin(), v.end(), [](uint8_t b) { return b == 0; });
}

ByteView Sub(ByteView data, const Range& r) { return data.subspan(r.offset, r.size); }

uint64_t LoadLe(ByteView data, const Range& r) {
  uint64_t v = 0;
  for (size_t i = r.size; i-- > 0;) v = (v << 8) | data[r.offset + i];
  return v;
}

template <size_t N>
std::array<uint8_t, N> Load(ByteView data, const Range& r) {
  static_assert(N > 0);
  std::array<uint8_t, N> out{};
  std::memcpy(out.data(), data.data() + r.offset, N);
  return out;
}

// 72-byte little-endian scalar -> 48-byte big-endian; the high 24 bytes must
// be zero (the field is the P-384 scalar zero-extended).
bool ScalarToBe(ByteView le72, std::array<uint8_t, format::kP384ScalarSize>& out) {
  if (!AllZero(le72.subspan(format::kP384ScalarSize))) return false;
  for (size_t i = 0; i < format::kP384ScalarSize; ++i)
    out[i] = le72[format::kP384ScalarSize - 1 - i];
  return true;
}

}  // namespace

TcbParts DecodeTcb(const RawTcb& raw, Product product) {
  const format::TcbLayout& l = format::TcbLayoutFor(product);
  TcbParts p;
  if (l.fmc >= 0) p.fmc = raw[static_cast<size_t>(l.fmc)];
  p.boot_loader = raw[static_cast<size_t>(l.boot_loader)];
  p.tee = raw[static_cast<size_t>(l.tee)];
  p.snp = raw[static_cast<size_t>(l.snp)];
  p.microcode = raw[static_cast<size_t>(l.microcode)];
  return p;
}

bool TcbReservedZero(const RawTcb& raw, Product product) {
  const format::TcbLayout& l = format::TcbLayoutFor(product);
  return AllZero(ByteView(raw).subspan(l.reserved.offset, l.reserved.size));
}

std::string FirmwareVersion::ToString() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
}

std::optional<FirmwareVersion> ParseFirmwareVersion(std::string_view text) {
  uint8_t parts[3] = {0, 0, 0};
  size_t pos = 0;
  for (size_t i = 0; i < 3; ++i) {
    size_t end = text.find('.', pos);
    if (i < 2 && end == std::string_view::npos) return std::nullopt;
    if (i == 2) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    if (part.empty() || part.size() > 3) return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || p != part.data() + part.size() || v > 255) return std::nullopt;
    parts[i] = static_cast<uint8_t>(v);
    pos = end + 1;
  }
  return FirmwareVersion{parts[0], parts[1], parts[2]};
}

bool Report::chip_id_masked() const { return mask_chip_key() || AllZero(chip_id); }

ByteView Report::chip_id_for(Product p) const {
  ByteView all(chip_id);
  return p == Product::kTurin ? all.first(format::kTurinChipIdSize) : all;
}

Product Report::product() const {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    if (products == ProductBit(p)) return p;
  }
  return Product::kUnknown;
}

namespace {

// Version, signature algorithm and the reserved ranges of that version.
Status ParseHeader(ByteView data, Report& r) {
  r.version = static_cast<uint32_t>(LoadLe(data, format::kVersion));
  if (r.version < format::kMinReportVersion || r.version > format::kMaxReportVersion) {
    return Unsupported("report version " + std::to_string(r.version) + " (supported 2..5)");
  }
  r.signature_algo = static_cast<uint32_t>(LoadLe(data, format::kSignatureAlgo));
  if (r.signature_algo != format::kSigAlgoEcdsaP384Sha384) {
    return Unsupported("SIGNATURE_ALGO " + std::to_string(r.signature_algo) +
                       " (only 1, ECDSA P-384 with SHA-384)");
  }
  for (const Range& res : format::ReservedRanges(r.version)) {
    if (!AllZero(Sub(data, res))) {
      return Malformed("reserved bytes [" + Hex32(res.offset) + ", " + Hex32(res.end()) +
                       ") are not zero");
    }
  }
  return Status();
}

// Guest fields up to SIGNER_INFO, with its signing key.
Status ParseGuestAndSigner(ByteView data, Report& r) {
  r.guest_svn = static_cast<uint32_t>(LoadLe(data, format::kGuestSvn));
  r.policy = LoadLe(data, format::kPolicy);
  if (((r.policy >> format::kPolicyBitReservedOne) & 1u) == 0) {
    return Malformed("POLICY bit 17 (reserved, must be 1) is 0");
  }
  if ((r.policy & format::kPolicyReservedMask) != 0) {
    return Malformed("POLICY reserved bits 63:26 are set: " + Hex32(r.policy));
  }
  r.family_id = Load<16>(data, format::kFamilyId);
  r.image_id = Load<16>(data, format::kImageId);
  r.vmpl = static_cast<uint32_t>(LoadLe(data, format::kVmpl));
  r.current_tcb = Load<8>(data, format::kCurrentTcb);
  r.platform_info = LoadLe(data, format::kPlatformInfo);

  r.signer_info = static_cast<uint32_t>(LoadLe(data, format::kSignerInfo));
  if ((r.signer_info & format::kSignerReservedMask) != 0) {
    return Malformed("SIGNER_INFO reserved bits 31:5 are set: " + Hex32(r.signer_info));
  }
  const uint32_t key =
      (r.signer_info & format::kSignerSigningKeyMask) >> format::kSignerSigningKeyShift;
  if (key == format::kSigningKeyVcek) {
    r.signing_key = SigningKey::kVcek;
  } else if (key == format::kSigningKeyVlek) {
    r.signing_key = SigningKey::kVlek;
  } else if (key == format::kSigningKeyNone) {
    return Unsupported("SIGNING_KEY 7: the report is not signed");
  } else {
    return Malformed("SIGNING_KEY " + std::to_string(key) + " is reserved");
  }
  return Status();
}

// Fields without constraints of their own, and the signature scalars.
Status ParseBody(ByteView data, Report& r) {
  r.report_data = Load<64>(data, format::kReportData);
  r.measurement = Load<48>(data, format::kMeasurement);
  r.host_data = Load<32>(data, format::kHostData);
  r.id_key_digest = Load<48>(data, format::kIdKeyDigest);
  r.author_key_digest = Load<48>(data, format::kAuthorKeyDigest);
  r.report_id = Load<32>(data, format::kReportId);
  r.report_id_ma = Load<32>(data, format::kReportIdMa);
  r.reported_tcb = Load<8>(data, format::kReportedTcb);
  r.chip_id = Load<64>(data, format::kChipId);
  r.committed_tcb = Load<8>(data, format::kCommittedTcb);
  r.current_fw = {data[format::kCurrentMajor.offset], data[format::kCurrentMinor.offset],
                  data[format::kCurrentBuild.offset]};
  r.committed_fw = {data[format::kCommittedMajor.offset], data[format::kCommittedMinor.offset],
                    data[format::kCommittedBuild.offset]};
  r.launch_tcb = Load<8>(data, format::kLaunchTcb);
  if (r.version >= 4) {
    r.launch_mit_vector = LoadLe(data, format::kLaunchMitVector);
    r.current_mit_vector = LoadLe(data, format::kCurrentMitVector);
  }
  if (!ScalarToBe(Sub(data, format::kSignatureR), r.sig_r) ||
      !ScalarToBe(Sub(data, format::kSignatureS), r.sig_s)) {
    return Malformed("signature R or S has non-zero bytes above the 48-byte P-384 scalar");
  }
  return Status();
}

Status ParseProduct(ByteView data, Report& r) {
  // Product: CPUID on v3+, the chip id shape on v2.
  if (r.version >= 3) {
    r.cpuid_fam = data[format::kCpuidFamId.offset];
    r.cpuid_mod = data[format::kCpuidModId.offset];
    r.cpuid_step = data[format::kCpuidStep.offset];
    const Product p = format::ProductFromCpuid(r.cpuid_fam, r.cpuid_mod);
    if (p == Product::kUnknown) {
      return Unsupported("unknown product: CPUID family " + Hex32(r.cpuid_fam) + " model " +
                         Hex32(r.cpuid_mod));
    }
    r.products = ProductBit(p);
  } else {
    const ByteView chip(r.chip_id);
    const bool turin_shape = !AllZero(chip.first(format::kTurinChipIdSize)) &&
                             AllZero(chip.subspan(format::kTurinChipIdSize));
    r.products =
        turin_shape
            ? ProductBit(Product::kTurin)
            : static_cast<ProductSet>(ProductBit(Product::kMilan) | ProductBit(Product::kGenoa));
  }
  // A Turin chip id is 8 bytes; anything after them must be zero.
  if (r.products == ProductBit(Product::kTurin) &&
      !AllZero(ByteView(r.chip_id).subspan(format::kTurinChipIdSize))) {
    return Malformed("Turin CHIP_ID has non-zero bytes after the first 8");
  }
  return Status();
}

Status CheckTcbReserved(const Report& r) {
  // TCB_VERSION reserved bytes, for every product the report may come from.
  const std::array<std::pair<const RawTcb*, const char*>, 4> tcbs = {
      {{&r.current_tcb, "CURRENT_TCB"},
       {&r.reported_tcb, "REPORTED_TCB"},
       {&r.committed_tcb, "COMMITTED_TCB"},
       {&r.launch_tcb, "LAUNCH_TCB"}}};
  for (const auto& [tcb, name] : tcbs) {
    for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
      if ((r.products & ProductBit(p)) != 0 && !TcbReservedZero(*tcb, p)) {
        return Malformed(std::string(name) + " has non-zero reserved bytes for " +
                         std::string(format::ProductName(p)));
      }
    }
  }
  return Status();
}

}  // namespace

Result<Report> ParseReport(ByteView data) {
  if (data.size() != format::kReportSize) {
    return Malformed("attestation report is " + std::to_string(data.size()) + " bytes, expected " +
                     std::to_string(format::kReportSize));
  }
  Report r;
  std::memcpy(r.raw.data(), data.data(), data.size());
  TEE_TRY(ParseHeader(data, r));
  TEE_TRY(ParseGuestAndSigner(data, r));
  TEE_TRY(ParseBody(data, r));
  TEE_TRY(ParseProduct(data, r));
  TEE_TRY(CheckTcbReserved(r));
  return r;
}

const CertTableEntry* Evidence::Find(const format::Guid& guid) const {
  for (const auto& e : certs) {
    if (e.guid == guid) return &e;
  }
  return nullptr;
}

Result<std::vector<CertTableEntry>> ParseCertTable(ByteView table) {
  std::vector<CertTableEntry> out;
  if (table.empty()) return out;
  ByteReader rd(table);
  struct Header {
    format::Guid guid;
    uint32_t offset, length;
  };
  std::vector<Header> headers;
  for (;;) {
    Header h{};
    if (!rd.ReadArray(h.guid) || !rd.ReadU32Le(h.offset) || !rd.ReadU32Le(h.length)) {
      return Malformed("certificate table ends without its all-zero terminator entry");
    }
    if (h.offset == 0 && h.length == 0 && AllZero(h.guid)) break;
    if (headers.size() == format::kMaxCertTableEntries) {
      return Malformed("certificate table has more than " +
                       std::to_string(format::kMaxCertTableEntries) + " entries");
    }
    headers.push_back(h);
  }
  const size_t header_end = rd.offset();
  for (size_t i = 0; i < headers.size(); ++i) {
    const Header& h = headers[i];
    const uint64_t end = uint64_t{h.offset} + h.length;
    if (h.length == 0 || h.offset < header_end || end > table.size()) {
      return Malformed("certificate table entry " + std::to_string(i) + " (offset " +
                       std::to_string(h.offset) + ", length " + std::to_string(h.length) +
                       ") is outside the certificate area");
    }
    for (size_t j = 0; j < i; ++j) {
      if (headers[j].guid == h.guid) {
        return Malformed("certificate table lists a GUID twice (entry " + std::to_string(i) + ")");
      }
    }
    CertTableEntry e;
    e.guid = h.guid;
    e.data.assign(table.begin() + h.offset, table.begin() + static_cast<std::ptrdiff_t>(end));
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

Result<Evidence> ParseHcl(ByteView data) {
  if (data.size() < format::kHclVariableDataOffset) {
    return Malformed("Azure HCL report is " + std::to_string(data.size()) +
                     " bytes, shorter than its headers");
  }
  const auto report_size = LoadLe(data, format::kHclReportSize);
  const auto igvm_size = LoadLe(data, format::kHclIgvmDataSize);
  const auto report_type = LoadLe(data, format::kHclIgvmReportType);
  const auto variable_size = LoadLe(data, format::kHclIgvmVariableSize);
  if (report_size < format::kHclVariableDataOffset || report_size > data.size()) {
    return Malformed("Azure HCL report_size " + std::to_string(report_size) + " is out of range");
  }
  if (report_type != format::kHclReportTypeSnp) {
    return Unsupported("Azure HCL report type " + std::to_string(report_type) + " is not SNP (2)");
  }
  if (format::kHclIgvmOffset + igvm_size != report_size ||
      format::kHclVariableDataOffset - format::kHclIgvmOffset + variable_size != igvm_size) {
    return Malformed("Azure HCL request data sizes are inconsistent");
  }
  Evidence e;
  e.form = EvidenceForm::kAzureHcl;
  TEE_ASSIGN_OR_RETURN(e.report,
                       ParseReport(data.subspan(format::kHclReportOffset, format::kReportSize)));
  return e;
}

}  // namespace

Result<Evidence> ParseEvidence(ByteView data) {
  if (data.size() >= format::kHclMagic.size() &&
      std::equal(format::kHclMagic.begin(), format::kHclMagic.end(), data.begin())) {
    return ParseHcl(data);
  }
  if (data.size() < format::kReportSize) {
    return Malformed("evidence is " + std::to_string(data.size()) +
                     " bytes, shorter than a report (" + std::to_string(format::kReportSize) + ")");
  }
  Evidence e;
  TEE_ASSIGN_OR_RETURN(e.report, ParseReport(data.first(format::kReportSize)));
  if (data.size() > format::kReportSize) {
    e.form = EvidenceForm::kWithCertTable;
    TEE_ASSIGN_OR_RETURN(e.certs, ParseCertTable(data.subspan(format::kReportSize)));
  }
  return e;
}

}  // namespace tenzro::tee::snp
