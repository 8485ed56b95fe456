// Non-consensus verification (CLI, the ABI's verify call, later HTTP): the
// caller's collateral blobs are recognised by content and added to a base set.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attestation/verifier.h"

namespace tenzro::tee {

struct StandaloneRequest {
  TeeType tee_type = TeeType::None;
  ByteView evidence;
  std::vector<ByteView> collateral_blobs;  // unrecognised blobs are ignored
  const CollateralSet* base = nullptr;     // e.g. the registry's admitted set
  uint64_t now = 0;
  std::optional<uint64_t> evidence_time;
  std::optional<ReportDataBinding> binding;  // validator, provider or hybrid ZK
  std::optional<Bytes> expected_nonce;       // VerifyRequest::expected_nonce
  // When set, receives (index, why) for every blob that was not recognised
  // as a document of this TEE type (the last ParseCollateral error).
  std::vector<std::pair<size_t, std::string>>* unused = nullptr;
};

Result<Verdict> VerifyStandalone(const AttestationVerifier& verifier, const StandaloneRequest& req);

}  // namespace tenzro::tee
