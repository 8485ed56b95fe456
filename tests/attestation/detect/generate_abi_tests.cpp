// Evidence generated over fake devices (configfs-tsm, /dev/sev-guest,
// /dev/nsm, the fake libnvidia-ml.so.1), with the simulators playing the
// hardware, registers attested through the C ABI, loaded with dlopen as a
// node does, with [tee.consensus] simulation = true; with simulation off the
// same evidence is refused (DESIGN §8). So does the evidence of simulated
// generation (detect/sim, what attest --simulate writes) for every type. The
// ABI's own detect and generate_evidence entries are checked here too.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "abi/tenzro_tee.h"
#include "attestation/detect/detect_test_util.h"
#include "attestation/detect/provider.h"
#include "attestation/detect/sim/simulate.h"
#include "attestation/nitro/document.h"
#include "attestation/nvidia/evidence_json.h"
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

// Attested exactly when `want` is TEE_FAIL_NONE, with `want` as the reason.
void Expect(const tee_register_result& r, int32_t want) {
  BOOST_TEST(r.attested == (want == TEE_FAIL_NONE ? 1 : 0));
  BOOST_TEST(r.reason == want);
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

Bytes GenerateNitro(const BindingInput& in, const BindingInput& document_for) {
  FakeDevices io;
  int calls = 0;
  const auto b = ComputeBinding(in);
  const auto d = ComputeBinding(document_for);
  testing::SimulatedNsmDevice(io, Bytes(b.begin(), b.end()), Bytes(d.begin(), d.end()), kNow,
                              &calls);
  detect::Environment env;
  env.io = &io;
  auto ev = GenerateEvidence(TeeType::AwsNitro, in, env);
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  BOOST_TEST(calls == 1);
  return std::move(*ev);
}

// generate_evidence through the table, for NVIDIA: the module dlopens
// "libnvidia-ml.so.1", which is the fake NVML that SimulatedNvmlGpus holds
// loaded (found by its soname), its H100s played by the NVIDIA simulator.
Bytes AbiGenerateNvidia(const Module& m, tee_handle* h, const BindingInput& in) {
  uint8_t* out = nullptr;
  size_t len = 0;
  BOOST_REQUIRE_MESSAGE(m.api().generate_evidence(h, TEE_TYPE_NVIDIA_GPU, in.validator_id.data(),
                                                  in.challenge.data(), 0, &out, &len) == TEE_OK,
                        m.api().last_error(h));
  Bytes ev(out, out + len);
  m.api().free(out);
  return ev;
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
  Expect(Register(m, h, TEE_TYPE_INTEL_TDX, in, GenerateTdx(in)), TEE_FAIL_NONE);
  // Bound to its key: another validator presenting it is not attested.
  const BindingInput other{testing::IdFromLabel("thief"), in.challenge};
  Expect(Register(m, h, TEE_TYPE_INTEL_TDX, other, GenerateTdx(in)), TEE_FAIL_BINDING_MISMATCH);
}

BOOST_AUTO_TEST_CASE(snp_generated_evidence_registers_attested) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  const BindingInput in{testing::IdFromLabel("snp-node"), testing::HashFromLabel("epoch-7")};
  Expect(Register(m, h, TEE_TYPE_AMD_SEV_SNP, in, GenerateSnp(in)), TEE_FAIL_NONE);
  // Another challenge: the binding no longer matches.
  const BindingInput later{in.validator_id, testing::HashFromLabel("epoch-8")};
  Expect(Register(m, h, TEE_TYPE_AMD_SEV_SNP, later, GenerateSnp(in)), TEE_FAIL_BINDING_MISMATCH);
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

BOOST_AUTO_TEST_CASE(nitro_generated_evidence_registers_attested) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  const BindingInput in{testing::IdFromLabel("nitro-node"), testing::HashFromLabel("epoch-7")};
  Expect(Register(m, h, TEE_TYPE_AWS_NITRO, in, GenerateNitro(in, in)), TEE_FAIL_NONE);
  // Bound to its key: another validator presenting it is not attested.
  const BindingInput other{testing::IdFromLabel("thief"), in.challenge};
  Expect(Register(m, h, TEE_TYPE_AWS_NITRO, other, GenerateNitro(in, in)),
         TEE_FAIL_BINDING_MISMATCH);
}

BOOST_AUTO_TEST_CASE(nvidia_evidence_from_the_abi_registers_attested) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, true);
  testing::FakeNvmlMode mode("cc_on");
  testing::SimulatedNvmlGpus gpus;
  const BindingInput in{testing::IdFromLabel("gpu-node"), testing::HashFromLabel("epoch-7")};
  const Bytes ev = AbiGenerateNvidia(m, h, in);
  BOOST_TEST(gpus.reports() == 2);  // both H100s, through the module's own dlopen
  Expect(Register(m, h, TEE_TYPE_NVIDIA_GPU, in, ev), TEE_FAIL_NONE);
  // Another challenge: the request nonce is not binding[0..32) (the NVIDIA
  // verifier names it a nonce mismatch).
  const BindingInput later{in.validator_id, testing::HashFromLabel("epoch-8")};
  Expect(Register(m, h, TEE_TYPE_NVIDIA_GPU, later, AbiGenerateNvidia(m, h, in)),
         TEE_FAIL_NONCE_MISMATCH);
}

