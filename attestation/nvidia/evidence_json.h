// NVIDIA's serialized GPU evidence (JSON), the shape NVIDIA's attestation
// SDKs write and NRAS takes: pure parsing, no crypto, no clock.
//
// Two shapes are accepted:
//   {"nonce": hex, "arch": "HOPPER", "evidence_list": [{"evidence": b64,
//    "certificate": b64}, ...]}                       (attestation SDK)
//   [{"nonce": hex, "arch": "HOPPER", "evidence": b64, "certificate": b64},
//    ...]                                              (NRAS request body)
// The SDK shape may also carry NVIDIA's NRAS token (this project's field,
// issue 11): "nras_eat": the detached EAT [["JWT", overall], {"GPU-0":
// device JWT, ...}] that NRAS returned for this evidence, either as that JSON
// value or as the JSON text the SDK's get_token() gives (a string). It is
// kept as text, unparsed (nras.h parses it).
// `evidence` is base64 of the SPDM request || response (report.h),
// `certificate` base64 of the device chain as PEM, leaf first. A per-GPU
// nonce or arch overrides the top-level one. Every GPU is parsed; one bad
// entry makes the whole document kMalformed (every GPU must pass).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attestation/nvidia/report.h"
#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::nvidia {

inline constexpr size_t kMaxGpus = 16;

struct GpuEvidence {
  std::optional<std::string> arch;  // as written ("HOPPER", "BLACKWELL"), upper case
  std::optional<Bytes> nonce;       // the document's claimed nonce (32 bytes)
  Report report;
  Bytes certificate_pem;  // the chain as given
};

struct SerializedEvidence {
  std::vector<GpuEvidence> gpus;        // in document order, at least one
  std::optional<std::string> nras_eat;  // the detached EAT as JSON text
};

// True when data is NVIDIA's detached EAT alone: a JSON array whose first
// element is an array ([["JWT", ...], ...]), not an NRAS request body.
bool LooksLikeDetachedEat(ByteView data);

// True when data looks like JSON (first non-space byte '{' or '[').
bool LooksLikeJson(ByteView data);
Result<SerializedEvidence> ParseSerializedEvidence(ByteView data);

}  // namespace tenzro::tee::nvidia
