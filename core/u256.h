// Unsigned 256-bit integers for stakes and weights (DESIGN §7).
//
// U256 is Boost.Multiprecision's *checked* 256-bit unsigned integer: an
// overflow throws std::overflow_error, which the consensus code catches at its
// boundary and reports as ErrorCode::kOverflow. Never converted to floating
// point in consensus code.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/multiprecision/cpp_int.hpp>

namespace tenzro::tee {

using U256 = boost::multiprecision::checked_uint256_t;
using U256Bytes = std::array<uint8_t, 32>;  // big-endian

U256 U256FromBe(const U256Bytes& be);
U256Bytes U256ToBe(const U256& v);
// 32 bytes little-endian (the leader stream's word order).
U256 U256FromLe(const uint8_t* le32);
// Decimal digits, or "0x"/"0X" followed by hex digits; nullopt on bad input or
// a value that does not fit in 256 bits.
std::optional<U256> ParseU256(std::string_view text);
std::string U256ToDecimal(const U256& v);
// Number of significant bits (0 for zero).
unsigned BitLength(const U256& v);

}  // namespace tenzro::tee
