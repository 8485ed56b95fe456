#include "attestation/nvidia/dice.h"

#include <algorithm>

#include "crypto/der.h"

namespace tenzro::tee::nvidia {
namespace {

constexpr uint8_t kFwidsTag = 0xA6;  // [6] constructed (IMPLICIT SEQUENCE OF)

Status Bad(std::string what) {
  return Error(ErrorCode::kInvalidArgument, "DICE FWID extension: " + std::move(what));
}

std::array<uint8_t, 48> ToFwid(ByteView v) {
  std::array<uint8_t, 48> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

}  // namespace

Result<std::array<uint8_t, 48>> FwidFromDiceTcbInfo(ByteView ext_value) {
  auto top = der::ParseSingle(ext_value);
  if (!top || top->tag != der::kSequence) return Bad("DiceTcbInfo is not one SEQUENCE");
  der::Reader fields(top->value);
  der::Tlv t;
  while (fields.Next(t)) {
    if (t.tag != kFwidsTag) continue;
    der::Reader list(t.value);
    ByteView fwid, hash_alg, digest;
    if (!list.Expect(der::kSequence, fwid)) return Bad("fwids is empty");
    der::Reader one(fwid);
    if (!one.Expect(der::kOid, hash_alg) || !one.Expect(der::kOctetString, digest) ||
        !one.AtEnd()) {
      return Bad("fwids[0] is not { hashAlg, digest }");
    }
    if (digest.size() != 48) return Bad("fwids[0] digest is not 48 bytes (SHA-384)");
    return ToFwid(digest);
  }
  if (!fields.ok()) return Bad("DiceTcbInfo is malformed");
  return Bad("DiceTcbInfo has no fwids");
}

Result<std::array<uint8_t, 48>> LeafFwid(const x509::Certificate& leaf) {
  if (auto tcb = leaf.Extension(kOidDiceTcbInfo)) return FwidFromDiceTcbInfo(AsView(*tcb));
  auto ext = leaf.Extension(kOidNvidiaDiceFwid);
  if (!ext) return Error(ErrorCode::kNotFound, "the leaf carries no TCG DICE FWID extension");
  auto top = der::ParseSingle(AsView(*ext));
  if (!top || top->tag != der::kSequence || ext->size() < 48) {
    return Bad("2.23.133.5.4.1 is not a SEQUENCE of at least 48 bytes");
  }
  return ToFwid(ByteView(*ext).last(48));
}

}  // namespace tenzro::tee::nvidia