BOOST_AUTO_TEST_CASE(simulated_hardware_is_not_trusted_with_simulation_off) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, false);
  const BindingInput in{testing::IdFromLabel("node"), testing::HashFromLabel("epoch-7")};
  Expect(Register(m, h, TEE_TYPE_AMD_SEV_SNP, in, GenerateSnp(in)), TEE_FAIL_SIMULATION_DISABLED);
  Expect(Register(m, h, TEE_TYPE_AWS_NITRO, in, GenerateNitro(in, in)),
         TEE_FAIL_SIMULATION_DISABLED);
  testing::FakeNvmlMode mode("cc_on");
  testing::SimulatedNvmlGpus gpus;
  Expect(Register(m, h, TEE_TYPE_NVIDIA_GPU, in, AbiGenerateNvidia(m, h, in)),
         TEE_FAIL_SIMULATION_DISABLED);
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

// Simulated generation (detect/sim: what attest --simulate and
// TENZRO_SIMULATE_* write) for every hardware type: attested where
// simulation is on, simulation_disabled where it is off (DESIGN §8), and
// bound to its validator key.
BOOST_AUTO_TEST_SUITE(simulated_generation)

namespace {
struct TypeCase {
  TeeType type;
  int32_t abi;
  int32_t mismatch;  // the reason of evidence bound to another key
};
// NVIDIA's verifier names a request nonce other than binding[0..32) a nonce
// mismatch; the others a binding mismatch.
constexpr TypeCase kTypes[] = {
    {TeeType::IntelTdx, TEE_TYPE_INTEL_TDX, TEE_FAIL_BINDING_MISMATCH},
    {TeeType::AmdSevSnp, TEE_TYPE_AMD_SEV_SNP, TEE_FAIL_BINDING_MISMATCH},
    {TeeType::AwsNitro, TEE_TYPE_AWS_NITRO, TEE_FAIL_BINDING_MISMATCH},
    {TeeType::NvidiaGpu, TEE_TYPE_NVIDIA_GPU, TEE_FAIL_NONCE_MISMATCH}};

detect::sim::SimulatedEvidence Simulate(TeeType t, const BindingInput& in) {
  auto ev = detect::sim::SimulateEvidence(t, in, kNow);
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  return std::move(*ev);
}

// Registers `ev` for `who` on a fresh handle, its collateral submitted first.
tee_register_result RegisterFresh(bool simulation, const TypeCase& t,
                                  const detect::sim::SimulatedEvidence& ev,
                                  const BindingInput& who) {
  testing::TempDir dir;
  Module m;
  tee_handle* h = m.Open(dir, simulation);
  for (const auto& c : ev.collateral) {
    // With simulation off the development collateral may be refused: the
    // verdict then says why, which is what the test checks.
    (void)m.api().submit_collateral(h, t.abi, c.data(), c.size(), kNow);
  }
  return Register(m, h, t.abi, who, ev.evidence);
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_type_attested_with_simulation_on_refused_off) {
  for (const auto& t : kTypes) {
    BOOST_TEST_CONTEXT(TeeTypeName(t.type)) {
      const BindingInput in{testing::IdFromLabel("sim-gen"), testing::HashFromLabel("epoch-3")};
      const auto ev = Simulate(t.type, in);
      Expect(RegisterFresh(true, t, ev, in), TEE_FAIL_NONE);
      Expect(RegisterFresh(false, t, ev, in), TEE_FAIL_SIMULATION_DISABLED);
      const BindingInput thief{testing::IdFromLabel("thief"), in.challenge};
      Expect(RegisterFresh(true, t, ev, thief), t.mismatch);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_binding_is_where_each_verifier_looks) {
  const BindingInput in{testing::IdFromLabel("v"), testing::HashFromLabel("c")};
  const auto b = ComputeBinding(in);
  // Nitro: the document's nonce is the binding.
  auto doc = nitro::ParseDocument(AsView(Simulate(TeeType::AwsNitro, in).evidence));
  BOOST_REQUIRE(doc.ok());
  BOOST_TEST((doc->nonce == std::optional<Bytes>(Bytes(b.begin(), b.end()))));
  BOOST_TEST(doc->timestamp_ms == kNow * 1000);
  // NVIDIA: the request nonce is binding[0..32), the chain inside.
  auto gpu = nvidia::ParseSerializedEvidence(AsView(Simulate(TeeType::NvidiaGpu, in).evidence));
  BOOST_REQUIRE(gpu.ok());
  BOOST_REQUIRE(gpu->gpus.size() == 1u);
  BOOST_TEST(
      std::equal(gpu->gpus[0].report.nonce.begin(), gpu->gpus[0].report.nonce.end(), b.begin()));
  BOOST_TEST(!gpu->gpus[0].certificate_pem.empty());
  // A fresh responder nonce per report: two generations are two pieces of
  // evidence (as two answers of one GPU are).
  auto again = nvidia::ParseSerializedEvidence(AsView(Simulate(TeeType::NvidiaGpu, in).evidence));
  BOOST_REQUIRE(again.ok());
  BOOST_TEST((again->gpus[0].report.responder_nonce != gpu->gpus[0].report.responder_nonce));
  BOOST_TEST((again->gpus[0].report.nonce == gpu->gpus[0].report.nonce));
  // Types without a simulated generator.
  for (TeeType t : {TeeType::None, TeeType::IntelSgx, TeeType::Simulated}) {
    auto ev = detect::sim::SimulateEvidence(t, in, kNow);
    BOOST_REQUIRE(!ev.ok());
    BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kUnsupported));
  }
}

BOOST_AUTO_TEST_SUITE_END()
