// Builds the verifiers the config asks for: shared by the plugin and the CLI
// so both run the same code under the same policy.
#pragma once

#include <memory>

#include "attestation/verifier.h"
#include "plugin/chain_params.h"

namespace tenzro::tee::plugin {

// Only chain parameters decide what a verifier accepts.
std::unique_ptr<AttestationVerifier> BuildVerifier(const ChainParams& config);

}  // namespace tenzro::tee::plugin
