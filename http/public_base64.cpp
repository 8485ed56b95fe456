#include "http/public_base64.h"

#include <climits>
#include <cstring>

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
  // EVP_DecodeBlock took every character as one of the 64 or '=' (no
  // whitespace trimmed: the length is a whole number of blocks). The input
  // is canonical when '=' stands only at the end and the padding carried
  // zero bits, i.e. the bytes it decoded to are zero.
  if (std::memchr(text.data(), '=', text.size() - pad) != nullptr)
    return crypto::Base64Decode(text);
  for (size_t i = out.size() - pad; i < out.size(); ++i)
    if (out[i] != 0) return crypto::Base64Decode(text);
  out.resize(out.size() - pad);
  return out;
}

}  // namespace tenzro::tee::http
