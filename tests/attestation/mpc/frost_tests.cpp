// FROST(Ed25519, SHA-512) against RFC 9591 Appendix E.1, byte for byte:
// the dealer's shares from the given secret and coefficient (Appendix C),
// nonces from the given randomness, commitments, binding-factor inputs and
// factors, signature shares and the final signature; then the protocol's
// own properties on random keys.
#include <boost/test/unit_test.hpp>

#include <sodium.h>

#include <string>

#include "attestation/mpc/frost.h"

using namespace tenzro::tee;
using namespace tenzro::tee::mpc;

namespace {

template <size_t N = 32>
std::array<uint8_t, N> H(const std::string& hex) {
  return FromHexFixed<N>(hex).value();
}

// RFC 9591 Appendix E.1, FROST(Ed25519, SHA-512).
const std::string kGroupSecret = "7b1c33d3f5291d85de664833beb1ad469f7fb6025a0ec78b3a790c6e13a98304";
const std::string kGroupPublic = "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673";
const std::string kCoefficient1 =
    "178199860edd8c62f5212ee91eff1295d0d670ab4ed4506866bae57e7030b204";
const std::string kShares[3] = {"929dcc590407aae7d388761cddb0c0db6f5627aea8e217f4a033f2ec83d93509",
                                "a91e66e012e4364ac9aaa405fcafd370402d9859f7b6685c07eed76bf409e80d",
                                "d3cb090a075eb154e82fdb4b3cb507f110040905468bb9c46da8bdea643a9a02"};
const Bytes kMessage = {0x74, 0x65, 0x73, 0x74};  // "test"

struct RoundOne {
  uint16_t id;
  std::string hiding_randomness, binding_randomness, hiding_nonce, binding_nonce, hiding_commitment,
      binding_commitment, binding_factor_input, binding_factor, sig_share;
};

const RoundOne kP1 = {
    1,
    "0fd2e39e111cdc266f6c0f4d0fd45c947761f1f5d3cb583dfcb9bbaf8d4c9fec",
    "69cd85f631d5f7f2721ed5e40519b1366f340a87c2f6856363dbdcda348a7501",
    "812d6104142944d5a55924de6d49940956206909f2acaeedecda2b726e630407",
    "b1110165fc2334149750b28dd813a39244f315cff14d4e89e6142f262ed83301",
    "b5aa8ab305882a6fc69cbee9327e5a45e54c08af61ae77cb8207be3d2ce13de3",
    "67e98ab55aa310c3120418e5050c9cf76cf387cb20ac9e4b6fdb6f82a469f932",
    "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673504df914fa965023fb75c25ded4bb2"
    "60f417de6d32e5c442c6ba313791cc9a4948d6273e8d3511f93348ea7a708a9b862bc73ba2a79cfdfe07729a193751"
    "cbc973af46d8ac3440e518d4ce440a0e7d4ad5f62ca8940f32de6d8dc00fc12c660b817d587d82f856d277ce6473ca"
    "e6d2f5763f7da2e8b4d799a3f3e725d4522ec701000000000000000000000000000000000000000000000000000000"
    "00"
    "000000",
    "f2cb9d7dd9beff688da6fcc83fa89046b3479417f47f55600b106760eb3b5603",
    "001719ab5a53ee1a12095cd088fd149702c0720ce5fd2f29dbecf24b7281b603"};
const RoundOne kP3 = {
    3,
    "86d64a260059e495d0fb4fcc17ea3da7452391baa494d4b00321098ed2a0062f",
    "13e6b25afb2eba51716a9a7d44130c0dbae0004a9ef8d7b5550c8a0e07c61775",
    "c256de65476204095ebdc01bd11dc10e57b36bc96284595b8215222374f99c0e",
    "243d71944d929063bc51205714ae3c2218bd3451d0214dfb5aeec2a90c35180d",
    "cfbdb165bd8aad6eb79deb8d287bcc0ab6658ae57fdcc98ed12c0669e90aec91",
    "7487bc41a6e712eea2f2af24681b58b1cf1da278ea11fe4e8b78398965f13552",
    "15d21ccd7ee42959562fc8aa63224c8851fb3ec85a3faf66040d380fb9738673504df914fa965023fb75c25ded4bb2"
    "60f417de6d32e5c442c6ba313791cc9a4948d6273e8d3511f93348ea7a708a9b862bc73ba2a79cfdfe07729a193751"
    "cbc973af46d8ac3440e518d4ce440a0e7d4ad5f62ca8940f32de6d8dc00fc12c660b817d587d82f856d277ce6473ca"
    "e6d2f5763f7da2e8b4d799a3f3e725d4522ec703000000000000000000000000000000000000000000000000000000"
    "00"
    "000000",
    "b087686bf35a13f3dc78e780a34b0fe8a77fef1b9938c563f5573d71d8d7890f",
    "bd86125de990acc5e1f13781d8e32c03a9bbd4c53539bbc106058bfd14326007"};
const std::string kSignature =
    "36282629c383bb820a88b71cae937d41f2f2adfcc3d02e55507e2fb9e2dd3cbe"
    "bd9d2b0844e49ae0f3fa935161e1419aab7b47d21a37ebeae1f17d4987b3160b";

frost::DealerOutput VectorKeys() {
  const frost::Scalar coef = H(kCoefficient1);
  return frost::TrustedDealerKeygen(H(kGroupSecret), std::span(&coef, 1), 3).value();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(frost_rfc9591)

BOOST_AUTO_TEST_CASE(appendix_e1_ed25519_sha512) {
  BOOST_REQUIRE(sodium_init() >= 0);
  const auto keys = VectorKeys();
  BOOST_TEST(ToHex(AsView(keys.group_public_key)) == kGroupPublic);
  BOOST_REQUIRE(keys.shares.size() == 3u);
  for (size_t i = 0; i < 3; ++i) {
    BOOST_TEST(keys.shares[i].id == i + 1);
    BOOST_TEST(ToHex(AsView(keys.shares[i].secret.get())) == kShares[i]);
    BOOST_TEST(
        frost::VssVerify(keys.shares[i].id, keys.shares[i].secret.get(), keys.vss_commitment));
  }

  std::vector<frost::Commitment> list;
  std::vector<frost::Nonces> nonces;
  for (const RoundOne* p : {&kP1, &kP3}) {
    const auto& share = keys.shares[p->id - 1u];
    const auto hr = H(p->hiding_randomness);
    const auto br = H(p->binding_randomness);
    BOOST_TEST(ToHex(AsView(frost::NonceGenerate(hr, share.secret.get()))) == p->hiding_nonce);
    auto [n, c] = frost::Commit(share, hr, br).value();
    BOOST_TEST(ToHex(AsView(n.hiding.get())) == p->hiding_nonce);
    BOOST_TEST(ToHex(AsView(n.binding.get())) == p->binding_nonce);
    BOOST_TEST(ToHex(AsView(c.hiding)) == p->hiding_commitment);
    BOOST_TEST(ToHex(AsView(c.binding)) == p->binding_commitment);
    list.push_back(c);
    nonces.push_back(std::move(n));
  }
  const auto rhos = frost::BindingFactors(keys.group_public_key, list, AsView(kMessage));
  std::vector<frost::SignatureShare> shares;
  size_t k = 0;
  for (const RoundOne* p : {&kP1, &kP3}) {
    BOOST_TEST(ToHex(AsView(frost::BindingFactorInput(keys.group_public_key, list, AsView(kMessage),
                                                      p->id))) == p->binding_factor_input);
    BOOST_TEST(ToHex(AsView(rhos[k])) == p->binding_factor);
    auto z = frost::Sign(keys.shares[p->id - 1u], keys.group_public_key, nonces[k],
                         AsView(kMessage), list)
                 .value();
    BOOST_TEST(ToHex(AsView(z.z)) == p->sig_share);
    const auto pk_i = frost::BaseMult(keys.shares[p->id - 1u].secret.get()).value();
    BOOST_TEST(frost::VerifySignatureShare(z, pk_i, keys.group_public_key, list, AsView(kMessage)));
    shares.push_back(z);
    ++k;
  }
  const auto sig = frost::Aggregate(keys.group_public_key, list, AsView(kMessage), shares).value();
  BOOST_TEST(ToHex(AsView(sig)) == kSignature);
  // A standard Ed25519 verifier accepts it under the group key.
  BOOST_TEST(crypto_sign_verify_detached(sig.data(), kMessage.data(), kMessage.size(),
                                         keys.group_public_key.data()) == 0);
}

BOOST_AUTO_TEST_CASE(every_two_of_three_subset_signs_and_one_cannot) {
  const auto keys = frost::TrustedDealerKeygen(2, 3).value();
  const Bytes msg = {1, 2, 3};
  const std::vector<std::vector<uint16_t>> subsets = {{1, 2}, {1, 3}, {2, 3}, {1, 2, 3}};
  for (const auto& subset : subsets) {
    std::vector<frost::Commitment> list;
    std::vector<frost::Nonces> nonces;
    for (uint16_t id : subset) {
      auto [n, c] = frost::Commit(keys.shares[id - 1u]).value();
      list.push_back(c);
      nonces.push_back(std::move(n));
    }
    std::vector<frost::SignatureShare> zs;
    for (size_t i = 0; i < subset.size(); ++i) {
      zs.push_back(frost::Sign(keys.shares[subset[i] - 1u], keys.group_public_key, nonces[i],
                               AsView(msg), list)
                       .value());
    }
    auto sig = frost::Aggregate(keys.group_public_key, list, AsView(msg), zs).value();
    BOOST_TEST(crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(),
                                           keys.group_public_key.data()) == 0);
  }
  // One participant alone: its share is a point on a degree-1 polynomial,
  // not the secret; the "signature" it makes does not verify.
  for (uint16_t id = 1; id <= 3; ++id) {
    auto [n, c] = frost::Commit(keys.shares[id - 1u]).value();
    std::vector<frost::Commitment> list = {c};
    auto z = frost::Sign(keys.shares[id - 1u], keys.group_public_key, n, AsView(msg), list).value();
    auto sig = frost::Aggregate(keys.group_public_key, list, AsView(msg), std::span(&z, 1)).value();
    BOOST_TEST(crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(),
                                           keys.group_public_key.data()) != 0);
  }
}

