#include "plugin/wiring.h"

#include <string>

#include "attestation/nitro/nitro_verifier.h"
#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/simulated/simulated_verifier.h"
#include "attestation/snp/snp_verifier.h"
#include "attestation/tdx/tdx_verifier.h"
#include "attestation/vendors.h"
#include "plugin/dev_roots.h"

namespace tenzro::tee::plugin {

Status CheckVendorsBuilt(const ChainParams& config, std::string_view origin) {
  const auto missing = static_cast<VendorSet>(config.vendors & ~kBuiltVendors);
  if (missing == 0) return Status::Ok();
  return Error(ErrorCode::kConfig,
               std::string(origin) + ": tee.consensus.vendors: the chain trusts " +
                   VendorSetNames(missing, ", ") +
                   ", which this build of tenzro-tee lacks (built with " +
                   VendorSetNames(kBuiltVendors, ", ") + "); use a build with every listed vendor");
}

std::unique_ptr<AttestationVerifier> BuildVerifier(const ChainParams& config) {
  auto v = std::make_unique<AttestationVerifier>();
  CommonPolicy common;
  common.simulation = config.simulation;
  common.max_age_secs = config.max_age_secs;
  simulated::Policy sim;
  sim.common = common;
  sim.measurements = config.simulated_measurements;
  v->Install(std::make_unique<simulated::SimulatedVerifier>(std::move(sim)));
  // A type whose vendor is built out, or not listed by the chain, answers
  // `unsupported` and its records are demoted at the next epoch.
  const auto active = [&](Vendor vendor, TeeType type) -> bool {
    if (!VendorBuilt(vendor)) {
      v->Install(std::make_unique<UnsupportedVerifier>(
          type, "is not built in: " + VendorBuiltOutMessage(vendor)));
      return false;
    }
    if ((config.vendors & VendorBit(vendor)) == 0) {
      v->Install(std::make_unique<UnsupportedVerifier>(
          type,
          "is off: [tee.consensus] vendors does not list " + std::string(VendorName(vendor))));
      return false;
    }
    return true;
  };
  // The development roots of the simulators are always known to the
  // verifiers, so dev-rooted evidence is named (simulation_disabled) rather
  // than untrusted; they are trusted only when [tee.consensus] simulation = true.
  // (The installs sit in discarded statements when a vendor is built out,
  // so its verifier is not linked.)
  for (TeeType type : {TeeType::IntelTdx, TeeType::IntelSgx}) {
    if (!active(Vendor::kIntelTdx, type)) continue;
    if constexpr (VendorBuilt(Vendor::kIntelTdx)) {
      const std::vector<Hash32> tdx_dev_roots = {kTdxDevRootSha256};
      v->Install(std::make_unique<tdx::TdxVerifier>(type, config.tdx, common, tdx_dev_roots));
    }
  }
  if (active(Vendor::kAmdSevSnp, TeeType::AmdSevSnp)) {
    if constexpr (VendorBuilt(Vendor::kAmdSevSnp)) {
      v->Install(std::make_unique<snp::SnpVerifier>(config.snp, common));
    }
  }
  if (active(Vendor::kAwsNitro, TeeType::AwsNitro)) {
    if constexpr (VendorBuilt(Vendor::kAwsNitro)) {
      nitro::VerifierOptions nitro_options;
      nitro_options.dev_roots = {kNitroDevRootSha256};
      v->Install(std::make_unique<nitro::NitroVerifier>(config.nitro, common, nitro_options));
    }
  }
  if (active(Vendor::kNvidiaGpu, TeeType::NvidiaGpu)) {
    if constexpr (VendorBuilt(Vendor::kNvidiaGpu)) {
      nvidia::VerifierOptions nvidia_options;
      nvidia_options.dev_roots = {kNvidiaDevRootSha256};
      nvidia_options.dev_rim_roots = {kNvidiaDevRimRootSha256};
      nvidia_options.dev_nras_jwks = {kNvidiaDevNrasJwksSha256};
      v->Install(std::make_unique<nvidia::NvidiaVerifier>(config.nvidia, common, nvidia_options));
    }
  }
  return v;
}

}  // namespace tenzro::tee::plugin
