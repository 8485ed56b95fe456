// The NVIDIA GPU Confidential Computing verifier (issue 11): SPDM 1.1
// measurement reports of Hopper and Blackwell GPUs signed by the GPU's
// device key (GSP FMC leaf) that chains leaf -> GSP BROM -> Provisioner ICA
// -> Identity -> NVIDIA Device Identity CA, the root pinned by the SHA-256
// of its DER ([tee.consensus.nvidia] device_root_sha256).
//
// Evidence: a bare report (binary or hex text, report.h) with its chain as
// collateral, or NVIDIA's serialized evidence JSON (evidence_json.h) that
// carries each GPU's chain; every GPU of a document must pass. Policy mode
// nras/both: NRAS's detached EAT, alone (mode nras) or as the JSON's
// "nras_eat", verified with nras.h under the JWKS admitted as collateral
// (kKindNrasJwks) when its SHA-256 is the nras_jwks_sha256 pin; mode nras:
// the token alone decides; mode both: the local checks and the token.
// Missing collateral is named in Verdict::fetch_hints (RIM IDs, OCSP
// targets) for the fetchers (fetch/nvidia_source.h); hints decide nothing.
//
// Check order and codes are DESIGN §3 (per GPU, messages prefixed "GPU i"):
//   malformed / unsupported     report layout, SPDM version, no signature
//                               requested, leaf key not P-384, an
//                               architecture other than Hopper/Blackwell
//   bad_signature               ECDSA P-384/SHA-384 (raw r||s) over request
//                               || response up to the end of the opaque data
//   chain_untrusted/incomplete  each certificate signed by the next, the last
//                               the pinned root (or a development root), five
//                               certificates; the report's FWID equals the
//                               leaf's TCG DICE FWID (dice.h)
//   not_yet_valid / expired     certificate windows at now, evidence age
//                               (registration time + max_age, §5)
//   collateral_missing          require_rims / require_ocsp (see the
//                               integration point below)
//   firmware_too_old            min_driver_version, min_vbios_version
//   policy_violation            allowed_architectures; the JSON's arch
//                               disagrees with the chain
//   nonce_mismatch              the request nonce vs binding[0..32) (§4), vs
//                               VerifyRequest::expected_nonce (CLI --nonce),
//                               vs the JSON document's nonce
//   simulation_disabled         a development root while simulation is off
//
// Stages (issue 9): pure parse (report.h, evidence_json.h) -> chain and
// signature (typed facts) -> pure Validate(facts, Policy) (validate.h), the
// tail shared through attestation/pipeline.h. Thread-safety: Verify,
// ParseCollateral and BeginReevaluation may run concurrently; the caches
// (core/cache.h) hold only facts that are functions of their key: the parse
// of a certificate or PEM by its SHA-256, "A is signed by B" by both
// fingerprints. Whether a chain is trusted is decided on every call.
#pragma once

#include <memory>
#include <vector>

#include "attestation/nvidia/policy.h"
#include "attestation/nvidia/report.h"
#include "attestation/nvidia/validate.h"
#include "attestation/pipeline.h"
#include "attestation/verifier.h"
#include "crypto/x509.h"

