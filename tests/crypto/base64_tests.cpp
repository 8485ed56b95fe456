// crypto/base64.h: RFC 4648 §10 vectors, whitespace rules, base64url.
#include <boost/test/unit_test.hpp>

#include "crypto/base64.h"

using namespace tenzro::tee;

namespace {
ByteView View(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string Text(const Bytes& b) { return std::string(b.begin(), b.end()); }
}  // namespace

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(rfc4648_vectors) {
  const std::pair<const char*, const char*> v[] = {{"", ""},
                                                   {"f", "Zg=="},
                                                   {"fo", "Zm8="},
                                                   {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="},
                                                   {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, b64] : v) {
    BOOST_TEST(crypto::Base64Encode(View(plain)) == b64);
    auto d = crypto::Base64Decode(b64);
    BOOST_REQUIRE(d.has_value());
    BOOST_TEST(Text(*d) == plain);
  }
}

BOOST_AUTO_TEST_CASE(whitespace_and_garbage) {
  auto d = crypto::Base64Decode(" Zm9v\r\n  YmFy\t");
  BOOST_REQUIRE(d.has_value());
  BOOST_TEST(Text(*d) == "foobar");
  BOOST_TEST(!crypto::Base64Decode("Zm9v!").has_value());
  BOOST_TEST(!crypto::Base64Decode("Zg").has_value());        // padding required
  BOOST_TEST(!crypto::Base64Decode("Zg==Zg==").has_value());  // data after padding
}

BOOST_AUTO_TEST_CASE(base64url) {
  const Bytes b = {0xfb, 0xff, 0xbf};
  BOOST_TEST(crypto::Base64UrlEncode(b) == "-_-_");
  auto d = crypto::Base64UrlDecode("-_-_");
  BOOST_REQUIRE(d.has_value());
  BOOST_TEST((*d == b));
  BOOST_TEST(!crypto::Base64UrlDecode("+/+/").has_value());
  BOOST_TEST(!crypto::Base64UrlDecode("Zg==").has_value());   // no padding in JOSE
  BOOST_TEST(!crypto::Base64UrlDecode("Zm 9v").has_value());  // no whitespace
  auto f = crypto::Base64UrlDecode("Zg");
  BOOST_REQUIRE(f.has_value());
  BOOST_TEST(Text(*f) == "f");
}

BOOST_AUTO_TEST_SUITE_END()
