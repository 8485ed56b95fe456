// Byte containers, fixed-size digests and the hex codec shared by every layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tenzro::tee {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Hash32 = std::array<uint8_t, 32>;
using ValidatorId = std::array<uint8_t, 32>;  // Ed25519 public key

// Lower-case hex.
std::string ToHex(ByteView bytes);
// Accepts upper and lower case, no prefix; nullopt on odd length or a bad digit.
std::optional<Bytes> FromHex(std::string_view hex);
// Exactly N bytes of hex, or nullopt.
template <size_t N>
std::optional<std::array<uint8_t, N>> FromHexFixed(std::string_view hex) {
  auto b = FromHex(hex);
  if (!b || b->size() != N) return std::nullopt;
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = (*b)[i];
  return out;
}

inline ByteView AsView(const Bytes& b) { return {b.data(), b.size()}; }
template <size_t N>
ByteView AsView(const std::array<uint8_t, N>& a) {
  return {a.data(), a.size()};
}

// Little-endian and big-endian fixed-width writers used by every byte-exact
// encoding of the project.
void PutU8(Bytes& out, uint8_t v);
void PutU16Le(Bytes& out, uint16_t v);
void PutU32Le(Bytes& out, uint32_t v);
void PutU64Le(Bytes& out, uint64_t v);
void PutU64Be(Bytes& out, uint64_t v);
void PutBytes(Bytes& out, ByteView v);
// u32 LE length followed by the bytes.
void PutLenBytes(Bytes& out, ByteView v);

}  // namespace tenzro::tee
