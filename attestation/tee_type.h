// TeeType: the kinds of evidence the plugin knows (seed names; values equal the
// ABI's TEE_TYPE_* constants, never renumbered).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tenzro::tee {

enum class TeeType : int32_t {
  None = 0,
  IntelTdx = 1,
  IntelSgx = 2,
  AmdSevSnp = 3,
  AwsNitro = 4,
  NvidiaGpu = 5,
  Simulated = 6,
};

inline constexpr int32_t kTeeTypeCount = 7;

// "IntelTdx", ... as in the verdict JSON.
std::string_view TeeTypeName(TeeType t);
// From an ABI integer; nullopt when out of range.
std::optional<TeeType> TeeTypeFromInt(int32_t v);
// From a verdict name ("IntelTdx", ...); nullopt for anything else, "None" included.
std::optional<TeeType> TeeTypeFromName(std::string_view name);
// CLI names: simulated|tdx|sgx|snp|nitro|nvidia, and the long forms
// intel-tdx|intel-sgx|amd-sev-snp|aws-nitro|nvidia-gpu.
std::optional<TeeType> TeeTypeFromCliName(std::string_view name);

}  // namespace tenzro::tee
