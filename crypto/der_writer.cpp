#include "crypto/der_writer.h"

#include <cstdlib>
#include <string>

namespace tenzro::tee::crypto::derw {
namespace {
constexpr uint8_t kBoolean = 0x01;
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kOid = 0x06;
constexpr uint8_t kEnumerated = 0x0a;
constexpr uint8_t kSequence = 0x30;

void PutBase128(Bytes& out, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  do {
    tmp[n++] = static_cast<uint8_t>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  while (n > 1) out.push_back(static_cast<uint8_t>(tmp[--n] | 0x80));
  out.push_back(tmp[0]);
}

Bytes UnsignedContent(uint64_t v) {
  Bytes be;
  do {
    be.insert(be.begin(), static_cast<uint8_t>(v & 0xff));
    v >>= 8;
  } while (v != 0);
  if (be[0] & 0x80) be.insert(be.begin(), 0);  // keep it non-negative
  return be;
}
}  // namespace

Bytes Tlv(uint8_t tag, ByteView content) {
  Bytes out{tag};
  size_t len = content.size();
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
  } else {
    Bytes len_be;
    while (len != 0) {
      len_be.insert(len_be.begin(), static_cast<uint8_t>(len & 0xff));
      len >>= 8;
    }
    out.push_back(static_cast<uint8_t>(0x80 | len_be.size()));
    PutBytes(out, AsView(len_be));
  }
  PutBytes(out, content);
  return out;
}

Bytes Oid(std::string_view dotted) {
  std::vector<uint64_t> arcs;
  size_t pos = 0;
  while (pos <= dotted.size()) {
    size_t dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) dot = dotted.size();
    arcs.push_back(std::stoull(std::string(dotted.substr(pos, dot - pos))));
    pos = dot + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2) std::abort();  // invariant: callers pass constant OIDs
  Bytes content;
  PutBase128(content, arcs[0] * 40 + arcs[1]);
  for (size_t i = 2; i < arcs.size(); ++i) PutBase128(content, arcs[i]);
  return Tlv(kOid, AsView(content));
}

Bytes Integer(uint64_t v) { return Tlv(kInteger, AsView(UnsignedContent(v))); }
Bytes Enumerated(uint64_t v) { return Tlv(kEnumerated, AsView(UnsignedContent(v))); }
Bytes Boolean(bool v) {
  Bytes c{static_cast<uint8_t>(v ? 0xff : 0x00)};
  return Tlv(kBoolean, AsView(c));
}
Bytes OctetString(ByteView v) { return Tlv(kOctetString, v); }

Bytes Sequence(const std::vector<Bytes>& elements) {
  Bytes content;
  for (const auto& e : elements) PutBytes(content, AsView(e));
  return Tlv(kSequence, AsView(content));
}

}  // namespace tenzro::tee::crypto::derw