namespace tenzro::tee::nvidia {

// Collateral kinds (CollateralDoc::kind) and their keys.
// A device certificate chain as PEM, leaf first (the form NVIDIA's tools
// write): key = the leaf's DICE FWID (48 bytes), empty when the first
// certificate carries none. Admitted as a certificate bundle: whether it is
// trusted is decided at each verification against the pinned root.
inline constexpr char kKindDeviceChain[] = "nvidia_device_chain";
// A DER OCSP response (RFC 6960) about one certificate of a device chain,
// signed by a responder whose certificates (carried in the response) chain
// to the pinned device root (or a development root with simulation on),
// authenticated at admission: key = the certificate's serial (minimal
// big-endian); window = thisUpdate .. nextUpdate of its one SingleResponse.
// Responses for the BROM, Provisioner ICA and Identity certificates are
// checked (the intermediates).
inline constexpr char kKindOcsp[] = "nvidia_ocsp";
// A RIM (rim.h: the signed SWID tag of a driver or a VBIOS), authenticated
// at admission by rim::VerifyRim against the pinned rim_root_sha256 (or a
// development RIM root with simulation on): its XML-DSig and signer chain
// must hold; windows are not checked at admission (as for the other
// vendors), but at every verification. key = "<kind>:<version>" with the
// version as rim::NormaliseVersion writes it ("driver:550.90.07",
// "vbios:96.00.9f.00.01"): RIMs are selected by kind and by the report's
// version (see CheckReferenceCollateral), not by the tagId, whose scheme
// NVIDIA does not hold to in its own test RIMs; window = the signer chain's.
// NVIDIA's KeyInfo carries signer, L3, CA and root, so no CoRIM certificate
// collateral is needed.
inline constexpr char kKindRim[] = "nvidia_rim";
// NVIDIA's NRAS JWKS (RFC 7517 JSON, the keys that sign NRAS tokens),
// admitted only when the SHA-256 of its bytes is the chain's pin
// [tee.consensus.nvidia] nras_jwks_sha256 (or, with simulation on, the NRAS
// simulator's JWKS, VerifierOptions::dev_nras_jwks) and it parses as a JWKS
// with at least one P-384 key. key = that SHA-256 (32 bytes); no window (the
// tokens carry their own).
inline constexpr char kKindNrasJwks[] = "nvidia_nras_jwks";

// Claim names of reeval_claims (binary). Per GPU i the names are
// "nvidia.gpu<i>." + one of the names below.
namespace claim {
inline constexpr char kGpuCount[] = "nvidia.gpu_count";  // u64 LE
inline constexpr char kRootSha256[] = "root_sha256";     // 32 bytes
inline constexpr char kIcaSerial[] = "ica_serial";       // Provisioner ICA serial
inline constexpr char kIcaSha256[] = "ica_sha256";       // 32 bytes
inline constexpr char kIdentitySerial[] = "identity_serial";
inline constexpr char kLeafSerial[] = "leaf_serial";
inline constexpr char kNotBefore[] = "not_before";  // u64 LE, latest chain notBefore
inline constexpr char kNotAfter[] = "not_after";    // u64 LE, earliest chain notAfter
inline constexpr char kDevRoot[] = "dev_root";      // 1 byte
// Per intermediate j = 1 (BROM), 2 (Provisioner ICA), 3 (Identity):
// "cert<j>.serial" and "cert<j>.issuer" (issuer Name DER), for OCSP.
std::string CertSerial(size_t j);
std::string CertIssuer(size_t j);
// When RIMs were compared (per GPU, "rim.driver." / "rim.vbios." + one of):
// "id" (tagId), "version" (colloquialVersion), "signer_serial", and the
// chain's window "not_before" / "not_after" (u64 LE): the Reevaluator
// demotes (expired / not_yet_valid) when t leaves it.
inline constexpr char kRimDriver[] = "rim.driver.";
inline constexpr char kRimVbios[] = "rim.vbios.";
// Plus the facts of validate.h (arch, driver_version, vbios_version).
std::string GpuPrefix(size_t i);
// When an NRAS token was verified (mode nras/both): the JWKS it verified
// under, the tokens' common window, the dev flag, the device count, and per
// device d the facts of validate.h under NrasDevicePrefix(d) (from the device
// token's hwmodel and version claims).
inline constexpr char kNrasJwksSha256[] = "nvidia.nras.jwks_sha256";    // 32 bytes
inline constexpr char kNrasNotBefore[] = "nvidia.nras.not_before";      // u64 LE
inline constexpr char kNrasNotAfter[] = "nvidia.nras.not_after";        // u64 LE
inline constexpr char kNrasDev[] = "nvidia.nras.dev_jwks";              // 1 byte
inline constexpr char kNrasDeviceCount[] = "nvidia.nras.device_count";  // u64 LE
std::string NrasDevicePrefix(size_t d);                                 // "nvidia.nras.dev<d>."
}  // namespace claim

inline constexpr size_t kDeviceChainLength = 5;

struct VerifierOptions {
  // SHA-256 of development device roots (the simulator's); trusted only with
  // simulation on.
  std::vector<Hash32> dev_roots;
  // SHA-256 of development CoRIM roots (the RIM simulator's); trusted only
  // with simulation on.
  std::vector<Hash32> dev_rim_roots;
  // SHA-256 of development NRAS JWKS documents (the NRAS simulator's);
  // admitted and trusted only with simulation on.
  std::vector<Hash32> dev_nras_jwks;
  size_t cache_capacity = 4096;
};

// One GPU's report with the chain that certified it: what the RIM and NRAS
// checks receive.
struct GpuCheck {
  size_t index = 0;
  const Report* report = nullptr;
  GpuFacts facts;
  std::string name;  // "GPU 0"
  // The device chain, leaf first (set when the chain holds).
  std::vector<const x509::Certificate*> chain;
  // Set by CheckReferenceCollateral.
  bool rims_compared = false;  // driver and VBIOS RIM verified and compared
  ClaimSet rim_claims;         // re-evaluation claims of the RIMs (prefix-free names)
};

class NvidiaVerifier final : public VendorVerifier {
 public:
  NvidiaVerifier(Policy policy, CommonPolicy common, VerifierOptions options = {});
  ~NvidiaVerifier() override;
  NvidiaVerifier(const NvidiaVerifier&) = delete;
  NvidiaVerifier& operator=(const NvidiaVerifier&) = delete;

