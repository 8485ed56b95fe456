#include "nitro_test_util.h"

#include <boost/test/unit_test.hpp>

namespace tenzro::tee::nitro::testutil {

std::unique_ptr<NitroVerifier> DevVerifier(Policy policy, bool simulation) {
  CommonPolicy common;
  common.simulation = simulation;
  VerifierOptions options;
  options.dev_roots = {sim::DevRootFingerprint()};
  return std::make_unique<NitroVerifier>(std::move(policy), common, options);
}

Bytes MakeDoc(const sim::DocumentSpec& spec) {
  auto doc = sim::MakeDocument(spec);
  if (!doc.ok()) BOOST_FAIL(doc.status().ToString());
  return std::move(doc).value();
}

Verdict VerifyAt(const NitroVerifier& v, ByteView doc, uint64_t now,
                 const std::optional<BindingInput>& binding,
                 const std::optional<Bytes>& expected_nonce) {
  VerifyRequest req;
  req.evidence = doc;
  req.now = now;
  req.binding = binding;
  req.expected_nonce = expected_nonce;
  auto r = v.Verify(req);
  if (!r.ok()) BOOST_FAIL(r.status().ToString());
  return std::move(r).value();
}

}  // namespace tenzro::tee::nitro::testutil
