#include "attestation/simulated/evidence.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>

#include "core/reader.h"

namespace tenzro::tee::simulated {
namespace {
constexpr char kEvidenceMagic[8] = {'T', 'Z', 'S', 'I', 'M', 'E', 'V', '1'};
constexpr char kListMagic[8] = {'T', 'Z', 'S', 'I', 'M', 'R', 'L', '1'};

Status Malformed(const std::string& what) { return Error(ErrorCode::kInvalidArgument, what); }

bool MagicIs(ByteView v, const char (&magic)[8]) {
  return v.size() == 8 && std::memcmp(v.data(), magic, 8) == 0;
}
}  // namespace

Result<Evidence> ParseEvidence(ByteView data) {
  if (data.size() != kEvidenceSize) {
    return Malformed("simulated evidence is " + std::to_string(data.size()) + " bytes, expected " +
                     std::to_string(kEvidenceSize));
  }
  ByteReader r(data);
  ByteView magic;
  uint16_t reserved = 0;
  Evidence e;
  r.ReadView(8, magic);
  if (!MagicIs(magic, kEvidenceMagic)) return Malformed("bad magic at offset 0");
  r.ReadU16Le(e.version);
  if (e.version != kVersion) {
    return Error(ErrorCode::kUnsupported,
                 "simulated evidence version " + std::to_string(e.version));
  }
  r.ReadU16Le(reserved);
  if (reserved != 0) return Malformed("reserved field at offset 10 is not zero");
  r.ReadU32Le(e.flags);
  if ((e.flags & ~kFlagDebug) != 0) return Malformed("unknown flag bits at offset 12");
  r.ReadU64Le(e.issued_at);
  r.ReadArray(e.measurement);
  r.ReadArray(e.report_data);
  r.ReadArray(e.signer);
  r.ReadArray(e.signature);
  if (!r.AtEnd()) return Malformed("truncated simulated evidence");
  e.signed_bytes = data.first(kSignedSize);
  return e;
}

Bytes SerializeUnsigned(const Evidence& e) {
  Bytes out(std::begin(kEvidenceMagic), std::end(kEvidenceMagic));
  out.reserve(kSignedSize);
  PutU16Le(out, e.version);
  PutU16Le(out, 0);
  PutU32Le(out, e.flags);
  PutU64Le(out, e.issued_at);
  PutBytes(out, AsView(e.measurement));
  PutBytes(out, AsView(e.report_data));
  PutBytes(out, AsView(e.signer));
  return out;
}

Result<RevocationList> ParseRevocationList(ByteView data) {
  ByteReader r(data);
  ByteView magic;
  uint16_t version = 0;
  uint16_t reserved16 = 0;
  uint32_t count = 0;
  uint32_t reserved32 = 0;
  RevocationList rl;
  if (!r.ReadView(8, magic) || !MagicIs(magic, kListMagic))
    return Malformed("bad revocation list magic");
  r.ReadU16Le(version);
  r.ReadU16Le(reserved16);
  r.ReadU64Le(rl.this_update);
  r.ReadU64Le(rl.next_update);
  r.ReadU32Le(count);
  r.ReadU32Le(reserved32);
  if (!r.ok()) return Malformed("truncated revocation list header");
  if (version != kVersion) {
    return Error(ErrorCode::kUnsupported, "revocation list version " + std::to_string(version));
  }
  if (reserved16 != 0 || reserved32 != 0)
    return Malformed("revocation list reserved field not zero");
  if (rl.next_update < rl.this_update)
    return Malformed("revocation list next_update before this_update");
  if (count > kMaxRevoked) return Malformed("revocation list count too large");
  if (r.remaining() != static_cast<size_t>(count) * 48 + 96) {
    return Malformed("revocation list length does not match its count");
  }
  rl.revoked.resize(count);
  for (auto& m : rl.revoked) r.ReadArray(m);
  for (size_t i = 1; i < rl.revoked.size(); ++i) {
    if (!(rl.revoked[i - 1] < rl.revoked[i]))
      return Malformed("revoked measurements not strictly increasing");
  }
  size_t signed_len = r.offset() + 32;
  r.ReadArray(rl.signer);
  r.ReadArray(rl.signature);
  if (!r.AtEnd()) return Malformed("truncated revocation list");
  rl.signed_bytes = data.first(signed_len);
  return rl;
}

Bytes SerializeUnsignedRevocationList(const RevocationList& rl) {
  Bytes out(std::begin(kListMagic), std::end(kListMagic));
  PutU16Le(out, kVersion);
  PutU16Le(out, 0);
  PutU64Le(out, rl.this_update);
  PutU64Le(out, rl.next_update);
  PutU32Le(out, static_cast<uint32_t>(rl.revoked.size()));
  PutU32Le(out, 0);
  for (const auto& m : rl.revoked) PutBytes(out, AsView(m));
  PutBytes(out, AsView(rl.signer));
  return out;
}

}  // namespace tenzro::tee::simulated
