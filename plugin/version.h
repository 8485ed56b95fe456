// Build identity: version string and the ABI header hash (set by CMake from
// the SHA-256 of abi/tenzro_tee.h, so hosts can compare headers).
#pragma once

namespace tenzro::tee::plugin {

// The one version: CMake's project(VERSION) (CMakeLists.txt).
#ifdef TENZRO_TEE_VERSION
inline constexpr char kVersionString[] = TENZRO_TEE_VERSION;
#else
#error "TENZRO_TEE_VERSION is set by CMake from the project version"
#endif
#ifdef TENZRO_TEE_ABI_HASH
inline constexpr char kAbiHash[] = TENZRO_TEE_ABI_HASH;
#else
inline constexpr char kAbiHash[] = "unknown";
#endif

}  // namespace tenzro::tee::plugin
