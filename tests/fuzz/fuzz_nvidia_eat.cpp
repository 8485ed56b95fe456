// NRAS detached EAT and JWKS JSON (attestation/nvidia/nras.h): the parsers,
// then the whole verification with the input also used as the JWKS.
#include "attestation/nvidia/nras.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  (void)nvidia::nras::ParseDetachedEat(in);
  auto jwks = nvidia::nras::ParseJwks(in);
  nvidia::nras::Expectations expect;
  expect.nonce = Bytes(32, 0x5a);
  (void)nvidia::nras::VerifyDetachedEat(in, jwks.ok() ? *jwks : nvidia::nras::Jwks{}, expect,
                                        1'749'601'900);
  return 0;
}
