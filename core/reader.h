// ByteReader: a bounds-checked cursor over untrusted bytes.
//
// Every read checks the remaining length first; a failed read leaves the
// cursor where it was and sets a sticky failure, so parsers can read a whole
// structure and check ok() once, or check each step. Never reads out of range.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "core/bytes.h"

namespace tenzro::tee {

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  bool AtEnd() const { return ok_ && pos_ == data_.size(); }

  bool ReadU8(uint8_t& v) { return ReadInt(v, 1, false); }
  bool ReadU16Le(uint16_t& v) { return ReadInt(v, 2, false); }
  bool ReadU32Le(uint32_t& v) { return ReadInt(v, 4, false); }
  bool ReadU64Le(uint64_t& v) { return ReadInt(v, 8, false); }
  bool ReadU64Be(uint64_t& v) { return ReadInt(v, 8, true); }

  template <size_t N>
  bool ReadArray(std::array<uint8_t, N>& out) {
    if (!Need(N)) return false;
    std::memcpy(out.data(), data_.data() + pos_, N);
    pos_ += N;
    return true;
  }
  // A view of the next n bytes (valid while the underlying buffer lives).
  bool ReadView(size_t n, ByteView& out) {
    if (!Need(n)) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool ReadBytes(size_t n, Bytes& out) {
    ByteView v;
    if (!ReadView(n, v)) return false;
    out.assign(v.begin(), v.end());
    return true;
  }
  // u32 LE length, then that many bytes, at most max_len.
  bool ReadLenBytes(Bytes& out, size_t max_len) {
    uint32_t n = 0;
    size_t save = pos_;
    if (!ReadU32Le(n)) return false;
    if (n > max_len) {
      pos_ = save;
      ok_ = false;
      return false;
    }
    return ReadBytes(n, out);
  }
  bool Skip(size_t n) {
    if (!Need(n)) return false;
    pos_ += n;
    return true;
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  template <typename T>
  bool ReadInt(T& v, size_t n, bool big_endian) {
    if (!Need(n)) return false;
    uint64_t acc = 0;
    for (size_t i = 0; i < n; ++i) {
      size_t idx = big_endian ? i : n - 1 - i;
      acc = (acc << 8) | data_[pos_ + idx];
    }
    v = static_cast<T>(acc);
    pos_ += n;
    return true;
  }

  ByteView data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace tenzro::tee
