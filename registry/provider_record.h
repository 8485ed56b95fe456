// ProviderRecord: a confidential-AI model provider (issue 15) and its
// byte-exact encoding (stored in the providers column family, key = id).
//
// A provider proves that model X runs in a genuine TEE before users send it
// queries. One registration may carry several pieces of evidence (a CPU TEE
// and an NVIDIA GPU, say): all must pass, all bound to the same
// (provider key, model hash, challenge) (DESIGN §4, tag tenzro-tee-model-v1).
// Providers have no lottery weight, ever: nothing here reaches the epoch
// snapshot or a leader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/tee_type.h"
#include "attestation/verdict.h"
#include "core/bytes.h"
#include "core/status.h"
#include "registry/record.h"

namespace tenzro::tee::registry {

using ProviderId = Hash32;

inline constexpr size_t kMaxModelIdBytes = 128;
// Pieces of evidence one registration may carry (CPU TEE + GPUs).
inline constexpr size_t kMaxProviderEvidence = 8;

struct ProviderEvidence {
  TeeType tee_type = TeeType::None;
  // Identity of the evidence (§4: what the vendor key signed).
  Hash32 evidence_hash{};
  FailureCode reason = FailureCode::kNone;  // its verdict at registration
  int64_t valid_until = -1;                 // -1 unless it passed
  uint64_t valid_from = 0;
  ClaimSet claims;  // what a re-evaluation needs (§6); empty unless it passed
  friend bool operator==(const ProviderEvidence&, const ProviderEvidence&) = default;
};

struct ProviderRecord {
  ProviderId id{};
  std::string model_id;  // 1..128 printable ASCII bytes ("llama-3-70b")
  Hash32 model_hash{};   // digest of the weights the provider commits to
  ValidatorStatus status = ValidatorStatus::kUnattested;
  FailureCode reason = FailureCode::kNone;  // first failure, evidence order
  int64_t valid_until = -1;                 // min over its evidence; -1 unless attested
  uint64_t registered_at = 0;
  uint64_t registered_epoch = 0;           // the epoch after the last one at registration
  uint64_t verified_at_epoch = 0;          // last epoch that (re-)decided its status
  std::vector<ProviderEvidence> evidence;  // registration order, 1..kMaxProviderEvidence

  bool attested() const { return status == ValidatorStatus::kAttested; }
  bool HasType(TeeType t) const;
  friend bool operator==(const ProviderRecord&, const ProviderRecord&) = default;
};

// kInvalidArgument unless 1..128 bytes of printable ASCII (0x20..0x7e): a
// model id is shown in JSON, logs and CLI tables, so no control bytes and no
// encoding questions.
Status ValidateModelId(std::string_view model_id);

Bytes EncodeProvider(const ProviderRecord& r);
// kStorage on any malformed input (the database is the only source).
Result<ProviderRecord> DecodeProvider(ByteView data);

}  // namespace tenzro::tee::registry
