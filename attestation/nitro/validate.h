// Stage 3 of the Nitro verifier: the pure policy check of a document's own
// facts (debug mode, accepted images) and its time (chain window, age). No
// crypto, no clock.
//
// The facts come either from a document whose chain and signature verified
// (NitroVerifier::Verify) or from the claims a registered record stored (the
// epoch re-evaluation, DESIGN §6), so a parameter migration applies the
// current policy to old records too. Thread-safe (pure).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "attestation/nitro/document.h"
#include "attestation/nitro/policy.h"
#include "attestation/pipeline.h"
#include "attestation/verdict.h"
#include "core/status.h"

namespace tenzro::tee::nitro {

struct DocumentFacts {
  std::map<uint32_t, Bytes> pcrs;
  uint64_t timestamp_ms = 0;
  // The chain's window: latest notBefore, earliest notAfter (unix seconds).
  uint64_t chain_not_before = 0, chain_not_after = 0;
  friend bool operator==(const DocumentFacts&, const DocumentFacts&) = default;
};

// PCR0, PCR1 and PCR2 present and all zero: an enclave run with --debug-mode.
bool IsDebug(const std::map<uint32_t, Bytes>& pcrs);

// Time checks at `now` (§5): the chain's window at now or at the document's
// timestamp (policy), the age (timestamp + max_age, max_clock_skew). Narrows
// validity; true when the chain's window holds.
bool ValidateTime(Verdict& v, pipeline::Validity& validity, const DocumentFacts& f,
                  const Policy& policy, uint64_t default_max_age, uint64_t now);

// Fails v with debug_enclave and measurement_mismatch as policy requires;
// sets v.measurements_valid.
void Validate(Verdict& v, const DocumentFacts& facts, const Policy& policy);

// The facts as re-evaluation claims (nitro_verifier.h, namespace claim).
void PutFactClaims(const DocumentFacts& facts, ClaimSet& claims);
// kStorage when a claim is missing or does not decode.
Result<DocumentFacts> FactsFromClaims(const ClaimSet& claims);

}  // namespace tenzro::tee::nitro
