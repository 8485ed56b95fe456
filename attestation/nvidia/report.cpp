#include "attestation/nvidia/report.h"

#include <cctype>
#include <set>

#include "core/reader.h"

namespace tenzro::tee::nvidia {
namespace {

constexpr uint8_t kSpdm11 = 0x11;
constexpr uint8_t kGetMeasurements = 0xE0;
constexpr uint8_t kMeasurementsResponse = 0x60;
constexpr uint8_t kParam1SignatureRequested = 0x01;
constexpr uint8_t kDmtfSpec = 0x01;  // MeasurementSpecification bit 0

Status Malformed(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "nvidia report: " + std::move(what));
}
Status Unsupported(std::string what) {
  return Error(ErrorCode::kUnsupported, "nvidia report: " + std::move(what));
}

struct TypeName {
  OpaqueType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {OpaqueType::kCertIssuerName, "CERT_ISSUER_NAME"},
    {OpaqueType::kCertAuthorityKeyIdentifier, "CERT_AUTHORITY_KEY_IDENTIFIER"},
    {OpaqueType::kDriverVersion, "DRIVER_VERSION"},
    {OpaqueType::kGpuInfo, "GPU_INFO"},
    {OpaqueType::kSku, "SKU"},
    {OpaqueType::kVbiosVersion, "VBIOS_VERSION"},
    {OpaqueType::kManufacturerId, "MANUFACTURER_ID"},
    {OpaqueType::kTamperDetection, "TAMPER_DETECTION"},
    {OpaqueType::kSmc, "SMC"},
    {OpaqueType::kVpr, "VPR"},
    {OpaqueType::kNvdec0Status, "NVDEC0_STATUS"},
    {OpaqueType::kMsrsCnt, "MSRSCNT"},
    {OpaqueType::kCprInfo, "CPRINFO"},
    {OpaqueType::kBoardId, "BOARD_ID"},
    {OpaqueType::kChipSku, "CHIP_SKU"},
    {OpaqueType::kChipSkuMod, "CHIP_SKU_MOD"},
    {OpaqueType::kProject, "PROJECT"},
    {OpaqueType::kProjectSku, "PROJECT_SKU"},
    {OpaqueType::kProjectSkuMod, "PROJECT_SKU_MOD"},
    {OpaqueType::kFwid, "FWID"},
    {OpaqueType::kProtectedPcieStatus, "PROTECTED_PCIE_STATUS"},
    {OpaqueType::kSwitchPdi, "SWITCH_PDI"},
    {OpaqueType::kFloorsweptPorts, "FLOORSWEPT_PORTS"},
    {OpaqueType::kPositionId, "POSITION_ID"},
    {OpaqueType::kLockSwitchStatus, "LOCK_SWITCH_STATUS"},
    {OpaqueType::kGpuLinkConn, "GPU_LINK_CONN"},
    {OpaqueType::kSysEnableStatus, "SYS_ENABLE_STATUS"},
    {OpaqueType::kOpaqueDataVersion, "OPAQUE_DATA_VERSION"},
    {OpaqueType::kChipInfo, "CHIP_INFO"},
    {OpaqueType::kFeatureFlag, "FEATURE_FLAG"},
    {OpaqueType::kInvalid, "INVALID"},
};

// A NUL-padded ASCII string field: printable up to the first NUL, zeros after.
Result<std::string> AsciiField(const OpaqueField& f) {
  std::string s;
  size_t i = 0;
  for (; i < f.value.size() && f.value[i] != 0; ++i) {
    if (f.value[i] < 0x20 || f.value[i] > 0x7e) {
      return Malformed(std::string(OpaqueTypeName(f.type)) + " is not printable ASCII");
    }
    s.push_back(static_cast<char>(f.value[i]));
  }
  for (; i < f.value.size(); ++i) {
    if (f.value[i] != 0)
      return Malformed(std::string(OpaqueTypeName(f.type)) + " has bytes after its NUL");
  }
  return s;
}

Result<uint32_t> U32Field(const OpaqueField& f) {
  if (f.value.empty() || f.value.size() > 4) {
    return Malformed(std::string(OpaqueTypeName(f.type)) + " is not 1 to 4 bytes");
  }
  uint32_t v = 0;
  for (size_t i = f.value.size(); i-- > 0;) v = (v << 8) | f.value[i];
  return v;
}

Result<uint8_t> ByteField(const OpaqueField& f) {
  if (f.value.size() != 1) return Malformed(std::string(OpaqueTypeName(f.type)) + " is not 1 byte");
  return f.value[0];
}

Result<std::vector<uint32_t>> CountsField(const OpaqueField& f) {
  if (f.value.size() % 4 != 0) return Malformed("MSRSCNT is not a list of u32");
  std::vector<uint32_t> out;
  ByteReader r(AsView(f.value));
  uint32_t v = 0;
  while (r.ReadU32Le(v)) out.push_back(v);
  return out;
}

// The string-valued fields and where they go.
std::optional<std::string>* StringSlot(OpaqueFacts& o, OpaqueType t) {
  if (t == OpaqueType::kDriverVersion) return &o.driver_version;
  if (t == OpaqueType::kChipSku) return &o.chip_sku;
  if (t == OpaqueType::kChipSkuMod) return &o.chip_sku_mod;
  if (t == OpaqueType::kProject) return &o.project;
  if (t == OpaqueType::kProjectSku) return &o.project_sku;
  if (t == OpaqueType::kProjectSkuMod) return &o.project_sku_mod;
  return nullptr;
}

template <typename T>
Status Assign(std::optional<T>& slot, Result<T> value) {
  if (!value.ok()) return value.status();
  slot = std::move(*value);
  return Status::Ok();
}

template <size_t N>
Result<std::array<uint8_t, N>> FixedField(const OpaqueField& f) {
  if (f.value.size() != N) {
    return Malformed(std::string(OpaqueTypeName(f.type)) + " is not " + std::to_string(N) +
                     " bytes");
  }
  std::array<uint8_t, N> out{};
  std::copy(f.value.begin(), f.value.end(), out.begin());
  return out;
}

// Fields without a typed fact stay bytes in Report::opaque.
Status ApplyField(OpaqueFacts& o, const OpaqueField& f) {
  const auto t = static_cast<OpaqueType>(f.type);
  if (auto* slot = StringSlot(o, t)) return Assign(*slot, AsciiField(f));
  if (t == OpaqueType::kVbiosVersion) {
    TEE_ASSIGN_OR_RETURN(const auto raw, FixedField<8>(f));
    o.vbios_version = FormatVbiosVersion(raw);
    return Status::Ok();
  }
  if (t == OpaqueType::kFwid) return Assign(o.fwid, FixedField<kFwidSize>(f));
  if (t == OpaqueType::kNvdec0Status) return Assign(o.nvdec0_status, ByteField(f));
  if (t == OpaqueType::kProtectedPcieStatus) return Assign(o.protected_pcie_status, ByteField(f));
  if (t == OpaqueType::kFeatureFlag) return Assign(o.feature_flag, U32Field(f));
  if (t == OpaqueType::kBoardId) return Assign(o.board_id, U32Field(f));
  if (t == OpaqueType::kOpaqueDataVersion) return Assign(o.opaque_data_version, U32Field(f));
  if (t == OpaqueType::kMsrsCnt) {
    TEE_ASSIGN_OR_RETURN(o.measurement_counts, CountsField(f));
  }
  return Status::Ok();
}

// The 37-byte request (DSP0274 1.1 table 40).
Status ParseRequest(ByteReader& r, Report& out) {
  uint8_t version = 0, code = 0;
  if (!r.ReadU8(version) || !r.ReadU8(code) || !r.ReadU8(out.request_param1) ||
      !r.ReadU8(out.request_param2) || !r.ReadArray(out.nonce) || !r.ReadU8(out.slot)) {
    return Malformed("shorter than the 37-byte GET_MEASUREMENTS request");
  }
  if (code != kGetMeasurements) return Malformed("the request is not GET_MEASUREMENTS");
  if (version != kSpdm11) return Unsupported("SPDM request version is not 1.1");
  if ((out.request_param1 & kParam1SignatureRequested) == 0) {
    return Unsupported("the request asks for no signature");
  }
  return Status::Ok();
}

// One DMTF measurement block (DSP0274 1.1 tables 45 and 46).
Status ParseBlock(ByteReader& r, MeasurementBlock& b) {
  uint16_t size = 0, value_size = 0;
  if (!r.ReadU8(b.index) || !r.ReadU8(b.spec) || !r.ReadU16Le(size)) {
    return Malformed("measurement block header runs past the record");
  }
  ByteView body;
  if (!r.ReadView(size, body)) return Malformed("measurement block runs past the record");
  if (b.spec != kDmtfSpec) return Unsupported("measurement block is not in the DMTF format");
  ByteReader br(body);
  if (!br.ReadU8(b.value_type) || !br.ReadU16Le(value_size) || !br.ReadBytes(value_size, b.value) ||
      !br.AtEnd()) {
    return Malformed("DMTF measurement size disagrees with its block");
  }
  return Status::Ok();
}

Status ParseRecord(ByteView record, uint8_t count, Report& out) {
  ByteReader r(record);
  std::set<uint8_t> seen;
  for (uint8_t i = 0; i < count; ++i) {
    MeasurementBlock b;
    TEE_TRY(ParseBlock(r, b));
    if (!seen.insert(b.index).second) {
      return Malformed("measurement index " + std::to_string(b.index) + " appears twice");
    }
    out.blocks.push_back(std::move(b));
  }
  if (!r.AtEnd()) return Malformed("measurement record longer than its blocks");
  return Status::Ok();
}

Status ParseResponse(ByteReader& r, Report& out) {
  uint8_t version = 0, code = 0, count = 0, len[3] = {};
  if (!r.ReadU8(version) || !r.ReadU8(code) || !r.ReadU8(out.response_param1) ||
      !r.ReadU8(out.response_param2) || !r.ReadU8(count) || !r.ReadU8(len[0]) ||
      !r.ReadU8(len[1]) || !r.ReadU8(len[2])) {
    return Malformed("MEASUREMENTS response header truncated");
  }
  if (code != kMeasurementsResponse) return Malformed("the response is not MEASUREMENTS");
  if (version != kSpdm11) return Unsupported("SPDM response version is not 1.1");
  const size_t record_len = len[0] | (size_t{len[1]} << 8) | (size_t{len[2]} << 16);
  ByteView record;
  if (!r.ReadView(record_len, record)) return Malformed("measurement record truncated");
  TEE_TRY(ParseRecord(record, count, out));
  uint16_t opaque_len = 0;
  ByteView opaque;
  if (!r.ReadArray(out.responder_nonce) || !r.ReadU16Le(opaque_len) ||
      !r.ReadView(opaque_len, opaque)) {
    return Malformed("responder nonce or opaque data truncated");
  }
  TEE_ASSIGN_OR_RETURN(out.opaque, ParseOpaqueData(opaque));
  TEE_ASSIGN_OR_RETURN(out.facts, OpaqueFactsOf(out.opaque));
  out.signed_size = r.offset();
  if (!r.ReadArray(out.signature)) return Malformed("signature truncated");
  return Status::Ok();
}

// Hex text: digits with optional whitespace and one leading 0x.
std::optional<Bytes> DecodeHexText(ByteView data) {
  std::string digits;
  digits.reserve(data.size());
  for (uint8_t c : data) {
    if (std::isspace(c) != 0) continue;
    if (std::isxdigit(c) == 0 && !(digits == "0" && (c == 'x' || c == 'X'))) return std::nullopt;
    digits.push_back(static_cast<char>(c));
  }
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
    digits.erase(0, 2);
  return FromHex(digits);
}

bool LooksLikeHexText(ByteView data) {
  for (uint8_t c : data.first(std::min<size_t>(data.size(), 64))) {
    if (std::isxdigit(c) == 0 && std::isspace(c) == 0 && c != 'x' && c != 'X') return false;
  }
  return !data.empty();
}

}  // namespace

