// The NSM response decoders (attestation/detect/nsm.h): whatever /dev/nsm
// answers to Attestation or DescribeNSM, a result or an error, never a crash.
#include "attestation/detect/nsm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = tenzro::tee::detect::DecodeNsmAttestationResponse(tenzro::tee::ByteView(data, size));
  if (r.ok() && r->empty()) __builtin_trap();  // a document is never empty
  auto v = tenzro::tee::detect::DecodeNsmDescribeResponse(tenzro::tee::ByteView(data, size));
  if (v.ok() && v->size() < 5) __builtin_trap();  // "M.m.p" at the least
  return 0;
}
