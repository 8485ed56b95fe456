// Nitro attestation documents: the strict CBOR decoder and the COSE_Sign1 /
// payload parser (attestation/nitro/document.h). Never crashes, never reads
// past the input, never allocates by a declared length.
#include "attestation/nitro/cbor.h"
#include "attestation/nitro/document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  const ByteView in(data, size);
  (void)nitro::cbor::Decode(in, nitro::cbor::Limits{});
  if (auto d = nitro::ParseDocument(in); d.ok()) (void)nitro::SigStructure(*d);
  return 0;
}