  TeeType type() const override { return TeeType::NvidiaGpu; }
  Result<Verdict> Verify(const VerifyRequest& req) const override;
  using VendorVerifier::ParseCollateral;
  Result<CollateralDoc> ParseCollateral(ByteView data, const CollateralSet& known,
                                        uint64_t now) const override;
  std::unique_ptr<Reevaluator> BeginReevaluation(const CollateralSet& collateral,
                                                 uint64_t t) const override;

  // The reference collateral of one GPU, called after its signature and
  // chain were checked (DESIGN §3 order is kept by Verdict::Fail):
  // - OCSP: the responses about the intermediates (revoked, windows,
  //   require_ocsp, allow_hold);
  // - RIMs: the driver RIM is the admitted kKindRim document keyed
  //   "driver:<report driver version>", the VBIOS RIM "vbios:<report VBIOS
  //   version>" (at most kMaxRimCandidates per key are verified; the first
  //   that verifies is used, else the first, so the verdict names its
  //   failure). Each is verified again at now (rim::VerifyRim: its failures
  //   join the verdict, its chain window narrows validity),
  //   rim::VersionMatches checks the version, and when both RIMs verified
  //   rim::Compare checks report->Measurements() (index 35 skipped when
  //   NVDEC0 is disabled, 0xAA): measurement_mismatch lists the indices.
  //   A RIM not at hand is collateral_missing under require_rims, else the
  //   comparison is skipped (measurements_valid stays false). Only one RIM
  //   at hand is not compared (both are needed for NVIDIA's golden set).
  // NRAS tokens (mode nras/both) are checked by Verify (CheckNras in
  // nvidia_verifier.cpp), once per document, not per GPU.
  // A non-ok Status is the machine's failure (a damaged admitted document).
  Status CheckReferenceCollateral(Verdict& v, GpuCheck& gpu, const CollateralSet* collateral,
                                  pipeline::Validity& validity, uint64_t now) const;

  const Policy& policy() const { return policy_; }

  // One OCSP response as a kKindOcsp document (authenticated against the
  // pinned root found in the response or among `known` device chains).
  Result<CollateralDoc> OcspDoc(ByteView data, const CollateralSet& known) const;
  // One RIM as a kKindRim document (signature and chain at admission).
  Result<CollateralDoc> RimDoc(ByteView data) const;
  // NVIDIA's NRAS JWKS as a kKindNrasJwks document (pin or, with simulation,
  // a development JWKS).
  Result<CollateralDoc> JwksDoc(ByteView data) const;

  struct Impl;  // caches (nvidia_verifier.cpp)

 private:
  Policy policy_;
  CommonPolicy common_;
  std::vector<Hash32> dev_roots_;
  std::vector<Hash32> dev_rim_roots_;
  std::vector<Hash32> dev_nras_jwks_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenzro::tee::nvidia
