// The pure parsers: SPDM GET_MEASUREMENTS request || response, NVIDIA's
// opaque TLVs, the hex text form and the serialized evidence JSON. Real
// reports come from TEE_VECTORS_DIR (tests say when it is absent); layout
// mutations are made on reports built here byte by byte.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

#include "attestation/nvidia/evidence_json.h"
#include "attestation/nvidia/report.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

void Tlv(Bytes& out, uint16_t type, const Bytes& value) {
  PutU16Le(out, type);
  PutU16Le(out, static_cast<uint16_t>(value.size()));
  PutBytes(out, AsView(value));
}

// request || response with `blocks` 48-byte blocks (index i filled with
// i), the given opaque data as is, and a dummy signature.
Bytes BuildReport(const Bytes& opaque, uint8_t blocks = 3, uint8_t version = 0x11,
                  uint8_t param1 = 0x01) {
  sim::ReportSpec spec;
  for (uint8_t i = 0; i < 32; ++i) spec.nonce[i] = i;
  for (uint8_t i = 1; i <= blocks; ++i) spec.measurements.emplace(i, Bytes(48, i));
  spec.responder_nonce.fill(0xAB);
  spec.raw_opaque = opaque;
  spec.spdm_version = version;
  spec.request_param1 = param1;
  Bytes r = sim::UnsignedReport(spec);
  r.insert(r.end(), kSignatureSize, 0x5A);
  return r;
}

Bytes GoodOpaque() {
  Bytes o;
  Tlv(o, 3, {'5', '5', '0', '.', '9', '0', '.', '0', '7', 0});
  Tlv(o, 6, {0x00, 0x9f, 0x00, 0x96, 0x01, 0x00, 0x00, 0x00});
  Tlv(o, 20, Bytes(48, 0xF5));
  Tlv(o, 11, {0xAA});
  Tlv(o, 200, {1, 2, 3});  // not in NVIDIA's list: kept
  return o;
}

std::optional<Bytes> RealHopper() {
  auto dir = testing::VectorsDir();
  if (!dir) return std::nullopt;
  return testing::ReadFileBytes(
      *dir / "nvidia/nvtrust-local-gpu-verifier/samples/hopperAttestationReport.txt");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_report)

BOOST_AUTO_TEST_CASE(built_report_yields_typed_facts_and_keeps_unknown_fields) {
  const Bytes raw = BuildReport(GoodOpaque());
  auto r = ParseReport(AsView(raw));
  if (!r.ok()) BOOST_TEST_MESSAGE(r.status().message());
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->blocks.size() == 3u);
  BOOST_TEST(r->nonce[31] == 31);
  BOOST_TEST(*r->facts.driver_version == "550.90.07");
  BOOST_TEST(*r->facts.vbios_version == "96.00.9f.00.01");
  BOOST_TEST((*r->facts.fwid)[0] == 0xF5);
  BOOST_TEST(*r->facts.nvdec0_status == kNvdecDisabled);
  BOOST_TEST(r->opaque.back().type == 200);
  BOOST_TEST((r->opaque.back().value == Bytes{1, 2, 3}));
  BOOST_TEST(r->signed_size == raw.size() - kSignatureSize);
  const auto m = r->Measurements();
  BOOST_TEST(m.size() == 3u);
  BOOST_TEST((m.at(2) == Bytes(48, 2)));
}

BOOST_AUTO_TEST_CASE(hex_text_and_binary_parse_alike) {
  const Bytes raw = BuildReport(GoodOpaque());
  std::string hex = "0x" + ToHex(AsView(raw)) + "\n";
  hex.insert(80, "\n  ");
  auto a = ParseReport(AsView(raw));
  auto b = ParseReport(ByteView(reinterpret_cast<const uint8_t*>(hex.data()), hex.size()));
  BOOST_REQUIRE(a.ok());
  if (!b.ok()) BOOST_TEST_MESSAGE(b.status().message());
  BOOST_REQUIRE(b.ok());
  BOOST_TEST((a->raw == b->raw));
  const std::string bad = ToHex(AsView(raw)) + "zz";
  BOOST_TEST(!ParseReport(ByteView(reinterpret_cast<const uint8_t*>(bad.data()), bad.size())).ok());
}

struct LayoutCase {
  const char* name;
  Bytes bytes;
  ErrorCode code;
};

