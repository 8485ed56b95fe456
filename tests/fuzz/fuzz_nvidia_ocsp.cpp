// DER OCSP responses (NVIDIA device-chain collateral): the parser, then
// admission by the verifier with simulation on. Never crashes, never reads
// past the input.
#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/ocsp.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  (void)nvidia::ParseOcspResponse(in);
  static const nvidia::NvidiaVerifier verifier(nvidia::Policy{}, CommonPolicy{true, 86400});
  (void)verifier.ParseCollateral(in, 1'767'225'600);
  return 0;
}
