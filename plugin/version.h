// Build identity: version string and the ABI header hash (set by CMake from
// the SHA-256 of abi/tenzro_tee.h, so hosts can compare headers).
#pragma once

namespace tenzro::tee::plugin {

inline constexpr char kVersionString[] = "0.1.0";
#ifdef TENZRO_TEE_ABI_HASH
inline constexpr char kAbiHash[] = TENZRO_TEE_ABI_HASH;
#else
inline constexpr char kAbiHash[] = "unknown";
#endif

}  // namespace tenzro::tee::plugin
