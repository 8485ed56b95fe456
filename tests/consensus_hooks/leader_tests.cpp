// The leader stream of DESIGN §7: golden vectors, the fast path against the
// spec's linear scan, overflow, and the 2x share.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "consensus_hooks/leader.h"
#include "crypto/hash.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::consensus;

namespace {
EpochSnapshot FromGolden(const nlohmann::json& c) {
  EpochSnapshot s;
  s.epoch = c["epoch"].get<uint64_t>();
  s.multiplier = c["multiplier"].get<uint64_t>();
  s.seed = *FromHexFixed<32>(c["seed"].get<std::string>());
  for (const auto& v : c["validators"]) {
    s.entries.push_back({*FromHexFixed<32>(v["id"].get<std::string>()),
                         U256ToBe(*ParseU256(v["stake"].get<std::string>())), v["attested"].get<bool>()});
  }
  std::sort(s.entries.begin(), s.entries.end(),
            [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.id < b.id; });
  return s;
}

// A deterministic pseudo-random snapshot for property tests (not consensus).
EpochSnapshot RandomSnapshot(uint64_t seed, size_t n, bool huge) {
  EpochSnapshot s;
  s.epoch = seed;
  s.seed = testing::HashFromLabel("rs-" + std::to_string(seed));
  for (size_t i = 0; i < n; ++i) {
    Hash32 h = testing::HashFromLabel("rs-" + std::to_string(seed) + "-" + std::to_string(i));
    U256Bytes stake{};
    size_t len = huge ? 24 : 4;
    std::copy(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(len),
              stake.end() - static_cast<std::ptrdiff_t>(len));
    stake[31] |= 1;  // non-zero
    s.entries.push_back({h, stake, (h[31] & 1) != 0});
  }
  std::sort(s.entries.begin(), s.entries.end(),
            [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.id < b.id; });
  return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(leader)

BOOST_AUTO_TEST_CASE(golden_vectors_hold) {
  std::ifstream in(testing::SourceDir() + "/tests/golden/leader_schedule.json");
  BOOST_REQUIRE(in.good());
  auto doc = nlohmann::json::parse(in);
  BOOST_REQUIRE(doc["cases"].size() >= 5u);
  for (const auto& c : doc["cases"]) {
    BOOST_TEST_CONTEXT(c["name"].get<std::string>()) {
      EpochSnapshot s = FromGolden(c);
      auto t = LeaderTable::Build(s);
      BOOST_REQUIRE(t.ok());
      const auto& e = c["expect"];
      BOOST_TEST(U256ToDecimal(t->total()) == e["total_weight"].get<std::string>());
      BOOST_TEST(ToHex(AsView(t->key())) == e["epoch_key"].get<std::string>());
      uint64_t first = c["first_slot"].get<uint64_t>();
      auto leaders = e["leaders"].get<std::vector<uint32_t>>();
      BOOST_REQUIRE(leaders.size() == c["slots"].get<size_t>());
      std::vector<uint32_t> got(leaders.size());
      t->Schedule(first, got.size(), got.data());
      BOOST_TEST(got == leaders, boost::test_tools::per_element());
      crypto::Blake2b256Stream d;
      for (uint32_t i : got) d.Update(AsView(s.entries[i].id));
      BOOST_TEST(ToHex(AsView(d.Final())) == e["schedule_digest"].get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(epoch_key_depends_on_seed_and_epoch) {
  Hash32 seed = testing::HashFromLabel("s");
  BOOST_TEST((EpochKey(seed, 1) != EpochKey(seed, 2)));
  Hash32 seed2 = seed;
  seed2[0] ^= 1;
  BOOST_TEST((EpochKey(seed, 1) != EpochKey(seed2, 1)));
  BOOST_TEST((EpochKey(seed, 1) == EpochKey(seed, 1)));
}

BOOST_AUTO_TEST_CASE(fast_path_matches_the_linear_scan) {
  for (bool huge : {false, true}) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      EpochSnapshot s = RandomSnapshot(seed, 50 + 30 * seed, huge);
      auto t = LeaderTable::Build(s);
      BOOST_REQUIRE(t.ok());
      for (uint64_t slot = 0; slot < 400; ++slot) {
        U256 r = t->Draw(slot);
        BOOST_REQUIRE(r < t->total());
        uint32_t fast = t->LeaderIndex(slot);
        uint32_t slow = LeaderIndexLinear(t->weights(), r);
        if (fast != slow) BOOST_FAIL("slot " << slot << " huge " << huge << ": " << fast << " vs " << slow);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(weights_double_attested_stake) {
  EpochSnapshot s;
  s.multiplier = 2;
  s.entries = {{testing::IdFromLabel("a"), testing::Stake(10), true},
               {testing::IdFromLabel("b"), testing::Stake(10), false}};
  auto w = ComputeWeights(s);
  BOOST_REQUIRE(w.ok());
  BOOST_TEST(((*w)[0] == 20));
  BOOST_TEST(((*w)[1] == 10));
}

BOOST_AUTO_TEST_CASE(overflow_and_empty_are_errors) {
  EpochSnapshot s;
  s.multiplier = 2;
  U256Bytes half{};
  half[0] = 0x80;  // 2^255
  s.entries = {{testing::IdFromLabel("a"), half, true}};
  BOOST_TEST((LeaderTable::Build(s).status().code() == ErrorCode::kOverflow));
  s.entries = {{testing::IdFromLabel("a"), half, false}, {testing::IdFromLabel("b"), half, false}};
  BOOST_TEST((LeaderTable::Build(s).status().code() == ErrorCode::kOverflow));
  s.entries.clear();
  BOOST_TEST((LeaderTable::Build(s).status().code() == ErrorCode::kEmpty));
}

// With equal stakes, an attested validator's expected share is twice an
// unattested one's. 10 attested + 10 unattested: the attested class expects
// 2/3 of the slots. The bound is 5 standard deviations of the binomial
// count, so a 1.8x or 2.2x lottery fails it for this many slots.
BOOST_AUTO_TEST_CASE(attested_validators_win_twice_the_share) {
  constexpr uint64_t kSlots = 200'000;
  for (uint64_t run = 0; run < 3; ++run) {
    EpochSnapshot s;
    s.epoch = 100 + run;
    s.seed = testing::HashFromLabel("share-" + std::to_string(run));
    s.multiplier = 2;
    for (int i = 0; i < 20; ++i) {
      s.entries.push_back({testing::IdFromLabel("share-v" + std::to_string(i)), testing::Stake(5000), i % 2 == 0});
    }
    std::sort(s.entries.begin(), s.entries.end(),
              [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.id < b.id; });
    auto t = LeaderTable::Build(s);
    BOOST_REQUIRE(t.ok());
    std::vector<uint32_t> sched(kSlots);
    t->Schedule(0, kSlots, sched.data());
    uint64_t attested_slots = 0;
    for (uint32_t i : sched) attested_slots += s.entries[i].attested ? 1u : 0u;
    const double p = 2.0 / 3.0;
    const double expected = p * kSlots;
    const double sigma = std::sqrt(kSlots * p * (1 - p));
    BOOST_TEST(std::abs(static_cast<double>(attested_slots) - expected) < 5 * sigma,
               "attested slots " << attested_slots << " expected " << expected << " +- " << 5 * sigma);
    // The per-validator ratio, as users read it.
    double ratio = (static_cast<double>(attested_slots) / 10.0) /
                   (static_cast<double>(kSlots - attested_slots) / 10.0);
    BOOST_TEST(ratio > 1.9);
    BOOST_TEST(ratio < 2.1);
    // A 1.8x lottery would have been caught: its expectation is outside the bound.
    const double p18 = 1.8 / 2.8;
    BOOST_TEST(std::abs(p18 * kSlots - expected) > 5 * sigma);
  }
}

BOOST_AUTO_TEST_SUITE_END()
