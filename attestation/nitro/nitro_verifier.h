// The AWS Nitro Enclaves verifier (issue 10): attestation documents signed
// by the Nitro Secure Module, chained root -> regional -> zonal -> instance
// -> leaf to AWS Nitro Enclaves Root-G1, pinned by the SHA-256 of its DER.
//
// Check order and codes are DESIGN §3:
//   malformed / unsupported     COSE_Sign1 and payload form (document.h);
//                               alg other than ES384, digest other than
//                               SHA384, a leaf key that is not P-384
//   bad_signature               the COSE Sig_structure under the leaf key
//   chain_untrusted             cabundle[0] is not the pinned root (nor a
//                               development root); a link that does not
//                               verify (ECDSA P-384 SHA-384), whose names
//                               differ, or that breaks basicConstraints,
//                               pathLen or keyUsage
//   not_yet_valid / expired     every certificate window at now (or at the
//                               document's timestamp, check_chain_at =
//                               "document"); the document's age
//                               (timestamp + max_age, max_clock_skew)
//   debug_enclave               PCR0, PCR1, PCR2 all zero, unless allow_debug
//   measurement_mismatch        the PCRs match no image of the allow-list
//   binding_mismatch            nonce != binding (DESIGN §4)
//   nonce_mismatch              nonce != the request's expected_nonce
//   simulation_disabled         a development root while simulation is off
//
// No collateral: the chain travels in the document. Stages: pure parse
// (document.h) -> chain and COSE signature (typed facts) -> pure
// Validate(facts, Policy) (validate.h). Thread-safety: Verify and
// BeginReevaluation may run concurrently; the caches (core/cache.h) hold
// parses by DER hash and intermediate links by fingerprint pair, never a
// trust decision. The leaf link is never cached (each leaf lives 3 hours
// and is seen by few documents), so a warm document costs two P-384
// verifies: the leaf link and the COSE signature.
#pragma once

#include <memory>
#include <vector>

#include "attestation/nitro/policy.h"
#include "attestation/verifier.h"

namespace tenzro::tee::nitro {

// Claim names of reeval_claims (all binary).
namespace claim {
inline constexpr char kRootFingerprint[] = "nitro.root_sha256";  // 32 bytes
inline constexpr char kDevRoot[] = "nitro.dev_root";             // 1 byte
inline constexpr char kPcrs[] = "nitro.pcrs";                    // (index u8, len u8, value)*
inline constexpr char kTimestampMs[] = "nitro.timestamp_ms";     // u64 LE
inline constexpr char kNotBefore[] = "nitro.not_before";         // u64 LE, latest chain notBefore
inline constexpr char kNotAfter[] = "nitro.not_after";           // u64 LE, earliest chain notAfter
}  // namespace claim

struct VerifierOptions {
  // SHA-256 of development roots (the simulator's): trusted only with
  // [tee.consensus] simulation = true, named simulation_disabled otherwise.
  std::vector<Hash32> dev_roots;
  size_t cache_capacity = 4096;
};

class NitroVerifier final : public VendorVerifier {
 public:
  NitroVerifier(Policy policy, CommonPolicy common, VerifierOptions options = {});
  ~NitroVerifier() override;
  NitroVerifier(const NitroVerifier&) = delete;
  NitroVerifier& operator=(const NitroVerifier&) = delete;

  TeeType type() const override { return TeeType::AwsNitro; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override;
  void CollectCacheStats(const CacheStatsFn& fn) const override;

  const Policy& policy() const { return policy_; }

  struct Impl;  // caches (nitro_verifier.cpp)

 private:
  Policy policy_;
  CommonPolicy common_;
  VerifierOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenzro::tee::nitro
