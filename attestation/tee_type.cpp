#include "attestation/tee_type.h"

namespace tenzro::tee {

std::string_view TeeTypeName(TeeType t) {
  switch (t) {
    case TeeType::None:
      return "None";
    case TeeType::IntelTdx:
      return "IntelTdx";
    case TeeType::IntelSgx:
      return "IntelSgx";
    case TeeType::AmdSevSnp:
      return "AmdSevSnp";
    case TeeType::AwsNitro:
      return "AwsNitro";
    case TeeType::NvidiaGpu:
      return "NvidiaGpu";
    case TeeType::Simulated:
      return "Simulated";
  }
  return "Unknown";
}

std::optional<TeeType> TeeTypeFromInt(int32_t v) {
  if (v < 0 || v >= kTeeTypeCount) return std::nullopt;
  return static_cast<TeeType>(v);
}

std::optional<TeeType> TeeTypeFromName(std::string_view name) {
  for (int32_t v = 1; v < kTeeTypeCount; ++v) {
    if (TeeTypeName(static_cast<TeeType>(v)) == name) return static_cast<TeeType>(v);
  }
  return std::nullopt;
}

std::optional<TeeType> TeeTypeFromCliName(std::string_view name) {
  if (name == "simulated") return TeeType::Simulated;
  if (name == "tdx") return TeeType::IntelTdx;
  if (name == "sgx") return TeeType::IntelSgx;
  if (name == "snp") return TeeType::AmdSevSnp;
  if (name == "nitro") return TeeType::AwsNitro;
  if (name == "nvidia") return TeeType::NvidiaGpu;
  // The long forms (issue 15: `provider list --type nvidia-gpu`).
  if (name == "intel-tdx") return TeeType::IntelTdx;
  if (name == "intel-sgx") return TeeType::IntelSgx;
  if (name == "amd-sev-snp") return TeeType::AmdSevSnp;
  if (name == "aws-nitro") return TeeType::AwsNitro;
  if (name == "nvidia-gpu") return TeeType::NvidiaGpu;
  return std::nullopt;
}

}  // namespace tenzro::tee
