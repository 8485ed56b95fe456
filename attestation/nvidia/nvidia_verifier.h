// The NVIDIA GPU Confidential Computing verifier (issue 11): SPDM 1.1
// measurement reports of Hopper and Blackwell GPUs signed by the GPU's
// device key (GSP FMC leaf) that chains leaf -> GSP BROM -> Provisioner ICA
// -> Identity -> NVIDIA Device Identity CA, the root pinned by the SHA-256
// of its DER ([tee.consensus.nvidia] device_root_sha256).
//
// Evidence: a bare report (binary or hex text, report.h) with its chain as
// collateral, or NVIDIA's serialized evidence JSON (evidence_json.h) that
// carries each GPU's chain; every GPU of a document must pass.
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
// Plus the facts of validate.h (arch, driver_version, vbios_version).
std::string GpuPrefix(size_t i);
}  // namespace claim

inline constexpr size_t kDeviceChainLength = 5;

struct VerifierOptions {
  // SHA-256 of development device roots (the simulator's); trusted only with
  // simulation on.
  std::vector<Hash32> dev_roots;
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

  // INTEGRATION POINT for the RIM comparison and the NRAS token (branch
  // nvrim, attestation/nvidia/rim.h and nras.h). Called once per GPU after
  // its signature and chain were checked, with the report's facts
  // (gpu.report->Measurements() is the DMTF index -> value map the RIM
  // comparison takes), the collateral at hand and the verdict's validity
  // (RIM signer windows and OCSP windows narrow it). It is to select the
  // driver and VBIOS RIMs by RIM ID, verify them and compare, fail
  // measurement_mismatch with the indices, and in nras/both mode verify the
  // detached EAT; and to check OCSP responses for the chain.
  // TODAY it checks the OCSP responses of the intermediates (revoked,
  // windows, require_ocsp, allow_hold) and nothing of RIMs or NRAS: it fails
  // collateral_missing when policy requires RIMs, and unsupported in
  // nras/both mode, so no policy that asks for those checks can pass
  // without them.
  // A non-ok Status is the machine's failure (a damaged admitted document).
  Status CheckReferenceCollateral(Verdict& v, const GpuCheck& gpu, const CollateralSet* collateral,
                                  pipeline::Validity& validity, uint64_t now) const;

  const Policy& policy() const { return policy_; }

  // One OCSP response as a kKindOcsp document (authenticated against the
  // pinned root found in the response or among `known` device chains).
  Result<CollateralDoc> OcspDoc(ByteView data, const CollateralSet& known) const;

  struct Impl;  // caches (nvidia_verifier.cpp)

 private:
  Policy policy_;
  CommonPolicy common_;
  std::vector<Hash32> dev_roots_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenzro::tee::nvidia
