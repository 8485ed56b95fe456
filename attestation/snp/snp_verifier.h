// The AMD SEV-SNP verifier (issue 4): reports signed by a VCEK or VLEK that
// chains ARK -> ASK/ASVK -> VCEK/VLEK to an ARK pinned per product.
//
// Check order and codes are DESIGN §3:
//   malformed / unsupported     evidence form, version, SIGNATURE_ALGO,
//                               signing key, product, VEK key type
//   bad_signature               the report signature under the VEK key
//   chain_untrusted/incomplete  ARK pinned (or a dev ARK), RSA-PSS signatures
//                               ARK -> ASK/ASVK -> VEK, subject names, leaf
//                               kind = SIGNER_INFO, hwID = CHIP_ID, VEK
//                               productName = the report's product
//   not_yet_valid / expired     certificate windows at now, CRL window,
//                               evidence age (evidence_time + max_age)
//   revoked                     the ASK/ASVK on the ARK's CRL (the VEK on an
//                               ASK/ASVK-signed CRL when one is at hand)
//   collateral_missing          no CRL while policy requires one
//   no_matching_tcb             the VEK's SPLs differ from REPORTED_TCB
//   firmware_too_old            minimum TCB per product, minimum committed
//                               firmware version
//   debug_enclave / vmpl / policy_violation
//                               DEBUG, VMPL > max_vmpl, MIGRATE_MA, masked
//                               chip id when not allowed
//   measurement_mismatch        MEASUREMENT, HOST_DATA, ID and AUTHOR key
//                               digest allow-lists
//   binding_mismatch            REPORT_DATA vs DESIGN §4
//   simulation_disabled         a development ARK while simulation is off
//
// Certificates come from the evidence's certificate table and from admitted
// collateral (kinds below); CRLs from collateral. Stages (issue 9): pure
// parse (report.h) -> chains and signatures (typed facts) -> pure
// Validate(facts, Policy) (validate.h), the tail shared through
// attestation/pipeline.h. Thread-safety: Verify, ParseCollateral and
// BeginReevaluation may run concurrently; the verifier's caches (core/cache.h)
// hold only facts that are functions of their key (parses, signature checks),
// so a repeated chain costs one report signature plus comparisons.
#pragma once

#include <memory>
#include <vector>

#include "attestation/snp/dev_roots.h"
#include "attestation/snp/policy.h"
#include "attestation/snp/report.h"
#include "attestation/verifier.h"

namespace tenzro::tee::snp {

// Collateral kinds (CollateralDoc::kind) and their keys.
// CA certificates (ARK, ASK, ASVK of one product): key = product name.
inline constexpr char kKindCaCerts[] = "snp_ca_certs";
// A VCEK or VLEK (optionally with its CA certificates in the same PEM):
// key = hwID for a VCEK, "VLEK-<product>" for a VLEK.
inline constexpr char kKindVek[] = "snp_vek";
// A CRL: key = SHA-256 of the DER of its issuer certificate (the ARK for
// AMD's CRLs).
inline constexpr char kKindCrl[] = "snp_crl";

// Claim names of reeval_claims (all binary).
namespace claim {
inline constexpr char kProduct[] = "snp.product";            // 1 byte (format::Product)
inline constexpr char kArkFingerprint[] = "snp.ark_sha256";  // 32 bytes
inline constexpr char kIntermediateSerial[] = "snp.ask_serial";
inline constexpr char kIntermediateIssuer[] = "snp.ask_issuer";  // issuer Name DER
inline constexpr char kIntermediateFingerprint[] = "snp.ask_sha256";
inline constexpr char kVekSerial[] = "snp.vek_serial";
inline constexpr char kVekFingerprint[] = "snp.vek_sha256";
inline constexpr char kNotBefore[] = "snp.not_before";  // u64 LE, latest chain notBefore
inline constexpr char kNotAfter[] = "snp.not_after";    // u64 LE, earliest chain notAfter
inline constexpr char kDevRoot[] = "snp.dev_root";      // 1 byte
// The report facts policy judges (validate.h), re-checked at every epoch.
inline constexpr char kReportedTcb[] = "snp.reported_tcb";           // 8 bytes, as in the report
inline constexpr char kCommittedFw[] = "snp.committed_fw";           // 3 bytes: major, minor, build
inline constexpr char kGuestPolicy[] = "snp.guest_policy";           // u64 LE
inline constexpr char kVmpl[] = "snp.vmpl";                          // u64 LE
inline constexpr char kChipIdMasked[] = "snp.chip_id_masked";        // 1 byte
inline constexpr char kMeasurement[] = "snp.measurement";            // 48 bytes
inline constexpr char kHostData[] = "snp.host_data";                 // 32 bytes
inline constexpr char kIdKeyDigest[] = "snp.id_key_digest";          // 48 bytes
inline constexpr char kAuthorKeyDigest[] = "snp.author_key_digest";  // 48 bytes
}  // namespace claim

struct VerifierOptions {
  // Development ARK pins (defaults to the simulator's, BuiltinDevArks()).
  std::vector<DevArk> dev_arks = BuiltinDevArks();
  // Bound of each cache (certificates, chains, CRL authentications).
  size_t cache_capacity = 4096;
};

class SnpVerifier final : public VendorVerifier {
 public:
  SnpVerifier(Policy policy, CommonPolicy common, VerifierOptions options = {});
  ~SnpVerifier() override;
  SnpVerifier(const SnpVerifier&) = delete;
  SnpVerifier& operator=(const SnpVerifier&) = delete;

  TeeType type() const override { return TeeType::AmdSevSnp; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;
  using VendorVerifier::ParseCollateral;
  Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                        uint64_t now) const override;
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override;
  void CollectCacheStats(const CacheStatsFn& fn) const override;

  // The chain check alone: a VCEK/VLEK certificate (DER or PEM) against the
  // CA certificates and CRLs of `collateral`, at now. No report: the verdict
  // carries certificate_chain_valid and the chain's failures.
  Result<Verdict> VerifyVekChain(ByteView vek, const CollateralSet* collateral, uint64_t now) const;

  const Policy& policy() const { return policy_; }

  struct Impl;  // caches and trust anchors (snp_verifier.cpp)

 private:
  Policy policy_;
  CommonPolicy common_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenzro::tee::snp
