#include "core/u256.h"

#include <algorithm>

namespace tenzro::tee {

U256 U256FromBe(const U256Bytes& be) {
  U256 v = 0;
  boost::multiprecision::import_bits(v, be.begin(), be.end(), 8, true);
  return v;
}

U256Bytes U256ToBe(const U256& v) {
  U256Bytes out{};
  std::array<uint8_t, 32> tmp{};
  // export_bits writes the minimal number of bytes, most significant first.
  auto end = boost::multiprecision::export_bits(v, tmp.begin(), 8, true);
  auto n = static_cast<size_t>(end - tmp.begin());
  std::copy(tmp.begin(), tmp.begin() + static_cast<std::ptrdiff_t>(n),
            out.begin() + static_cast<std::ptrdiff_t>(32 - n));
  return out;
}

U256 U256FromLe(const uint8_t* le32) {
  U256 v = 0;
  boost::multiprecision::import_bits(v, le32, le32 + 32, 8, false);
  return v;
}

std::optional<U256> ParseU256(std::string_view text) {
  if (text.empty()) return std::nullopt;
  using Wide = boost::multiprecision::uint512_t;
  Wide acc = 0;
  const Wide limit = (Wide(1) << 256) - 1;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    if (text.empty() || text.size() > 64) return std::nullopt;
    for (char c : text) {
      int d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return std::nullopt;
      acc = (acc << 4) | static_cast<unsigned>(d);
    }
  } else {
    if (text.size() > 78) return std::nullopt;  // 2^256 has 78 digits
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      acc = acc * 10 + static_cast<unsigned>(c - '0');
      if (acc > limit) return std::nullopt;
    }
  }
  if (acc > limit) return std::nullopt;
  return U256(acc);
}

std::string U256ToDecimal(const U256& v) { return v.str(); }

unsigned BitLength(const U256& v) {
  if (v == 0) return 0;
  return static_cast<unsigned>(boost::multiprecision::msb(v)) + 1;
}

}  // namespace tenzro::tee
