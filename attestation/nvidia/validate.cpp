#include "attestation/nvidia/validate.h"

#include <algorithm>

namespace tenzro::tee::nvidia {
namespace {

constexpr char kArch[] = "arch";
constexpr char kDriver[] = "driver_version";
constexpr char kVbios[] = "vbios_version";

void CheckMinimum(Verdict& v, const std::optional<DottedVersion>& min,
                  const std::optional<std::string>& have, int base, std::string_view what,
                  std::string_view gpu) {
  if (!min) return;
  const std::string name = std::string(gpu) + ": " + std::string(what);
  auto parsed = have ? ParseDottedVersion(*have, base) : std::nullopt;
  if (!parsed) {
    v.Fail(FailureCode::kFirmwareTooOld,
           name + " is absent or unreadable while policy sets a minimum");
    return;
  }
  if (*parsed < *min) {
    v.Fail(FailureCode::kFirmwareTooOld,
           name + " " + *have + " is below the minimum " + DottedVersionText(*min, base));
  }
}

}  // namespace

std::optional<DottedVersion> ParseDottedVersion(std::string_view text, int base) {
  DottedVersion out;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    const std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 8 || out.parts.size() == 8) return std::nullopt;
    uint64_t acc = 0;
    for (char c : part) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0 || d >= base) return std::nullopt;
      acc = acc * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    if (acc > UINT32_MAX) return std::nullopt;
    out.parts.push_back(static_cast<uint32_t>(acc));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string DottedVersionText(const DottedVersion& v, int base) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint32_t p : v.parts) {
    if (!s.empty()) s.push_back('.');
    std::string part;
    do {
      part.insert(part.begin(), kDigits[p % static_cast<uint32_t>(base)]);
      p /= static_cast<uint32_t>(base);
    } while (p != 0);
    s += part;
  }
  return s;
}

std::string_view ArchName(Arch a) {
  switch (a) {
    case Arch::kHopper:
      return "HOPPER";
    case Arch::kBlackwell:
      return "BLACKWELL";
    case Arch::kUnknown:
      break;
  }
  return "UNKNOWN";
}

Arch ArchFromName(std::string_view name) {
  if (name == "HOPPER") return Arch::kHopper;
  if (name == "BLACKWELL") return Arch::kBlackwell;
  return Arch::kUnknown;
}

void Validate(Verdict& v, const GpuFacts& facts, const Policy& policy, std::string_view gpu) {
  CheckMinimum(v, policy.min_driver_version, facts.driver_version, 10, "driver version", gpu);
  CheckMinimum(v, policy.min_vbios_version, facts.vbios_version, 16, "VBIOS version", gpu);
  const auto& allowed = policy.allowed_architectures;
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), facts.arch) == allowed.end()) {
    v.Fail(FailureCode::kPolicyViolation, std::string(gpu) + ": architecture " +
                                              std::string(ArchName(facts.arch)) +
                                              " is not in allowed_architectures");
  }
}

void PutFactClaims(const GpuFacts& facts, const std::string& prefix, ClaimSet& claims) {
  claims[prefix + kArch] = Bytes{static_cast<uint8_t>(facts.arch)};
  if (facts.driver_version)
    claims[prefix + kDriver] = Bytes(facts.driver_version->begin(), facts.driver_version->end());
  if (facts.vbios_version)
    claims[prefix + kVbios] = Bytes(facts.vbios_version->begin(), facts.vbios_version->end());
}

Result<GpuFacts> FactsFromClaims(const ClaimSet& claims, const std::string& prefix) {
  GpuFacts f;
  auto arch = claims.find(prefix + kArch);
  if (arch == claims.end() || arch->second.size() != 1 || arch->second[0] < 1 ||
      arch->second[0] > 2) {
    return Error(ErrorCode::kStorage, "stored NVIDIA claims: " + prefix + kArch + " is malformed");
  }
  f.arch = static_cast<Arch>(arch->second[0]);
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = claims.find(prefix + name);
    if (it == claims.end()) return std::nullopt;
    return std::string(it->second.begin(), it->second.end());
  };
  f.driver_version = text(kDriver);
  f.vbios_version = text(kVbios);
  return f;
}

}  // namespace tenzro::tee::nvidia
