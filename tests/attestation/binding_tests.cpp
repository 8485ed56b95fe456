#include <boost/test/unit_test.hpp>

#include <numeric>

#include "attestation/binding.h"

using namespace tenzro::tee;

BOOST_AUTO_TEST_SUITE(binding)

// Known answer computed independently with Python's hashlib:
// sha512(b"tenzro-tee-bind-v1" + bytes(range(32)) + bytes(range(32, 64))).
BOOST_AUTO_TEST_CASE(known_answer) {
  BindingInput in;
  std::iota(in.validator_id.begin(), in.validator_id.end(), uint8_t{0});
  std::iota(in.challenge.begin(), in.challenge.end(), uint8_t{32});
  auto b = ComputeBinding(in);
  BOOST_TEST(ToHex(AsView(b)) ==
             "7e58ff3f12a549dd096eca88ce4222b8f0ac545c088bdfadace112454110636a"
             "11af1373ea7a93dc252d57028e6daf0ce3d0d54839e7f07f0cad7f6d69fe8966");
}

BOOST_AUTO_TEST_CASE(key_and_challenge_both_matter) {
  BindingInput a, b, c;
  b.validator_id[0] = 1;
  c.challenge[31] = 1;
  BOOST_TEST((ComputeBinding(a) != ComputeBinding(b)));
  BOOST_TEST((ComputeBinding(a) != ComputeBinding(c)));
}

BOOST_AUTO_TEST_SUITE_END()
