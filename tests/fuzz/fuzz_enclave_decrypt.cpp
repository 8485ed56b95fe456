// enclave_crypto Decrypt on arbitrary bytes (issue 14). Input: key id length
// (first byte, 0..255), the key id, then the ciphertext. Decrypt must never
// crash, and never return plaintext that does not fit the wire format.
#include <cstdlib>
#include <memory>

#include "attestation/enclave_crypto/enclave_crypto.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static enclave_crypto::EnclaveCrypto ec(
      enclave_crypto::SimulationKeySource::Create(TeeType::AmdSevSnp, true).value());
  if (size == 0) return 0;
  const size_t n = std::min<size_t>(data[0], size - 1);
  const std::string_view key_id(reinterpret_cast<const char*>(data + 1), n);
  const ByteView sealed(data + 1 + n, size - 1 - n);
  auto r = ec.Decrypt(key_id, sealed);
  if (r.ok() && r->size() + enclave_crypto::kOverheadBytes != sealed.size()) std::abort();
  return 0;
}
