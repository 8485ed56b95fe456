// crypto/x509 and crypto/der: chains, CRLs, ECDSA raw signatures, RSA-PSS,
// the DER walker, and the real Intel root from the vectors when present.
#include <boost/test/unit_test.hpp>

#include <string>

#include "crypto/der.h"
#include "crypto/hash.h"
#include "crypto/x509.h"
#include "support/vectors.h"

namespace tenzro::tee {
namespace {

using x509::Certificate;
using x509::CertSpec;
using x509::Crl;
using x509::CrlSpec;
using x509::PrivateKey;

constexpr int64_t kT0 = 1'700'000'000;

ByteView Str(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

struct Pki {
  PrivateKey root_key = *PrivateKey::Generate(x509::KeyKind::kP256);
  PrivateKey ca_key = *PrivateKey::Generate(x509::KeyKind::kP256);
  PrivateKey leaf_key = *PrivateKey::Generate(x509::KeyKind::kP256);
  Certificate root, ca, leaf;
  Pki() {
    CertSpec r;
    r.subject = {{"CN", "Test Root"}, {"O", "tenzro"}};
    r.not_before = kT0;
    r.not_after = kT0 + 1000;
    r.is_ca = true;
    root = *x509::IssueCertificate(r, root_key.public_key(), nullptr, root_key);
    CertSpec c = r;
    c.subject = {{"CN", "Test CA"}, {"O", "tenzro"}};
    c.serial_be = {0x02, 0x00, 0x02};
    ca = *x509::IssueCertificate(c, ca_key.public_key(), &root, root_key);
    CertSpec l;
    l.subject = {{"CN", "Test Leaf"}};
    l.serial_be = {0x00, 0x7f, 0x01};  // leading zero: stored minimal
    l.not_before = kT0 + 10;
    l.not_after = kT0 + 500;
    l.extensions = {{"1.2.840.113741.1.13.1", {0x30, 0x03, 0x02, 0x01, 0x05}, false}};
    leaf = *x509::IssueCertificate(l, leaf_key.public_key(), &ca, ca_key);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(x509)

BOOST_AUTO_TEST_CASE(chain_fields_and_signatures) {
  Pki p;
  BOOST_TEST(p.root.is_ca());
  BOOST_TEST(!p.leaf.is_ca());
  BOOST_TEST(p.leaf.subject() == "CN=Test Leaf");
  BOOST_TEST(p.ca.subject() == "O=tenzro,CN=Test CA");
  BOOST_TEST(*p.ca.SubjectAttr("CN") == "Test CA");
  BOOST_TEST(!p.leaf.SubjectAttr("O").has_value());
  BOOST_TEST((p.leaf.serial() == Bytes{0x7f, 0x01}));
  BOOST_TEST(p.leaf.not_before() == kT0 + 10);
  BOOST_TEST(p.leaf.not_after() == kT0 + 500);
  BOOST_TEST(p.leaf.ValidAt(kT0 + 10));
  BOOST_TEST(p.leaf.ValidAt(kT0 + 500));  // inclusive
  BOOST_TEST(!p.leaf.ValidAt(kT0 + 9));
  BOOST_TEST(!p.leaf.ValidAt(kT0 + 501));
  BOOST_TEST((p.leaf.fingerprint() == crypto::Sha256(p.leaf.der())));
  BOOST_TEST(p.leaf.IssuedBy(p.ca));
  BOOST_TEST(p.ca.IssuedBy(p.root));
  BOOST_TEST(p.root.IssuedBy(p.root));
  BOOST_TEST(!p.leaf.IssuedBy(p.root));  // name differs
  BOOST_TEST(!p.ca.IssuedBy(p.ca));
  // Same issuer name, other key: the signature must not verify.
  BOOST_TEST(!p.leaf.SignatureVerifiesWith(p.root.public_key()));
  auto ext = p.leaf.Extension("1.2.840.113741.1.13.1");
  BOOST_REQUIRE(ext.has_value());
  BOOST_TEST((*ext == Bytes{0x30, 0x03, 0x02, 0x01, 0x05}));
  BOOST_TEST(!p.leaf.Extension("1.2.3.4").has_value());
}

BOOST_AUTO_TEST_CASE(pem_round_trip_and_garbage) {
  Pki p;
  const std::string pem = "junk before\n" + x509::ToPem({p.leaf, p.ca, p.root}) + "trailing text\n";
  auto all = Certificate::ParseAll(Str(pem));
  BOOST_REQUIRE(all.ok());
  BOOST_REQUIRE(all->size() == 3u);
  BOOST_TEST(((*all)[0].der() == p.leaf.der()));
  BOOST_TEST(((*all)[2].der() == p.root.der()));
  auto der = Certificate::ParseAll(p.ca.der());
  BOOST_REQUIRE(der.ok());
  BOOST_TEST(der->size() == 1u);
  BOOST_TEST(!Certificate::ParseAll(Str("no pem here")).ok());
  Bytes trailing = p.ca.der();
  trailing.push_back(0);
  BOOST_TEST(!Certificate::FromDer(trailing).ok());
  for (size_t cut : {size_t{0}, size_t{1}, p.ca.der().size() / 2, p.ca.der().size() - 1}) {
    BOOST_TEST(!Certificate::FromDer(ByteView(p.ca.der()).first(cut)).ok());
  }
  Bytes flipped = p.leaf.der();
  flipped[flipped.size() - 5] ^= 0x01;  // inside the signature
  auto f = Certificate::FromDer(flipped);
  if (f.ok()) BOOST_TEST(!f->IssuedBy(p.ca));
}

BOOST_AUTO_TEST_CASE(crl_window_issuer_and_revocation) {
  Pki p;
  CrlSpec spec;
  spec.this_update = kT0 + 100;
  spec.next_update = kT0 + 200;
  spec.revoked_serials_be = {{0x7f, 0x01}, {0x05}};
  auto crl = x509::IssueCrl(spec, p.ca, p.ca_key);
  BOOST_REQUIRE(crl.ok());
  BOOST_TEST(crl->IssuedBy(p.ca));
  BOOST_TEST(!crl->IssuedBy(p.root));
  BOOST_TEST(crl->this_update() == kT0 + 100);
  BOOST_TEST(*crl->next_update() == kT0 + 200);
  BOOST_TEST(crl->ValidAt(kT0 + 100));
  BOOST_TEST(crl->ValidAt(kT0 + 200));
  BOOST_TEST(!crl->ValidAt(kT0 + 201));
  BOOST_TEST(crl->IsRevoked(p.leaf.serial()));
  BOOST_TEST(crl->IsRevoked(Bytes{0x00, 0x7f, 0x01}));  // leading zeros ignored
  BOOST_TEST(!crl->IsRevoked(p.ca.serial()));
  // PEM form, and a PEM bundle with the issuer chain after it.
  const std::string bundle = x509::CrlToPem(*crl) + x509::ToPem({p.ca, p.root});
  BOOST_TEST(Crl::LooksLikeCrl(Str(bundle)));
  auto again = Crl::Parse(Str(bundle));
  BOOST_REQUIRE(again.ok());
  BOOST_TEST((again->der() == crl->der()));
  BOOST_TEST(!Crl::LooksLikeCrl(p.ca.der()));
  BOOST_TEST(!Crl::Parse(ByteView(crl->der()).first(crl->der().size() - 1)).ok());
}

BOOST_AUTO_TEST_CASE(ecdsa_raw_p256_and_p384) {
  for (auto [kind, curve, digest, size] :
       {std::tuple{x509::KeyKind::kP256, x509::Curve::kP256, x509::Digest::kSha256, size_t{64}},
        std::tuple{x509::KeyKind::kP384, x509::Curve::kP384, x509::Digest::kSha384, size_t{96}}}) {
    auto key = PrivateKey::Generate(kind);
    BOOST_REQUIRE(key.ok());
    const std::string msg = "quote header and body";
    auto sig = key->EcdsaSignRaw(digest, Str(msg));
    BOOST_REQUIRE(sig.ok());
    BOOST_TEST(sig->size() == size);
    auto xy = key->public_key().EcPointXY();
    BOOST_REQUIRE(xy.has_value());
    BOOST_TEST(xy->size() == size);
    auto pub = x509::EcPublicKeyFromXY(curve, *xy);
    BOOST_REQUIRE(pub.ok());
    BOOST_TEST(x509::EcdsaVerifyRaw(*pub, digest, Str(msg), *sig));
    BOOST_TEST(!x509::EcdsaVerifyRaw(*pub, digest, Str(msg + "x"), *sig));
    Bytes bad = *sig;
    bad[3] ^= 0x10;
    BOOST_TEST(!x509::EcdsaVerifyRaw(*pub, digest, Str(msg), bad));
    BOOST_TEST(!x509::EcdsaVerifyRaw(*pub, digest, Str(msg), ByteView(*sig).first(size - 1)));
    // Left-padded r and s verify alike.
    Bytes r(ByteView(*sig).first(size / 2).begin(), ByteView(*sig).first(size / 2).end());
    Bytes s(ByteView(*sig).subspan(size / 2).begin(), ByteView(*sig).subspan(size / 2).end());
    r.insert(r.begin(), 8, 0);
    BOOST_TEST(x509::EcdsaVerify(*pub, digest, Str(msg), r, s));
    // A point off the curve is refused.
    Bytes off = *xy;
    off.back() ^= 0x01;
    BOOST_TEST(!x509::EcPublicKeyFromXY(curve, off).ok());
    BOOST_TEST(!x509::EcPublicKeyFromXY(curve, ByteView(*xy).first(size - 1)).ok());
  }
}

BOOST_AUTO_TEST_CASE(rsa_pss_chain) {
  auto ark_key = PrivateKey::Generate(x509::KeyKind::kRsa2048);
  auto vek_key = PrivateKey::Generate(x509::KeyKind::kP384);
  BOOST_REQUIRE(ark_key.ok());
  CertSpec a;
  a.subject = {{"CN", "ARK-Test"}};
  a.not_before = kT0;
  a.not_after = kT0 + 10;
  a.is_ca = true;
  a.scheme = x509::SigScheme::kRsaPssSha384;
  auto ark = x509::IssueCertificate(a, ark_key->public_key(), nullptr, *ark_key);
  BOOST_REQUIRE(ark.ok());
  CertSpec v;
  v.subject = {{"CN", "SEV-VCEK"}};
  v.not_before = kT0;
  v.not_after = kT0 + 10;
  v.scheme = x509::SigScheme::kRsaPssSha384;
  auto vek = x509::IssueCertificate(v, vek_key->public_key(), &*ark, *ark_key);
  BOOST_REQUIRE(vek.ok());
  BOOST_TEST(ark->IssuedBy(*ark));
  BOOST_TEST(vek->IssuedBy(*ark));
  BOOST_TEST(!ark->IssuedBy(*vek));
  auto pem = PrivateKey::FromPem(ark_key->ToPem());
  BOOST_REQUIRE(pem.ok());
  BOOST_TEST(!PrivateKey::FromPem("nope").ok());
}

BOOST_AUTO_TEST_CASE(der_walker) {
  // SEQUENCE { OID 1.2.840.113741.1.13.1.4, OCTET STRING 00906ED50000 }
  const Bytes seq = {0x30, 0x14, 0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01,
                     0x0d, 0x01, 0x04, 0x04, 0x06, 0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  auto top = der::ParseSingle(seq);
  BOOST_REQUIRE(top.has_value());
  BOOST_TEST(top->tag == der::kSequence);
  der::Reader r(top->value);
  ByteView oid, value;
  BOOST_TEST(r.Expect(der::kOid, oid));
  BOOST_TEST(*der::OidToString(oid) == "1.2.840.113741.1.13.1.4");
  BOOST_TEST(r.Expect(der::kOctetString, value));
  BOOST_TEST(value.size() == 6u);
  BOOST_TEST(r.AtEnd());
  // Every truncation fails cleanly; a length past the end fails.
  for (size_t n = 0; n < seq.size(); ++n)
    BOOST_TEST(!der::ParseSingle(ByteView(seq).first(n)).has_value());
  BOOST_TEST(!der::ParseSingle(Bytes{0x30, 0x85, 0, 0, 0, 0, 1}).has_value());  // 5 length bytes
  BOOST_TEST(!der::ParseSingle(Bytes{0x30, 0x80, 0x00, 0x00}).has_value());     // indefinite
  BOOST_TEST(!der::ParseSingle(Bytes{0x30, 0x81, 0x05, 1, 2, 3, 4, 5}).has_value());  // non-minimal
  BOOST_TEST(*der::IntegerToU64(Bytes{0x00, 0xff}) == 255u);
  BOOST_TEST(*der::IntegerToU64(Bytes{0x05}) == 5u);
  BOOST_TEST(!der::IntegerToU64(Bytes{0x80}).has_value());        // negative
  BOOST_TEST(!der::IntegerToU64(Bytes{0x00, 0x05}).has_value());  // non-minimal
  BOOST_TEST(!der::IntegerToU64(Bytes(10, 0x11)).has_value());    // over 64 bits
  BOOST_TEST(!der::OidToString(Bytes{0x2a, 0x86}).has_value());   // unterminated
}

BOOST_AUTO_TEST_CASE(real_intel_root_fingerprint) {
  auto dir = testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("real vectors absent: Intel root check skipped");
    return;
  }
  auto certs = Certificate::ParseAll(
      testing::ReadFileBytes(*dir / "tdx" / "dcapqvl-tdx-v4-uptodate" / "root_ca.pem"));
  BOOST_REQUIRE(certs.ok());
  BOOST_TEST(ToHex((*certs)[0].fingerprint()) ==
             "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  BOOST_TEST((*certs)[0].IssuedBy((*certs)[0]));
  BOOST_TEST((*certs)[0].is_ca());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace tenzro::tee
