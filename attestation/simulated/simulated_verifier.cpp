#include "attestation/simulated/simulated_verifier.h"

#include <algorithm>
#include <string>

#include "attestation/pipeline.h"
#include "crypto/hash.h"

namespace tenzro::tee::simulated {

const std::array<uint8_t, 32> kDevSignerPublicKey = {
    0x71, 0x1a, 0xd2, 0xf9, 0x06, 0xac, 0x2a, 0xae, 0x0f, 0x41, 0xee, 0xb0, 0x70, 0x81, 0x26, 0xb6,
    0x63, 0xc9, 0xe9, 0xaa, 0xcf, 0xfa, 0x25, 0x6d, 0x29, 0x6c, 0xfe, 0x4d, 0xc8, 0x99, 0x0c, 0xbe};

namespace {

// The verdict's typed claims (JSON only at the edges).
struct SimulatedClaims final : Claims {
  explicit SimulatedClaims(const Evidence& e)
      : measurement(e.measurement),
        report_data(e.report_data),
        issued_at(e.issued_at),
        signer(e.signer) {}
  nlohmann::json ToJson() const override {
    return {{"measurement", ToHex(AsView(measurement))},
            {"report_data", ToHex(AsView(report_data))},
            {"issued_at", issued_at},
            {"signer", ToHex(AsView(signer))}};
  }
  Measurement measurement;
  decltype(Evidence::report_data) report_data;
  uint64_t issued_at;
  decltype(Evidence::signer) signer;
};

constexpr char kClaimMeasurement[] = "measurement";
constexpr char kClaimIssuedAt[] = "issued_at";

// The revoked measurements of the list selected at t. An admitted document
// that no longer parses means the store was tampered with: revoke everything.
struct Revocations {
  bool everything = false;
  std::vector<Measurement> measurements;  // sorted
  uint64_t next_update = UINT64_MAX;

  bool Contains(const Measurement& m) const {
    return everything || std::binary_search(measurements.begin(), measurements.end(), m);
  }
};

Revocations SelectRevocations(const CollateralSet* collateral, uint64_t t) {
  Revocations r;
  if (collateral == nullptr) return r;
  const CollateralDoc* doc = collateral->Select(TeeType::Simulated, kRevocationListKind, {}, t);
  if (doc == nullptr) return r;
  r.next_update = doc->next_update;
  auto rl = ParseRevocationList(AsView(doc->data));
  if (!rl.ok())
    r.everything = true;
  else
    r.measurements = std::move(rl->revoked);
  return r;
}

std::optional<Measurement> StoredMeasurement(const ClaimSet& claims) {
  auto it = claims.find(kClaimMeasurement);
  if (it == claims.end() || it->second.size() != 48) return std::nullopt;
  Measurement m{};
  std::copy(it->second.begin(), it->second.end(), m.begin());
  return m;
}

// Re-checks a stored record under the current policy (issue 9, item 6): a
// parameter migration (simulation switched off, a narrower allow-list, a
// shorter max age) takes effect at the next epoch, not at valid_until.
// Failures come in check order (§3), so the first one is the reason.
class SimulatedReevaluator final : public Reevaluator {
 public:
  SimulatedReevaluator(const Policy& policy, Revocations r, uint64_t t)
      : policy_(policy), revocations_(std::move(r)), t_(t) {}
  Result<std::optional<Failure>> Check(const ClaimSet& claims) const override {
    auto m = StoredMeasurement(claims);
    if (!m) return Error(ErrorCode::kStorage, "stored claims lack the measurement");
    auto issued_claim = claims.find(kClaimIssuedAt);
    std::optional<uint64_t> issued;
    if (issued_claim != claims.end()) issued = pipeline::ReadU64Le(AsView(issued_claim->second));
    if (!issued) return Error(ErrorCode::kStorage, "stored claims lack the issue time");
    if (t_ > pipeline::SatAdd(*issued, policy_.common.max_age_secs)) {
      return Fail(FailureCode::kExpired, "evidence older than max_age_secs");
    }
    if (revocations_.Contains(*m)) {
      return Fail(FailureCode::kRevoked, "measurement revoked by admitted collateral");
    }
    if (!pipeline::Listed(policy_.measurements, *m)) {
      return Fail(FailureCode::kMeasurementMismatch, "measurement is not on the allow-list");
    }
    if (!policy_.common.simulation) {
      return Fail(FailureCode::kSimulationDisabled,
                  "simulated evidence while [tee] simulation = false");
    }
    return std::optional<Failure>();
  }

