// NVIDIA RIM XML (attestation/nvidia/rim.h): the strict parser, then the
// whole verification (xmlsec signature, chain, windows) against the dev root.
// Never crashes, never reads past the input, never fetches anything.
#include "attestation/nvidia/rim.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  (void)nvidia::rim::ParseRim(in);
  (void)nvidia::rim::VerifyRim(in, {}, Hash32{}, 1'767'225'600);
  return 0;
}
