// A minimal, bounds-checked DER walker for certificate extensions (Intel's
// SGX extension tree, AMD's VCEK TCB extensions). Definite lengths only, at
// most 4 length bytes; every read is checked against the enclosing value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"

namespace tenzro::tee::der {

inline constexpr uint8_t kInteger = 0x02;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kOid = 0x06;
inline constexpr uint8_t kEnumerated = 0x0a;
inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kIa5String = 0x16;

struct Tlv {
  uint8_t tag = 0;
  ByteView value;
};

// Sequential reader over the contents of one constructed value.
class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return ok_ && pos_ == data_.size(); }
  // Next TLV (single-byte tags only); false (sticky) when malformed.
  bool Next(Tlv& out);
  // Next TLV, which must carry `tag`.
  bool Expect(uint8_t tag, ByteView& value);

 private:
  ByteView data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Exactly one TLV spanning all of data.
std::optional<Tlv> ParseSingle(ByteView data);
// Dotted text of an OID's content bytes ("1.2.840.113741.1.13.1"); nullopt
// when malformed.
std::optional<std::string> OidToString(ByteView content);
// A non-negative INTEGER's content as uint64; nullopt if negative, empty,
// non-minimal beyond a sign byte, or over 64 bits.
std::optional<uint64_t> IntegerToU64(ByteView content);

}  // namespace tenzro::tee::der
