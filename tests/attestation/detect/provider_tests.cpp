// Evidence generation (issue 12): configfs-tsm, the guest device ioctls, the
// NSM request/response and NVML, each against a fake that plays the device
// with the project's simulators behind it. The bytes asked for and returned
// are checked; TDX/SNP round trips through register_validator are in
// generate_abi_tests.cpp.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "attestation/detect/configfs_tsm.h"
#include "attestation/detect/detect_test_util.h"
#include "attestation/detect/guest_ioctl.h"
#include "attestation/detect/nsm.h"
#include "attestation/detect/provider.h"
#include "attestation/nitro/document.h"
#include "attestation/nvidia/evidence_json.h"
#include "attestation/snp/report_format.h"
#include "crypto/base64.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using tenzro::tee::testing::FakeDevices;

namespace {

BindingInput Input() {
  return {testing::IdFromLabel("node12-validator"), testing::HashFromLabel("node12-challenge")};
}

Bytes Cat(const Bytes& a, const Bytes& b) {
  Bytes o = a;
  o.insert(o.end(), b.begin(), b.end());
  return o;
}

detect::Environment Env(const DeviceIo& io) {
  detect::Environment e;
  e.io = &io;
  e.nvml_library = testing::FakeNvmlPath();
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(configfs_tsm)

BOOST_AUTO_TEST_CASE(writes_the_inblob_reads_both_blobs_and_removes_the_entry) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, testing::SimSnpCertTable());
  const auto binding = ComputeBinding(Input());
  auto r = detect::TsmGetReport(io, "sev_guest", binding);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.status().ToString()));
  BOOST_TEST(r->attempts == 1u);
  BOOST_TEST(r->outblob == testing::SimSnpReport(binding));
  BOOST_TEST(r->auxblob == testing::SimSnpCertTable());
  BOOST_REQUIRE(io.inblobs_written().size() == 1u);
  BOOST_TEST(io.inblobs_written()[0] == binding);
  BOOST_TEST(io.entries_created() == 1);
  BOOST_TEST(io.entries_live() == 0);
}

BOOST_AUTO_TEST_CASE(a_concurrent_writer_forces_a_retry) {
  FakeDevices io;
  io.EnableTsm("tdx_guest", testing::SimTdxQuote, {});
  io.InjectConcurrentWriters(1);
  const auto binding = ComputeBinding(Input());
  auto r = detect::TsmGetReport(io, "tdx_guest", binding);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->attempts == 2u);
  BOOST_TEST(r->outblob == testing::SimTdxQuote(binding), "the blob of our own write, not theirs");
  BOOST_TEST(io.entries_created() == 2);
  BOOST_TEST(io.entries_live() == 0);
}

BOOST_AUTO_TEST_CASE(a_writer_every_time_is_an_error_not_foreign_evidence) {
  FakeDevices io;
  io.EnableTsm("tdx_guest", testing::SimTdxQuote, {});
  io.InjectConcurrentWriters(100);
  auto r = detect::TsmGetReport(io, "tdx_guest", ComputeBinding(Input()));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("generation") != std::string::npos);
  BOOST_TEST(io.entries_created() == 3);
  BOOST_TEST(io.entries_live() == 0);
}

BOOST_AUTO_TEST_CASE(another_provider_is_refused) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, {});
  auto r = detect::TsmGetReport(io, "tdx_guest", ComputeBinding(Input()));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(static_cast<int>(r.status().code()) == static_cast<int>(ErrorCode::kUnsupported));
  BOOST_TEST(io.inblobs_written().empty());
  BOOST_TEST(io.entries_live() == 0);
}

BOOST_AUTO_TEST_CASE(absent_configfs_is_not_found) {
  FakeDevices io;
  auto r = detect::TsmGetReport(io, "tdx_guest", ComputeBinding(Input()));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(static_cast<int>(r.status().code()) == static_cast<int>(ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(snp_asks_at_the_privilege_floor) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, testing::SimSnpCertTable());
  io.SetPrivlevelFloor(2);
  auto r = detect::TsmGetReport(io, "sev_guest", ComputeBinding(Input()));
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.status().ToString()));
  BOOST_TEST(r->attempts == 1u, "our own option write is not a concurrent writer");
  BOOST_TEST(io.privlevels_written() == std::vector<std::string>{"2"},
             boost::test_tools::per_element());
  io.SetPrivlevelFloor(0);  // VMPL 0 guests leave privlevel alone
  BOOST_REQUIRE(detect::TsmGetReport(io, "sev_guest", ComputeBinding(Input())).ok());
  BOOST_TEST(io.privlevels_written().size() == 1u);
}

