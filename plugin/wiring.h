// Builds the verifiers the config asks for: shared by the plugin and the CLI
// so both run the same code under the same policy.
#pragma once

#include <memory>

#include "attestation/verifier.h"
#include "plugin/config.h"

namespace tenzro::tee::plugin {

std::unique_ptr<AttestationVerifier> BuildVerifier(const Config& config);

}  // namespace tenzro::tee::plugin
