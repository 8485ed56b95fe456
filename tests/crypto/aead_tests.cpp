// Known answers of the symmetric primitives enclave_crypto uses: RFC 5869
// Appendix A.1-A.3 (HKDF-SHA256) and the AES-256 cases 13-16 of the GCM
// specification (McGrew-Viega), which NIST's GCM validation uses.
#include <boost/test/unit_test.hpp>

#include <string>

#include "crypto/aead.h"

using namespace tenzro::tee;

namespace {

Bytes Hex(const std::string& h) { return FromHex(h).value(); }
Bytes Range(uint8_t from, uint8_t to_inclusive) {
  Bytes b;
  for (int v = from; v <= to_inclusive; ++v) b.push_back(static_cast<uint8_t>(v));
  return b;
}

struct HkdfCase {
  const char* name;
  Bytes ikm, salt, info;
  size_t length;
  std::string okm;
};

struct GcmCase {
  const char* name;
  std::string key, iv, plain, aad, cipher, tag;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(aead)

BOOST_AUTO_TEST_CASE(hkdf_sha256_rfc5869_vectors) {
  const HkdfCase cases[] = {
      {"A.1", Bytes(22, 0x0b), Range(0x00, 0x0c), Range(0xf0, 0xf9), 42,
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {"A.2", Range(0x00, 0x4f), Range(0x60, 0xaf), Range(0xb0, 0xff), 82,
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
       "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
       "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {"A.3",
       Bytes(22, 0x0b),
       {},
       {},
       42,
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      Bytes okm(c.length);
      BOOST_REQUIRE(crypto::HkdfSha256(AsView(c.ikm), AsView(c.salt), AsView(c.info), okm).ok());
      BOOST_TEST(ToHex(AsView(okm)) == c.okm);
    }
  }
}

BOOST_AUTO_TEST_CASE(hkdf_rejects_bad_lengths) {
  Bytes none;
  Bytes too_long(255 * 32 + 1);
  BOOST_TEST(!crypto::HkdfSha256(AsView(none), {}, {}, none).ok());
  BOOST_TEST(!crypto::HkdfSha256(AsView(none), {}, {}, too_long).ok());
}

BOOST_AUTO_TEST_CASE(aes256_gcm_spec_vectors) {
  const std::string k15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
  const std::string p64 =
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
  const std::string c64 =
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";
  const GcmCase cases[] = {
      {"13", std::string(64, '0'), std::string(24, '0'), "", "", "",
       "530f8afbc74536b9a963b4f1c4cb738b"},
      {"14", std::string(64, '0'), std::string(24, '0'), std::string(32, '0'), "",
       "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
      {"15", k15, "cafebabefacedbaddecaf888", p64, "", c64, "b094dac5d93471bdec1a502270e3cc6c"},
      {"16", k15, "cafebabefacedbaddecaf888", p64.substr(0, 120),
       "feedfacedeadbeeffeedfacedeadbeefabaddad2", c64.substr(0, 120),
       "76fc6ece0f4e1768cddf8853bb2d551b"},
  };
  const crypto::Aes256Gcm gcm;
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("GCM test case " << c.name) {
      const crypto::SecretKey256 key(AsView(Hex(c.key)));
      const Bytes iv = Hex(c.iv), plain = Hex(c.plain), aad = Hex(c.aad);
      Bytes sealed(plain.size() + 16);
      BOOST_REQUIRE(gcm.Seal(key, AsView(iv), AsView(aad), AsView(plain), sealed).ok());
      BOOST_TEST(ToHex(AsView(sealed)) == c.cipher + c.tag);
      Bytes opened(plain.size());
      BOOST_REQUIRE(gcm.Open(key, AsView(iv), AsView(aad), AsView(sealed), opened).ok());
      BOOST_TEST((opened == plain));
      // Every single-bit flip of ciphertext or tag is caught and wipes out.
      for (size_t i = 0; i < sealed.size(); ++i) {
        Bytes bad = sealed;
        bad[i] ^= 0x01;
        Bytes out(plain.size(), 0xee);
        auto s = gcm.Open(key, AsView(iv), AsView(aad), AsView(bad), out);
        BOOST_TEST((s.code() == ErrorCode::kAuthentication));
        BOOST_TEST((out == Bytes(plain.size(), 0)));
      }
      // A wrong AAD is caught.
      Bytes other_aad = aad;
      other_aad.push_back(0);
      auto s = gcm.Open(key, AsView(iv), AsView(other_aad), AsView(sealed), opened);
      BOOST_TEST((s.code() == ErrorCode::kAuthentication));
    }
  }
}

BOOST_AUTO_TEST_CASE(random_bytes_differ) {
  Bytes a(32), b(32);
  BOOST_REQUIRE(crypto::RandomBytes(a).ok());
  BOOST_REQUIRE(crypto::RandomBytes(b).ok());
  BOOST_TEST((a != b));  // 2^-256 chance of a false failure
}

BOOST_AUTO_TEST_SUITE_END()