BOOST_AUTO_TEST_CASE(missing_auxblob_is_an_empty_table) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, testing::SimSnpCertTable());
  io.HideAuxblob(true);
  auto r = detect::TsmGetReport(io, "sev_guest", ComputeBinding(Input()));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->auxblob.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tdx_provider)

BOOST_AUTO_TEST_CASE(quote_from_configfs_carries_the_binding) {
  FakeDevices io;
  io.EnableTsm("tdx_guest", testing::SimTdxQuote, {});
  const auto binding = ComputeBinding(Input());
  auto ev = GenerateEvidence(TeeType::IntelTdx, Input(), Env(io));
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  BOOST_TEST(*ev == testing::SimTdxQuote(binding));
}

BOOST_AUTO_TEST_CASE(a_quote_for_other_report_data_is_refused) {
  FakeDevices io;
  io.EnableTsm("tdx_guest", [](const std::array<uint8_t, 64>&) { return testing::SimTdxQuote({}); },
               {});
  auto ev = GenerateEvidence(TeeType::IntelTdx, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(ev.status().message().find("binding") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tdx_guest_device_without_configfs_cannot_quote) {
  FakeDevices io;
  io.AddNode(detect::kTdxGuestDevice);
  auto ev = GenerateEvidence(TeeType::IntelTdx, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kUnsupported));
  BOOST_TEST(ev.status().message().find("TDREPORT") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tdreport_ioctl_puts_report_data_at_offset_128) {
  FakeDevices io;
  io.OnIoctl(detect::kTdxGuestDevice, [](unsigned long req, void* arg) -> Result<int> {
    BOOST_TEST(req == 0xC4405401ul);
    auto* r = static_cast<detect::TdxReportReq*>(arg);
    std::memcpy(r->tdreport + detect::kTdReportReportDataOffset, r->reportdata, 64);
    return 0;
  });
  const auto binding = ComputeBinding(Input());
  auto rep = detect::TdxGetTdReport(io, binding);
  BOOST_REQUIRE(rep.ok());
  BOOST_REQUIRE(rep->size() == 1024u);
  BOOST_TEST(std::equal(binding.begin(), binding.end(), rep->begin() + 128));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(snp_provider)

BOOST_AUTO_TEST_CASE(configfs_report_and_cert_table) {
  FakeDevices io;
  io.EnableTsm("sev_guest", testing::SimSnpReport, testing::SimSnpCertTable());
  const auto binding = ComputeBinding(Input());
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, Input(), Env(io));
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  BOOST_TEST(*ev == Cat(testing::SimSnpReport(binding), testing::SimSnpCertTable()));
}

// /dev/sev-guest SNP_GET_EXT_REPORT: the host first says the certificate
// buffer is too small (as KVM does), then fills it.
BOOST_AUTO_TEST_CASE(ioctl_fallback_grows_the_certificate_buffer) {
  FakeDevices io;
  int calls = 0;
  testing::SnpExtReportDevice(io, 5 * 4096, &calls);  // more than the first 4 pages
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, Input(), Env(io));
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  BOOST_TEST(calls == 2);
  BOOST_TEST(*ev == Cat(testing::SimSnpReport(ComputeBinding(Input())), testing::SimSnpCertTable()),
             "report || table, the page padding trimmed");
}

BOOST_AUTO_TEST_CASE(ioctl_fallback_with_a_large_enough_buffer_asks_once) {
  FakeDevices io;
  int calls = 0;
  testing::SnpExtReportDevice(io, 4096, &calls);
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, Input(), Env(io));
  BOOST_REQUIRE(ev.ok());
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(firmware_error_is_reported) {
  FakeDevices io;
  io.OnIoctl(detect::kSevGuestDevice, [](unsigned long, void* arg) -> Result<int> {
    static_cast<detect::SnpGuestRequestIoctl*>(arg)->exitinfo2 = 0x16;
    return Error(ErrorCode::kInternal, "ioctl /dev/sev-guest: Input/output error");
  });
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(ev.status().message().find("fw_error 22") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_snp_interface_is_not_found) {
  FakeDevices io;
  auto ev = GenerateEvidence(TeeType::AmdSevSnp, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nitro_provider)

namespace {
using testing::CborBytes;
using testing::CborText;

constexpr uint64_t kNow = 1'767'225'600;  // 2026-01-01

Bytes BindingBytes(const BindingInput& in) {
  const auto b = ComputeBinding(in);
  return Bytes(b.begin(), b.end());
}
}  // namespace

BOOST_AUTO_TEST_CASE(attestation_request_bytes_and_document) {
  // The device is the Nitro simulator: it signs a document for the nonce.
  const Bytes binding = BindingBytes(Input());
  FakeDevices io;
  int calls = 0;
  testing::SimulatedNsmDevice(io, binding, binding, kNow, &calls);
  auto ev = GenerateEvidence(TeeType::AwsNitro, Input(), Env(io));
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  BOOST_TEST(calls == 1);
  // Returned as the NSM gave it: the COSE_Sign1 with the binding as nonce.
  auto doc = nitro::ParseDocument(AsView(*ev));
  BOOST_REQUIRE(doc.ok());
  BOOST_REQUIRE(doc->nonce.has_value());
  BOOST_TEST(*doc->nonce == binding);
  BOOST_TEST(doc->timestamp_ms == kNow * 1000);
}

BOOST_AUTO_TEST_CASE(a_document_for_another_nonce_is_refused) {
  const Bytes binding = BindingBytes(Input());
  const Bytes other = BindingBytes({testing::IdFromLabel("someone-else"), Input().challenge});
  FakeDevices io;
  int calls = 0;
  testing::SimulatedNsmDevice(io, binding, other, kNow, &calls);
  auto ev = GenerateEvidence(TeeType::AwsNitro, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(calls == 1);
  BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kInternal));
  BOOST_TEST(ev.status().message().find("binding") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_document_that_does_not_parse_is_refused) {
  const Bytes want = testing::NsmAttestationRequestCbor(BindingBytes(Input()));
  // A stand-in COSE_Sign1 head with junk where the payload map goes.
  Bytes junk = {0xD2, 0x84, 0x44, 0xA1, 0x01, 0x38, 0x22, 0xA0};
  CborBytes(junk, AsView(Bytes(300, 0xAB)));
  CborBytes(junk, AsView(Bytes(96, 0xCD)));
  FakeDevices io;
  int calls = 0;
  testing::NsmDevice(io, want, testing::NsmAttestationResponse(AsView(junk)), &calls);
  auto ev = GenerateEvidence(TeeType::AwsNitro, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(ev.status().message().find("does not parse") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(public_key_and_user_data_are_sent) {
  detect::NsmAttestationRequest req;
  req.public_key = Bytes{1, 2, 3};
  req.user_data = Bytes{9};
  auto enc = detect::EncodeNsmAttestationRequest(req);
  BOOST_REQUIRE(enc.ok());
  Bytes want = {0xA1};
  CborText(want, "Attestation");
  want.push_back(0xA3);
  CborText(want, "user_data");
  CborBytes(want, AsView(Bytes{9}));
  CborText(want, "nonce");
  want.push_back(0xF6);
  CborText(want, "public_key");
  CborBytes(want, AsView(Bytes{1, 2, 3}));
  BOOST_TEST(*enc == want);
  req.nonce = Bytes(513, 0);
  BOOST_TEST(!detect::EncodeNsmAttestationRequest(req).ok(), "nonce over the NSM's 512 bytes");
}

BOOST_AUTO_TEST_CASE(nsm_error_becomes_a_clear_message) {
  Bytes resp = {0xA1};
  CborText(resp, "Error");
  CborText(resp, "InvalidArgument");
  auto r = detect::DecodeNsmAttestationResponse(AsView(resp));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("InvalidArgument") != std::string::npos);
  BOOST_TEST(r.status().message().find("refused") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_responses_are_errors) {
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"empty", {}},
      {"not cbor", {0xFF, 0xFF}},
      {"truncated", {0xA1, 0x6B, 'A'}},
      {"trailing bytes", {0xA0, 0x00}},
      {"no document", {0xA0}},
      {"document not bytes", {0xA1, 0x6B, 'A',  't', 't', 'e', 's', 't', 'a', 't', 'i', 'o',
                              'n',  0xA1, 0x68, 'd', 'o', 'c', 'u', 'm', 'e', 'n', 't', 0x01}},
      {"empty document", {0xA1, 0x6B, 'A',  't', 't', 'e', 's', 't', 'a', 't', 'i', 'o',
                          'n',  0xA1, 0x68, 'd', 'o', 'c', 'u', 'm', 'e', 'n', 't', 0x40}},
  };
  for (const auto& [name, bytes] : cases) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(!detect::DecodeNsmAttestationResponse(AsView(bytes)).ok());
    }
  }
}

BOOST_AUTO_TEST_CASE(no_nsm_device_is_not_found) {
  FakeDevices io;
  auto ev = GenerateEvidence(TeeType::AwsNitro, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nvidia_provider)

BOOST_AUTO_TEST_CASE(serialized_evidence_of_every_cc_gpu) {
  FakeDevices io;
  testing::FakeNvmlMode mode("cc_on");
  const auto binding = ComputeBinding(Input());
  auto ev = GenerateEvidence(TeeType::NvidiaGpu, Input(), Env(io));
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  auto j = nlohmann::json::parse(ev->begin(), ev->end());
  BOOST_TEST(j["nonce"] == ToHex(ByteView(binding.data(), 32)));
  BOOST_TEST(j["arch"] == "HOPPER");
  BOOST_REQUIRE(j["evidence_list"].size() == 2u);  // the two H100s, not the A100
  int gpu = 0;
  for (const auto& e : j["evidence_list"]) {
    auto rep = crypto::Base64Decode(e["evidence"].get<std::string>());
    BOOST_REQUIRE(rep.has_value());
    // SPDM GET_MEASUREMENTS request: 1.1, 0xE0, signed, all, nonce, slot 0.
    Bytes want = {0x11, 0xE0, 0x01, 0xFF};
    want.insert(want.end(), binding.begin(), binding.begin() + 32);
    want.push_back(0x00);
    const std::string resp = std::string("\x11\x60", 2) + "FAKE-SPDM-MEASUREMENTS-RESPONSE-GPU-" +
                             std::to_string(gpu == 0 ? 0 : 2);
    want.insert(want.end(), resp.begin(), resp.end());
    BOOST_TEST(*rep == want);
    auto cert = crypto::Base64Decode(e["certificate"].get<std::string>());
    BOOST_REQUIRE(cert.has_value());
    BOOST_TEST(std::string(cert->begin(), cert->end()).rfind("-----BEGIN CERTIFICATE-----", 0) ==
               0u);
    ++gpu;
  }
}

BOOST_AUTO_TEST_CASE(simulated_gpus_give_their_signed_reports_and_chains) {
  // The fake NVML's H100s played by the NVIDIA simulator: the generator
  // passes the nonce to NVML and serializes what the GPUs answer.
  FakeDevices io;
  testing::FakeNvmlMode mode("cc_on");
  testing::SimulatedNvmlGpus gpus;
  const auto binding = ComputeBinding(Input());
  auto ev = GenerateEvidence(TeeType::NvidiaGpu, Input(), Env(io));
  BOOST_REQUIRE_MESSAGE(ev.ok(), (ev.ok() ? "" : ev.status().ToString()));
  BOOST_TEST(gpus.reports() == 2);
  auto doc = nvidia::ParseSerializedEvidence(AsView(*ev));
  BOOST_REQUIRE_MESSAGE(doc.ok(), (doc.ok() ? "" : doc.status().ToString()));
  BOOST_REQUIRE(doc->gpus.size() == 2u);
  const unsigned index[2] = {0, 2};
  for (size_t i = 0; i < 2; ++i) {
    const auto& g = doc->gpus[i];
    BOOST_TEST(std::equal(g.report.nonce.begin(), g.report.nonce.end(), binding.begin()));
    BOOST_TEST(std::string(g.certificate_pem.begin(), g.certificate_pem.end()) ==
               gpus.ChainPem(index[i]));
    BOOST_REQUIRE(g.nonce.has_value());
    BOOST_TEST(*g.nonce == Bytes(binding.begin(), binding.begin() + 32));
  }
}

BOOST_AUTO_TEST_CASE(a_report_without_our_nonce_is_refused) {
  FakeDevices io;
  testing::FakeNvmlMode mode("bad_nonce");
  auto ev = GenerateEvidence(TeeType::NvidiaGpu, Input(), Env(io));
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(ev.status().message().find("nonce") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cc_off_and_missing_library) {
  FakeDevices io;
  {
    testing::FakeNvmlMode mode("cc_off");
    auto ev = GenerateEvidence(TeeType::NvidiaGpu, Input(), Env(io));
    BOOST_REQUIRE(!ev.ok());
    BOOST_TEST(ev.status().message().find("off") != std::string::npos);
  }
  auto env = Env(io);
  env.nvml_library = "/nonexistent/libnvidia-ml.so.1";
  auto ev = GenerateEvidence(TeeType::NvidiaGpu, Input(), env);
  BOOST_REQUIRE(!ev.ok());
  BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(types_without_a_generator) {
  FakeDevices io;
  for (TeeType t : {TeeType::None, TeeType::IntelSgx, TeeType::Simulated}) {
    auto ev = GenerateEvidence(t, Input(), Env(io));
    BOOST_REQUIRE(!ev.ok());
    BOOST_TEST(static_cast<int>(ev.status().code()) == static_cast<int>(ErrorCode::kUnsupported));
  }
}

BOOST_AUTO_TEST_SUITE_END()
