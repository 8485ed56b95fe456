// The NSM response decoder (attestation/detect/nsm.h): whatever /dev/nsm
// answers, a document or an error, never a crash.
#include "attestation/detect/nsm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = tenzro::tee::detect::DecodeNsmAttestationResponse(tenzro::tee::ByteView(data, size));
  if (r.ok() && r->empty()) __builtin_trap();  // a document is never empty
  return 0;
}
