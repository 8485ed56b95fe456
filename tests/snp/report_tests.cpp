// The SNP evidence parser: bounds and reserved fields of all three forms,
// versions, products, and the real reports (vectors, when present).
#include <boost/test/unit_test.hpp>

#include <functional>

#include "attestation/snp/report.h"
#include "snp_test_util.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
namespace tu = tenzro::tee::snp::testutil;

namespace {

ErrorCode CodeOf(const Bytes& data) {
  auto r = ParseEvidence(AsView(data));
  return r.ok() ? ErrorCode::kOk : r.status().code();
}

struct Mutation {
  const char* name;
  std::function<void(Bytes&)> edit;
  ErrorCode expected;
};

void RunMutations(const Bytes& base, const std::vector<Mutation>& cases) {
  for (const auto& m : cases) {
    Bytes b = base;
    m.edit(b);
    BOOST_TEST_CONTEXT("mutation " << m.name) { BOOST_TEST((CodeOf(b) == m.expected)); }
  }
}

std::optional<std::filesystem::path> SnpDir() {
  auto d = testing::VectorsDir();
  if (!d) return std::nullopt;
  return *d / "snp";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_report)

BOOST_AUTO_TEST_CASE(template_reports_parse_for_every_product_and_version) {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    for (uint32_t version : {3u, 4u, 5u}) {
      Bytes b = tu::ReportTemplate(p, version);
      auto r = ParseReport(AsView(b));
      BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.status().message()));
      BOOST_TEST(r->version == version);
      BOOST_TEST((r->product() == p));
      BOOST_TEST((r->signing_key == SigningKey::kVcek));
      BOOST_TEST(!r->debug());
      BOOST_TEST(r->committed_fw.ToString() == "1.55.40");
      BOOST_TEST((r->reported_tcb == tu::DefaultTcb(p)));
    }
  }
  // v2 has no CPUID: the chip id shape decides (Milan/Genoa share one).
  auto v2 = ParseReport(AsView(tu::ReportTemplate(Product::kGenoa, 2)));
  BOOST_REQUIRE(v2.ok());
  BOOST_TEST((v2->product() == Product::kUnknown));
  BOOST_TEST(v2->products == (ProductBit(Product::kMilan) | ProductBit(Product::kGenoa)));
  auto v2t = ParseReport(AsView(tu::ReportTemplate(Product::kTurin, 2)));
  BOOST_REQUIRE(v2t.ok());
  BOOST_TEST((v2t->product() == Product::kTurin));
}

BOOST_AUTO_TEST_CASE(signature_is_converted_to_big_endian) {
  Bytes b = tu::ReportTemplate(Product::kGenoa);
  for (size_t i = 0; i < 48; ++i) {
    b[format::kSignatureR.offset + i] = static_cast<uint8_t>(i + 1);
    b[format::kSignatureS.offset + i] = static_cast<uint8_t>(0x80 + i);
  }
  auto r = ParseReport(AsView(b));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->sig_r[0] == 48);  // the last little-endian byte is the most significant
  BOOST_TEST(r->sig_r[47] == 1);
  BOOST_TEST(r->sig_s[0] == 0x80 + 47);
  BOOST_TEST(r->signed_bytes().size() == 0x2A0u);
}

