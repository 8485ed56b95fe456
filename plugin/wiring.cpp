#include "plugin/wiring.h"

#include "attestation/nitro/nitro_verifier.h"
#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/simulated/simulated_verifier.h"
#include "attestation/snp/snp_verifier.h"
#include "attestation/tdx/tdx_verifier.h"
#include "plugin/dev_roots.h"

namespace tenzro::tee::plugin {

std::unique_ptr<AttestationVerifier> BuildVerifier(const ChainParams& config) {
  auto v = std::make_unique<AttestationVerifier>();
  CommonPolicy common;
  common.simulation = config.simulation;
  common.max_age_secs = config.max_age_secs;
  simulated::Policy sim;
  sim.common = common;
  sim.measurements = config.simulated_measurements;
  v->Install(std::make_unique<simulated::SimulatedVerifier>(std::move(sim)));
  // The development roots of the simulators are always known to the
  // verifiers, so dev-rooted evidence is named (simulation_disabled) rather
  // than untrusted; they are trusted only when [tee.consensus] simulation = true.
  const std::vector<Hash32> tdx_dev_roots = {kTdxDevRootSha256};
  v->Install(
      std::make_unique<tdx::TdxVerifier>(TeeType::IntelTdx, config.tdx, common, tdx_dev_roots));
  v->Install(
      std::make_unique<tdx::TdxVerifier>(TeeType::IntelSgx, config.tdx, common, tdx_dev_roots));
  v->Install(std::make_unique<snp::SnpVerifier>(config.snp, common));
  nitro::VerifierOptions nitro_options;
  nitro_options.dev_roots = {kNitroDevRootSha256};
  v->Install(std::make_unique<nitro::NitroVerifier>(config.nitro, common, nitro_options));
  nvidia::VerifierOptions nvidia_options;
  nvidia_options.dev_roots = {kNvidiaDevRootSha256};
  nvidia_options.dev_rim_roots = {kNvidiaDevRimRootSha256};
  nvidia_options.dev_nras_jwks = {kNvidiaDevNrasJwksSha256};
  v->Install(std::make_unique<nvidia::NvidiaVerifier>(config.nvidia, common, nvidia_options));
  return v;
}

}  // namespace tenzro::tee::plugin
