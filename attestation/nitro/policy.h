// Chain policy of the Nitro verifier ([tee.consensus.nitro], issue 10).
//
// Defaults accept genuine documents broadly: AWS Nitro Enclaves Root-G1
// pinned, any image, debug enclaves rejected, the chain checked at `now`,
// documents up to [tee.consensus] max_age_secs old and dated at most 300 s
// after now.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/bytes.h"

namespace tenzro::tee::nitro {

// SHA-256 of the DER of "AWS Nitro Enclaves Root-G1" (CN=aws.nitro-enclaves),
// valid 2019-10-28..2049-10-28. Not the hash of AWS's zip download.
inline constexpr Hash32 kAwsNitroRootG1Sha256 = {
    0x64, 0x1a, 0x03, 0x21, 0xa3, 0xe2, 0x44, 0xef, 0xe4, 0x56, 0x46, 0x31, 0x95, 0xd6, 0x06, 0x31,
    0x7e, 0xd7, 0xcd, 0xcc, 0x3c, 0x17, 0x56, 0xe0, 0x98, 0x93, 0xf3, 0xc6, 0x8f, 0x79, 0xbb, 0x5b};

// PCRs an image may pin: 0 (enclave image), 1 (kernel and bootstrap),
// 2 (application), 8 (signing certificate of a signed EIF), 16 (user).
// Never 3 or 4 (IAM role, parent instance): they are per instance.
inline constexpr uint32_t kPinnablePcrs[] = {0, 1, 2, 8, 16};

// One accepted image: every listed PCR must equal the document's.
struct Image {
  std::map<uint32_t, Bytes> pcrs;
  friend auto operator<=>(const Image&, const Image&) = default;
};

enum class ChainTime : uint8_t {
  kNow,       // every certificate window holds at the verification time
  kDocument,  // ... at the document's timestamp (archives; freshness from max age)
};

struct Policy {
  Hash32 root_ca_sha256 = kAwsNitroRootG1Sha256;
  std::vector<Image> images;  // sorted, unique; empty = any image
  bool allow_debug = false;   // PCR0, PCR1, PCR2 all zero
  ChainTime check_chain_at = ChainTime::kNow;
  // Unset: [tee.consensus] max_age_secs.
  std::optional<uint64_t> max_age_secs;
  uint64_t max_clock_skew_secs = 300;
};

}  // namespace tenzro::tee::nitro
