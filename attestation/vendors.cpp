#include "attestation/vendors.h"

#include <array>

namespace tenzro::tee {

namespace {
struct VendorRow {
  std::string_view name;
  std::string_view option;
};
constexpr std::array<VendorRow, kVendorCount> kVendors = {{
    {"intel-tdx", "TEE_VENDOR_TDX"},
    {"amd-sev-snp", "TEE_VENDOR_SNP"},
    {"aws-nitro", "TEE_VENDOR_NITRO"},
    {"nvidia-gpu", "TEE_VENDOR_NVIDIA"},
}};
}  // namespace

std::string_view VendorName(Vendor v) { return kVendors[static_cast<size_t>(v)].name; }

std::string_view VendorBuildOption(Vendor v) { return kVendors[static_cast<size_t>(v)].option; }

std::optional<Vendor> VendorFromName(std::string_view name) {
  for (size_t i = 0; i < kVendorCount; ++i) {
    if (kVendors[i].name == name) return static_cast<Vendor>(i);
  }
  return std::nullopt;
}

std::string VendorBuiltOutMessage(Vendor v) {
  return "this build has no " + std::string(VendorName(v)) + " (configured with -D" +
         std::string(VendorBuildOption(v)) + "=OFF)";
}

std::vector<std::string_view> VendorSetList(VendorSet s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < kVendorCount; ++i) {
    if ((s & VendorBit(static_cast<Vendor>(i))) != 0) out.push_back(kVendors[i].name);
  }
  return out;
}

std::string VendorSetNames(VendorSet s, std::string_view sep) {
  std::string out;
  for (std::string_view name : VendorSetList(s)) {
    if (!out.empty()) out += sep;
    out += name;
  }
  return out;
}

}  // namespace tenzro::tee
