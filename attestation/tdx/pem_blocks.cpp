#include "attestation/tdx/pem_blocks.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string_view>

namespace tenzro::tee::tdx {

bool LooksLikePem(ByteView data) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  return std::search(data.begin(), data.end(), kBegin.begin(), kBegin.end()) != data.end();
}

std::vector<Bytes> PemCertificateDers(ByteView pem) {
  std::vector<Bytes> out;
  if (pem.size() > static_cast<size_t>(INT_MAX)) return out;
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                   &BIO_free_all);
  if (!bio) return out;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* body = nullptr;
    long n = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &body, &n) != 1) break;
    if (std::strcmp(name, "CERTIFICATE") == 0 && n > 0) out.emplace_back(body, body + n);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(body);
  }
  ERR_clear_error();  // the end of the text is reported as an error
  return out;
}

}  // namespace tenzro::tee::tdx
