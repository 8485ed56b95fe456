#include "attestation/verifier.h"

#include <string>

namespace tenzro::tee {

Result<CollateralDoc> VendorVerifier::ParseCollateral(ByteView /*data*/,
                                                      const CollateralSet& /*known*/,
                                                      uint64_t /*now*/) const {
  return Error(ErrorCode::kUnsupported,
               std::string("no collateral is admitted for ") + std::string(TeeTypeName(type())));
}

namespace {
class NothingToRecheck final : public Reevaluator {
 public:
  Result<std::optional<Failure>> Check(const ClaimSet& /*claims*/) const override {
    return std::optional<Failure>();
  }
};
}  // namespace

std::unique_ptr<Reevaluator> VendorVerifier::BeginReevaluation(const CollateralSet& /*collateral*/,
                                                               uint64_t /*t*/) const {
  return std::make_unique<NothingToRecheck>();
}

namespace {
class DemoteAll final : public Reevaluator {
 public:
  explicit DemoteAll(std::string message) : message_(std::move(message)) {}
  Result<std::optional<Failure>> Check(const ClaimSet& /*claims*/) const override {
    return std::optional<Failure>(Failure{FailureCode::kUnsupported, message_});
  }

 private:
  std::string message_;
};
}  // namespace

std::string UnsupportedVerifier::Message() const {
  return std::string("verifier for ") + std::string(TeeTypeName(type_)) + " " + reason_;
}

Result<Verdict> UnsupportedVerifier::Verify(const VerifyRequest& /*req*/) const {
  Verdict v;
  v.tee_type = type_;
  v.Fail(FailureCode::kUnsupported, Message());
  return v;
}

std::unique_ptr<Reevaluator> UnsupportedVerifier::BeginReevaluation(
    const CollateralSet& /*collateral*/, uint64_t /*t*/) const {
  return std::make_unique<DemoteAll>(Message());
}

AttestationVerifier::AttestationVerifier() {
  for (int32_t i = 0; i < kTeeTypeCount; ++i) {
    verifiers_[static_cast<size_t>(i)] =
        std::make_unique<UnsupportedVerifier>(static_cast<TeeType>(i));
  }
}

void AttestationVerifier::Install(std::unique_ptr<VendorVerifier> v) {
  auto i = static_cast<size_t>(v->type());
  verifiers_[i] = std::move(v);
}

const VendorVerifier& AttestationVerifier::For(TeeType type) const {
  return *verifiers_[static_cast<size_t>(type)];
}

void AttestationVerifier::CollectCacheStats(
    const std::function<void(TeeType, std::string_view, const CacheStats&)>& fn) const {
  for (const auto& v : verifiers_) {
    if (v == nullptr) continue;
    const TeeType t = v->type();
    v->CollectCacheStats([&](std::string_view cache, const CacheStats& s) { fn(t, cache, s); });
  }
}

}  // namespace tenzro::tee
