// Verifier of Simulated evidence (DESIGN §8): Ed25519 by the pinned
// development key, with the same time, revocation, debug, measurement and
// binding rules as real vendors. Accepted only when simulation is on.
#pragma once

#include <vector>

#include "attestation/simulated/evidence.h"
#include "attestation/verifier.h"

namespace tenzro::tee::simulated {

// The development signer every node pins: the public half of the key derived
// from SHA-256("tenzro-tee-simulated-dev-key-v1") (attestation/sim/).
extern const std::array<uint8_t, 32> kDevSignerPublicKey;

struct Policy {
  CommonPolicy common;
  // Allow-list of measurements; empty allows any.
  std::vector<Measurement> measurements;
};

class SimulatedVerifier final : public VendorVerifier {
 public:
  explicit SimulatedVerifier(Policy policy) : policy_(std::move(policy)) {}
  TeeType type() const override { return TeeType::Simulated; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;
  using VendorVerifier::ParseCollateral;
  Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                        uint64_t now) const override;
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override;

 private:
  Policy policy_;
};

}  // namespace tenzro::tee::simulated