BOOST_AUTO_TEST_CASE(layout_faults_are_malformed_or_unsupported) {
  Bytes overlong;
  Tlv(overlong, 3, {'1', 0});
  overlong[2] = 9;  // the TLV claims 9 bytes, the opaque data holds 2
  Bytes short_header = {0x03, 0x00, 0x02};
  Bytes bad_fwid;
  Tlv(bad_fwid, 20, Bytes(47, 1));
  Bytes twice;
  Tlv(twice, 3, {'1', 0});
  Tlv(twice, 3, {'2', 0});
  Bytes not_ascii;
  Tlv(not_ascii, 3, {'1', 0x01});
  Bytes trailing = BuildReport(GoodOpaque());
  trailing.push_back(0);
  Bytes dup_index = BuildReport(GoodOpaque(), 2);
  dup_index[37 + 8 + 55] = 1;  // second block's index = first's
  const std::vector<LayoutCase> cases = {
      {"overlong TLV", BuildReport(overlong), ErrorCode::kInvalidArgument},
      {"truncated TLV header", BuildReport(short_header), ErrorCode::kInvalidArgument},
      {"FWID of 47 bytes", BuildReport(bad_fwid), ErrorCode::kInvalidArgument},
      {"a field twice", BuildReport(twice), ErrorCode::kInvalidArgument},
      {"driver version not ASCII", BuildReport(not_ascii), ErrorCode::kInvalidArgument},
      {"trailing byte", trailing, ErrorCode::kInvalidArgument},
      {"duplicate block index", dup_index, ErrorCode::kInvalidArgument},
      {"SPDM 1.2", BuildReport(GoodOpaque(), 3, 0x12), ErrorCode::kUnsupported},
      {"no signature requested", BuildReport(GoodOpaque(), 3, 0x11, 0x00), ErrorCode::kUnsupported},
  };
  for (const auto& c : cases) {
    auto r = ParseReportBinary(AsView(c.bytes));
    BOOST_TEST(!r.ok(), c.name);
    if (!r.ok()) BOOST_TEST((r.status().code() == c.code), c.name);
  }
}

BOOST_AUTO_TEST_CASE(every_truncation_of_a_real_report_is_refused) {
  auto hex = RealHopper();
  if (!hex) {
    BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent (TEE_VECTORS_DIR)");
    return;
  }
  auto full = ParseReport(AsView(*hex));
  BOOST_REQUIRE(full.ok());
  BOOST_TEST(full->blocks.size() == 64u);
  for (const auto& b : full->blocks) BOOST_TEST(b.value.size() == 48u);
  BOOST_TEST(*full->facts.driver_version == "550.90.07");
  BOOST_TEST(full->facts.measurement_counts.size() == 64u);
  for (size_t n = 0; n < full->raw.size(); ++n) {
    BOOST_TEST(!ParseReportBinary(ByteView(full->raw).first(n)).ok(), "prefix " << n);
  }
}

BOOST_AUTO_TEST_CASE(vbios_version_formats_like_nvidias_tools) {
  BOOST_TEST(FormatVbiosVersion({0x00, 0x88, 0x00, 0x97, 0x0f, 0, 0, 0}) == "97.00.88.00.0f");
}

BOOST_AUTO_TEST_CASE(serialized_evidence_both_shapes_and_faults) {
  const Bytes raw = BuildReport(GoodOpaque());
  const std::string b64_report = sim::Base64(AsView(raw));
  const std::string nonce = ToHex(ByteView(raw).subspan(4, 32));
  const std::string obj = R"({"nonce":")" + nonce +
                          R"(","arch":"HOPPER","evidence_list":[{"evidence":")" + b64_report +
                          R"(","certificate":"LS0tLQ=="},{"evidence":")" + b64_report +
                          R"(","certificate":"LS0tLQ=="}]})";
  auto a =
      ParseSerializedEvidence(ByteView(reinterpret_cast<const uint8_t*>(obj.data()), obj.size()));
  if (!a.ok()) BOOST_TEST_MESSAGE(a.status().message());
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a->gpus.size() == 2u);
  BOOST_TEST(*a->gpus[1].arch == "HOPPER");
  BOOST_TEST((*a->gpus[0].nonce == Bytes(raw.begin() + 4, raw.begin() + 36)));
  const std::string arr =
      R"([{"arch":"LS10","evidence":")" + b64_report + R"(","certificate":""}])";
  auto s =
      ParseSerializedEvidence(ByteView(reinterpret_cast<const uint8_t*>(arr.data()), arr.size()));
  BOOST_TEST((!s.ok() && s.status().code() == ErrorCode::kUnsupported));
  for (const std::string& bad :
       {std::string("[]"), std::string("{\"nonce\":\"00\"}"),
        std::string(R"([{"evidence":"***","certificate":""}])"), std::string("[{")}) {
    auto r =
        ParseSerializedEvidence(ByteView(reinterpret_cast<const uint8_t*>(bad.data()), bad.size()));
    BOOST_TEST((!r.ok() && r.status().code() == ErrorCode::kInvalidArgument), bad);
  }
}

BOOST_AUTO_TEST_CASE(real_multi_gpu_document_parses_every_gpu) {
  auto dir = testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent (TEE_VECTORS_DIR)");
    return;
  }
  const Bytes doc = testing::ReadFileBytes(*dir /
                                           "nvidia/nvidia-attestation-sdk-cpp/common-test-data/"
                                           "serialized_test_evidence/multi_gpu_hopper.json");
  auto e = ParseSerializedEvidence(AsView(doc));
  if (!e.ok()) BOOST_TEST_MESSAGE(e.status().message());
  BOOST_REQUIRE(e.ok());
  BOOST_TEST(e->gpus.size() == 4u);
  for (const auto& g : e->gpus)
    BOOST_TEST((*g.nonce == Bytes(g.report.nonce.begin(), g.report.nonce.end())));
}

BOOST_AUTO_TEST_SUITE_END()
