#include "attestation/tdx/pck_extensions.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/der.h"

namespace tenzro::tee::tdx {
namespace {

Status Bad(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "PCK SGX extension: " + what);
}

// The last arc of `oid` when it is `prefix` + "." + arc, else nullopt.
std::optional<uint64_t> ArcUnder(const std::string& oid, std::string_view prefix) {
  if (oid.size() <= prefix.size() + 1 || oid.compare(0, prefix.size(), prefix) != 0 ||
      oid[prefix.size()] != '.') {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = prefix.size() + 1; i < oid.size(); ++i) {
    const char ch = oid[i];
    if (ch < '0' || ch > '9' || v > 1'000'000) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  return v;
}

// One SEQUENCE { OID, value } entry of the extension tree.
bool ReadEntry(der::Reader& r, std::string& oid, der::Tlv& value) {
  ByteView seq;
  if (!r.Expect(der::kSequence, seq)) return false;
  der::Reader e(seq);
  ByteView oid_bytes;
  if (!e.Expect(der::kOid, oid_bytes) || !e.Next(value) || !e.AtEnd()) return false;
  auto s = der::OidToString(oid_bytes);
  if (!s) return false;
  oid = std::move(*s);
  return true;
}

template <size_t N>
bool OctetsInto(const der::Tlv& v, std::array<uint8_t, N>& out) {
  if (v.tag != der::kOctetString || v.value.size() != N) return false;
  std::copy(v.value.begin(), v.value.end(), out.begin());
  return true;
}

Status ParseTcb(ByteView seq, PckExtensions& out) {
  static const std::string kTcbOid = std::string(kSgxExtensionsOid) + ".2";
  der::Reader r(seq);
  uint32_t seen = 0;  // bit i-1 for arc i (1..18)
  while (!r.AtEnd()) {
    std::string oid;
    der::Tlv v;
    if (!ReadEntry(r, oid, v)) return Bad("malformed TCB entry");
    auto arc = ArcUnder(oid, kTcbOid);
    if (!arc || *arc < 1 || *arc > 18) continue;  // unknown TCB entries are ignored
    const uint32_t bit = uint32_t{1} << (*arc - 1);
    if ((seen & bit) != 0) return Bad("duplicate TCB entry " + oid);
    seen |= bit;
    if (*arc <= 16) {
      auto n = v.tag == der::kInteger ? der::IntegerToU64(v.value) : std::nullopt;
      if (!n || *n > 255)
        return Bad("SGX TCB component " + std::to_string(*arc) + " is not an INTEGER 0..255");
      out.sgx_tcb_components[*arc - 1] = static_cast<uint8_t>(*n);
    } else if (*arc == 17) {
      auto n = v.tag == der::kInteger ? der::IntegerToU64(v.value) : std::nullopt;
      if (!n || *n > 0xffff) return Bad("PCESVN is not an INTEGER 0..65535");
      out.pcesvn = static_cast<uint16_t>(*n);
    } else {
      if (!OctetsInto(v, out.cpusvn)) return Bad("CPUSVN is not a 16-byte OCTET STRING");
    }
  }
  if (!r.ok()) return Bad("malformed TCB sequence");
  if (seen != (uint32_t{1} << 18) - 1)
    return Bad("TCB lacks some of its 16 components, PCESVN or CPUSVN");
  return Status::Ok();
}

}  // namespace

Result<PckExtensions> ParsePckExtensions(ByteView ext_value) {
  auto top = der::ParseSingle(ext_value);
  if (!top || top->tag != der::kSequence) return Bad("not a single DER SEQUENCE");
  der::Reader r(top->value);
  PckExtensions out;
  uint32_t seen = 0;
  while (!r.AtEnd()) {
    std::string oid;
    der::Tlv v;
    if (!ReadEntry(r, oid, v)) return Bad("malformed entry");
    auto arc = ArcUnder(oid, kSgxExtensionsOid);
    if (!arc) continue;
    if (*arc >= 1 && *arc <= 5) {
      const uint32_t bit = uint32_t{1} << (*arc - 1);
      if ((seen & bit) != 0) return Bad("duplicate entry " + oid);
      seen |= bit;
    }
    switch (*arc) {
      case 1:
        if (!OctetsInto(v, out.ppid)) return Bad("PPID is not a 16-byte OCTET STRING");
        break;
      case 2:
        if (v.tag != der::kSequence) return Bad("TCB is not a SEQUENCE");
        TEE_TRY(ParseTcb(v.value, out));
        break;
      case 3:
        if (!OctetsInto(v, out.pce_id)) return Bad("PCE-ID is not a 2-byte OCTET STRING");
        break;
      case 4:
        if (!OctetsInto(v, out.fmspc)) return Bad("FMSPC is not a 6-byte OCTET STRING");
        break;
      case 5: {
        auto n = v.tag == der::kEnumerated ? der::IntegerToU64(v.value) : std::nullopt;
        if (!n || *n > 255) return Bad("SGX Type is not an ENUMERATED");
        out.sgx_type = static_cast<uint8_t>(*n);
        break;
      }
      default:
        break;  // PlatformInstanceID, Configuration (Platform CA certificates), later additions
    }
  }
  if (!r.ok()) return Bad("malformed extension sequence");
  if (seen != 0x1f) return Bad("missing one of PPID, TCB, PCE-ID, FMSPC, SGX Type");
  return out;
}

}  // namespace tenzro::tee::tdx
