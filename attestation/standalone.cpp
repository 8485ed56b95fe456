#include "attestation/standalone.h"

namespace tenzro::tee {

Result<Verdict> VerifyStandalone(const AttestationVerifier& verifier, const StandaloneRequest& req) {
  const VendorVerifier& v = verifier.For(req.tee_type);
  CollateralSet set = req.base != nullptr ? *req.base : CollateralSet();
  for (ByteView blob : req.collateral_blobs) {
    auto doc = v.ParseCollateral(blob, req.now);
    if (doc.ok()) set = set.With(std::move(*doc));
  }
  VerifyRequest vr;
  vr.evidence = req.evidence;
  vr.collateral = &set;
  vr.now = req.now;
  vr.evidence_time = req.evidence_time;
  vr.binding = req.binding;
  return v.Verify(vr);
}

}  // namespace tenzro::tee
