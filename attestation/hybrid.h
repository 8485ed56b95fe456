// Hybrid ZK-in-TEE verification (issue 15): a ZK proof is accepted only when
// a verified TEE produced exactly it. Valid iff
//   - the TEE verdict on the evidence is valid,
//   - its report data is the ZK binding of (SHA-256(proof),
//     SHA-256(public_inputs), vk_id, challenge) (DESIGN §4, tag
//     tenzro-tee-zk-v1), checked by pipeline::CheckBinding inside the
//     vendor verifier, and
//   - the proof verifies under vk_id.
// No SNARK library is packaged in Debian 12 and a hand-rolled one is not an
// option, so the proof is checked by a verifier the host keeps per vk id (the
// zk_verify host callback). Without one the ZK part is `unsupported`, never
// valid. Not consensus (like the standalone verify): nothing is stored.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "attestation/standalone.h"

namespace tenzro::tee {

enum class ZkResult { kValid, kInvalid, kUnsupported };
const char* ZkResultName(ZkResult r);  // "valid", "invalid", "unsupported"

// Verifies `proof` for `public_inputs` under `vk_id`.
using ZkVerifyFn =
    std::function<ZkResult(const Hash32& vk_id, ByteView proof, ByteView public_inputs)>;

struct HybridRequest {
  StandaloneRequest tee;  // its binding is replaced by the ZK binding
  ByteView proof;
  ByteView public_inputs;
  Hash32 vk_id{};
  Hash32 challenge{};
};

struct HybridVerdict {
  Verdict tee;
  ZkResult zk = ZkResult::kUnsupported;
  ZkBinding binding;  // what the evidence had to commit to
  bool valid() const { return tee.valid() && zk == ZkResult::kValid; }
  // The TEE's first failure, else "unsupported" (no verifier for the vk id)
  // or "zk_invalid"; empty when valid.
  std::string reason() const;
};

// Both parts are always evaluated, so the verdict reports each. A null zk
// is a host without verifiers: `unsupported`.
Result<HybridVerdict> VerifyHybrid(const AttestationVerifier& verifier, HybridRequest req,
                                   const ZkVerifyFn& zk);

// {"valid", "reason", "tee": <the verdict JSON of §3>, "zk": {"status",
//  "vk_id", "proof_sha256", "public_inputs_sha256"}}
nlohmann::json HybridToJson(const HybridVerdict& v);

}  // namespace tenzro::tee
