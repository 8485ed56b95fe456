// Stage 3: Validate(facts, Policy), one case per knob, and the facts' round
// trip through re-evaluation claims; the [tee.consensus.nvidia] table.
#include <boost/test/unit_test.hpp>

#include "attestation/nvidia/validate.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

GpuFacts Hopper() { return GpuFacts{Arch::kHopper, "550.90.07", "96.00.9f.00.01"}; }

FailureCode Judge(const GpuFacts& f, const Policy& p) {
  Verdict v;
  Validate(v, f, p, "GPU 0");
  return v.reason();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_validate)

BOOST_AUTO_TEST_CASE(defaults_accept_any_known_gpu) {
  BOOST_TEST((Judge(Hopper(), Policy{}) == FailureCode::kNone));
  BOOST_TEST((Judge(GpuFacts{Arch::kBlackwell, std::nullopt, std::nullopt}, Policy{}) ==
              FailureCode::kNone));
}

BOOST_AUTO_TEST_CASE(one_case_per_knob) {
  struct Case {
    const char* name;
    void (*set)(Policy&);
    FailureCode want;
  };
  const Case cases[] = {
      {"min driver above",
       [](Policy& p) { p.min_driver_version = ParseDottedVersion("550.90.8", 10); },
       FailureCode::kFirmwareTooOld},
      {"min driver equal",
       [](Policy& p) { p.min_driver_version = ParseDottedVersion("550.90.07", 10); },
       FailureCode::kNone},
      {"min driver below (numeric, not text: 99 < 550)",
       [](Policy& p) { p.min_driver_version = ParseDottedVersion("99.0", 10); },
       FailureCode::kNone},
      {"min vbios above",
       [](Policy& p) { p.min_vbios_version = ParseDottedVersion("96.00.a0", 16); },
       FailureCode::kFirmwareTooOld},
      {"min vbios below",
       [](Policy& p) { p.min_vbios_version = ParseDottedVersion("96.00.5e", 16); },
       FailureCode::kNone},
      {"blackwell only", [](Policy& p) { p.allowed_architectures = {Arch::kBlackwell}; },
       FailureCode::kPolicyViolation},
      {"hopper allowed", [](Policy& p) { p.allowed_architectures = {Arch::kHopper}; },
       FailureCode::kNone},
  };
  for (const auto& c : cases) {
    Policy p;
    c.set(p);
    BOOST_TEST((Judge(Hopper(), p) == c.want), c.name);
  }
  Policy p;
  p.min_driver_version = ParseDottedVersion("1", 10);
  BOOST_TEST(
      (Judge(GpuFacts{Arch::kHopper, std::nullopt, "96"}, p) == FailureCode::kFirmwareTooOld),
      "a minimum with no reported version fails");
}

BOOST_AUTO_TEST_CASE(dotted_versions_parse_strictly) {
  BOOST_TEST(!ParseDottedVersion("", 10));
  BOOST_TEST(!ParseDottedVersion("550..1", 10));
  BOOST_TEST(!ParseDottedVersion("9f", 10));
  BOOST_TEST(!ParseDottedVersion("4294967296", 10));
  BOOST_TEST(DottedVersionText(*ParseDottedVersion("96.00.9F.00.01", 16), 16) == "96.0.9f.0.1");
  BOOST_TEST((*ParseDottedVersion("550.90", 10) < *ParseDottedVersion("550.90.1", 10)));
}

BOOST_AUTO_TEST_CASE(facts_round_trip_through_claims) {
  ClaimSet claims;
  PutFactClaims(Hopper(), "nvidia.gpu0.", claims);
  auto back = FactsFromClaims(claims, "nvidia.gpu0.");
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((*back == Hopper()));
  claims["nvidia.gpu0.arch"] = Bytes{9};
  BOOST_TEST((FactsFromClaims(claims, "nvidia.gpu0.").status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_SUITE_END()
