// Intel DCAP quotes (SGX v3, TDX v4/v5): the pure parser, then the quote and
// PCK-chain layer of the verifier (chain PEM, signatures) with the simulator's
// development root trusted, so simulator-made seeds reach every layer.
#include "attestation/tdx/quote.h"
#include "attestation/tdx/sim/dev_pki.h"
#include "attestation/tdx/tdx_verifier.h"
#include "crypto/hash.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  static const tdx::TdxVerifier verifier(TeeType::IntelTdx, tdx::Policy{},
                                         CommonPolicy{true, 86400},
                                         {tdx::sim::DevRootFingerprint()});
  const ByteView in(data, size);
  if (!tdx::ParseQuote(in).ok()) return 0;
  VerifyRequest req;
  req.evidence = in;
  req.now = 1'767'225'600;
  (void)verifier.VerifyQuoteAndPckChain(req);
  return 0;
}
