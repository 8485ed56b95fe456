// Shared helpers of the TDX verifier tests.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "attestation/standalone.h"
#include "attestation/tdx/tdx_verifier.h"
#include "attestation/verdict.h"
#include "support/vectors.h"

namespace tenzro::tee {
inline std::ostream& operator<<(std::ostream& os, FailureCode c) {
  return os << FailureCodeName(c);
}
}  // namespace tenzro::tee

namespace tenzro::tee::tdx::testing {

// The case of cases.json with this name, or nullopt when the vectors are absent.
inline std::optional<tee::testing::VectorCase> FindCase(const std::string& name) {
  for (auto& c : tee::testing::LoadCases("tdx")) {
    if (c.name == name) return c;
  }
  return std::nullopt;
}

// Full verification of a case's evidence with its collateral (or `blobs`).
inline Verdict RunStandalone(const TdxVerifier& v, TeeType type, const Bytes& evidence,
                             const std::vector<Bytes>& blobs, uint64_t now,
                             std::optional<BindingInput> binding = std::nullopt,
                             std::optional<uint64_t> evidence_time = std::nullopt) {
  // VerifyStandalone needs the facade; a non-owning adapter keeps `v` usable afterwards.
  class Ref final : public VendorVerifier {
   public:
    explicit Ref(const TdxVerifier& inner) : inner_(inner) {}
    TeeType type() const override { return inner_.type(); }
    Result<Verdict> Verify(const VerifyRequest& r) const override { return inner_.Verify(r); }
    Result<CollateralDoc> ParseCollateral(ByteView d, const CollateralSet& k,
                                          uint64_t now) const override {
      return inner_.ParseCollateral(d, k, now);
    }

   private:
    const TdxVerifier& inner_;
  };
  AttestationVerifier av;
  av.Install(std::make_unique<Ref>(v));
  StandaloneRequest r;
  r.tee_type = type;
  r.evidence = AsView(evidence);
  for (const auto& b : blobs) r.collateral_blobs.push_back(AsView(b));
  r.now = now;
  r.binding = binding;
  r.evidence_time = evidence_time;
  auto out = VerifyStandalone(av, r);
  if (!out.ok()) throw std::runtime_error(out.status().message());
  return *out;
}

// Admits blobs in passes as VerifyStandalone does, returning the set.
inline CollateralSet Admit(const TdxVerifier& v, const std::vector<Bytes>& blobs, uint64_t now,
                           CollateralSet base = {}) {
  std::vector<bool> taken(blobs.size(), false);
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t i = 0; i < blobs.size(); ++i) {
      if (taken[i]) continue;
      auto d = v.ParseCollateral(AsView(blobs[i]), base, now);
      if (!d.ok()) continue;
      base = base.With(std::move(*d));
      taken[i] = progress = true;
    }
  }
  return base;
}

inline Bytes Concat(const Bytes& a, const std::string& sep, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), sep.begin(), sep.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace tenzro::tee::tdx::testing
