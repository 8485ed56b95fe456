// NVIDIA's serialized evidence JSON (one or several GPUs): the parser, then
// the verifier with simulation on. Never crashes, never reads past the input.
#include "attestation/nvidia/evidence_json.h"
#include "attestation/nvidia/nvidia_verifier.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  (void)nvidia::ParseSerializedEvidence(in);
  static const nvidia::NvidiaVerifier verifier(nvidia::Policy{}, CommonPolicy{true, 86400});
  VerifyRequest req;
  req.evidence = in;
  req.now = 1'767'225'600;
  (void)verifier.Verify(req);
  return 0;
}
