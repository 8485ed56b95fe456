// NVIDIA SPDM reports (binary and hex text) and their opaque data: the
// parsers, then the whole verifier with simulation on. Never crashes, never
// reads past the input.
#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/report.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  const ByteView in(data, size);
  if (auto r = nvidia::ParseReport(in); r.ok()) (void)r->Measurements();
  if (auto o = nvidia::ParseOpaqueData(in); o.ok()) (void)nvidia::OpaqueFactsOf(*o);
  static const nvidia::NvidiaVerifier verifier(nvidia::Policy{}, CommonPolicy{true, 86400});
  VerifyRequest req;
  req.evidence = in;
  req.now = 1'767'225'600;
  (void)verifier.Verify(req);
  return 0;
}
