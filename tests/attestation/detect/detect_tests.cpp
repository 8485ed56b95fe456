// detect_tee() against fake /dev, configfs-tsm, CPUID and NVML (issue 12).
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <fstream>

#include "attestation/detect/detect.h"
#include "attestation/detect/detect_test_util.h"
#include "attestation/detect/guest_ioctl.h"
#include "attestation/detect/nsm.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using tenzro::tee::testing::FakeDevices;

namespace {

// A CPU whose leaf 0x21 says "IntelTDX    " (EBX, EDX, ECX) or not.
detect::CpuidFn Cpu(bool tdx) {
  return [tdx](uint32_t leaf, uint32_t) -> std::array<uint32_t, 4> {
    if (leaf == 0) return {0x23, 0, 0, 0};
    if (leaf != 0x21 || !tdx) return {0, 0, 0, 0};
    std::array<uint32_t, 4> r{};
    std::memcpy(&r[1], "Inte", 4);
    std::memcpy(&r[3], "lTDX", 4);
    std::memcpy(&r[2], "    ", 4);
    return r;
  };
}

detect::Environment Env(const DeviceIo& io, bool tdx_cpu = false,
                        std::string nvml = "/nonexistent/libnvidia-ml.so.1") {
  detect::Environment e;
  e.io = &io;
  e.cpuid = Cpu(tdx_cpu);
  e.nvml_library = std::move(nvml);
  return e;
}

// A /dev/tdx_guest answering TDX_CMD_GET_REPORT0 with REPORTTYPE.VERSION `v`.
void TdxDevice(FakeDevices& io, uint8_t v) {
  io.OnIoctl(detect::kTdxGuestDevice, [v](unsigned long req, void* arg) -> Result<int> {
    if (req != detect::kTdxCmdGetReport0) return Error(ErrorCode::kInternal, "bad request");
    auto* r = static_cast<detect::TdxReportReq*>(arg);
    r->tdreport[0] = 0x81;  // REPORTTYPE.TYPE: TDX
    r->tdreport[2] = v;
    return 0;
  });
}

// A /dev/sev-guest answering SNP_GET_REPORT with a simulated report, or
// refusing to open (a non-root user).
void SnpDevice(FakeDevices& io, bool permitted) {
  io.OnIoctl(detect::kSevGuestDevice, [permitted](unsigned long req, void* arg) -> Result<int> {
    if (!permitted) return Error(ErrorCode::kInternal, "open /dev/sev-guest: Permission denied");
    if (req != detect::kSnpGetReport) return Error(ErrorCode::kInternal, "bad request");
    auto* g = static_cast<detect::SnpGuestRequestIoctl*>(arg);
    auto* in = reinterpret_cast<detect::SnpReportReq*>(static_cast<uintptr_t>(g->req_data));
    auto* out = reinterpret_cast<detect::SnpReportResp*>(static_cast<uintptr_t>(g->resp_data));
    std::array<uint8_t, 64> rd{};
    std::memcpy(rd.data(), in->user_data, 64);
    const Bytes rep = testing::SimSnpReport(rd);
    const uint32_t size = static_cast<uint32_t>(rep.size());
    std::memset(out->data, 0, 8);
    std::memcpy(out->data + 4, &size, 4);
    std::memcpy(out->data + 0x20, rep.data(), rep.size());
    return 0;
  });
}

std::vector<std::string> Types(const detect::Detection& d) {
  std::vector<std::string> out;
  for (const auto& t : d.tees) out.emplace_back(TeeTypeName(t.type));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(detect_tee)

BOOST_AUTO_TEST_CASE(bare_machine_detects_nothing_and_says_why) {
  FakeDevices io;
  auto d = detect::detect_tee(Env(io));
  BOOST_TEST(d.tees.empty());
  BOOST_TEST(d.absent.size() == 4u);
  for (const auto& a : d.absent) BOOST_TEST(!a.reason.empty());
  BOOST_TEST(!d.tpm);
  BOOST_TEST(d.FirstReady() == nullptr);
}

BOOST_AUTO_TEST_CASE(tdx_through_configfs_device_and_cpuid_is_ready_with_version) {
  FakeDevices io;
  TdxDevice(io, 1);
  io.EnableTsm("tdx_guest", testing::SimTdxQuote, {});
  auto d = detect::detect_tee(Env(io, true));
  BOOST_TEST_REQUIRE(Types(d) == std::vector<std::string>{"IntelTdx"});
  const auto& t = d.tees[0];
  BOOST_TEST(t.ready);
  BOOST_TEST(t.reason.empty());
  BOOST_TEST(t.version == "1.5");
  BOOST_TEST(t.interfaces == (std::vector<std::string>{"/dev/tdx_guest", "configfs-tsm:tdx_guest",
                                                       "cpuid:0x21"}),
             boost::test_tools::per_element());
  BOOST_TEST(d.FirstReady() == &t);
  BOOST_TEST(io.entries_live() == 0, "the probe entry was removed");
}

BOOST_AUTO_TEST_CASE(tdx_report_version_zero_is_tdx_1_0) {
  FakeDevices io;
  TdxDevice(io, 0);
  auto d = detect::detect_tee(Env(io));
  BOOST_REQUIRE(d.Find(TeeType::IntelTdx) != nullptr);
  BOOST_TEST(d.Find(TeeType::IntelTdx)->version == "1.0");
}

BOOST_AUTO_TEST_CASE(tdx_cpuid_alone_is_detected_but_not_ready) {
  FakeDevices io;
  auto d = detect::detect_tee(Env(io, true));
  const auto* t = d.Find(TeeType::IntelTdx);
  BOOST_REQUIRE(t != nullptr);
  BOOST_TEST(!t->ready);
  BOOST_TEST(t->reason.find("configfs-tsm") != std::string::npos);
  BOOST_TEST(t->version.empty());
}

BOOST_AUTO_TEST_CASE(old_device_name_counts) {
  FakeDevices io;
  io.AddNode(detect::kTdxGuestDeviceOld);
  auto d = detect::detect_tee(Env(io));
  BOOST_REQUIRE(d.Find(TeeType::IntelTdx) != nullptr);
  BOOST_TEST(d.Find(TeeType::IntelTdx)->interfaces[0] == "/dev/tdx-guest");
}

BOOST_AUTO_TEST_CASE(other_cpuid_signature_is_not_tdx) {
  FakeDevices io;
  auto env = Env(io);
  env.cpuid = [](uint32_t leaf, uint32_t) -> std::array<uint32_t, 4> {
    if (leaf == 0) return {0x10, 0, 0, 0};  // max leaf below 0x21
    return {0, 0x65746e49, 0x20202020, 0x5844546c};
  };
  BOOST_TEST(detect::detect_tee(env).Find(TeeType::IntelTdx) == nullptr);
}

BOOST_AUTO_TEST_CASE(snp_device_gives_firmware_version) {
  FakeDevices io;
  SnpDevice(io, true);
  auto d = detect::detect_tee(Env(io));
  const auto* t = d.Find(TeeType::AmdSevSnp);
  BOOST_REQUIRE(t != nullptr);
  BOOST_TEST(t->ready);
  BOOST_TEST(t->version == "1.55.40");  // the simulator's default firmware
}

BOOST_AUTO_TEST_CASE(snp_device_without_permission_is_not_ready_and_says_why) {
  FakeDevices io;
  SnpDevice(io, false);
  auto d = detect::detect_tee(Env(io));
  const auto* t = d.Find(TeeType::AmdSevSnp);
  BOOST_REQUIRE(t != nullptr);
  BOOST_TEST(!t->ready);
  BOOST_TEST(t->reason.find("Permission denied") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(snp_configfs_alone_is_ready) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, testing::SimSnpCertTable());
  auto d = detect::detect_tee(Env(io));
  BOOST_TEST_REQUIRE(Types(d) == std::vector<std::string>{"AmdSevSnp"});
  BOOST_TEST(d.tees[0].ready);
  BOOST_TEST(d.tees[0].interfaces == std::vector<std::string>{"configfs-tsm:sev_guest"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(configfs_without_write_access_is_a_reason_not_a_failure) {
  FakeDevices io;
  io.EnableTsm("tdx_guest", testing::SimTdxQuote, {});
  io.FailTsmMkdir(true);
  auto d = detect::detect_tee(Env(io, true));
  const auto* t = d.Find(TeeType::IntelTdx);
  BOOST_REQUIRE(t != nullptr);
  BOOST_TEST(!t->ready);
  BOOST_TEST(t->reason.find("Permission denied") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nitro_and_tpm) {
  FakeDevices io;
  io.AddNode("/dev/nsm");
  io.AddNode("/dev/tpm0");
  auto d = detect::detect_tee(Env(io));
  BOOST_TEST_REQUIRE(Types(d) == std::vector<std::string>{"AwsNitro"});
  BOOST_TEST(d.tees[0].ready);
  BOOST_TEST(d.tpm);
  BOOST_TEST(d.tpm_device == "/dev/tpm0");
  io.AddNode("/dev/tpmrm0");
  BOOST_TEST(detect::detect_tee(Env(io)).tpm_device == "/dev/tpmrm0");
}

BOOST_AUTO_TEST_CASE(nitro_version_from_describe_nsm) {
  // The request is the CBOR text "DescribeNSM" (hand-written here); the
  // answer carries the version among other fields.
  Bytes want;
  testing::CborText(want, "DescribeNSM");
  Bytes resp = {0xA1};
  testing::CborText(resp, "DescribeNSM");
  resp.push_back(0xA4);
  testing::CborText(resp, "version_major");
  resp.push_back(0x01);
  testing::CborText(resp, "version_minor");
  resp.push_back(0x00);
  testing::CborText(resp, "version_patch");
  resp.push_back(0x18);  // uint, one byte follows
  resp.push_back(42);
  testing::CborText(resp, "digest");
  testing::CborText(resp, "SHA384");
  FakeDevices io;
  int calls = 0;
  testing::NsmDevice(io, want, resp, &calls);
  auto d = detect::detect_tee(Env(io));
  BOOST_TEST_REQUIRE(Types(d) == std::vector<std::string>{"AwsNitro"});
  BOOST_TEST(calls == 1);
  BOOST_TEST(d.tees[0].version == "1.0.42");
  BOOST_TEST(d.tees[0].ready);
  // An NSM error or a malformed answer: still ready (the device is there),
  // version unknown.
  Bytes err = {0xA1};
  testing::CborText(err, "Error");
  testing::CborText(err, "InternalError");
  for (const Bytes& bad : {err, Bytes{0xA1}, Bytes{0xA0}}) {
    FakeDevices io2;
    testing::NsmDevice(io2, want, bad, &calls);
    auto d2 = detect::detect_tee(Env(io2));
    BOOST_TEST_REQUIRE(d2.tees.size() == 1u);
    BOOST_TEST(d2.tees[0].version.empty());
    BOOST_TEST(d2.tees[0].ready);
  }
  auto e = detect::DecodeNsmDescribeResponse(AsView(err));
  BOOST_REQUIRE(!e.ok());
  BOOST_TEST(e.status().message().find("InternalError") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nvidia_through_fake_nvml) {
  FakeDevices io;
  testing::FakeNvmlMode mode("cc_on");
  auto d = detect::detect_tee(Env(io, false, testing::FakeNvmlPath()));
  const auto* t = d.Find(TeeType::NvidiaGpu);
  BOOST_REQUIRE(t != nullptr);
  BOOST_TEST(t->ready);
  BOOST_TEST(t->driver_version == "550.54.15");
  BOOST_TEST(t->cc_mode == "on");
  BOOST_REQUIRE(t->gpus.size() == 3u);
  BOOST_TEST(t->gpus[0].arch == "HOPPER");
  BOOST_TEST(t->gpus[0].cc_capable);
  BOOST_TEST(t->gpus[1].arch == "AMPERE");
  BOOST_TEST(!t->gpus[1].cc_capable);
}

BOOST_AUTO_TEST_CASE(nvidia_cc_off_devtools_no_gpu_init_failure) {
  FakeDevices io;
  {
    testing::FakeNvmlMode mode("cc_off");
    const auto d = detect::detect_tee(Env(io, false, testing::FakeNvmlPath()));
    const auto* t = d.Find(TeeType::NvidiaGpu);  // points into d
    BOOST_REQUIRE(t != nullptr);
    BOOST_TEST(!t->ready);
    BOOST_TEST(t->cc_mode == "off");
  }
  {
    testing::FakeNvmlMode mode("devtools");
    auto d = detect::detect_tee(Env(io, false, testing::FakeNvmlPath()));
    BOOST_REQUIRE(d.Find(TeeType::NvidiaGpu) != nullptr);
    BOOST_TEST(!d.Find(TeeType::NvidiaGpu)->ready);
    BOOST_TEST(d.Find(TeeType::NvidiaGpu)->cc_mode == "devtools");
  }
  {
    testing::FakeNvmlMode mode("no_gpu");
    BOOST_TEST(
        detect::detect_tee(Env(io, false, testing::FakeNvmlPath())).Find(TeeType::NvidiaGpu) ==
        nullptr);
  }
  {
    testing::FakeNvmlMode mode("init_fail");
    auto d = detect::detect_tee(Env(io, false, testing::FakeNvmlPath()));
    BOOST_TEST(d.Find(TeeType::NvidiaGpu) == nullptr);
    bool named = false;
    for (const auto& a : d.absent)
      named = named || (a.type == TeeType::NvidiaGpu &&
                        a.reason.find("Driver Not Loaded") != std::string::npos);
    BOOST_TEST(named, "NVML's own error is the reason");
  }
}

BOOST_AUTO_TEST_CASE(nvidia_kernel_module_without_nvml_is_detected_not_ready) {
  FakeDevices io;
  io.AddFile("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module 550\n");
  const auto d = detect::detect_tee(Env(io));
  const auto* t = d.Find(TeeType::NvidiaGpu);
  BOOST_REQUIRE(t != nullptr);
  BOOST_TEST(!t->ready);
  BOOST_TEST(t->reason.find("NVML") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(real_seam_over_a_temp_root) {
  // The production DeviceIo over a directory laid out like / (no root needed).
  testing::TempDir dir;
  std::filesystem::create_directories(dir.Sub("dev"));
  std::ofstream(dir.Sub("dev/nsm")).put('\0');
  std::ofstream(dir.Sub("dev/tpmrm0")).put('\0');
  auto io = SystemDeviceIo(dir.path());
  auto d = detect::detect_tee(Env(*io));
  BOOST_TEST(Types(d) == std::vector<std::string>{"AwsNitro"}, boost::test_tools::per_element());
  BOOST_TEST(d.tpm_device == "/dev/tpmrm0");
}

BOOST_AUTO_TEST_CASE(json_form) {
  FakeDevices io;
  io.AddNode("/dev/nsm");
  io.AddNode("/dev/tpmrm0");
  testing::FakeNvmlMode mode("cc_off");
  auto j = detect::DetectionToJson(detect::detect_tee(Env(io, true, testing::FakeNvmlPath())));
  BOOST_REQUIRE(j["tees"].size() == 3u);
  BOOST_TEST(j["tees"][0]["tee_type"] == "IntelTdx");
  BOOST_TEST(j["tees"][0]["name"] == "Intel TDX");
  BOOST_TEST(j["tees"][0]["ready"] == false);
  BOOST_TEST(j["tees"][0]["reason"].is_string());
  BOOST_TEST(j["tees"][0]["version"].is_null());
  BOOST_TEST(j["tees"][1]["tee_type"] == "AwsNitro");
  BOOST_TEST(j["tees"][1]["reason"].is_null());
  BOOST_TEST(j["tees"][2]["tee_type"] == "NvidiaGpu");
  BOOST_TEST(j["tees"][2]["cc_mode"] == "off");
  BOOST_TEST(j["tees"][2]["gpus"].size() == 3u);
  BOOST_TEST(j["not_detected"].size() == 1u);
  BOOST_TEST(j["not_detected"][0]["tee_type"] == "AmdSevSnp");
  BOOST_TEST(j["tpm"]["present"] == true);
  BOOST_TEST(j["tpm"]["device"] == "/dev/tpmrm0");
}

BOOST_AUTO_TEST_SUITE_END()
