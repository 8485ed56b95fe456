// Helpers of the Nitro tests: verifiers over the simulator's dev root, and
// documents made by the simulator.
#pragma once

#include <cstdint>
#include <memory>

#include "attestation/nitro/nitro_verifier.h"
#include "attestation/nitro/sim/document_builder.h"

namespace tenzro::tee::nitro::testutil {

// 2026-01-01T00:00:00Z, the simulator's default document time.
inline constexpr uint64_t kDocTime = 1'767'225'600;

// A verifier that knows the simulator's dev root; simulation on unless said.
std::unique_ptr<NitroVerifier> DevVerifier(Policy policy = {}, bool simulation = true);

// A simulator document; aborts the test (BOOST_REQUIRE) when it cannot be made.
Bytes MakeDoc(const sim::DocumentSpec& spec = {});

Verdict VerifyAt(const NitroVerifier& v, ByteView doc, uint64_t now,
                 const std::optional<BindingInput>& binding = std::nullopt,
                 const std::optional<Bytes>& expected_nonce = std::nullopt);

}  // namespace tenzro::tee::nitro::testutil
