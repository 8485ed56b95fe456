// The real NRAS detached EAT of the shared vectors (nvidia-attestation-sdk-cpp
// hopperClaimsv3_detached_eat.json): NVIDIA signed it, and no JWKS with its
// key exists offline, so tests use it for parsing, claims and submod digests.
#pragma once

#include <boost/test/unit_test.hpp>

#include <optional>

#include "core/bytes.h"
#include "support/vectors.h"

namespace tenzro::tee::nvidia::testing_nras {

inline constexpr char kRealEatNonceHex[] =
    "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";
inline constexpr uint64_t kRealEatIat = 1749601858;

// nullopt (with a message) when TEE_VECTORS_DIR is absent.
inline std::optional<Bytes> RealDetachedEat() {
  auto dir = testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("TEE_VECTORS_DIR absent: the real NRAS token test did not run");
    return std::nullopt;
  }
  return testing::ReadFileBytes(*dir / "nvidia" / "nvidia-attestation-sdk-cpp" / "testdata" /
                                "sample_attestation_data" / "hopperClaimsv3_detached_eat.json");
}

}  // namespace tenzro::tee::nvidia::testing_nras