const char* OpaqueTypeName(uint16_t type) {
  for (const auto& t : kTypeNames) {
    if (static_cast<uint16_t>(t.type) == type) return t.name;
  }
  return nullptr;
}

std::string FormatVbiosVersion(const std::array<uint8_t, 8>& raw) {
  std::string s;
  for (size_t i : {3u, 2u, 1u, 0u, 4u}) {
    if (!s.empty()) s.push_back('.');
    s += ToHex(ByteView(&raw[i], 1));
  }
  return s;
}

Result<std::vector<OpaqueField>> ParseOpaqueData(ByteView data) {
  std::vector<OpaqueField> out;
  ByteReader r(data);
  while (!r.AtEnd()) {
    OpaqueField f;
    uint16_t size = 0;
    if (!r.ReadU16Le(f.type) || !r.ReadU16Le(size)) return Malformed("opaque TLV header truncated");
    if (!r.ReadBytes(size, f.value)) {
      return Malformed("opaque TLV type " + std::to_string(f.type) + " runs past the opaque data");
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<OpaqueFacts> OpaqueFactsOf(const std::vector<OpaqueField>& fields) {
  OpaqueFacts o;
  std::set<uint16_t> seen;
  for (const auto& f : fields) {
    if (OpaqueTypeName(f.type) != nullptr && !seen.insert(f.type).second) {
      return Malformed(std::string(OpaqueTypeName(f.type)) + " appears twice");
    }
    TEE_TRY(ApplyField(o, f));
  }
  return o;
}

std::map<uint32_t, Bytes> Report::Measurements() const {
  std::map<uint32_t, Bytes> out;
  for (const auto& b : blocks) out.emplace(b.index, b.value);
  return out;
}

Result<Report> ParseReportBinary(ByteView data) {
  if (data.size() > kMaxReportBytes) return Malformed("larger than 64 KiB");
  Report out;
  ByteReader r(data);
  TEE_TRY(ParseRequest(r, out));
  TEE_TRY(ParseResponse(r, out));
  if (!r.AtEnd()) return Malformed("bytes after the signature");
  out.raw.assign(data.begin(), data.end());
  return out;
}

Result<Report> ParseReport(ByteView data) {
  if (data.size() > 2 * kMaxReportBytes + 4096) return Malformed("larger than 64 KiB");
  // A binary report starts with its SPDM version byte, never a hex digit.
  if (!LooksLikeHexText(data)) return ParseReportBinary(data);
  auto bytes = DecodeHexText(data);
  if (!bytes) return Malformed("bad hex text");
  return ParseReportBinary(AsView(*bytes));
}

}  // namespace tenzro::tee::nvidia
