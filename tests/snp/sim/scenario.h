// A simulated SEV-SNP verification: the simulator's spec, the evidence form,
// the verifier's policy, the collateral at hand and the request. Tests change
// one thing and compare the verdict with the unchanged scenario's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "attestation/snp/sim/simulator.h"
#include "attestation/snp/snp_verifier.h"

namespace tenzro::tee::snp::testing {

// 2026-01-01T00:00:00Z: inside every default window of the dev PKI.
inline constexpr uint64_t kNow = 1'767'225'600;

enum class Form {
  kExtended,                   // report + certificate table (VEK, ASK/ASVK, ARK)
  kExtendedArkFromCollateral,  // the table without the ARK; the ARK from collateral
  kExtendedNoArk,              // the table without the ARK, and no ARK anywhere
  kRawWithCollateral,          // the raw report; every certificate from collateral
  kHclWithCollateral,          // Azure HCL blob; every certificate from collateral
};

struct Scenario {
  explicit Scenario(Product product = Product::kGenoa);

  sim::SimSpec sim;
  Form form = Form::kExtended;
  Policy policy;
  CommonPolicy common{true, 86400};
  std::optional<std::vector<DevArk>> dev_arks;  // nullopt: the built-in dev pins
  // Blobs admitted in order through the verifier's ParseCollateral (each may
  // use the earlier ones as issuers); must all be accepted.
  std::vector<Bytes> collateral;
  // Documents put into the set as they are, bypassing ParseCollateral (a
  // forged document that admission would refuse).
  std::vector<CollateralDoc> forced;
  uint64_t now = kNow;
  std::optional<uint64_t> evidence_time;
  std::optional<BindingInput> binding;
  // Applied to the signed report, which is then signed again (a field fault
  // that leaves the signature valid).
  std::function<void(Bytes&)> edit_report;
  // Applied to the final evidence bytes, not re-signed.
  std::function<void(Bytes&)> edit_evidence;
};

// The binding every scenario uses by default (and its report carries).
BindingInput DefaultBinding();

struct Outcome {
  Verdict verdict;
  Bytes evidence;
};

// Builds the evidence and verifies it; BOOST_REQUIREs that nothing but the
// verdict can fail (simulator, admission of `collateral`, the machine).
Outcome Run(const Scenario& s);

// The verdict's failures as "code: message; ..." for diagnostics.
std::string Describe(const Verdict& v);

// Asserts a valid verdict with hardware_verified and certificate_chain_valid.
void ExpectValid(const Scenario& s);
// Asserts exactly one failure, of `code`.
void ExpectAlone(const Scenario& s, FailureCode code);

// The certificate PEM/DER blobs of a scenario's chain, for collateral.
std::string ChainPemOf(Product p, bool vlek);

// A CRL bundle (PEM CRL then its issuer ARK, the fetchers' convention)
// signed by the product's dev ARK.
Bytes DevCrlBundle(Product p, int64_t this_update, int64_t next_update,
                   const std::vector<Bytes>& revoked);

// Fresh keys for forgeries (generated once per process).
const x509::PrivateKey& RogueRsaKey();
const x509::PrivateKey& RogueP384Key();
// A self-signed "ARK-<Product>" under RogueRsaKey(): right name, wrong key.
const x509::Certificate& RogueArk(Product p);
// The dev ARK's certificate with RogueRsaKey(): issues certificates that name
// the dev ARK as issuer but do not verify under it.
const sim::DevCa& ForgedArkSigner(Product p);
// The same for the dev ASK and ASVK.
const sim::DevCa& ForgedAskSigner(Product p);
const sim::DevCa& ForgedAsvkSigner(Product p);

}  // namespace tenzro::tee::snp::testing