BOOST_AUTO_TEST_CASE(vss_catches_a_corrupted_share) {
  const auto keys = frost::TrustedDealerKeygen(2, 3).value();
  frost::Scalar bad = keys.shares[1].secret.get();
  bad[0] ^= 1;
  BOOST_TEST(!frost::VssVerify(2, bad, keys.vss_commitment));
  BOOST_TEST(!frost::VssVerify(3, keys.shares[1].secret.get(), keys.vss_commitment));
}

BOOST_AUTO_TEST_CASE(wire_round_trips_and_rejects) {
  const auto keys = frost::TrustedDealerKeygen(2, 3).value();
  auto [n1, c1] = frost::Commit(keys.shares[0]).value();
  auto [n2, c2] = frost::Commit(keys.shares[1]).value();
  std::vector<frost::Commitment> list = {c1, c2};
  BOOST_TEST(
      (frost::DecodeCommitmentList(AsView(frost::EncodeCommitmentList(list))).value() == list));
  std::vector<frost::Commitment> unsorted = {c2, c1};
  BOOST_TEST(!frost::DecodeCommitmentList(AsView(frost::EncodeCommitmentList(unsorted))).ok());
  Bytes identity = frost::EncodeCommitment(c1);
  std::fill(identity.begin() + 2, identity.begin() + 34, 0);
  identity[2] = 1;  // the identity element's encoding
  BOOST_TEST(!frost::DecodeCommitment(AsView(identity)).ok());
  frost::SignatureShare s{2, {}};
  s.z[0] = 5;
  BOOST_TEST((frost::DecodeSignatureShare(AsView(frost::EncodeSignatureShare(s))).value() == s));
  s.z.fill(0xff);  // >= L
  BOOST_TEST(!frost::DecodeSignatureShare(AsView(frost::EncodeSignatureShare(s))).ok());
}

BOOST_AUTO_TEST_SUITE_END()
