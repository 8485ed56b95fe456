// TDX and SNP evidence generated over fake configfs-tsm (the simulators
// playing the hardware) registers attested through the C ABI, loaded with
// dlopen as a node does, with [tee.consensus] simulation = true; with
// simulation off the same evidence is refused (DESIGN §8). The ABI's own
// detect and generate_evidence entries are checked here too.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "abi/tenzro_tee.h"
#include "attestation/detect/detect_test_util.h"
#include "attestation/detect/provider.h"
#include "attestation/tdx/sim/scenario.h"
#include "support/abi_module.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using tenzro::tee::testing::FakeDevices;

namespace {

constexpr uint64_t kNow = tdx::sim::kSimNow;

// The module and one handle on it, closed before the module is unloaded.
class Module {
 public:
  Module() : module_(TEE_MODULE_PATH) {}
  ~Module() {
    if (h_ != nullptr) api().close(h_);
  }
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  tee_handle* Open(const testing::TempDir& dir, bool simulation) {
    const std::string cfg = dir.Sub("node.toml");
    std::ofstream(cfg) << "[tee]\ndb_path = \"" << dir.Sub("db") << "\"\nlog_level = \"off\"\n"
                       << "[tee.consensus]\nsimulation = " << (simulation ? "true" : "false")
                       << "\n";
    BOOST_REQUIRE_MESSAGE(api().open(cfg.c_str(), nullptr, &h_) == TEE_OK,
                          api().last_error(nullptr));
    return h_;
  }
  const tee_api& api() const { return module_.api(); }

 private:
  testing::AbiModule module_;
  tee_handle* h_ = nullptr;
};

std::array<uint8_t, 32> Stake() {
  std::array<uint8_t, 32> s{};
  s[31] = 100;
  return s;
}

tee_register_result Register(const Module& m, tee_handle* h, int32_t type, const BindingInput& in,
                             const Bytes& evidence) {
  tee_register_result r{};
  const auto stake = Stake();
  BOOST_REQUIRE_MESSAGE(
      m.api().register_validator(h, in.validator_id.data(), stake.data(), type, evidence.data(),
                                 evidence.size(), in.challenge.data(), kNow, &r) == TEE_OK,
      m.api().last_error(h));
  return r;
}

void AdmitTdxCollateral(const Module& m, tee_handle* h) {
  auto blobs = tdx::sim::SimulateCollateral(true, kNow);
  BOOST_REQUIRE(blobs.ok());
  for (const auto& b : *blobs) {
    BOOST_REQUIRE_MESSAGE(
        m.api().submit_collateral(h, TEE_TYPE_INTEL_TDX, b.data(), b.size(), kNow) == TEE_OK,
        m.api().last_error(h));
  }
}

Bytes GenerateTdx(const BindingInput& in) {
  FakeDevices io;
  io.EnableTsm("tdx_guest", testing::SimTdxQuote, {});
  io.InjectConcurrentWriters(1);  // the retried exchange must still be ours
  detect::Environment env;
  env.io = &io;
  auto ev = GenerateEvidence(TeeType::IntelTdx, in, env);
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  return std::move(*ev);
}

Bytes GenerateSnp(const BindingInput& in) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, testing::SimSnpCertTable());
  detect::Environment env;
  env.io = &io;
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, in, env);
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  return std::move(*ev);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(generate_abi)

BOOST_AUTO_TEST_CASE(tdx_generated_evidence_registers_attested) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  AdmitTdxCollateral(m, h);
  const BindingInput in{testing::IdFromLabel("tdx-node"), testing::HashFromLabel("epoch-7")};
  auto r = Register(m, h, TEE_TYPE_INTEL_TDX, in, GenerateTdx(in));
  BOOST_TEST(r.attested == 1);
  BOOST_TEST(r.reason == TEE_FAIL_NONE);
  // Bound to its key: another validator presenting it is not attested.
  const BindingInput other{testing::IdFromLabel("thief"), in.challenge};
  auto r2 = Register(m, h, TEE_TYPE_INTEL_TDX, other, GenerateTdx(in));
  BOOST_TEST(r2.attested == 0);
  BOOST_TEST(r2.reason == TEE_FAIL_BINDING_MISMATCH);
}

BOOST_AUTO_TEST_CASE(snp_generated_evidence_registers_attested) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  const BindingInput in{testing::IdFromLabel("snp-node"), testing::HashFromLabel("epoch-7")};
  auto r = Register(m, h, TEE_TYPE_AMD_SEV_SNP, in, GenerateSnp(in));
  BOOST_TEST(r.attested == 1);
  BOOST_TEST(r.reason == TEE_FAIL_NONE);
  // Another challenge: the binding no longer matches.
  const BindingInput later{in.validator_id, testing::HashFromLabel("epoch-8")};
  auto r2 = Register(m, h, TEE_TYPE_AMD_SEV_SNP, later, GenerateSnp(in));
  BOOST_TEST(r2.attested == 0);
  BOOST_TEST(r2.reason == TEE_FAIL_BINDING_MISMATCH);
}

