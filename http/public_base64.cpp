#include "http/public_base64.h"

#include <climits>
#include <cstring>
#include <string>

#include <openssl/evp.h>

#include "crypto/base64.h"

namespace tenzro::tee::http {

std::optional<Bytes> DecodePublicBase64(std::string_view text) {
  // EVP_*Block take an int length; the canonical form has a length that is
  // a multiple of 4 and at most two '=' at its end.
  if (text.empty() || text.size() % 4 != 0 || text.size() > INT_MAX / 2)
    return crypto::Base64Decode(text);
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 2) return crypto::Base64Decode(text);
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  // EVP_DecodeBlock decodes '=' as zero bits and counts them: a whole block.
  if (n < 0 || static_cast<size_t>(n) != out.size()) return crypto::Base64Decode(text);
  out.resize(out.size() - pad);
  std::string again(text.size() + 1, '\0');  // EVP_EncodeBlock writes a NUL
  const int m = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(again.data()), out.data(),
                                static_cast<int>(out.size()));
  if (m < 0 || static_cast<size_t>(m) != text.size() ||
      std::memcmp(again.data(), text.data(), text.size()) != 0) {
    return crypto::Base64Decode(text);
  }
  return out;
}

}  // namespace tenzro::tee::http
