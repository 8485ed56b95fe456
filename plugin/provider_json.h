// The JSON of a provider's current verdict (issue 15): the ABI's
// verify_provider_attestation and the CLI's `provider verify`. JSON exists
// only at the edges.
#pragma once

#include <nlohmann/json.hpp>

#include "consensus_hooks/hooks.h"

namespace tenzro::tee::plugin {

// {"provider_id", "model_id", "model_hash", "at", "valid", "reason", "status",
//  "valid_until", "registered_epoch", "verified_at_epoch", "signatures_rechecked": false,
//  "evidence": [{"tee_type", "evidence_hash", "valid", "reason", "message",
//                "valid_until"}]}
nlohmann::json ProviderCheckToJson(const consensus::ProviderCheck& c);

}  // namespace tenzro::tee::plugin
