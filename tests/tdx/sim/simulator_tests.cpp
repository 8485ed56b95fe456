// The simulator on its own: the committed development PKI is what it claims,
// and what the builders make is signed the way Intel signs (checked with
// crypto/x509.h only, independently of the verifier).
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "attestation/tdx/sim/scenario.h"
#include "crypto/der_writer.h"
#include "crypto/hash.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;
using namespace tenzro::tee::tdx::sim;
namespace derw = tenzro::tee::crypto::derw;

namespace {
uint32_t U32At(const Bytes& b, size_t off) {
  return static_cast<uint32_t>(b[off]) | static_cast<uint32_t>(b[off + 1]) << 8 |
         static_cast<uint32_t>(b[off + 2]) << 16 | static_cast<uint32_t>(b[off + 3]) << 24;
}
uint16_t U16At(const Bytes& b, size_t off) {
  return static_cast<uint16_t>(b[off] | b[off + 1] << 8);
}
ByteView Slice(const Bytes& b, size_t off, size_t n) { return ByteView(b).subspan(off, n); }
ByteView Text(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::string Str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// The signature chain every quote carries, checked by hand at the offsets of
// quote_format.h (the verifier's parser is tested elsewhere).
void CheckSignatures(const Bytes& q, size_t signed_len, const KeyedCert& pck, bool v3) {
  size_t off = signed_len;
  uint32_t sig_len = U32At(q, off);
  off += fmt::kSigDataLenSize;
  BOOST_REQUIRE(off + sig_len <= q.size());
  ByteView sig = Slice(q, off, 64);
  ByteView att = Slice(q, off + 64, 64);
  auto att_key = x509::EcPublicKeyFromXY(x509::Curve::kP256, att);
  BOOST_REQUIRE(att_key.ok());
  BOOST_TEST(x509::EcdsaVerifyRaw(*att_key, x509::Digest::kSha256, Slice(q, 0, signed_len), sig));
  off += 128;
  if (!v3) {
    BOOST_TEST(U16At(q, off) == fmt::kCertTypeQeReportCert);
    BOOST_TEST(U32At(q, off + 2) == sig_len - 128 - fmt::kCertDataHeaderSize);
    off += fmt::kCertDataHeaderSize;
  }
  ByteView qe = Slice(q, off, fmt::kSgxReportSize);
  ByteView qe_sig = Slice(q, off + fmt::kSgxReportSize, 64);
  BOOST_TEST(x509::EcdsaVerifyRaw(pck.cert.public_key(), x509::Digest::kSha256, qe, qe_sig));
  off += fmt::kSgxReportSize + 64;
  uint16_t auth_len = U16At(q, off);
  Bytes pre(att.begin(), att.end());
  PutBytes(pre, Slice(q, off + 2, auth_len));
  Hash32 h = crypto::Sha256(AsView(pre));
  ByteView rd = qe.subspan(fmt::kRepReportData, 64);
  BOOST_TEST((Bytes(rd.begin(), rd.begin() + 32) == Bytes(h.begin(), h.end())));
  BOOST_TEST((Bytes(rd.begin() + 32, rd.end()) == Bytes(32, 0)));
  off += 2 + auth_len;
  BOOST_TEST(U16At(q, off) == fmt::kCertTypePckChain);
  uint32_t pem_len = U32At(q, off + 2);
  auto chain = x509::Certificate::ParseAll(Slice(q, off + 6, pem_len));
  BOOST_REQUIRE(chain.ok());
  BOOST_REQUIRE(chain->size() == 3u);
  BOOST_TEST(((*chain)[0].fingerprint() == pck.cert.fingerprint()));
  BOOST_TEST(((*chain)[2].fingerprint() == DevRootFingerprint()));
  BOOST_TEST(off + 6 + pem_len == q.size());
}

// {"<name>":<value>,"signature":"<hex>"}\n<PEM>: the value and signature as written.
void CheckSignedJson(const Bytes& doc, const std::string& name, const std::string& value) {
  std::string s = Str(doc);
  std::string head = "{\"" + name + "\":";
  BOOST_REQUIRE(s.rfind(head, 0) == 0);
  BOOST_REQUIRE(s.compare(head.size(), value.size(), value) == 0);
  std::string tail = ",\"signature\":\"";
  size_t sig_at = head.size() + value.size() + tail.size();
  BOOST_REQUIRE(s.compare(head.size() + value.size(), tail.size(), tail) == 0);
  auto sig = FromHex(s.substr(sig_at, 128));
  BOOST_REQUIRE(sig.has_value());
  BOOST_TEST(x509::EcdsaVerifyRaw(Dev().tcb_signing.cert.public_key(), x509::Digest::kSha256,
                                  Text(value), AsView(*sig)));
  size_t end = s.find('}', sig_at);
  auto j = nlohmann::json::parse(s.substr(0, end + 1));
  BOOST_TEST(j.contains(name));
  auto certs = x509::Certificate::ParseAll(ByteView(doc).subspan(end + 1));
  BOOST_REQUIRE(certs.ok());
  BOOST_TEST(((*certs)[0].fingerprint() == Dev().tcb_signing.cert.fingerprint()));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_simulator)

BOOST_AUTO_TEST_CASE(dev_pki_is_the_committed_hierarchy) {
  const DevPki& d = Dev();
  BOOST_TEST((d.root.cert.fingerprint() == DevRootFingerprint()));
  BOOST_TEST(d.root.cert.IssuedBy(d.root.cert));
  BOOST_TEST(d.root.cert.is_ca());
  BOOST_TEST(d.platform_ca.cert.IssuedBy(d.root.cert));
  BOOST_TEST(d.platform_ca.cert.is_ca());
  BOOST_TEST(d.tcb_signing.cert.IssuedBy(d.root.cert));
  BOOST_TEST(!d.tcb_signing.cert.is_ca());
  BOOST_TEST(d.pck_tdx.cert.IssuedBy(d.platform_ca.cert));
  BOOST_TEST(d.pck_sgx.cert.IssuedBy(d.platform_ca.cert));
  BOOST_TEST(d.root.cert.subject().find("DEV") != std::string::npos);
  // Each private key is the one of its certificate.
  for (const KeyedCert* kc : {&d.root, &d.platform_ca, &d.tcb_signing, &d.pck_tdx, &d.pck_sgx}) {
    auto sig = kc->key.EcdsaSignRaw(x509::Digest::kSha256, Text("probe"));
    BOOST_REQUIRE(sig.ok());
    BOOST_TEST(x509::EcdsaVerifyRaw(kc->cert.public_key(), x509::Digest::kSha256, Text("probe"),
                                    AsView(*sig)));
  }
  // The committed leaves carry exactly the default platforms' SGX extensions.
  BOOST_TEST(
      (d.pck_tdx.cert.Extension(kSgxExtensionOid) == EncodeSgxExtension(DefaultTdxPlatform().pck)));
  BOOST_TEST(
      (d.pck_sgx.cert.Extension(kSgxExtensionOid) == EncodeSgxExtension(DefaultSgxPlatform().pck)));
  // Not Intel's root.
  BOOST_TEST(ToHex(AsView(DevRootFingerprint())) !=
             "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
}

BOOST_AUTO_TEST_CASE(der_writer_known_answers) {
  BOOST_TEST(ToHex(AsView(derw::Oid("1.2.840.113741.1.13.1"))) == "06092a864886f84d010d01");
  BOOST_TEST(ToHex(AsView(derw::Integer(0))) == "020100");
  BOOST_TEST(ToHex(AsView(derw::Integer(255))) == "020200ff");
  BOOST_TEST(ToHex(AsView(derw::Integer(256))) == "02020100");
  BOOST_TEST(ToHex(AsView(derw::Boolean(true))) == "0101ff");
  Bytes big(200, 0);
  BOOST_TEST(ToHex(AsView(derw::OctetString(AsView(big)))).substr(0, 6) == "0481c8");
}

BOOST_AUTO_TEST_CASE(iso_time_known_answers) {
  BOOST_TEST(IsoTime(1752919234) == "2025-07-19T10:00:34Z");
  BOOST_TEST(IsoTime(0) == "1970-01-01T00:00:00Z");
  BOOST_TEST(IsoTime(kSimNow) == "2026-01-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(quotes_are_signed_like_intel_quotes) {
  struct Case {
    QuoteFormat format;
    size_t signed_len;
  };
  for (Case c : {Case{QuoteFormat::kTdxV4, fmt::kHeaderSize + fmt::kTd10BodySize},
                 Case{QuoteFormat::kTdxV5Td10,
                      fmt::kHeaderSize + fmt::kBodyDescriptorSize + fmt::kTd10BodySize},
                 Case{QuoteFormat::kTdxV5Td15,
                      fmt::kHeaderSize + fmt::kBodyDescriptorSize + fmt::kTd15BodySize},
                 Case{QuoteFormat::kSgxV3, fmt::kHeaderSize + fmt::kSgxReportSize},
                 Case{QuoteFormat::kSgxV5,
                      fmt::kHeaderSize + fmt::kBodyDescriptorSize + fmt::kSgxReportSize}}) {
    const bool tdx = IsTdx(c.format);
    Scenario s = tdx ? Scenario::Tdx(c.format) : Scenario::Sgx(kSimNow, c.format);
    auto q = s.Quote();
    BOOST_REQUIRE(q.ok());
    BOOST_TEST(U16At(*q, fmt::kHdrVersion) == (c.format == QuoteFormat::kTdxV4   ? 4
                                               : c.format == QuoteFormat::kSgxV3 ? 3
                                                                                 : 5));
    BOOST_TEST(U32At(*q, fmt::kHdrTeeType) == (tdx ? fmt::kTeeTypeTdx : fmt::kTeeTypeSgx));
    CheckSignatures(*q, c.signed_len, tdx ? Dev().pck_tdx : Dev().pck_sgx,
                    c.format == QuoteFormat::kSgxV3);
  }
}

BOOST_AUTO_TEST_CASE(quote_binding_and_faults) {
  Scenario s = Scenario::Tdx();
  BindingInput b;
  b.validator_id[0] = 7;
  b.challenge[0] = 9;
  s.quote.binding = b;
  auto q = s.Quote();
  BOOST_REQUIRE(q.ok());
  auto expect = ComputeBinding(b);
  BOOST_TEST((Bytes(q->begin() + fmt::kHeaderSize + fmt::kTdReportData,
                    q->begin() + fmt::kHeaderSize + fmt::kTdReportData + 64) ==
              Bytes(expect.begin(), expect.end())));
  // A flipped quote signature no longer verifies; the QE layer still does.
  s.quote.faults.quote_signature = true;
  auto bad = s.Quote();
  BOOST_REQUIRE(bad.ok());
  auto att = x509::EcPublicKeyFromXY(x509::Curve::kP256, Slice(*bad, 48 + 584 + 4 + 64, 64));
  BOOST_REQUIRE(att.ok());
  BOOST_TEST(!x509::EcdsaVerifyRaw(*att, x509::Digest::kSha256, Slice(*bad, 0, 48 + 584),
                                   Slice(*bad, 48 + 584 + 4, 64)));
  // Trailing zeros extend the quote, lengths stay as declared.
  s.quote.faults = {};
  s.quote.faults.trailing_zeros = 70;
  auto padded = s.Quote();
  BOOST_REQUIRE(padded.ok());
  BOOST_TEST(padded->size() == q->size() + 70);
}

BOOST_AUTO_TEST_CASE(collateral_is_signed_over_the_exact_value_bytes) {
  for (bool pretty : {false, true}) {
    Scenario s = Scenario::Tdx();
    s.tcb_info.signing.pretty = pretty;
    s.qe_identity.signing.pretty = pretty;
    auto tcb = MakeTcbInfo(s.tcb_info);
    BOOST_REQUIRE(tcb.ok());
    CheckSignedJson(*tcb, "tcbInfo", TcbInfoValueText(s.tcb_info));
    auto qe = MakeQeIdentity(s.qe_identity);
    BOOST_REQUIRE(qe.ok());
    CheckSignedJson(*qe, "enclaveIdentity", QeIdentityValueText(s.qe_identity));
  }
  Scenario s = Scenario::Tdx();
  auto v = nlohmann::json::parse(TcbInfoValueText(s.tcb_info));
  BOOST_TEST(v["id"] == "TDX");
  BOOST_TEST(v["fmspc"] == "DE7D00000000");
  BOOST_TEST(v["tdxModuleIdentities"][0]["id"] == "TDX_01");
  BOOST_TEST(v["tcbLevels"][0]["tcb"]["pcesvn"] == 11);
  BOOST_TEST(v["tcbLevels"][0]["tcb"]["tdxtcbcomponents"][0]["svn"] == 6);
  auto sgx = nlohmann::json::parse(TcbInfoValueText(Scenario::Sgx().tcb_info));
  BOOST_TEST(sgx["id"] == "SGX");
  BOOST_TEST(!sgx.contains("tdxModule"));
  BOOST_TEST(!sgx["tcbLevels"][0]["tcb"].contains("tdxtcbcomponents"));
}

BOOST_AUTO_TEST_CASE(crls_revoke_what_they_are_given) {
  CrlBuildSpec spec;
  spec.this_update = kSimNow - kDay;
  spec.next_update = kSimNow + kDay;
  spec.revoked_serials = {Dev().pck_tdx.cert.serial()};
  for (CrlEncoding enc : {CrlEncoding::kDer, CrlEncoding::kPem, CrlEncoding::kPemWithChain}) {
    spec.encoding = enc;
    auto pck_crl = MakePckCrl(spec);
    BOOST_REQUIRE(pck_crl.ok());
    auto crl = x509::Crl::Parse(AsView(*pck_crl));
    BOOST_REQUIRE(crl.ok());
    BOOST_TEST(crl->IssuedBy(Dev().platform_ca.cert));
    BOOST_TEST(crl->IsRevoked(AsView(Dev().pck_tdx.cert.serial())));
    BOOST_TEST(!crl->IsRevoked(AsView(Dev().pck_sgx.cert.serial())));
    BOOST_TEST(crl->ValidAt(kSimNow));
  }
  spec.encoding = CrlEncoding::kPemWithChain;
  auto root_crl = MakeRootCaCrl(spec);
  BOOST_REQUIRE(root_crl.ok());
  auto crl = x509::Crl::Parse(AsView(*root_crl));
  BOOST_REQUIRE(crl.ok());
  BOOST_TEST(crl->IssuedBy(Dev().root.cert));
  spec.bad_signature = true;
  auto bad = MakePckCrl(spec);
  BOOST_REQUIRE(bad.ok());
  auto bad_crl = x509::Crl::Parse(AsView(*bad));
  BOOST_REQUIRE(bad_crl.ok());
  BOOST_TEST(!bad_crl->IssuedBy(Dev().platform_ca.cert));
}

BOOST_AUTO_TEST_CASE(tcb_recovery_demotes_every_former_level) {
  Scenario s = Scenario::Tdx();
  TcbInfoSpec r = TcbRecovery(s.tcb_info, kSimNow + kDay, kSimNow + 31 * kDay);
  BOOST_TEST(r.tcb_evaluation_data_number == s.tcb_info.tcb_evaluation_data_number + 1);
  BOOST_REQUIRE(r.levels.size() == s.tcb_info.levels.size() + 1);
  BOOST_TEST(r.levels[0].status == "UpToDate");
  BOOST_TEST(r.levels[0].sgx_components[0] == s.platform.pck.cpusvn[0] + 1);
  BOOST_TEST(r.levels[1].status == "OutOfDate");  // the platform's former level
  BOOST_TEST(r.levels[1].sgx_components == s.platform.pck.cpusvn);
  BOOST_TEST(r.levels[1].advisory_ids.back() == kRecoveryAdvisory);
}

BOOST_AUTO_TEST_CASE(reissued_pck_keeps_key_and_issuer) {
  Platform p = DefaultTdxPlatform();
  p.pck.fmspc[5] = 0x42;
  auto pck = IssuePlatformPck(p, {0x77}, kDevPckNotBefore, kDevPckNotAfter);
  BOOST_REQUIRE(pck.ok());
  BOOST_TEST(pck->cert.IssuedBy(Dev().platform_ca.cert));
  BOOST_TEST((pck->cert.public_key().EcPointXY() == Dev().pck_tdx.cert.public_key().EcPointXY()));
  BOOST_TEST((pck->cert.Extension(kSgxExtensionOid) == EncodeSgxExtension(p.pck)));
  BOOST_TEST((pck->cert.serial() == Bytes{0x77}));
}

BOOST_AUTO_TEST_SUITE_END()
