// The Simulated evidence format (DESIGN §8) and its revocation list.
//
// Pure parsing: no crypto, no clock. All integers little-endian.
//
// Evidence, 232 bytes:
//   off  size  field
//   0    8     magic "TZSIMEV1"
//   8    2     version (1)
//   10   2     reserved, must be zero
//   12   4     flags: bit 0 debug; other bits must be zero
//   16   8     issued_at (unix seconds)
//   24   48    measurement
//   72   64    report_data (the binding of §4)
//   136  32    signer: Ed25519 public key (must be the pinned dev key)
//   168  64    Ed25519 signature over bytes [0, 168)
//
// Revocation list ("TZSIMRL1"): revokes measurements (a devnet's stand-in for a
// vendor TCB recovery), 36 + 48*count + 96 bytes:
//   0    8     magic "TZSIMRL1"
//   8    2     version (1)
//   10   2     reserved, zero
//   12   8     this_update
//   20   8     next_update (>= this_update)
//   28   4     count (at most kMaxRevoked)
//   32   4     reserved, zero
//   36   48*n  revoked measurements, strictly increasing
//   ..   32    signer
//   ..   64    signature over everything before it
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::simulated {

inline constexpr size_t kEvidenceSize = 232;
inline constexpr size_t kSignedSize = 168;
inline constexpr uint16_t kVersion = 1;
inline constexpr uint32_t kFlagDebug = 1u;
inline constexpr uint32_t kMaxRevoked = 65536;

using Measurement = std::array<uint8_t, 48>;
using ReportData = std::array<uint8_t, 64>;

struct Evidence {
  uint16_t version = 0;
  uint32_t flags = 0;
  uint64_t issued_at = 0;
  Measurement measurement{};
  ReportData report_data{};
  std::array<uint8_t, 32> signer{};
  std::array<uint8_t, 64> signature{};
  ByteView signed_bytes;  // view into the parsed buffer

  bool debug() const { return (flags & kFlagDebug) != 0; }
};

// kInvalidArgument with a message naming the field on malformed input;
// kUnsupported for a version other than 1 (the caller maps these to verdict
// codes).
Result<Evidence> ParseEvidence(ByteView data);
Bytes SerializeUnsigned(const Evidence& e);  // the first 168 bytes

struct RevocationList {
  uint64_t this_update = 0;
  uint64_t next_update = 0;
  std::vector<Measurement> revoked;  // strictly increasing
  std::array<uint8_t, 32> signer{};
  std::array<uint8_t, 64> signature{};
  ByteView signed_bytes;
};

Result<RevocationList> ParseRevocationList(ByteView data);
Bytes SerializeUnsignedRevocationList(const RevocationList& rl);

inline constexpr char kRevocationListKind[] = "sim_revocation_list";

}  // namespace tenzro::tee::simulated
