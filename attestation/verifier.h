// The verifier seam: one interface per TEE type, one facade over all of them.
//
// Check order and verdict shape are DESIGN §3. A verifier never reads the
// clock, the network or the disk: evidence, collateral and `now` come in the
// request. Thread-safety: verifiers are immutable after construction; Verify
// may run concurrently from several threads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "attestation/binding.h"
#include "attestation/collateral/collateral_set.h"
#include "attestation/tee_type.h"
#include "attestation/verdict.h"
#include "core/cache.h"
#include "core/status.h"

namespace tenzro::tee {

// Policy shared by every vendor (chain parameters, §2/§10).
struct CommonPolicy {
  bool simulation = false;        // [tee] simulation: trust Simulated and dev roots
  uint64_t max_age_secs = 86400;  // evidence age limit (§5)
};

struct VerifyRequest {
  ByteView evidence;
  const CollateralSet* collateral = nullptr;  // null: none at hand
  uint64_t now = 0;
  // Evidence time for reports that carry none (TDX, SNP, NVIDIA): the
  // registration time, or the CLI's --issued-at. Unset: no age limit.
  std::optional<uint64_t> evidence_time;
  std::optional<ReportDataBinding> binding;  // validator, provider or hybrid ZK
  // A nonce the evidence must carry exactly (CLI --nonce), for evidence made
  // outside this project: Nitro the document's nonce, NVIDIA the request
  // nonce. Unset: none.
  std::optional<Bytes> expected_nonce;
};

// Re-checks stored claims against one epoch's admitted collateral (§6). Made
// once per epoch and TEE type, so collateral is selected and parsed once, not
// once per validator.
class Reevaluator {
 public:
  virtual ~Reevaluator() = default;
  // nullopt: the record is still good; a Failure demotes it. A non-ok
  // Result is the machine's failure (claims or an admitted document that no
  // longer decode): never a verdict, it fails the epoch (issue 9, item 9).
  virtual Result<std::optional<Failure>> Check(const ClaimSet& claims) const = 0;
};

class VendorVerifier {
 public:
  virtual ~VendorVerifier() = default;
  virtual TeeType type() const = 0;
  // A verdict on the evidence, or a non-ok Result for a failure of the machine
  // (never a verdict).
  virtual Result<Verdict> Verify(const VerifyRequest& req) const = 0;
  // Parses and authenticates one collateral document for admission at `now`.
  // `known` is the collateral already at hand (admitted, or earlier blobs of
  // the same standalone call): a document may be authenticated by an issuer
  // certificate found there. kCollateral when the blob is not a genuine
  // document of this TEE type.
  virtual Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                                uint64_t now) const;
  Result<CollateralDoc> ParseCollateral(ByteView data, uint64_t now) const {
    return ParseCollateral(data, CollateralSet(), now);
  }
  // The re-evaluator of an epoch at time t over admitted collateral, without
  // signatures (§6). The default finds nothing to re-check.
  virtual std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                         uint64_t t) const;
  // Reports each of the verifier's caches by name (observation only: the
  // operators' metrics, never a decision). The default has none.
  using CacheStatsFn = std::function<void(std::string_view cache, const CacheStats& stats)>;
  virtual void CollectCacheStats(const CacheStatsFn& fn) const { (void)fn; }
};

// Answers `unsupported` for a type no verifier decides: None, a vendor built
// out (-DTEE_VENDOR_*=OFF) or one the chain does not list ([tee.consensus]
// vendors). Its re-evaluation demotes every record of the type with
// `unsupported`, so a chain that stops trusting a vendor (migrate_params)
// does not keep that vendor's validators attested until they expire.
class UnsupportedVerifier final : public VendorVerifier {
 public:
  // `reason` ends the message: "verifier for <type> <reason>".
  explicit UnsupportedVerifier(TeeType type, std::string reason = "is not built in")
      : type_(type), reason_(std::move(reason)) {}
  TeeType type() const override { return type_; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override;

 private:
  std::string Message() const;
  TeeType type_;
  std::string reason_;
};

// The facade of the seed: dispatches by TeeType.
class AttestationVerifier {
 public:
  AttestationVerifier();
  void Install(std::unique_ptr<VendorVerifier> v);
  // REQUIRES: type != TeeType::None
  const VendorVerifier& For(TeeType type) const;
  // Every installed verifier's caches (VendorVerifier::CollectCacheStats).
  void CollectCacheStats(
      const std::function<void(TeeType, std::string_view, const CacheStats&)>& fn) const;
  Result<Verdict> Verify(TeeType type, const VerifyRequest& req) const {
    return For(type).Verify(req);
  }

 private:
  std::array<std::unique_ptr<VendorVerifier>, kTeeTypeCount> verifiers_;
};

}  // namespace tenzro::tee
