// Builds the verifiers the config asks for: shared by the plugin and the CLI
// so both run the same code under the same policy.
#pragma once

#include <memory>
#include <string_view>

#include "attestation/verifier.h"
#include "core/status.h"
#include "plugin/chain_params.h"

namespace tenzro::tee::plugin {

// Only chain parameters decide what a verifier accepts.
// A vendor built out or not listed by [tee.consensus] vendors answers
// `unsupported` (attestation/vendors.h).
std::unique_ptr<AttestationVerifier> BuildVerifier(const ChainParams& config);
// kConfig, naming them, when the chain lists vendors this build lacks: a
// node (and `serve` beside it) would answer `unsupported` where its peers
// verify, so it refuses to open instead.
Status CheckVendorsBuilt(const ChainParams& config, std::string_view origin);

}  // namespace tenzro::tee::plugin
