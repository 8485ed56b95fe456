// MpcService: sealed shares in RocksDB, single-use in-memory nonces,
// attribution of bad shares, restart survival, and the attested signing
// event binding.
#include <boost/test/unit_test.hpp>

#include <sodium.h>

#include <memory>
#include <string>

#include "attestation/binding.h"
#include "attestation/mpc/mpc_service.h"
#include "crypto/hash.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::mpc;

namespace {

ByteView Str(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::unique_ptr<storage::KvStore> Open(const std::string& path) {
  storage::RocksOptions o;
  o.path = path;
  o.sync_writes = false;
  return storage::OpenRocksStore(o).value();
}

std::shared_ptr<const enclave_crypto::RootKeySource> Sim(TeeType t = TeeType::AmdSevSnp) {
  return enclave_crypto::SimulationKeySource::Create(t, true).value();
}

struct Node {
  explicit Node(const std::string& path, TeeType t = TeeType::AmdSevSnp)
      : store(Open(path)), crypto(Sim(t)), mpc(crypto, *store) {}
  std::unique_ptr<storage::KvStore> store;
  enclave_crypto::EnclaveCrypto crypto;
  MpcService mpc;
};

// Runs both rounds for `signers` and returns the commitments and shares.
std::pair<std::vector<frost::Commitment>, std::vector<frost::SignatureShare>> Sign(
    MpcService& mpc, const frost::Element& group, const std::vector<uint16_t>& signers,
    ByteView msg) {
  std::vector<frost::Commitment> list;
  for (uint16_t id : signers) list.push_back(mpc.Commit({group, id}).value());
  std::vector<frost::SignatureShare> shares;
  for (uint16_t id : signers) shares.push_back(mpc.SignWithShare({group, id}, msg, list).value());
  return {list, shares};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(mpc_service)

BOOST_AUTO_TEST_CASE(two_of_three_every_subset_and_attribution) {
  testing::TempDir dir;
  Node n(dir.Sub("db"));
  const GroupInfo g = n.mpc.GenerateShares().value();
  BOOST_TEST(g.min_participants == 2);
  BOOST_TEST(g.max_participants == 3);
  BOOST_TEST(g.public_shares.size() == 3u);
  const std::string msg = "transfer 10 TNZO";
  for (const auto& subset : std::vector<std::vector<uint16_t>>{{1, 2}, {1, 3}, {2, 3}, {1, 2, 3}}) {
    auto [list, shares] = Sign(n.mpc, g.group_public_key, subset, Str(msg));
    auto out = n.mpc.Aggregate(g.group_public_key, Str(msg), list, shares).value();
    BOOST_REQUIRE(out.signature.has_value());
    BOOST_TEST(out.bad_participants.empty());
    BOOST_TEST(crypto_sign_verify_detached(out.signature->data(), Str(msg).data(), msg.size(),
                                           g.group_public_key.data()) == 0);
  }
  BOOST_TEST(n.mpc.pending_commitments() == 0u);

  // 1-of-3 cannot sign: below the threshold.
  auto c = n.mpc.Commit({g.group_public_key, 1}).value();
  auto one = n.mpc.SignWithShare({g.group_public_key, 1}, Str(msg), std::span(&c, 1));
  BOOST_REQUIRE(!one.ok());
  BOOST_TEST((one.status().code() == ErrorCode::kInvalidArgument));

  // A corrupted share is caught and named.
  auto [list, shares] = Sign(n.mpc, g.group_public_key, {1, 3}, Str(msg));
  auto bad = shares;
  bad[1].z[0] ^= 1;  // participant 3
  auto out = n.mpc.Aggregate(g.group_public_key, Str(msg), list, bad).value();
  BOOST_TEST(!out.signature.has_value());
  BOOST_TEST((out.bad_participants == std::vector<uint16_t>{3}));
  // A share made for another message is caught and named too.
  auto [list2, shares2] = Sign(n.mpc, g.group_public_key, {1, 3}, Str("other"));
  auto mixed = shares;
  mixed[0] = shares2[0];
  out = n.mpc.Aggregate(g.group_public_key, Str(msg), list, mixed).value();
  BOOST_TEST((out.bad_participants == std::vector<uint16_t>{1}));
  // A missing share is named.
  out = n.mpc.Aggregate(g.group_public_key, Str(msg), list, std::span(shares).first(1)).value();
  BOOST_TEST((out.bad_participants == std::vector<uint16_t>{3}));
  // The genuine shares still aggregate.
  BOOST_TEST(n.mpc.Aggregate(g.group_public_key, Str(msg), list, shares)->signature.has_value());
}

BOOST_AUTO_TEST_CASE(corrupted_commitment_is_caught_and_named) {
  testing::TempDir dir;
  Node n(dir.Sub("db"));
  const GroupInfo g = n.mpc.GenerateShares().value();
  std::vector<frost::Commitment> list = {n.mpc.Commit({g.group_public_key, 1}).value(),
                                         n.mpc.Commit({g.group_public_key, 2}).value()};
  // Participant 2's hiding commitment replaced by a non-canonical encoding
  // (y = 2^255 - 1 >= p): the decoder refuses it and names participant 2.
  Bytes wire = frost::EncodeCommitmentList(list);
  std::fill(wire.begin() + 1 + 66 + 2, wire.begin() + 1 + 66 + 34, uint8_t{0xff});
  wire[1 + 66 + 33] = 0x7f;
  auto decoded = frost::DecodeCommitmentList(AsView(wire));
  BOOST_REQUIRE(!decoded.ok());
  BOOST_TEST((decoded.status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(decoded.status().message().find("participant 2") != std::string::npos);
  // A valid but different point for participant 2 on the aggregator's
  // side: the binding factors cover the whole list, so no share verifies
  // and no signature is released.
  auto z1 = n.mpc.SignWithShare({g.group_public_key, 1}, Str("m"), list).value();
  auto z2 = n.mpc.SignWithShare({g.group_public_key, 2}, Str("m"), list).value();
  std::vector<frost::SignatureShare> zs = {z1, z2};
  auto swapped = list;
  swapped[1].hiding = *frost::BaseMult(frost::IdentifierScalar(7));
  auto out = n.mpc.Aggregate(g.group_public_key, Str("m"), swapped, zs).value();
  BOOST_TEST(!out.signature.has_value());
  BOOST_TEST((out.bad_participants == std::vector<uint16_t>{1, 2}));
  // The identity element as participant 2's binding commitment is refused
  // and attributed, before any signing.
  list[1].binding = {};
  list[1].binding[0] = 1;
  auto s = frost::CheckCommitmentList(list);
  BOOST_TEST((s.code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(s.message().find("participant 2") != std::string::npos);
  auto r = n.mpc.SignWithShare({g.group_public_key, 1}, Str("m"), list);
  BOOST_TEST((r.status().code() == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(nonces_are_single_use_and_not_persisted) {
  testing::TempDir dir;
  frost::Element group{};
  std::vector<frost::Commitment> list;
  {
    Node n(dir.Sub("db"));
    group = n.mpc.GenerateShares().value().group_public_key;
    list = {n.mpc.Commit({group, 1}).value(), n.mpc.Commit({group, 2}).value()};
    BOOST_REQUIRE(n.mpc.SignWithShare({group, 1}, Str("m"), list).ok());
    auto again = n.mpc.SignWithShare({group, 1}, Str("m"), list);
    BOOST_TEST((again.status().code() == ErrorCode::kNotFound));
    // Nothing about nonces reached the store: only the group and 3 shares.
    size_t records = 0;
    BOOST_REQUIRE(n.store
                      ->ForEach(storage::Cf::kMpcShares,
                                [&](ByteView, ByteView) {
                                  ++records;
                                  return true;
                                })
                      .ok());
    BOOST_TEST(records == 4u);
  }
  // After a restart the outstanding commitment of participant 2 is gone.
  Node n(dir.Sub("db"));
  auto r = n.mpc.SignWithShare({group, 2}, Str("m"), list);
  BOOST_TEST((r.status().code() == ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(sealed_shares_survive_restart_and_bind_source_and_key_id) {
  testing::TempDir dir;
  frost::Element group{};
  {
    Node n(dir.Sub("db"));
    group = n.mpc.GenerateShares().value().group_public_key;
  }
  {
    Node n(dir.Sub("db"));  // a new process: same key source, same database
    auto [list, shares] = Sign(n.mpc, group, {2, 3}, Str("after restart"));
    auto out = n.mpc.Aggregate(group, Str("after restart"), list, shares).value();
    BOOST_TEST(out.signature.has_value());
  }
  {
    // Another key source (another vendor's derivation) cannot unseal.
    Node n(dir.Sub("db"), TeeType::IntelTdx);
    auto r = n.mpc.Commit({group, 1});
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST((r.status().code() == ErrorCode::kAuthentication));
  }
  {
    // A share record moved under another key id (participant 1's sealed
    // share copied over participant 2's slot) does not unseal.
    auto store = Open(dir.Sub("db"));
    Bytes k1(group.begin(), group.end()), k2 = k1;
    k1.insert(k1.end(), {0, 1});
    k2.insert(k2.end(), {0, 2});
    auto v1 = store->Get(storage::Cf::kMpcShares, AsView(k1)).value().value();
    storage::WriteBatch b;
    b.Put(storage::Cf::kMpcShares, AsView(k2), AsView(v1));
    BOOST_REQUIRE(store->Write(b).ok());
  }
  Node n(dir.Sub("db"));
  auto r = n.mpc.Commit({group, 2});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST((r.status().code() == ErrorCode::kAuthentication));
  BOOST_TEST(n.mpc.Commit({group, 1}).ok());
}

BOOST_AUTO_TEST_CASE(share_ids_round_trip) {
  ShareId id;
  id.group_public_key[0] = 0xab;
  id.participant = 3;
  auto parsed = ParseShareId(ShareIdText(id));
  BOOST_REQUIRE(parsed.has_value());
  BOOST_TEST((parsed->group_public_key == id.group_public_key));
  BOOST_TEST(parsed->participant == 3);
  for (const char* bad : {"", "zz", ":1"}) BOOST_TEST(!ParseShareId(bad).has_value());
  const std::string hex(64, 'a');
  for (std::string tail : {":0", ":", ":01", ":256", ":1x", "1"}) {
    BOOST_TEST(!ParseShareId(hex + tail).has_value());
  }
}

BOOST_AUTO_TEST_CASE(attested_signing_event_binding) {
  MpcSigningEvent e;
  for (size_t i = 0; i < 32; ++i) e.group_public_key[i] = static_cast<uint8_t>(i);
  const std::string msg = "hello", event = "event-7";
  e.message = Str(msg);
  e.event_id = Str(event);
  const auto b = ComputeMpcBinding(e).value();
  // Recomputed from the definition (DESIGN §4).
  Bytes pre;
  PutBytes(pre, Str("tenzro-tee-mpc-v1"));
  PutBytes(pre, AsView(e.group_public_key));
  PutBytes(pre, AsView(crypto::Sha512(Str(msg))));
  PutBytes(pre, Str(event));
  BOOST_TEST((b == crypto::Sha512(AsView(pre))));
  BOOST_TEST(CheckMpcBinding(AsView(b), e));
  // Every input matters; a wrong length fails; bad event ids are refused.
  MpcSigningEvent other = e;
  other.group_public_key[0] ^= 1;
  BOOST_TEST(!CheckMpcBinding(AsView(b), other));
  other = e;
  other.message = Str("hellp");
  BOOST_TEST(!CheckMpcBinding(AsView(b), other));
  other = e;
  other.event_id = Str("event-8");
  BOOST_TEST(!CheckMpcBinding(AsView(b), other));
  BOOST_TEST(!CheckMpcBinding(AsView(b).first(63), e));
  other.event_id = {};
  BOOST_TEST(!ComputeMpcBinding(other).has_value());
  const std::string long_id(256, 'x');
  other.event_id = Str(long_id);
  BOOST_TEST(!ComputeMpcBinding(other).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
