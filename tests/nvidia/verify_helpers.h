// Helpers shared by the NVIDIA verifier's simulator tests.
#pragma once

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

#include "attestation/nvidia/nvidia_verifier.h"

namespace tenzro::tee::nvidia::sim_tests {

// One verification of `evidence` over `set`; the Result must be ok.
inline Verdict VerifyOnce(const NvidiaVerifier& v, ByteView evidence, const CollateralSet& set,
                          uint64_t now, std::optional<BindingInput> binding,
                          std::optional<uint64_t> evidence_time = std::nullopt) {
  VerifyRequest req;
  req.evidence = evidence;
  req.collateral = &set;
  req.now = now;
  req.evidence_time = evidence_time;
  req.binding = binding;
  auto verdict = v.Verify(req);
  BOOST_REQUIRE(verdict.ok());
  return *verdict;
}

// Every failure carries `want` (one code, however many objects it names).
inline void ExpectAlone(const Verdict& v, FailureCode want, const std::string& name) {
  BOOST_TEST_CONTEXT(name << ": " << VerdictToJson(v).dump()) {
    BOOST_TEST(!v.failures.empty());
    for (const auto& f : v.failures) BOOST_TEST((f.code == want), f.message);
  }
}

}  // namespace tenzro::tee::nvidia::sim_tests
