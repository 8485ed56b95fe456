// VCEK/VLEK extension parsing: each value shape (raw and OCTET STRING
// wrapped), bounds, and the real certificates (vectors, when present).
#include <boost/test/unit_test.hpp>

#include "attestation/snp/vek_extensions.h"
#include "crypto/x509.h"
#include "snp_test_util.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::snp;
namespace tu = tenzro::tee::snp::testutil;

namespace {

Bytes Seq(size_t n, uint8_t start = 0) {
  Bytes b;
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(start + i));
  return b;
}

Bytes Wrap(const Bytes& inner) {
  Bytes b;
  b.push_back(0x04);
  b.push_back(static_cast<uint8_t>(inner.size()));
  for (uint8_t x : inner) b.push_back(x);
  return b;
}

x509::Certificate CertFile(const std::filesystem::path& p) {
  auto certs = x509::Certificate::ParseAll(AsView(testing::ReadFileBytes(p)));
  BOOST_REQUIRE(certs.ok());
  return certs->front();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_vek_extensions)

BOOST_AUTO_TEST_CASE(spl_values) {
  auto spl = [](const Bytes& b) { return ParseSplValue(AsView(b)); };
  BOOST_TEST(*spl({0x02, 0x01, 0x05}) == 5);
  BOOST_TEST(*spl({0x02, 0x01, 0x00}) == 0);
  BOOST_TEST(*spl({0x02, 0x02, 0x00, 0xD9}) == 217);  // sign byte, as KDS encodes ucode 217
  BOOST_TEST(*spl(Wrap({0x02, 0x01, 0x17})) == 23);   // wrapped once more
  BOOST_TEST(!spl({0x02, 0x02, 0x01, 0x00}).ok());    // 256
  BOOST_TEST(!spl({0x02, 0x01, 0x80}).ok());          // negative
  BOOST_TEST(!spl({0x02, 0x01}).ok());                // truncated
  BOOST_TEST(!spl({0x02, 0x01, 0x05, 0x00}).ok());    // trailing byte
  BOOST_TEST(!spl({0x04, 0x01, 0x05}).ok());          // not an INTEGER
  BOOST_TEST(!spl({}).ok());
}

BOOST_AUTO_TEST_CASE(hwid_values) {
  const Bytes raw64 = Seq(64), raw8 = Seq(8, 0x30);
  BOOST_TEST((*ParseHwIdValue(AsView(raw64)) == raw64));
  BOOST_TEST((*ParseHwIdValue(AsView(Wrap(raw64))) == raw64));
  BOOST_TEST((*ParseHwIdValue(AsView(raw8)) == raw8));
  BOOST_TEST((*ParseHwIdValue(AsView(Wrap(raw8))) == raw8));
  // A raw 8-byte id that happens to start like an OCTET STRING header of a
  // different length is still read raw.
  const Bytes tricky = {0x04, 0x06, 1, 2, 3, 4, 5, 6};
  BOOST_TEST((*ParseHwIdValue(AsView(tricky)) == tricky));
  BOOST_TEST(!ParseHwIdValue(AsView(Seq(63))).ok());
  BOOST_TEST(!ParseHwIdValue(AsView(Seq(65))).ok());
  BOOST_TEST(!ParseHwIdValue(AsView(Wrap(Seq(7)))).ok());
  BOOST_TEST(!ParseHwIdValue({}).ok());
}

