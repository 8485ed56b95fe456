// Chain policy of the NVIDIA GPU verifier ([tee.consensus.nvidia], DESIGN
// §10 defaults). Every field is a chain parameter: parsed in
// plugin/config_nvidia.cpp and hashed into params_hash.
//
// Defaults accept genuine evidence broadly, as NVIDIA's local verifier does:
// NVIDIA's device and RIM roots pinned, local mode, RIMs and OCSP checked when
// at hand (not required), no minimum versions, Hopper and Blackwell allowed,
// certificate_hold refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"

namespace tenzro::tee::nvidia {

// SHA-256 of the DER of "CN=NVIDIA Device Identity CA, O=NVIDIA"
// (nvtrust certs/verifier_device_root.pem).
inline constexpr Hash32 kNvidiaDeviceRootSha256 = {
    0x10, 0x2b, 0xf6, 0x59, 0xd5, 0x41, 0x96, 0x14, 0xc9, 0xd8, 0xe6, 0xae, 0xce, 0xbc, 0x80, 0x45,
    0x4e, 0xb2, 0x6b, 0x1d, 0xf6, 0xa7, 0x69, 0xac, 0x72, 0x0b, 0x9a, 0x69, 0x0b, 0x16, 0x7b, 0x48};
// SHA-256 of the DER of "CN=NVIDIA CoRIM signing Root CA, O=NVIDIA, C=US"
// (nvtrust certs/verifier_RIM_root.pem).
inline constexpr Hash32 kNvidiaRimRootSha256 = {
    0x12, 0x97, 0x7b, 0x51, 0x15, 0xac, 0xb0, 0x38, 0x11, 0x79, 0x27, 0x9f, 0xff, 0xeb, 0x5a, 0x8c,
    0x4d, 0x26, 0x49, 0x71, 0xeb, 0xb3, 0x22, 0x98, 0x02, 0x3a, 0x46, 0x5f, 0xa4, 0x1d, 0xf5, 0xd1};

inline constexpr char kNrasIssuer[] = "https://nras.attestation.nvidia.com";

// GPU architectures, from the device chain (leaf CN "GH100 ..." / "GB100 ...").
enum class Arch : uint8_t { kUnknown = 0, kHopper = 1, kBlackwell = 2 };

// What the evidence must carry to be judged: local SPDM verification, an NRAS
// token, or both.
enum class Mode : uint8_t { kLocal = 0, kNras = 1, kBoth = 2 };

// A dotted version compared part by part as numbers: driver versions are
// decimal ("550.90.07"), VBIOS versions hexadecimal ("96.00.9f.00.01").
// A shorter version that is a prefix of a longer one is the smaller.
struct DottedVersion {
  std::vector<uint32_t> parts;
  friend auto operator<=>(const DottedVersion&, const DottedVersion&) = default;
};
// nullopt when a part is empty, not a number in `base` (10 or 16), or over
// 2^32-1, or when there are more than 8 parts.
std::optional<DottedVersion> ParseDottedVersion(std::string_view text, int base);
// The canonical text: parts joined by '.', decimal or lower-case hex.
std::string DottedVersionText(const DottedVersion& v, int base);

struct Policy {
  Hash32 device_root_sha256 = kNvidiaDeviceRootSha256;
  Hash32 rim_root_sha256 = kNvidiaRimRootSha256;
  bool require_rims = false;  // no RIM at hand is collateral_missing
  bool require_ocsp = false;  // no OCSP response at hand is collateral_missing
  bool allow_hold = false;    // OCSP certificateHold accepted
  Mode mode = Mode::kLocal;
  std::string nras_issuer = kNrasIssuer;
  // SHA-256 of NVIDIA's NRAS JWKS document, byte for byte as admitted
  // (collateral kind nvidia_nras_jwks). Unset: no JWKS can be admitted (bar
  // the simulator's, with simulation on), so no NRAS token verifies and
  // mode nras/both fails collateral_missing.
  std::optional<Hash32> nras_jwks_sha256;
  std::optional<DottedVersion> min_driver_version;  // decimal parts
  std::optional<DottedVersion> min_vbios_version;   // hex parts
  // Sorted, unique; empty = every architecture this verifier knows.
  std::vector<Arch> allowed_architectures;
  // Evidence age limit for GPU reports (§5); unset: [tee.consensus] max_age.
  std::optional<uint64_t> max_age_secs;
};

}  // namespace tenzro::tee::nvidia
