#include <boost/test/unit_test.hpp>

#include "core/bytes.h"
#include "core/reader.h"
#include "core/u256.h"

using namespace tenzro::tee;

BOOST_AUTO_TEST_SUITE(core)

BOOST_AUTO_TEST_CASE(hex_round_trip_and_rejects) {
  Bytes b = {0x00, 0x7f, 0x80, 0xff};
  BOOST_TEST(ToHex(AsView(b)) == "007f80ff");
  BOOST_TEST((*FromHex("007F80ff") == b));
  BOOST_TEST(!FromHex("abc").has_value());  // odd length
  BOOST_TEST(!FromHex("zz").has_value());   // bad digit
  BOOST_TEST(!FromHexFixed<2>("aabbcc").has_value());
}

BOOST_AUTO_TEST_CASE(reader_never_reads_past_the_end) {
  Bytes b = {1, 2, 3, 4, 5};
  ByteReader r(AsView(b));
  uint32_t v = 0;
  BOOST_TEST(r.ReadU32Le(v));
  BOOST_TEST(v == 0x04030201u);
  uint16_t w = 0;
  BOOST_TEST(!r.ReadU16Le(w));  // one byte left
  BOOST_TEST(!r.ok());
  uint8_t x = 0;
  BOOST_TEST(!r.ReadU8(x));  // sticky failure
  Bytes out;
  ByteReader r2(AsView(b));
  BOOST_TEST(!r2.ReadLenBytes(out, 100));  // length 0x04030201 > remaining
}

BOOST_AUTO_TEST_CASE(u256_parse_and_bytes) {
  BOOST_TEST(ParseU256("0").value() == 0);
  BOOST_TEST(ParseU256("0x10").value() == 16);
  auto max =
      ParseU256("115792089237316195423570985008687907853269984665640564039457584007913129639935");
  BOOST_REQUIRE(max.has_value());
  BOOST_TEST(BitLength(*max) == 256u);
  BOOST_TEST(
      !ParseU256("115792089237316195423570985008687907853269984665640564039457584007913129639936"));
  BOOST_TEST(!ParseU256("0x1" + std::string(64, '0')).has_value());  // 2^256
  BOOST_TEST(!ParseU256("12a").has_value());
  BOOST_TEST(!ParseU256("").has_value());
  U256 v = ParseU256("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20").value();
  auto be = U256ToBe(v);
  BOOST_TEST(be[0] == 0x01);
  BOOST_TEST(be[31] == 0x20);
  BOOST_TEST((U256FromBe(be) == v));
  BOOST_TEST((U256ToBe(U256(1))[31] == 1));
  BOOST_TEST((U256ToBe(U256(0)) == U256Bytes{}));
}

BOOST_AUTO_TEST_CASE(u256_is_checked) {
  U256 max = ~U256(0);
  BOOST_CHECK_THROW(max + 1, std::overflow_error);
  BOOST_CHECK_THROW(max * 2, std::overflow_error);
}

BOOST_AUTO_TEST_SUITE_END()
