// One Boost.Test binary; CTest runs each suite as its own test.
#define BOOST_TEST_MODULE tenzro_tee
#include <boost/test/unit_test.hpp>

#include "crypto/hash.h"

struct CryptoInit {
  CryptoInit() { BOOST_REQUIRE(tenzro::tee::crypto::InitCrypto()); }
};
BOOST_TEST_GLOBAL_FIXTURE(CryptoInit);
