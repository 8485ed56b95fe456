// Shared by the provider and hybrid tests (issue 15): a verifier facade with
// the TDX and SNP verifiers trusting their simulators' development roots
// (simulation on), and evidence from both simulators bound to any kind of
// binding (validator, model provider, hybrid ZK).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/tdx/sim/scenario.h"
#include "attestation/verifier.h"
#include "core/bytes.h"

namespace tenzro::tee::provtest {

// 2026-01-01: inside every window of both simulators' default evidence.
inline constexpr uint64_t kNow = tdx::sim::kSimNow;
inline constexpr uint64_t kMaxAge = 86400;

// TDX (dev root) and SNP (dev ARKs) verifiers, simulation on.
std::unique_ptr<AttestationVerifier> MakeVerifier();

// A TDX v4 quote of the default platform whose report data is `binding`.
Bytes TdxQuote(const ReportDataBinding& binding);
// The collateral that quote needs (TCB Info, QE Identity, CRLs), in the
// bundle convention, issued around kNow.
std::vector<Bytes> TdxCollateral(const tdx::sim::Scenario& s = tdx::sim::Scenario::Tdx());
// A Genoa extended report (certificates inside) whose report data is `binding`.
Bytes SnpEvidence(const ReportDataBinding& binding);

// Verifies through the facade with the admitted TDX collateral, at kNow,
// evidence time kNow. REQUIRES (test assertion): the machine does not fail.
Verdict Verify(const AttestationVerifier& v, TeeType type, const Bytes& evidence,
               const ReportDataBinding& binding);

ByteView Text(const std::string& s);

// The dev Genoa ARK's CRL revoking its ASK (every Genoa VCEK), valid from t
// for 30 days, followed by the ARK (the fetchers' bundle convention).
Bytes SnpAskRevocation(int64_t t);

}  // namespace tenzro::tee::provtest