BOOST_AUTO_TEST_CASE(every_reserved_range_must_be_zero) {
  for (uint32_t version : {2u, 3u, 4u, 5u}) {
    const Product p = Product::kGenoa;
    const Bytes base = tu::ReportTemplate(p, version);
    BOOST_REQUIRE(ParseReport(AsView(base)).ok());
    for (const auto& range : format::ReservedRanges(version)) {
      for (size_t off : {range.offset, range.end() - 1}) {
        Bytes b = base;
        b[off] = 0x01;
        BOOST_TEST_CONTEXT("version " << version << " offset " << off) {
          BOOST_TEST((CodeOf(b) == ErrorCode::kInvalidArgument));
        }
      }
    }
  }
  // v4+ carries the mitigation vectors where v2/v3 reserve bytes.
  Bytes v5 = tu::ReportTemplate(Product::kTurin, 5);
  tu::PutLe(v5, format::kLaunchMitVector, 0x3);
  tu::PutLe(v5, format::kCurrentMitVector, 0x7);
  auto r = ParseReport(AsView(v5));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->launch_mit_vector == 0x3u);
  BOOST_TEST(r->current_mit_vector == 0x7u);
  Bytes v3 = tu::ReportTemplate(Product::kGenoa, 3);
  tu::PutLe(v3, format::kLaunchMitVector, 0x3);
  BOOST_TEST((CodeOf(v3) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(header_fields_are_checked) {
  const Bytes base = tu::ReportTemplate(Product::kGenoa);
  using F = format::Range;
  auto set = [](F f, uint64_t v) { return [f, v](Bytes& b) { tu::PutLe(b, f, v); }; };
  RunMutations(
      base,
      {
          {"version 1", set(format::kVersion, 1), ErrorCode::kUnsupported},
          {"version 6", set(format::kVersion, 6), ErrorCode::kUnsupported},
          {"sig algo 0", set(format::kSignatureAlgo, 0), ErrorCode::kUnsupported},
          {"sig algo 2", set(format::kSignatureAlgo, 2), ErrorCode::kUnsupported},
          {"policy bit 17 clear", set(format::kPolicy, 0x10000), ErrorCode::kInvalidArgument},
          {"policy bit 26", set(format::kPolicy, 0x30000 | (1ull << 26)),
           ErrorCode::kInvalidArgument},
          {"policy bit 63", set(format::kPolicy, 0x30000 | (1ull << 63)),
           ErrorCode::kInvalidArgument},
          {"policy bit 25 (defined)", set(format::kPolicy, 0x30000 | (1ull << 25)), ErrorCode::kOk},
          {"signer reserved bit 5", set(format::kSignerInfo, 1u << 5), ErrorCode::kInvalidArgument},
          {"signing key 2", set(format::kSignerInfo, 2u << 2), ErrorCode::kInvalidArgument},
          {"signing key 6", set(format::kSignerInfo, 6u << 2), ErrorCode::kInvalidArgument},
          {"signing key 7 (none)", set(format::kSignerInfo, 7u << 2), ErrorCode::kUnsupported},
          {"signing key VLEK", set(format::kSignerInfo, 1u << 2), ErrorCode::kOk},
          {"mask chip key", set(format::kSignerInfo, 3u), ErrorCode::kOk},
          {"R above 48 bytes", [](Bytes& b) { b[format::kSignatureR.offset + 48] = 1; },
           ErrorCode::kInvalidArgument},
          {"S above 48 bytes", [](Bytes& b) { b[format::kSignatureS.end() - 1] = 1; },
           ErrorCode::kInvalidArgument},
          {"unknown family", [](Bytes& b) { b[format::kCpuidFamId.offset] = 0x17; },
           ErrorCode::kUnsupported},
          {"unknown Zen4 model", [](Bytes& b) { b[format::kCpuidModId.offset] = 0x61; },
           ErrorCode::kUnsupported},
          {"Siena model 0xA0", [](Bytes& b) { b[format::kCpuidModId.offset] = 0xA0; },
           ErrorCode::kOk},
          {"Milan model 0x01", [](Bytes& b) { b[format::kCpuidModId.offset] = 0x01; },
           ErrorCode::kOk},
          {"REPORTED_TCB reserved byte", [](Bytes& b) { b[format::kReportedTcb.offset + 3] = 1; },
           ErrorCode::kInvalidArgument},
          {"CURRENT_TCB reserved byte", [](Bytes& b) { b[format::kCurrentTcb.offset + 2] = 1; },
           ErrorCode::kInvalidArgument},
          {"LAUNCH_TCB reserved byte", [](Bytes& b) { b[format::kLaunchTcb.offset + 5] = 1; },
           ErrorCode::kInvalidArgument},
          {"truncated", [](Bytes& b) { b.pop_back(); }, ErrorCode::kInvalidArgument},
          {"empty", [](Bytes& b) { b.clear(); }, ErrorCode::kInvalidArgument},
      });
  // Turin: its own TCB layout (reserved bytes 4..6) and an 8-byte chip id.
  const Bytes turin = tu::ReportTemplate(Product::kTurin, 5);
  RunMutations(
      turin,
      {
          {"Turin TCB byte 2 is TEE", [](Bytes& b) { b[format::kReportedTcb.offset + 2] = 1; },
           ErrorCode::kOk},
          {"Turin TCB byte 5 reserved", [](Bytes& b) { b[format::kReportedTcb.offset + 5] = 1; },
           ErrorCode::kInvalidArgument},
          {"Turin chip id byte 8", [](Bytes& b) { b[format::kChipId.offset + 8] = 1; },
           ErrorCode::kInvalidArgument},
          {"Turin dense model 0x11", [](Bytes& b) { b[format::kCpuidModId.offset] = 0x11; },
           ErrorCode::kOk},
          {"Zen5 model 0x44", [](Bytes& b) { b[format::kCpuidModId.offset] = 0x44; },
           ErrorCode::kUnsupported},
      });
  // v2: the CPUID bytes are reserved.
  RunMutations(tu::ReportTemplate(Product::kGenoa, 2),
               {
                   {"v2 CPUID byte", [](Bytes& b) { b[format::kCpuidFamId.offset] = 0x19; },
                    ErrorCode::kInvalidArgument},
               });
}

BOOST_AUTO_TEST_CASE(tcb_layouts_differ_by_product) {
  const RawTcb raw = {0, 1, 0, 2, 0, 0, 0, 71};
  const TcbParts turin = DecodeTcb(raw, Product::kTurin);
  BOOST_TEST(turin.fmc == 0);
  BOOST_TEST(turin.boot_loader == 1);
  BOOST_TEST(turin.tee == 0);
  BOOST_TEST(turin.snp == 2);
  BOOST_TEST(turin.microcode == 71);
  const RawTcb milan_raw = {3, 0, 0, 0, 0, 0, 8, 115};
  const TcbParts milan = DecodeTcb(milan_raw, Product::kMilan);
  BOOST_TEST(milan.boot_loader == 3);
  BOOST_TEST(milan.snp == 8);
  BOOST_TEST(milan.microcode == 115);
  BOOST_TEST(TcbReservedZero(milan_raw, Product::kMilan));
  BOOST_TEST(!TcbReservedZero(raw, Product::kMilan));  // byte 3 is reserved on Milan
  BOOST_TEST(TcbReservedZero(raw, Product::kTurin));
}

BOOST_AUTO_TEST_CASE(firmware_versions) {
  auto v = ParseFirmwareVersion("1.55.40");
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(v->major == 1);
  BOOST_TEST(v->minor == 55);
  BOOST_TEST(v->build == 40);
  BOOST_TEST((*ParseFirmwareVersion("1.55.39") < *v));
  BOOST_TEST((*ParseFirmwareVersion("1.56.0") > *v));
  BOOST_TEST((*ParseFirmwareVersion("2.0.0") > *v));
  for (const char* bad :
       {"", "1", "1.55", "1.55.", "1..5", "1.55.256", "1.55.4a", "a.b.c", "1.55.40.1", "-1.2.3"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!ParseFirmwareVersion(bad).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(cert_table_form) {
  const Bytes report = tu::ReportTemplate(Product::kGenoa);
  const Bytes a = {0x30, 0x01, 0x00}, b = {0x30, 0x02, 0x05, 0x00};
  const Bytes ev = tu::WithCertTable(report, {{format::kGuidVcek, a}, {format::kGuidArk, b}});
  auto e = ParseEvidence(AsView(ev));
  BOOST_REQUIRE(e.ok());
  BOOST_TEST((e->form == EvidenceForm::kWithCertTable));
  BOOST_TEST(e->certs.size() == 2u);
  BOOST_REQUIRE(e->Find(format::kGuidArk) != nullptr);
  BOOST_TEST((e->Find(format::kGuidArk)->data == b));
  BOOST_TEST(e->Find(format::kGuidAsk) == nullptr);

  // Entry 0 header starts right after the report.
  const size_t t0 = format::kReportSize;
  auto set32 = [](Bytes& x, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      x[off + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
  };
  RunMutations(
      ev, {
              {"no terminator", [&](Bytes& x) { x.resize(t0 + 2 * format::kCertTableEntrySize); },
               ErrorCode::kInvalidArgument},
              {"partial header", [&](Bytes& x) { x.resize(t0 + 10); }, ErrorCode::kInvalidArgument},
              {"offset inside header", [&](Bytes& x) { set32(x, t0 + 16, 8); },
               ErrorCode::kInvalidArgument},
              {"offset past end", [&](Bytes& x) { set32(x, t0 + 16, 0x10000); },
               ErrorCode::kInvalidArgument},
              {"length past end", [&](Bytes& x) { set32(x, t0 + 20, 0x1000); },
               ErrorCode::kInvalidArgument},
              {"offset+length overflows",
               [&](Bytes& x) {
                 set32(x, t0 + 16, 0xFFFFFFF0u);
                 set32(x, t0 + 20, 0x20);
               },
               ErrorCode::kInvalidArgument},
              {"zero length", [&](Bytes& x) { set32(x, t0 + 20, 0); }, ErrorCode::kInvalidArgument},
              {"duplicate GUID",
               [&](Bytes& x) {
                 std::copy(format::kGuidVcek.begin(), format::kGuidVcek.end(),
                           x.begin() + static_cast<std::ptrdiff_t>(t0 + 24));
               },
               ErrorCode::kInvalidArgument},
              {"bad report in front", [&](Bytes& x) { x[format::kReserved04C.offset] = 1; },
               ErrorCode::kInvalidArgument},
          });
  // Unknown GUIDs are carried, not rejected; an empty table is fine.
  format::Guid other{};
  other[0] = 0xec;
  auto unknown = ParseEvidence(AsView(tu::WithCertTable(report, {{other, a}})));
  BOOST_REQUIRE(unknown.ok());
  BOOST_TEST(unknown->certs.size() == 1u);
  auto empty = ParseCertTable({});
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(empty->empty());
  // Too many entries.
  std::vector<std::pair<format::Guid, Bytes>> many;
  for (size_t i = 0; i <= format::kMaxCertTableEntries; ++i) {
    format::Guid g{};
    g[0] = static_cast<uint8_t>(i + 1);
    many.push_back({g, a});
  }
  BOOST_TEST((CodeOf(tu::WithCertTable(report, many)) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(azure_hcl_form) {
  const Bytes report = tu::ReportTemplate(Product::kGenoa);
  const Bytes hcl = tu::WrapHcl(report);
  auto e = ParseEvidence(AsView(hcl));
  BOOST_REQUIRE_MESSAGE(e.ok(), (e.ok() ? std::string() : e.status().message()));
  BOOST_TEST((e->form == EvidenceForm::kAzureHcl));
  BOOST_TEST(std::equal(report.begin(), report.end(), e->report.raw.begin()));
  auto set32 = [](Bytes& x, size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      x[off + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
  };
  RunMutations(
      hcl,
      {
          {"TDX report type", [&](Bytes& x) { set32(x, format::kHclIgvmReportType.offset, 4); },
           ErrorCode::kUnsupported},
          {"report_size beyond blob",
           [&](Bytes& x) { set32(x, format::kHclReportSize.offset, 5000); },
           ErrorCode::kInvalidArgument},
          {"report_size below headers",
           [&](Bytes& x) { set32(x, format::kHclReportSize.offset, 0x100); },
           ErrorCode::kInvalidArgument},
          {"igvm size inconsistent",
           [&](Bytes& x) { set32(x, format::kHclIgvmDataSize.offset, 7); },
           ErrorCode::kInvalidArgument},
          {"variable size inconsistent",
           [&](Bytes& x) { set32(x, format::kHclIgvmVariableSize.offset, 7); },
           ErrorCode::kInvalidArgument},
          {"truncated to the header", [&](Bytes& x) { x.resize(0x40); },
           ErrorCode::kInvalidArgument},
          {"bad inner report",
           [&](Bytes& x) { x[format::kHclReportOffset + format::kReserved1EB.offset] = 1; },
           ErrorCode::kInvalidArgument},
      });
}

BOOST_AUTO_TEST_CASE(real_reports_parse) {
  auto dir = SnpDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real SNP vectors absent");
    return;
  }
  struct Known {
    const char* file;
    uint32_t version;
    Product product;  // kUnknown: v2 Milan/Genoa
    bool vlek;
  };
  const std::vector<Known> known = {
      {"gsg-milan-v2-debug/report.bin", 2, Product::kUnknown, false},
      {"virtee-milan-v2/report.bin", 2, Product::kUnknown, false},
      {"trustee-milan-v3-vlek-aws/report.bin", 3, Product::kMilan, true},
      {"trustee-genoa-v3-e2e/report.bin", 3, Product::kGenoa, false},  // Siena (model 0xA0)
      {"yaxi-turin-v5/report.bin", 5, Product::kTurin, false},
      {"parse-only/gce-milan-v4-report.bin", 4, Product::kMilan, false},
      {"parse-only/yaxi-genoa-v2-report.bin", 2, Product::kUnknown, false},
  };
  for (const auto& k : known) {
    BOOST_TEST_CONTEXT(k.file) {
      const Bytes b = testing::ReadFileBytes(*dir / k.file);
      auto e = ParseEvidence(AsView(b));
      BOOST_REQUIRE_MESSAGE(e.ok(), (e.ok() ? std::string() : e.status().message()));
      BOOST_TEST(e->report.version == k.version);
      BOOST_TEST((e->report.product() == k.product));
      BOOST_TEST((e->report.signing_key == (k.vlek ? SigningKey::kVlek : SigningKey::kVcek)));
    }
  }
  // The HCL blobs hold exactly the extracted reports.
  for (const char* set : {"trustee-azure-milan-v2-hcl", "openpcc-azure-genoa-v3-crl"}) {
    BOOST_TEST_CONTEXT(set) {
      const Bytes hcl = testing::ReadFileBytes(*dir / set / "hcl-report.bin");
      const Bytes rep = testing::ReadFileBytes(*dir / set / "report.bin");
      auto e = ParseEvidence(AsView(hcl));
      BOOST_REQUIRE_MESSAGE(e.ok(), (e.ok() ? std::string() : e.status().message()));
      BOOST_TEST((e->form == EvidenceForm::kAzureHcl));
      BOOST_TEST(std::equal(rep.begin(), rep.end(), e->report.raw.begin(), e->report.raw.end()));
    }
  }
  // Turin: CHIP_ID is 8 bytes (yaxi report_spec.lua "Verify Turin").
  const Bytes turin = testing::ReadFileBytes(*dir / "yaxi-turin-v5/report.bin");
  auto t = ParseReport(AsView(turin));
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(ToHex(t->chip_id_for(Product::kTurin)) == "3b42092f69c656d3");
  BOOST_TEST(ToHex(AsView(t->reported_tcb)) == "0001000200000047");
  BOOST_TEST(DecodeTcb(t->reported_tcb, Product::kTurin).microcode == 71);
}

BOOST_AUTO_TEST_SUITE_END()
