// The Nitro document validator: the whole verifier (chain, COSE signature,
// time, policy, binding) with the simulator's dev root trusted and simulation
// on, so simulator-seeded inputs reach every check, and the re-evaluation of
// the claims a verdict stores.
#include "attestation/nitro/nitro_verifier.h"
#include "crypto/hash.h"
#include "plugin/dev_roots.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  static const bool init = crypto::InitCrypto();
  (void)init;
  static const nitro::NitroVerifier verifier = [] {
    nitro::Policy policy;
    policy.images = {nitro::Image{{{0, Bytes(48, 0xa0)}}}};
    nitro::VerifierOptions options;
    options.dev_roots = {plugin::kNitroDevRootSha256};
    return nitro::NitroVerifier(policy, CommonPolicy{true, 86400}, options);
  }();
  VerifyRequest req;
  req.evidence = ByteView(data, size);
  req.now = 1'767'225'660;
  req.binding = BindingInput{};
  req.expected_nonce = Bytes{1, 2, 3};
  auto v = verifier.Verify(req);
  if (v.ok() && !v->reeval_claims.empty()) {
    (void)verifier.BeginReevaluation(CollateralSet(), req.now)->Check(v->reeval_claims);
  }
  return 0;
}
