#include "crypto/base64.h"

#include <sodium.h>

namespace tenzro::tee::crypto {

std::string ToBase64(ByteView data) {
  const size_t cap = sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(cap, '\0');
  sodium_bin2base64(out.data(), cap, data.data(), data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(cap - 1);  // the terminating NUL
  return out;
}

std::optional<Bytes> FromBase64(std::string_view text) {
  Bytes out(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace tenzro::tee::crypto
