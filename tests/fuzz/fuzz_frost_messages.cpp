// The serialized FROST messages of the ABI (issue 14): a commitment, a
// commitment list, a signature-share list (first byte picks which). Whatever
// decodes re-encodes to the same bytes (the encodings are canonical).
#include <algorithm>
#include <cstdlib>

#include "attestation/mpc/frost.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  namespace frost = mpc::frost;
  if (size == 0) return 0;
  const ByteView in(data + 1, size - 1);
  Bytes again;
  bool ok = false;
  switch (data[0] % 3) {
    case 0:
      if (auto c = frost::DecodeCommitment(in); c.ok())
        ok = true, again = frost::EncodeCommitment(*c);
      break;
    case 1:
      if (auto l = frost::DecodeCommitmentList(in); l.ok()) {
        ok = true;
        again = frost::EncodeCommitmentList(*l);
      }
      break;
    default:
      if (auto s = frost::DecodeSignatureShares(in); s.ok()) {
        ok = true;
        again = frost::EncodeSignatureShares(*s);
      }
      break;
  }
  if (ok && (again.size() != in.size() || !std::equal(again.begin(), again.end(), in.begin()))) {
    std::abort();
  }
  return 0;
}
