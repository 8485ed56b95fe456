#include "crypto/der.h"

namespace tenzro::tee::der {

bool Reader::Next(Tlv& out) {
  if (!ok_) return false;
  const size_t n = data_.size();
  size_t p = pos_;
  auto fail = [this] {
    ok_ = false;
    return false;
  };
  if (n - p < 2) return fail();
  const uint8_t tag = data_[p++];
  if ((tag & 0x1f) == 0x1f) return fail();  // multi-byte tags: not used here
  size_t len = data_[p++];
  if (len & 0x80) {
    const size_t count = len & 0x7f;
    if (count == 0 || count > 4 || n - p < count) return fail();  // indefinite or huge
    len = 0;
    for (size_t i = 0; i < count; ++i) len = (len << 8) | data_[p++];
    if (len < 0x80 || (count > 1 && data_[p - count] == 0)) return fail();  // not minimal (DER)
  }
  if (n - p < len) return fail();
  out.tag = tag;
  out.value = data_.subspan(p, len);
  pos_ = p + len;
  return true;
}

bool Reader::Expect(uint8_t tag, ByteView& value) {
  Tlv t;
  if (!Next(t)) return false;
  if (t.tag != tag) {
    ok_ = false;
    return false;
  }
  value = t.value;
  return true;
}

std::optional<Tlv> ParseSingle(ByteView data) {
  Reader r(data);
  Tlv t;
  if (!r.Next(t) || !r.AtEnd()) return std::nullopt;
  return t;
}

std::optional<std::string> OidToString(ByteView content) {
  if (content.empty() || (content.back() & 0x80) != 0) return std::nullopt;
  std::string out;
  uint64_t v = 0;
  bool first = true;
  size_t digits = 0;
  for (uint8_t b : content) {
    if (digits == 0 && b == 0x80) return std::nullopt;  // non-minimal
    if (v > (UINT64_MAX >> 7)) return std::nullopt;
    v = (v << 7) | (b & 0x7f);
    ++digits;
    if (b & 0x80) continue;
    if (first) {
      const uint64_t a = v < 80 ? v / 40 : 2;
      out = std::to_string(a) + "." + std::to_string(v - a * 40);
      first = false;
    } else {
      out += "." + std::to_string(v);
    }
    v = 0;
    digits = 0;
  }
  return out;
}

std::optional<uint64_t> IntegerToU64(ByteView content) {
  if (content.empty() || (content[0] & 0x80) != 0) return std::nullopt;  // empty or negative
  if (content.size() > 1 && content[0] == 0 && (content[1] & 0x80) == 0) return std::nullopt;
  size_t start = content[0] == 0 ? 1 : 0;
  if (content.size() - start > 8) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = start; i < content.size(); ++i) v = (v << 8) | content[i];
  return v;
}

}  // namespace tenzro::tee::der
