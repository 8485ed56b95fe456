// Collateral: the signed-JSON scanner, TCB Info / QE Identity parsing, time
// parsing, and ParseCollateral (kinds, keys, authentication through known
// certificates or the bundle convention, development roots) on the real
// vectors and on a small development PKI made here with crypto/x509.
#include <boost/test/unit_test.hpp>

#include <string>

#include "attestation/tdx/json_scan.h"
#include "attestation/tdx/tcb_info.h"
#include "crypto/x509.h"
#include "tdx_test_util.h"

using namespace tenzro::tee;
using namespace tenzro::tee::tdx;
using tenzro::tee::tdx::testing::Admit;
using tenzro::tee::tdx::testing::Concat;
using tenzro::tee::tdx::testing::FindCase;

namespace {

ByteView V(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string S(ByteView b) { return std::string(b.begin(), b.end()); }

constexpr int64_t kNotBefore = 1'600'000'000;
constexpr int64_t kNotAfter = 2'000'000'000;

// A development PKI: root, an intermediate CA, a TCB signing leaf.
struct DevPki {
  x509::PrivateKey root_key, ca_key, tcb_key;
  x509::Certificate root, ca, tcb;

  static DevPki Make() {
    DevPki p;
    p.root_key = *x509::PrivateKey::Generate(x509::KeyKind::kP256);
    p.ca_key = *x509::PrivateKey::Generate(x509::KeyKind::kP256);
    p.tcb_key = *x509::PrivateKey::Generate(x509::KeyKind::kP256);
    x509::CertSpec r;
    r.subject = {{"CN", "Test Dev Root CA"}, {"O", "tenzro tests"}};
    r.not_before = kNotBefore;
    r.not_after = kNotAfter;
    r.is_ca = true;
    p.root = *x509::IssueCertificate(r, p.root_key.public_key(), nullptr, p.root_key);
    x509::CertSpec c = r;
    c.subject = {{"CN", "Tenzro DEV SGX PCK Platform CA"}, {"O", "tenzro tests"}};
    c.serial_be = {2};
    p.ca = *x509::IssueCertificate(c, p.ca_key.public_key(), &p.root, p.root_key);
    x509::CertSpec t = r;
    t.subject = {{"CN", "Tenzro DEV SGX TCB Signing"}, {"O", "tenzro tests"}};
    t.is_ca = false;
    t.serial_be = {3};
    p.tcb = *x509::IssueCertificate(t, p.tcb_key.public_key(), &p.root, p.root_key);
    return p;
  }
  std::string TcbChainPem() const { return x509::ToPem({tcb, root}); }
  std::string Sign(const std::string& member, const std::string& body) const {
    auto sig = *tcb_key.EcdsaSignRaw(x509::Digest::kSha256, V(body));
    return "{\"" + member + "\":" + body + ",\"signature\":\"" + ToHex(AsView(sig)) + "\"}";
  }
};

std::string TdxTcbInfoBody(int eval_number = 17, const std::string& id = "TDX") {
  std::string comps = "[";
  for (int i = 0; i < 16; ++i)
    comps += std::string(i ? "," : "") + "{\"svn\":" + (i < 2 ? "3" : "0") + "}";
  comps += "]";
  return "{\"id\":\"" + id +
         "\",\"version\":3,\"issueDate\":\"2025-06-19T10:16:03Z\","
         "\"nextUpdate\":\"2025-07-19T10:16:03Z\",\"fmspc\":\"B0C06F000000\",\"pceId\":\"0000\","
         "\"tcbType\":0,"
         "\"tcbEvaluationDataNumber\":" +
         std::to_string(eval_number) + ",\"tdxModule\":{\"mrsigner\":\"" + std::string(96, '0') +
         "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
         "\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":" +
         comps + ",\"pcesvn\":13,\"tdxtcbcomponents\":" + comps +
         "},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}]}";
}

TdxVerifier DevVerifier(const DevPki& pki, bool simulation, TeeType type = TeeType::IntelTdx) {
  CommonPolicy common;
  common.simulation = simulation;
  return TdxVerifier(type, Policy{}, common, {pki.root.fingerprint()});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_collateral)

BOOST_AUTO_TEST_CASE(scanner_returns_exact_member_bytes) {
  const std::string doc = " { \"a\" : {\"x\": [1, \"}]\\\"\", {}]} ,\"sig\":\"00\"\t}\n-----BEGIN";
  auto obj = ScanJsonObject(V(doc));
  BOOST_REQUIRE(obj.ok());
  BOOST_TEST(obj->members.size() == 2u);
  BOOST_TEST(S(*UniqueMember(*obj, "a")) == "{\"x\": [1, \"}]\\\"\", {}]}");
  BOOST_TEST(S(*UniqueMember(*obj, "sig")) == "\"00\"");
  BOOST_TEST(doc.substr(obj->end) == "\n-----BEGIN");
  BOOST_TEST(!UniqueMember(*obj, "b").ok());
}

BOOST_AUTO_TEST_CASE(scanner_rejects_bad_structure) {
  for (const std::string bad : {"", "[]", "{", "{\"a\":1", "{\"a\" 1}", "{\"a\":[1}", "{\"a\":\"x}",
                                "{a:1}", "{\"a\":1,}", "{\"a\":}", "{\"a\":\"\n\"}"}) {
    BOOST_TEST(!ScanJsonObject(V(bad)).ok(), "should reject: " << bad);
  }
  std::string deep = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  BOOST_TEST(!ScanJsonObject(V(deep)).ok());
  // The scan returns views into its input: the text must outlive them.
  const std::string dup_text = "{\"a\":1,\"a\":2}";
  auto dup = ScanJsonObject(V(dup_text));
  BOOST_REQUIRE(dup.ok());
  BOOST_TEST(!UniqueMember(*dup, "a").ok());
}

BOOST_AUTO_TEST_CASE(signed_json_split) {
  const std::string sig(128, 'a');
  const std::string doc = "{\"tcbInfo\":{\"id\":\"TDX\"},\"signature\":\"" + sig + "\"}\n\nPEM";
  auto s = SplitSignedJson(V(doc), "tcbInfo");
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(S(s->body) == "{\"id\":\"TDX\"}");
  BOOST_TEST(S(s->trailer) == "PEM");
  BOOST_TEST(!SplitSignedJson(V("{\"tcbInfo\":{},\"signature\":\"abcd\"}"), "tcbInfo").ok());
  BOOST_TEST(
      !SplitSignedJson(V("{\"tcbInfo\":{},\"signature\":\"" + sig + "\",\"x\":1}"), "tcbInfo")
           .ok());
  BOOST_TEST(
      !SplitSignedJson(V("{\"enclaveIdentity\":{},\"signature\":\"" + sig + "\"}"), "tcbInfo")
           .ok());
}

BOOST_AUTO_TEST_CASE(iso_times) {
  BOOST_TEST((ParseIsoTime("1970-01-01T00:00:00Z") == std::optional<uint64_t>(0)));
  BOOST_TEST((ParseIsoTime("2025-07-19T10:16:03Z") == std::optional<uint64_t>(1752920163)));
  BOOST_TEST((ParseIsoTime("2024-02-29T00:00:00Z") == std::optional<uint64_t>(1709164800)));
  BOOST_TEST((ParseIsoTime("2025-07-19T10:16:03.123Z") == std::optional<uint64_t>(1752920163)));
  for (const char* bad : {"2023-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-07-19 10:16:03Z",
                          "2025-07-19T10:16:03", "2025-07-19T24:00:00Z", "2025-07-19T10:16:03.Z",
                          "1969-12-31T23:59:59Z"}) {
    BOOST_TEST(!ParseIsoTime(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(tcb_info_fields) {
  auto t = ParseTcbInfo(V(TdxTcbInfoBody()));
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t->id == "TDX");
  BOOST_TEST(t->tcb_evaluation_data_number == 17u);
  BOOST_TEST(t->tcb_levels.size() == 1u);
  BOOST_TEST(t->tcb_levels[0].tdx_components.has_value());
  BOOST_TEST(t->tcb_levels[0].sgx_components[1] == 3);
  BOOST_TEST(t->tcb_levels[0].pcesvn == 13);
  auto edit = [](std::string body, const std::string& from, const std::string& to) {
    body.replace(body.find(from), from.size(), to);
    return body;
  };
  const std::string body = TdxTcbInfoBody();
  BOOST_TEST((ParseTcbInfo(V(edit(body, "\"version\":3", "\"version\":2"))).status().code() ==
              ErrorCode::kUnsupported));
  for (const auto& bad :
       {edit(body, "\"pcesvn\":13", "\"pcesvn\":-1"),
        edit(body, "\"pcesvn\":13", "\"pcesvn\":70000"), edit(body, "\"UpToDate\"", "\"Fine\""),
        edit(body, "\"UpToDate\"", "\"TDRelaunchAdvised\""), edit(body, "B0C06F000000", "B0C06F"),
        edit(body, "\"id\":\"TDX\"", "\"id\":\"SEV\""),
        edit(body, "2025-07-19T10:16:03Z", "2025-06-19T10:16:02Z"), edit(body, "{\"svn\":3},", ""),
        edit(body, "\"tdxModule\"", "\"tdxModuleX\"")}) {
    BOOST_TEST(!ParseTcbInfo(V(bad)).ok(), bad);
  }
  BOOST_TEST(!ParseTcbInfo(V(body.substr(0, body.size() - 1))).ok());
}

BOOST_AUTO_TEST_CASE(real_documents_are_admitted_by_kind_and_key) {
  auto c = FindCase("tdx-v4-uptodate");
  if (!c) {
    BOOST_TEST_MESSAGE("SKIPPED: real TDX vectors are absent");
    return;
  }
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  const CollateralSet set = Admit(v, c->AllCollateral(), c->verify_at);
  std::map<std::string, int> kinds;
  for (const auto& d : set.docs()) {
    ++kinds[d.kind];
    BOOST_TEST((d.tee_type == TeeType::IntelTdx));
    BOOST_TEST(d.key.at(0) == kAnchorIntel);
  }
  BOOST_TEST(set.docs().size() == 8u);
  BOOST_TEST(kinds[kKindCerts] == 4);
  BOOST_TEST(kinds[kKindPckCrl] == 1);
  BOOST_TEST(kinds[kKindRootCaCrl] == 1);
  BOOST_TEST(kinds[kKindTcbInfo] == 1);
  BOOST_TEST(kinds[kKindQeIdentity] == 1);
  const Bytes tcb_key = {kAnchorIntel, 'T', 'D', 'X', 0xB0, 0xC0, 0x6F, 0, 0, 0};
  const auto* tcb = set.Select(TeeType::IntelTdx, kKindTcbInfo, AsView(tcb_key), c->verify_at);
  BOOST_REQUIRE(tcb != nullptr);
  BOOST_TEST(tcb->rank == 17u);
  BOOST_TEST(tcb->this_update == *ParseIsoTime("2025-06-19T10:16:03Z"));
  BOOST_TEST(tcb->next_update == *ParseIsoTime("2025-07-19T10:16:03Z"));

  // The same documents are not SGX collateral (TCB Info / QE Identity flavour).
  TdxVerifier sgx(TeeType::IntelSgx, Policy{}, CommonPolicy{});
  const CollateralSet known = Admit(sgx, {c->Collateral("tcb_sign_chain")}, c->verify_at);
  BOOST_TEST(known.docs().size() == 1u);
  BOOST_TEST(!sgx.ParseCollateral(AsView(c->Collateral("tcb_info")), known, c->verify_at).ok());
  BOOST_TEST(!sgx.ParseCollateral(AsView(c->Collateral("qe_identity")), known, c->verify_at).ok());
}

BOOST_AUTO_TEST_CASE(real_documents_need_their_issuer) {
  auto c = FindCase("tdx-v4-uptodate");
  if (!c) return;
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  const uint64_t now = c->verify_at;
  // Alone, signed documents have no issuer at hand.
  for (const char* role : {"tcb_info", "qe_identity", "pck_crl", "root_ca_crl"}) {
    auto d = v.ParseCollateral(AsView(c->Collateral(role)), now);
    BOOST_TEST(!d.ok(), role);
    if (!d.ok()) BOOST_TEST((d.status().code() == ErrorCode::kCollateral));
  }
  // The bundle convention: JSON + whitespace + issuer chain PEM.
  auto bundled = v.ParseCollateral(
      AsView(Concat(c->Collateral("tcb_info"), "\n", c->Collateral("tcb_sign_chain"))), now);
  BOOST_REQUIRE(bundled.ok());
  BOOST_TEST(bundled->kind == kKindTcbInfo);
  // CRL as PEM followed by its issuer chain.
  auto crl = x509::Crl::Parse(AsView(c->Collateral("pck_crl")));
  BOOST_REQUIRE(crl.ok());
  const std::string pem = x509::CrlToPem(*crl);
  auto crl_bundle =
      v.ParseCollateral(AsView(Concat(B(pem), "", c->Collateral("pck_sign_chain"))), now);
  BOOST_REQUIRE(crl_bundle.ok());
  BOOST_TEST(crl_bundle->kind == kKindPckCrl);
  // A root CA alone chains to itself; a PCK CA alone does not.
  BOOST_TEST(v.ParseCollateral(AsView(c->Collateral("root_ca")), now).ok());
  BOOST_TEST(!v.ParseCollateral(AsView(c->Collateral("pck_cert")), now).ok());
  // A changed signed byte fails, even with the issuer bundled.
  Bytes tampered = Concat(c->Collateral("tcb_info"), "\n", c->Collateral("tcb_sign_chain"));
  const std::string text(tampered.begin(), tampered.end());
  tampered[text.find("\"tcbEvaluationDataNumber\":17") + 26] = '8';
  BOOST_TEST(!v.ParseCollateral(AsView(tampered), now).ok());
  // Not pinned: another root fingerprint rejects every Intel document.
  Policy other;
  other.root_ca_sha256[0] ^= 1;
  TdxVerifier w(TeeType::IntelTdx, other, CommonPolicy{});
  BOOST_TEST(!w.ParseCollateral(AsView(c->Collateral("root_ca")), now).ok());
  BOOST_TEST(
      !w.ParseCollateral(
            AsView(Concat(c->Collateral("tcb_info"), "\n", c->Collateral("tcb_sign_chain"))), now)
           .ok());
}

BOOST_AUTO_TEST_CASE(development_root_needs_simulation) {
  const DevPki pki = DevPki::Make();
  const std::string body = TdxTcbInfoBody(21);
  const std::string doc = pki.Sign("tcbInfo", body) + "\n" + pki.TcbChainPem();
  auto on = DevVerifier(pki, true).ParseCollateral(V(doc), 0);
  BOOST_REQUIRE_MESSAGE(on.ok(), (on.ok() ? std::string() : on.status().message()));
  BOOST_TEST(on->kind == kKindTcbInfo);
  BOOST_TEST(on->key.at(0) == kAnchorDev);
  BOOST_TEST(on->rank == 21u);
  auto off = DevVerifier(pki, false).ParseCollateral(V(doc), 0);
  BOOST_TEST(!off.ok());
  // Without the dev root pinned at all, nothing chains.
  TdxVerifier none(TeeType::IntelTdx, Policy{}, CommonPolicy{true, 86400});
  BOOST_TEST(!none.ParseCollateral(V(doc), 0).ok());
}

BOOST_AUTO_TEST_CASE(signature_covers_the_exact_value_bytes) {
  const DevPki pki = DevPki::Make();
  const TdxVerifier v = DevVerifier(pki, true);
  const std::string body = TdxTcbInfoBody();
  const std::string chain = "\n" + pki.TcbChainPem();
  std::string doc = pki.Sign("tcbInfo", body);
  BOOST_TEST(v.ParseCollateral(V(doc + chain), 0).ok());
  // Whitespace outside the signed value is fine; inside it is a change.
  std::string outside = doc;
  outside.insert(1, " \n");
  BOOST_TEST(v.ParseCollateral(V(outside + chain), 0).ok());
  std::string inside = doc;
  inside.insert(inside.find("\"version\""), " ");
  BOOST_TEST(!v.ParseCollateral(V(inside + chain), 0).ok());
  // Signed by the root: the root is not the TCB Signing role (issue 9 item
  // 4: only the TCB Signing certificate signs TCB levels).
  auto root_sig = *pki.root_key.EcdsaSignRaw(x509::Digest::kSha256, V(body));
  const std::string by_root =
      "{\"tcbInfo\":" + body + ",\"signature\":\"" + ToHex(AsView(root_sig)) + "\"}";
  BOOST_TEST(!v.ParseCollateral(V(by_root + chain), 0).ok());
  // Signed by an unrelated key: rejected.
  auto stranger = *x509::PrivateKey::Generate(x509::KeyKind::kP256);
  auto bad_sig = *stranger.EcdsaSignRaw(x509::Digest::kSha256, V(body));
  BOOST_TEST(!v.ParseCollateral(V("{\"tcbInfo\":" + body + ",\"signature\":\"" +
                                  ToHex(AsView(bad_sig)) + "\"}" + chain),
                                0)
                  .ok());
}

BOOST_AUTO_TEST_CASE(issuer_from_known_certificates) {
  const DevPki pki = DevPki::Make();
  const TdxVerifier v = DevVerifier(pki, true);
  const std::string doc = pki.Sign("tcbInfo", TdxTcbInfoBody());
  BOOST_TEST(!v.ParseCollateral(V(doc), 0).ok());
  auto certs = v.ParseCollateral(V(pki.TcbChainPem()), 0);
  BOOST_REQUIRE(certs.ok());
  BOOST_TEST(certs->kind == kKindCerts);
  const CollateralSet known = CollateralSet().With(*certs);
  BOOST_TEST(v.ParseCollateral(V(doc), known, 0).ok());
  // A certificate whose issuer is unknown is not admitted.
  BOOST_TEST(!v.ParseCollateral(V(x509::ToPem({pki.tcb})), 0).ok());
  BOOST_TEST(v.ParseCollateral(V(x509::ToPem({pki.tcb})), known, 0).ok());
}

// Issue 9 item 2: authentication is decided against each call's known set,
// never remembered. A verifier that once authenticated a document with its
// issuer at hand must refuse it without that issuer, as a fresh one does,
// and clearing the caches changes no answer.
BOOST_AUTO_TEST_CASE(authentication_is_never_cached) {
  const DevPki pki = DevPki::Make();
  const std::string doc = pki.Sign("tcbInfo", TdxTcbInfoBody());
  const TdxVerifier seen = DevVerifier(pki, true);
  const TdxVerifier fresh = DevVerifier(pki, true);
  const CollateralSet with_issuer =
      CollateralSet().With(*seen.ParseCollateral(V(pki.TcbChainPem()), 0));
  const CollateralSet without_issuer;
  // Issuer in `known`, then in the blob: both authenticate.
  BOOST_REQUIRE(seen.ParseCollateral(V(doc), with_issuer, 0).ok());
  BOOST_REQUIRE(seen.ParseCollateral(V(doc + "\n" + pki.TcbChainPem()), without_issuer, 0).ok());
  for (int round = 0; round < 2; ++round) {
    auto a = seen.ParseCollateral(V(doc), without_issuer, 0);
    auto b = fresh.ParseCollateral(V(doc), without_issuer, 0);
    BOOST_TEST(!a.ok());
    BOOST_REQUIRE(a.ok() == b.ok());
    if (!a.ok()) BOOST_TEST((a.status().code() == b.status().code()));
    BOOST_TEST(seen.ParseCollateral(V(doc), with_issuer, 0).ok());
    seen.ClearCaches();
  }
}

BOOST_AUTO_TEST_CASE(crls_by_issuer) {
  const DevPki pki = DevPki::Make();
  const TdxVerifier v = DevVerifier(pki, true);
  x509::CrlSpec spec;
  spec.this_update = kNotBefore + 10;
  spec.next_update = kNotBefore + 20;
  spec.revoked_serials_be = {{0x42}};
  auto root_crl = *x509::IssueCrl(spec, pki.root, pki.root_key);
  auto ca_crl = *x509::IssueCrl(spec, pki.ca, pki.ca_key);
  const std::string chain = x509::ToPem({pki.ca, pki.root});
  auto r = v.ParseCollateral(V(x509::CrlToPem(root_crl) + chain), 0);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->kind == kKindRootCaCrl);
  BOOST_TEST(r->this_update == uint64_t{kNotBefore + 10});
  BOOST_TEST(r->next_update == uint64_t{kNotBefore + 20});
  auto p = v.ParseCollateral(V(x509::CrlToPem(ca_crl) + chain), 0);
  BOOST_REQUIRE(p.ok());
  BOOST_TEST(p->kind == kKindPckCrl);
  BOOST_TEST((p->key != r->key));
  // DER alone: the issuer must be known.
  BOOST_TEST(!v.ParseCollateral(AsView(ca_crl.der()), 0).ok());
  const CollateralSet known = CollateralSet().With(*v.ParseCollateral(V(chain), 0));
  BOOST_TEST(v.ParseCollateral(AsView(ca_crl.der()), known, 0).ok());
  // A CRL signed by a key that is not its issuer's.
  auto forged = *x509::IssueCrl(spec, pki.ca, pki.root_key);
  BOOST_TEST(!v.ParseCollateral(AsView(forged.der()), known, 0).ok());
}

BOOST_AUTO_TEST_CASE(garbage_is_not_collateral) {
  TdxVerifier v(TeeType::IntelTdx, Policy{}, CommonPolicy{});
  for (const std::string g : {"", "hello", "{}", "{\"tcbInfo\":{}}",
                              "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"}) {
    auto d = v.ParseCollateral(V(g), 0);
    BOOST_TEST(!d.ok(), g);
    if (!d.ok()) BOOST_TEST((d.status().code() == ErrorCode::kCollateral));
  }
}

BOOST_AUTO_TEST_SUITE_END()
