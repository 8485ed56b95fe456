// Vendors: the seed's feature flags (intel-tdx, amd-sev-snp, aws-nitro,
// nvidia-gpu) as build options and as a chain parameter (issue 13).
//
// Build: -DTEE_VENDOR_TDX=OFF (and _SNP, _NITRO, _NVIDIA) leaves a vendor's
// verifier, parsers, simulator and detection out of every binary. What a
// build holds is kBuiltVendors; code outside the vendor's own folder reaches
// the vendor only under `if constexpr (VendorBuilt(...))`, so a vendor built
// out is never linked (an odr-use in a discarded statement needs no
// definition).
//
// Chain: [tee.consensus] vendors lists the vendors whose evidence the chain
// trusts (default: all four). A type whose vendor is not listed answers
// `unsupported` on every node, and a consensus node whose build lacks a
// listed vendor refuses to open: it could not decide like its peers.
//
// intel-tdx covers both Intel types (IntelTdx, IntelSgx): one DCAP verifier.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attestation/tee_type.h"

#ifndef TENZRO_TEE_VENDOR_TDX
#define TENZRO_TEE_VENDOR_TDX 1
#endif
#ifndef TENZRO_TEE_VENDOR_SNP
#define TENZRO_TEE_VENDOR_SNP 1
#endif
#ifndef TENZRO_TEE_VENDOR_NITRO
#define TENZRO_TEE_VENDOR_NITRO 1
#endif
#ifndef TENZRO_TEE_VENDOR_NVIDIA
#define TENZRO_TEE_VENDOR_NVIDIA 1
#endif

namespace tenzro::tee {

enum class Vendor : uint8_t { kIntelTdx = 0, kAmdSevSnp = 1, kAwsNitro = 2, kNvidiaGpu = 3 };
inline constexpr size_t kVendorCount = 4;

// A set of vendors: bit (1 << Vendor).
using VendorSet = uint8_t;
inline constexpr VendorSet VendorBit(Vendor v) {
  return static_cast<VendorSet>(1u << static_cast<unsigned>(v));
}
inline constexpr VendorSet kAllVendors = 0x0f;

inline constexpr VendorSet kBuiltVendors =
    static_cast<VendorSet>((TENZRO_TEE_VENDOR_TDX ? VendorBit(Vendor::kIntelTdx) : 0) |
                           (TENZRO_TEE_VENDOR_SNP ? VendorBit(Vendor::kAmdSevSnp) : 0) |
                           (TENZRO_TEE_VENDOR_NITRO ? VendorBit(Vendor::kAwsNitro) : 0) |
                           (TENZRO_TEE_VENDOR_NVIDIA ? VendorBit(Vendor::kNvidiaGpu) : 0));

inline constexpr bool VendorBuilt(Vendor v) { return (kBuiltVendors & VendorBit(v)) != 0; }

// The vendor whose verifier decides a type; nullopt for None and Simulated.
inline constexpr std::optional<Vendor> VendorOf(TeeType t) {
  switch (t) {
    case TeeType::IntelTdx:
    case TeeType::IntelSgx:
      return Vendor::kIntelTdx;
    case TeeType::AmdSevSnp:
      return Vendor::kAmdSevSnp;
    case TeeType::AwsNitro:
      return Vendor::kAwsNitro;
    case TeeType::NvidiaGpu:
      return Vendor::kNvidiaGpu;
    case TeeType::None:
    case TeeType::Simulated:
      break;
  }
  return std::nullopt;
}

// The seed's feature-flag names: "intel-tdx", "amd-sev-snp", "aws-nitro",
// "nvidia-gpu".
std::string_view VendorName(Vendor v);
std::optional<Vendor> VendorFromName(std::string_view name);
// The CMake option that builds a vendor in or out ("TEE_VENDOR_TDX", ...).
std::string_view VendorBuildOption(Vendor v);
// "this build has no intel-tdx (configured with -DTEE_VENDOR_TDX=OFF)".
std::string VendorBuiltOutMessage(Vendor v);
// The names of a set, in Vendor order; joined by `sep`.
std::vector<std::string_view> VendorSetList(VendorSet s);
std::string VendorSetNames(VendorSet s, std::string_view sep = ",");

}  // namespace tenzro::tee
