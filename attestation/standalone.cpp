#include "attestation/standalone.h"

#include <optional>

namespace tenzro::tee {

Result<Verdict> VerifyStandalone(const AttestationVerifier& verifier, const StandaloneRequest& req) {
  const VendorVerifier& v = verifier.For(req.tee_type);
  // Copy the base set only when the caller brings documents of its own.
  std::optional<CollateralSet> extended;
  for (ByteView blob : req.collateral_blobs) {
    auto doc = v.ParseCollateral(blob, req.now);
    if (!doc.ok()) continue;  // not a document of this TEE type: ignored
    if (!extended) extended = req.base != nullptr ? *req.base : CollateralSet();
    extended = extended->With(std::move(*doc));
  }
  const CollateralSet empty;
  const CollateralSet& set = extended ? *extended : (req.base != nullptr ? *req.base : empty);
  VerifyRequest vr;
  vr.evidence = req.evidence;
  vr.collateral = &set;
  vr.now = req.now;
  vr.evidence_time = req.evidence_time;
  vr.binding = req.binding;
  return v.Verify(vr);
}

}  // namespace tenzro::tee
