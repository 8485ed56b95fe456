#include "attestation/standalone.h"

#include <optional>

namespace tenzro::tee {

Result<Verdict> VerifyStandalone(const AttestationVerifier& verifier,
                                 const StandaloneRequest& req) {
  const VendorVerifier& v = verifier.For(req.tee_type);
  // Copy the base set only when the caller brings documents of its own.
  // Blobs are tried in passes until one adds nothing, so a document whose
  // issuer certificate comes in a later blob is still recognised; the order
  // of a directory listing never changes the verdict.
  const CollateralSet empty;
  std::optional<CollateralSet> extended;
  std::vector<bool> taken(req.collateral_blobs.size(), false);
  std::vector<std::string> why(req.unused != nullptr ? req.collateral_blobs.size() : 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < req.collateral_blobs.size(); ++i) {
      if (taken[i]) continue;
      const CollateralSet& known = extended ? *extended : (req.base != nullptr ? *req.base : empty);
      auto doc = v.ParseCollateral(req.collateral_blobs[i], known, req.now);
      if (!doc.ok()) {  // not (yet) a document of this TEE type
        if (req.unused != nullptr) why[i] = doc.status().message();
        continue;
      }
      if (!extended) extended = known;
      extended = extended->With(std::move(*doc));
      taken[i] = true;
      progress = true;
    }
  }
  if (req.unused != nullptr) {
    for (size_t i = 0; i < taken.size(); ++i)
      if (!taken[i]) req.unused->emplace_back(i, why[i]);
  }
  const CollateralSet& set = extended ? *extended : (req.base != nullptr ? *req.base : empty);
  VerifyRequest vr;
  vr.evidence = req.evidence;
  vr.collateral = &set;
  vr.now = req.now;
  vr.evidence_time = req.evidence_time;
  vr.binding = req.binding;
  vr.expected_nonce = req.expected_nonce;
  return v.Verify(vr);
}

}  // namespace tenzro::tee
