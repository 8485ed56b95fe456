// The shared verification pipeline (DESIGN §3-§5, issue 9).
//
// Every vendor verifier has three stages (go-sev-guest's split): a pure
// parser, chain and signature verification that returns typed facts, and a
// pure Validate(facts, Policy). What every vendor does alike is written here
// once: time windows folded into valid_from/valid_until, the evidence age,
// binding (§4), the simulation gate (§8), evidence identity (§4), and the
// small byte helpers. Vendors call these; they never re-implement them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/binding.h"
#include "attestation/tee_type.h"
#include "attestation/verdict.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::pipeline {

// Certificate times are signed (before 1970 is representable); ours are not.
inline uint64_t ClampTime(int64_t t) { return t < 0 ? 0 : static_cast<uint64_t>(t); }
inline uint64_t SatAdd(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

Bytes U64Le(uint64_t v);
// nullopt unless b is exactly 8 bytes.
std::optional<uint64_t> ReadU64Le(ByteView b);

// An allow-list holds when it is empty (not checked) or lists v.
template <size_t N>
bool Listed(const std::vector<std::array<uint8_t, N>>& list, const std::array<uint8_t, N>& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

// The validity of a verdict (§5): the latest start and the earliest end of
// every window it used (certificates, collateral, evidence age).
class Validity {
 public:
  void Narrow(uint64_t from, uint64_t until) {
    from_ = std::max(from_, from);
    until_ = std::min(until_, until);
  }
  void NarrowCert(int64_t not_before, int64_t not_after) {
    Narrow(ClampTime(not_before), ClampTime(not_after));
  }
  uint64_t from() const { return from_; }
  uint64_t until() const { return until_; }
  // Writes valid_from/valid_until into v.
  void Apply(Verdict& v) const {
    v.valid_from = from_;
    v.valid_until = until_;
  }

 private:
  uint64_t from_ = 0;
  uint64_t until_ = UINT64_MAX;
};

// Stored re-evaluation claims (§6): the value of `name`, nullptr when absent;
// a u64 LE claim, nullopt when absent or not 8 bytes.
const Bytes* FindClaim(const ClaimSet& claims, const std::string& name);
std::optional<uint64_t> ClaimU64(const ClaimSet& claims, const std::string& name);

// The parse-failure prologue (§3): a parser's kUnsupported becomes the
// verdict `unsupported` (version, key type, product), anything else
// `malformed`; the verdict then carries that failure alone.
void FailParse(Verdict& v, const Status& parse_error);

// Inclusive window check at now (§5): kNotYetValid before from, kExpired
// after until; `what` names the object in the message. True when inside.
bool CheckWindow(Verdict& v, std::string_view what, uint64_t from, uint64_t until, uint64_t now);

// Evidence age (§5): with an evidence time, the evidence is good from it to
// it + max_age; narrows `validity` and fails the verdict outside. Without
// one, no age limit (the CLI without --issued-at).
void CheckEvidenceAge(Verdict& v, Validity& validity, std::optional<uint64_t> evidence_time,
                      uint64_t max_age_secs, uint64_t now);

// Binding (§4): the evidence's 64 report-data bytes (or prefix, NVIDIA) must
// equal the binding of the input, whichever kind it is (validator, provider,
// hybrid ZK). Sets binding_valid; null without a binding input. The one
// place a binding is compared. `code` is the failure of a mismatch (NVIDIA
// reports a request nonce: nonce_mismatch).
void CheckBinding(Verdict& v, const std::optional<ReportDataBinding>& binding, ByteView report_data,
                  FailureCode code = FailureCode::kBindingMismatch);

// Simulation gate (§8): evidence chained to a development root is accepted
// only when simulation is on.
void CheckSimulation(Verdict& v, bool dev_rooted, bool simulation, std::string_view what);

// Evidence identity (§4): "one evidence, one validator" holds on what the
// vendor key signed, not on the blob. signed_content is the exact byte range
// the signature covers (so trailing bytes, another encoding of the same
// signature, or a changed certificate table give the same id).
Hash32 EvidenceId(TeeType type, ByteView signed_content);

}  // namespace tenzro::tee::pipeline
