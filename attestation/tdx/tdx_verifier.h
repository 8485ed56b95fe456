// The Intel TDX and SGX DCAP verifier (DESIGN §3 check order; issue 3).
//
// One class serves TeeType::IntelTdx (quotes v4/v5 with TD bodies) and
// TeeType::IntelSgx (quotes v3, or v5 with an SGX body), chosen at
// construction. Layers (STYLE: parse -> signatures and chains -> policy):
//   quote.h         pure parsing
//   VerifyQuoteAndPckChain   quote signature by the attestation key, QE report
//                   signature by the PCK key, QE report data = SHA-256(attestation
//                   key || QE auth data) || zeros, PCK chain to the pinned root
//   Verify          the above plus collateral: PCK CRL and Root CA CRL, TCB Info
//                   and QE Identity (authenticated by the TCB signing chain),
//                   Intel's TCB level matching (tcb_match.h), policy, binding.
//
// Collateral kinds (CollateralDoc::kind, tee_type = this verifier's type):
//   "certs"        PEM/DER certificates chaining to the pinned (or, with
//                  simulation on, a development) root; key anchor || SHA-256 of the first
//   "pck_crl"      CRL issued by a PCK Platform/Processor CA directly under the
//                  root;                     key anchor || SHA-256(issuer name DER)
//   "root_ca_crl"  CRL issued by the root;   key anchor || SHA-256(issuer name DER)
//                  (a CRL of any other signer is refused; at verification
//                  a CRL is used only if it verifies under the PCK leaf's
//                  issuing CA, resp. the chain's root: others are ignored)
//   "tcb_info"     key anchor || id ("TDX"/"SGX") || FMSPC; rank tcbEvaluationDataNumber
//   "qe_identity"  key anchor || id ("TD_QE"/"QE");        rank tcbEvaluationDataNumber
// where anchor is one byte: 0 the pinned Intel root, 1 a development root, so
// development collateral can never be selected for Intel evidence.
//
// TCB Info and QE Identity must be signed by the TCB Signing certificate
// (CN "Intel SGX TCB Signing", not a CA) issued directly by the pinned root;
// under a development root (simulation only) also the simulator's
// "Tenzro DEV SGX TCB Signing".
//
// Thread-safety: Verify, ParseCollateral and BeginReevaluation may run
// concurrently. Caches (core/cache.h, LRU) hold only facts that are functions
// of their key (DESIGN §2): a collateral document's parse by content hash,
// parsed certificates by fingerprint, "child verifies under parent" by both
// fingerprints, "document D verifies under certificate C" by (content hash,
// fingerprint), and a quote's certification data (PCK chain, QE report,
// attestation key) by its exact bytes under this verifier's fixed anchors.
// Whether a document is authentic is decided on every call against its own
// bundle and the call's collateral set; the set's issuer index (certificates
// by subject name and CN) is attached to the set itself. Time windows and
// revocation are checked on every call.
#pragma once

#include <memory>
#include <vector>

#include "attestation/tdx/policy.h"
#include "attestation/verifier.h"

namespace tenzro::tee::tdx {

struct Quote;

inline constexpr char kKindCerts[] = "certs";
inline constexpr char kKindPckCrl[] = "pck_crl";
inline constexpr char kKindRootCaCrl[] = "root_ca_crl";
inline constexpr char kKindTcbInfo[] = "tcb_info";
inline constexpr char kKindQeIdentity[] = "qe_identity";

inline constexpr uint8_t kAnchorIntel = 0;
inline constexpr uint8_t kAnchorDev = 1;

class TdxVerifier final : public VendorVerifier {
 public:
  // REQUIRES: type is IntelTdx or IntelSgx. The pinned root is
  // policy.root_ca_sha256; dev_roots are the SHA-256 fingerprints of the
  // simulators' development roots (trusted only when common.simulation).
  TdxVerifier(TeeType type, Policy policy, CommonPolicy common, std::vector<Hash32> dev_roots = {});
  ~TdxVerifier() override;
  TdxVerifier(const TdxVerifier&) = delete;
  TdxVerifier& operator=(const TdxVerifier&) = delete;

  TeeType type() const override { return type_; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;

  // The quote and PCK-chain layer alone (scope quote_and_pck_chain): every
  // check that needs no collateral (structure, the three signatures, the PCK
  // chain to a pinned root and its windows, evidence age, debug, allow-lists,
  // binding, simulation). No CRLs, TCB Info or QE Identity: tcb_status stays
  // null. req.collateral is ignored.
  Result<Verdict> VerifyQuoteAndPckChain(const VerifyRequest& req) const;

  using VendorVerifier::ParseCollateral;
  Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                        uint64_t now) const override;
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override;
  void CollectCacheStats(const CacheStatsFn& fn) const override;

  const Policy& policy() const { return policy_; }

  struct CacheStats {
    uint64_t certification_hits = 0, certification_misses = 0;
    uint64_t collateral_hits = 0, collateral_misses = 0;
    uint64_t certificates_parsed = 0;  // X.509 parses (cache misses by fingerprint)
  };
  CacheStats cache_stats() const;
  // Drops every cached result (for cold measurements).
  void ClearCaches() const;
  // Drops what is cached about evidence (certification data, parsed leaf
  // certificates and their verified links) but keeps CA certificates, CA
  // links and parsed collateral: the cost of a quote from a platform never
  // seen before, whose PCK CA and root are Intel's usual ones.
  void ClearEvidenceCaches() const;

  struct Impl;

 private:
  struct State;
  Result<Verdict> Run(const VerifyRequest& req, bool full) const;
  void CheckCollateral(const VerifyRequest& req, State& st, Verdict& v) const;
  void CheckPolicy(const VerifyRequest& req, const Quote& q, Verdict& v) const;

  TeeType type_;
  Policy policy_;
  CommonPolicy common_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenzro::tee::tdx