BOOST_AUTO_TEST_CASE(string_values) {
  const Bytes ia5 = {0x16, 0x08, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0'};
  BOOST_TEST(*ParseStringValue(AsView(ia5)) == "Milan-B0");
  BOOST_TEST(*ParseStringValue(AsView(Wrap(ia5))) == "Milan-B0");
  BOOST_TEST(!ParseStringValue(AsView(Bytes{0x02, 0x01, 0x05})).ok());
  BOOST_TEST(!ParseStringValue(AsView(Bytes{0x16, 0x02, 'a', 0x01})).ok());  // control byte
  BOOST_TEST(!ParseStringValue(AsView(Bytes{0x16, 0x05, 'a'})).ok());        // truncated
  VekExtensions e;
  e.product_name = "Milan-B0";
  BOOST_TEST((e.product() == Product::kMilan));
  e.product_name = "Genoa";
  BOOST_TEST((e.product() == Product::kGenoa));
  e.product_name = "Turin";
  BOOST_TEST((e.product() == Product::kTurin));
  e.product_name = "Naples";
  BOOST_TEST((e.product() == Product::kUnknown));
  e.product_name = "MilanX";
  BOOST_TEST((e.product() == Product::kUnknown));
}

BOOST_AUTO_TEST_CASE(issued_certificates_round_trip) {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    for (bool wrapped : {false, true}) {
      tu::VekSpec spec;
      spec.tcb = tu::DefaultTcb(p);
      spec.hwid = Seq(p == Product::kTurin ? 8 : 64, 0x40);
      spec.hwid_wrapped = wrapped;
      const x509::Certificate c = tu::IssueVek(tu::Pki(p), spec);
      auto e = ParseVekExtensions(c);
      BOOST_REQUIRE(e.ok());
      BOOST_TEST((e->product() == p));
      BOOST_TEST((*e->hw_id == spec.hwid));
      BOOST_TEST(!CompareTcb(*e, spec.tcb, p).has_value());
      RawTcb other = spec.tcb;
      other[7] = static_cast<uint8_t>(other[7] + 1);  // microcode in both layouts
      auto diff = CompareTcb(*e, other, p);
      BOOST_REQUIRE(diff.has_value());
      BOOST_TEST(diff->find("ucodeSPL") != std::string::npos);
      BOOST_TEST((e->fmc_spl.has_value() == (p == Product::kTurin)));
    }
  }
}

BOOST_AUTO_TEST_CASE(real_certificates) {
  auto root = testing::VectorsDir();
  if (!root) {
    BOOST_TEST_MESSAGE("SKIPPED: real SNP vectors absent");
    return;
  }
  const auto dir = *root / "snp";
  // hwID as raw 64 bytes (legacy) and wrapped in an OCTET STRING (new).
  for (const char* f :
       {"trustee-milan-v2/vcek-invalid-legacy.der", "trustee-milan-v2/vcek-invalid-new.der"}) {
    BOOST_TEST_CONTEXT(f) {
      auto e = ParseVekExtensions(CertFile(dir / f));
      BOOST_REQUIRE(e.ok());
      BOOST_TEST((*e->hw_id == Seq(64)));
      BOOST_TEST((e->product() == Product::kMilan));
    }
  }
  auto gsg = ParseVekExtensions(CertFile(dir / "gsg-milan-v2-debug/vcek.der"));
  BOOST_REQUIRE(gsg.ok());
  BOOST_TEST(*gsg->product_name == "Milan-B0");
  BOOST_TEST(*gsg->bl_spl == 2);
  BOOST_TEST(*gsg->snp_spl == 5);
  BOOST_TEST(*gsg->ucode_spl == 68);
  BOOST_TEST(ToHex(AsView(*gsg->hw_id)).substr(0, 8) == "3ac3fe21");
  BOOST_TEST(!CompareTcb(*gsg, RawTcb{2, 0, 0, 0, 0, 0, 5, 0x44}, Product::kMilan).has_value());

  auto turin = ParseVekExtensions(CertFile(dir / "virtee-turin-chain-only/vcek.der"));
  BOOST_REQUIRE(turin.ok());
  BOOST_TEST((turin->product() == Product::kTurin));
  BOOST_TEST(turin->hw_id->size() == 8u);
  BOOST_TEST(*turin->fmc_spl == 0);
  BOOST_TEST(*turin->ucode_spl == 9);

  auto vlek = ParseVekExtensions(CertFile(dir / "trustee-milan-v3-vlek-aws/vlek.der"));
  BOOST_REQUIRE(vlek.ok());
  BOOST_TEST(!vlek->hw_id.has_value());
  BOOST_TEST(*vlek->csp_id == "CN=cc-us-east-2.amazonaws.com");
  BOOST_TEST(*vlek->ucode_spl == 217);
  BOOST_TEST((vlek->product() == Product::kMilan));
}

BOOST_AUTO_TEST_SUITE_END()
