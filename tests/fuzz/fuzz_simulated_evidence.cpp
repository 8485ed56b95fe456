// Simulated evidence: parse, then the whole verifier (never crashes, never
// valid unless genuinely signed by the dev key).
#include "attestation/simulated/simulated_verifier.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  simulated::Policy p;
  p.common.simulation = true;
  simulated::SimulatedVerifier v(p);
  VerifyRequest req;
  req.evidence = ByteView(data, size);
  req.now = 1'767'225'600;
  (void)v.Verify(req);
  return 0;
}
