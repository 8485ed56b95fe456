#include <boost/test/unit_test.hpp>

#include <numeric>
#include <string>

#include "attestation/binding.h"
#include "core/bytes.h"

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

// sha512(b"tenzro-tee-model-v1" + bytes(range(32)) + bytes(range(32, 64)) + bytes(range(64, 96)))
BOOST_AUTO_TEST_CASE(model_known_answer) {
  ModelBinding in;
  std::iota(in.provider_key.begin(), in.provider_key.end(), uint8_t{0});
  std::iota(in.model_hash.begin(), in.model_hash.end(), uint8_t{32});
  std::iota(in.challenge.begin(), in.challenge.end(), uint8_t{64});
  BOOST_TEST(ToHex(AsView(ComputeBinding(in))) ==
             "90189c1d674001e9967043ffaa05ccc1ec16a0cb773a47775e32302c33a84691"
             "a91b79ac207548f31696ab8a882dec2d331a3915aae00d2d4eaf96b8812869e3");
  // Through the variant: the same bytes.
  BOOST_TEST((ComputeBinding(ReportDataBinding(in)) == ComputeBinding(in)));
}

// sha512(b"tenzro-tee-zk-v1" + sha256(b"proof") + sha256(b"inputs") + bytes(range(32)) +
//        bytes(range(32, 64)))
BOOST_AUTO_TEST_CASE(zk_known_answer) {
  Hash32 vk{}, challenge{};
  std::iota(vk.begin(), vk.end(), uint8_t{0});
  std::iota(challenge.begin(), challenge.end(), uint8_t{32});
  const std::string proof = "proof", inputs = "inputs";
  const ZkBinding in = ZkBinding::For(
      ByteView(reinterpret_cast<const uint8_t*>(proof.data()), proof.size()),
      ByteView(reinterpret_cast<const uint8_t*>(inputs.data()), inputs.size()), vk, challenge);
  BOOST_TEST(ToHex(AsView(ComputeBinding(in))) ==
             "c1bab2d34ab73cdcf6d7275904864a85a75adaabae9c72d37bbba3baf7902be1"
             "37e086229985f6ed6b8c33c5307951d78373696f381517b1da6407ed77fbe90e");
}

// The tags keep the kinds apart even when the fields carry the same bytes:
// a validator binding of (k, c) is neither the model binding of (k, 0, c)
// nor of (k, c, ...), and no field of any kind can be dropped.
BOOST_AUTO_TEST_CASE(kinds_are_domain_separated) {
  Hash32 k{}, c{};
  k.fill(0x11);
  c.fill(0x22);
  const auto validator = ComputeBinding(BindingInput{k, c});
  const auto model_zero = ComputeBinding(ModelBinding{k, Hash32{}, c});
  const auto model_kc = ComputeBinding(ModelBinding{k, c, Hash32{}});
  const auto zk = ComputeBinding(ZkBinding{k, c, Hash32{}, Hash32{}});
  BOOST_TEST((validator != model_zero));
  BOOST_TEST((validator != model_kc));
  BOOST_TEST((validator != zk));
  BOOST_TEST((model_zero != zk));
  ModelBinding m{k, k, c};
  const auto base = ComputeBinding(m);
  m.model_hash[0] ^= 1;
  BOOST_TEST((ComputeBinding(m) != base));
  ZkBinding z{k, k, k, c};
  const auto zbase = ComputeBinding(z);
  for (Hash32* f : {&z.proof_hash, &z.public_inputs_hash, &z.vk_id, &z.challenge}) {
    (*f)[31] ^= 1;
    BOOST_TEST((ComputeBinding(z) != zbase));
    (*f)[31] ^= 1;
  }
  BOOST_TEST((ComputeBinding(z) == zbase));
}

BOOST_AUTO_TEST_SUITE_END()
