#include "plugin/wiring.h"

#include "attestation/simulated/simulated_verifier.h"
#include "attestation/snp/snp_verifier.h"

namespace tenzro::tee::plugin {

std::unique_ptr<AttestationVerifier> BuildVerifier(const Config& config) {
  auto v = std::make_unique<AttestationVerifier>();
  CommonPolicy common;
  common.simulation = config.simulation;
  common.max_age_secs = config.max_age_secs;
  simulated::Policy sim;
  sim.common = common;
  sim.measurements = config.simulated_measurements;
  v->Install(std::make_unique<simulated::SimulatedVerifier>(std::move(sim)));
  v->Install(std::make_unique<snp::SnpVerifier>(config.snp, common));
  // Other vendors (IntelTdx, IntelSgx, AwsNitro, NvidiaGpu) stay
  // UnsupportedVerifier until their issues land.
  return v;
}

}  // namespace tenzro::tee::plugin
