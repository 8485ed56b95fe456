#include <boost/test/unit_test.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/bytes.h"
#include "core/device_io.h"
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

BOOST_AUTO_TEST_CASE(device_io_resolves_every_path_under_its_root) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("tenzro_devio_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "dev");
  fs::create_directories(root / "sys/kernel/config/tsm/report");
  std::ofstream(root / "dev/sev-guest") << "abcdef";
  auto io = SystemDeviceIo(root.string() + "/");
  BOOST_TEST(io->root() == root.string());
  BOOST_TEST(io->Exists("/dev/sev-guest"));
  BOOST_TEST(!io->Exists("/dev/nsm"));
  auto read = io->ReadFile("/dev/sev-guest", 6);
  BOOST_REQUIRE(read.ok());
  BOOST_TEST(std::string(read->begin(), read->end()) == "abcdef");
  BOOST_TEST((io->ReadFile("/dev/sev-guest", 5).status().code() == ErrorCode::kTooLarge));
  BOOST_TEST((io->ReadFile("/dev/nsm", 5).status().code() == ErrorCode::kNotFound));
  BOOST_REQUIRE(io->MakeDir("/sys/kernel/config/tsm/report/r1").ok());
  BOOST_REQUIRE(io->MakeDir("/sys/kernel/config/tsm/report/r0").ok());
  auto names = io->ListDir("/sys/kernel/config/tsm/report");
  BOOST_REQUIRE(names.ok());
  BOOST_TEST((*names == std::vector<std::string>{"r0", "r1"}));
  std::ofstream(root / "sys/kernel/config/tsm/report/r0/inblob");
  Bytes blob(64, 0x5a);
  BOOST_REQUIRE(io->WriteFile("/sys/kernel/config/tsm/report/r0/inblob", AsView(blob)).ok());
  BOOST_TEST((*io->ReadFile("/sys/kernel/config/tsm/report/r0/inblob", 64) == blob));
  BOOST_TEST(!io->RemoveDir("/sys/kernel/config/tsm/report/r0").ok());  // not empty
  BOOST_TEST(io->RemoveDir("/sys/kernel/config/tsm/report/r1").ok());
  // A regular file is not a device: the ioctl fails with a named error.
  int arg = 0;
  auto r = io->Ioctl("/dev/sev-guest", FIONREAD + 0x7000, &arg);
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.status().message().find("/dev/sev-guest") != std::string::npos);
  fs::remove_all(root);
}

BOOST_AUTO_TEST_SUITE_END()
