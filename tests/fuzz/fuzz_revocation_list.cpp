// Simulated revocation lists: parse and admission.
#include "attestation/simulated/simulated_verifier.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  (void)simulated::ParseRevocationList(ByteView(data, size));
  simulated::SimulatedVerifier v(simulated::Policy{});
  (void)v.ParseCollateral(ByteView(data, size), 1'767'225'600);
  return 0;
}
