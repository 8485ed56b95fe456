// Shared by the simulator-driven TDX tests: run a Scenario through the
// verifier (standalone path: blobs recognised by content), and re-issue or
// forge certificates of the development hierarchy for single faults.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attestation/standalone.h"
#include "attestation/tdx/sim/scenario.h"
#include "attestation/tdx/tdx_verifier.h"

namespace tenzro::tee::tdx::simtest {

inline constexpr uint64_t kMaxAge = 86400;

struct Options {
  Policy policy;
  bool simulation = true;
  std::optional<BindingInput> binding;
  std::optional<uint64_t> evidence_time;
  std::optional<uint64_t> now;  // default: the scenario's
  // Development roots pinned besides the simulator's (fingerprints).
  std::vector<Hash32> extra_dev_roots;
};

TeeType TypeOf(const sim::Scenario& s);
std::unique_ptr<TdxVerifier> MakeVerifier(TeeType type, const Options& o);

// The verdict on the scenario's quote with its collateral blobs.
// REQUIRES (test assertion): the simulator and the verifier return ok.
Verdict Run(const sim::Scenario& s, const Options& o = {});

// The same certificate (subject, key, serial, extensions of a CA) with
// another window, signed by `issuer` (self-signed when null).
sim::KeyedCert Reissue(const sim::KeyedCert& kc, int64_t not_before, int64_t not_after,
                       const sim::KeyedCert* issuer);
// A forged certificate: the given dev-style name with a fresh key, signed by
// `issuer` (self-signed when null).
sim::KeyedCert Forge(const std::string& common_name, bool is_ca, const sim::KeyedCert* issuer,
                     Bytes serial = {0x66});

}  // namespace tenzro::tee::tdx::simtest