BOOST_AUTO_TEST_CASE(snp_ioctl_fallback_evidence_registers_attested) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  const BindingInput in{testing::IdFromLabel("snp-ioctl-node"), testing::HashFromLabel("epoch-7")};
  FakeDevices io;  // no configfs-tsm: /dev/sev-guest only
  int calls = 0;
  testing::SnpExtReportDevice(io, 5 * 4096, &calls);
  detect::Environment env;
  env.io = &io;
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, in, env);
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  auto r = Register(m, h, TEE_TYPE_AMD_SEV_SNP, in, *ev);
  BOOST_TEST(r.attested == 1);
}

BOOST_AUTO_TEST_CASE(simulated_hardware_is_not_trusted_with_simulation_off) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, false);
  const BindingInput in{testing::IdFromLabel("snp-node"), testing::HashFromLabel("epoch-7")};
  auto r = Register(m, h, TEE_TYPE_AMD_SEV_SNP, in, GenerateSnp(in));
  BOOST_TEST(r.attested == 0);
  BOOST_TEST(r.reason != TEE_FAIL_NONE);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(abi_detect_generate)

BOOST_AUTO_TEST_CASE(detect_json_from_the_table) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, false);
  BOOST_TEST(m.api().abi_version == 2u);
  char* json = nullptr;
  size_t len = 0;
  BOOST_REQUIRE(m.api().detect(h, &json, &len) == TEE_OK);
  BOOST_REQUIRE(json != nullptr);
  auto j = nlohmann::json::parse(std::string(json, len));
  m.api().free(json);
  BOOST_TEST(j["tees"].is_array());
  BOOST_TEST(j["not_detected"].is_array());
  // Every type is either detected or not detected, with a reason.
  BOOST_TEST(j["tees"].size() + j["not_detected"].size() == 4u);
  BOOST_TEST(j["tpm"]["present"].is_boolean());
  BOOST_TEST(m.api().detect(h, nullptr, &len) == TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(m.api().detect(nullptr, &json, &len) == TEE_ERR_INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(generate_evidence_arguments_and_missing_hardware) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, false);
  const auto id = testing::IdFromLabel("v");
  const auto ch = testing::HashFromLabel("c");
  uint8_t* out = nullptr;
  size_t len = 0;
  const auto& api = m.api();
  BOOST_TEST(api.generate_evidence(h, TEE_TYPE_INTEL_TDX, nullptr, ch.data(), 0, &out, &len) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.generate_evidence(h, TEE_TYPE_INTEL_TDX, id.data(), nullptr, 0, &out, &len) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.generate_evidence(h, TEE_TYPE_INTEL_TDX, id.data(), ch.data(), 0, nullptr, &len) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.generate_evidence(h, 99, id.data(), ch.data(), 0, &out, &len) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.generate_evidence(h, TEE_TYPE_NONE, id.data(), ch.data(), 0, &out, &len) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.generate_evidence(h, TEE_TYPE_INTEL_SGX, id.data(), ch.data(), 0, &out, &len) ==
             TEE_ERR_UNSUPPORTED);
  // Simulated needs simulation on, as simulate_evidence does.
  BOOST_TEST(api.generate_evidence(h, TEE_TYPE_SIMULATED, id.data(), ch.data(), kNow, &out, &len) ==
             TEE_ERR_SIMULATION_DISABLED);
  // The hardware types on this machine: whatever detect says is absent
  // must fail with a reason, never produce bytes.
  char* json = nullptr;
  BOOST_REQUIRE(api.detect(h, &json, &len) == TEE_OK);
  auto j = nlohmann::json::parse(std::string(json));
  api.free(json);
  const std::map<std::string, int32_t> types = {{"IntelTdx", TEE_TYPE_INTEL_TDX},
                                                {"AmdSevSnp", TEE_TYPE_AMD_SEV_SNP},
                                                {"AwsNitro", TEE_TYPE_AWS_NITRO},
                                                {"NvidiaGpu", TEE_TYPE_NVIDIA_GPU}};
  for (const auto& a : j["not_detected"]) {
    const int32_t t = types.at(a["tee_type"].get<std::string>());
    out = nullptr;
    const int32_t st = api.generate_evidence(h, t, id.data(), ch.data(), 0, &out, &len);
    BOOST_TEST_CONTEXT(a["tee_type"]) {
      BOOST_TEST((st == TEE_ERR_NOT_FOUND || st == TEE_ERR_UNSUPPORTED));
      BOOST_TEST(out == nullptr);
      BOOST_TEST(std::strlen(api.last_error(h)) > 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(simulated_generation_renews_a_record) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  const BindingInput in{testing::IdFromLabel("sim-node"), testing::HashFromLabel("epoch-1")};
  uint8_t* out = nullptr;
  size_t len = 0;
  BOOST_REQUIRE(m.api().generate_evidence(h, TEE_TYPE_SIMULATED, in.validator_id.data(),
                                          in.challenge.data(), kNow, &out, &len) == TEE_OK);
  Bytes ev(out, out + len);
  m.api().free(out);
  auto r = Register(m, h, TEE_TYPE_SIMULATED, in, ev);
  BOOST_TEST(r.attested == 1);
}

BOOST_AUTO_TEST_SUITE_END()
