#include "crypto/base64.h"

#include <sodium.h>

namespace tenzro::tee::crypto {
namespace {

std::optional<Bytes> Decode(std::string_view text, const char* ignore, int variant) {
  Bytes out(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), ignore, &len, &end,
                        variant) != 0) {
    return std::nullopt;
  }
  // sodium stops at the first byte it cannot use: the whole text must be used.
  if (end != text.data() + text.size()) return std::nullopt;
  out.resize(len);
  return out;
}

std::string Encode(ByteView bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // sodium writes a terminating NUL
  return out;
}

}  // namespace

std::optional<Bytes> Base64Decode(std::string_view text) {
  return Decode(text, " \t\r\n", sodium_base64_VARIANT_ORIGINAL);
}

std::string Base64Encode(ByteView bytes) { return Encode(bytes, sodium_base64_VARIANT_ORIGINAL); }

std::optional<Bytes> Base64UrlDecode(std::string_view text) {
  return Decode(text, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string Base64UrlEncode(ByteView bytes) {
  return Encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

}  // namespace tenzro::tee::crypto