 private:
  static Result<std::optional<Failure>> Fail(FailureCode code, std::string message) {
    return std::optional<Failure>(Failure{code, std::move(message)});
  }
  Policy policy_;
  Revocations revocations_;
  uint64_t t_;
};
}  // namespace

Result<Verdict> SimulatedVerifier::Verify(const VerifyRequest& req) const {
  Verdict v;
  v.tee_type = TeeType::Simulated;
  auto parsed = ParseEvidence(req.evidence);
  if (!parsed.ok()) {
    pipeline::FailParse(v, parsed.status());
    return v;
  }
  const Evidence& e = *parsed;
  // The signature covers bytes [0, 168): another signature over the same
  // body (Ed25519 signatures are not unique to the signer) is the same
  // evidence.
  v.evidence_id = pipeline::EvidenceId(TeeType::Simulated, e.signed_bytes);
  // Nothing after an unauthenticated signature is worth reporting.
  if (!crypto::Ed25519Verify(e.signer, e.signed_bytes, e.signature)) {
    v.Fail(FailureCode::kBadSignature,
           "Ed25519 signature does not verify under the embedded signer");
    return v;
  }
  if (!crypto::ConstantTimeEqual(AsView(e.signer), AsView(kDevSignerPublicKey))) {
    v.Fail(FailureCode::kChainUntrusted, "signer is not the pinned simulation development key");
    return v;
  }
  v.debug = e.debug();
  v.claims = std::make_shared<SimulatedClaims>(e);
  v.reeval_claims[kClaimMeasurement] = Bytes(e.measurement.begin(), e.measurement.end());
  Bytes issued;
  PutU64Le(issued, e.issued_at);
  v.reeval_claims[kClaimIssuedAt] = issued;

  // Time (§5): Simulated evidence carries its own issue time.
  uint64_t valid_until = e.issued_at > UINT64_MAX - policy_.common.max_age_secs
                             ? UINT64_MAX
                             : e.issued_at + policy_.common.max_age_secs;
  v.valid_from = e.issued_at;
  if (req.now < e.issued_at) {
    v.Fail(FailureCode::kNotYetValid, "issued_at " + std::to_string(e.issued_at) + " is after now");
  } else if (req.now > valid_until) {
    v.Fail(FailureCode::kExpired, "evidence older than max_age_secs (" +
                                      std::to_string(policy_.common.max_age_secs) + ")");
  }
  const Revocations revocations = SelectRevocations(req.collateral, req.now);
  if (revocations.Contains(e.measurement)) {
    v.Fail(FailureCode::kRevoked, "measurement is on the admitted revocation list");
  }
  valid_until = std::min(valid_until, revocations.next_update);
  v.valid_until = valid_until;
  v.certificate_chain_valid = false;  // no vendor chain: simulated evidence is never hardware
  v.hardware_verified = false;

  if (e.debug()) v.Fail(FailureCode::kDebugEnclave, "debug flag is set");
  v.measurements_valid = policy_.measurements.empty() ||
                         std::find(policy_.measurements.begin(), policy_.measurements.end(),
                                   e.measurement) != policy_.measurements.end();
  if (!v.measurements_valid) {
    v.Fail(FailureCode::kMeasurementMismatch, "measurement is not on the allow-list");
  }
  pipeline::CheckBinding(v, req.binding, AsView(e.report_data));
  // Simulated evidence is always rooted in the published development key.
  pipeline::CheckSimulation(v, /*dev_rooted=*/true, policy_.common.simulation,
                            "simulated evidence");
  return v;
}

Result<CollateralDoc> SimulatedVerifier::ParseCollateral(ByteView data,
                                                         const CollateralSet& /*known*/,
                                                         uint64_t now) const {
  auto rl = ParseRevocationList(data);
  if (!rl.ok()) return Error(ErrorCode::kCollateral, rl.status().message());
  if (!crypto::Ed25519Verify(rl->signer, rl->signed_bytes, rl->signature) ||
      !crypto::ConstantTimeEqual(AsView(rl->signer), AsView(kDevSignerPublicKey))) {
    return Error(ErrorCode::kCollateral, "revocation list is not signed by the development key");
  }
  if (rl->next_update < now) {
    return Error(ErrorCode::kCollateral, "revocation list is stale: next_update " +
                                             std::to_string(rl->next_update) + " is before now");
  }
  CollateralDoc doc;
  doc.tee_type = TeeType::Simulated;
  doc.kind = kRevocationListKind;
  doc.this_update = rl->this_update;
  doc.next_update = rl->next_update;
  doc.content_hash = crypto::Sha256(data);
  doc.data.assign(data.begin(), data.end());
  return doc;
}

std::unique_ptr<Reevaluator> SimulatedVerifier::BeginReevaluation(const CollateralSet& collateral,
                                                                  uint64_t t) const {
  return std::make_unique<SimulatedReevaluator>(policy_, SelectRevocations(&collateral, t), t);
}

}  // namespace tenzro::tee::simulated
