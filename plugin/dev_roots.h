// Fingerprints of the simulators' development roots (DESIGN §8), for the
// wiring: the verifiers know them so that dev-rooted evidence is named
// (simulation_disabled) rather than untrusted, and trust them only with
// [tee.consensus] simulation = true. Only the fingerprints: the simulators
// themselves, with their committed private keys, are not linked into the
// plugin (tests/plugin/dev_roots_tests.cpp checks these against them).
#pragma once

#include "core/bytes.h"

namespace tenzro::tee::plugin {

// SHA-256 of the DER of "Tenzro DEV SGX Root CA" (tdx::sim::DevRootFingerprint).
inline constexpr Hash32 kTdxDevRootSha256 = {
    0xd1, 0xf2, 0xc2, 0x1f, 0x08, 0x69, 0x78, 0x24, 0x93, 0x0f, 0xdf, 0x73, 0x2f, 0xf9, 0xb9, 0x7d,
    0xad, 0xad, 0x9d, 0xa6, 0x5a, 0xec, 0xe1, 0xc3, 0x0f, 0xe9, 0xe8, 0x6a, 0x93, 0x76, 0x8d, 0x9a};

}  // namespace tenzro::tee::plugin
