// The leader stream of DESIGN §7: golden vectors, the fast path against the
// spec's linear scan, overflow, and the 2x share.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "consensus_hooks/leader.h"
#include "consensus_hooks/weight.h"
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
                         U256ToBe(*ParseU256(v["stake"].get<std::string>())),
                         v["attested"].get<bool>()});
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
        if (fast != slow)
          BOOST_FAIL("slot " << slot << " huge " << huge << ": " << fast << " vs " << slow);
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

// The §7 rule itself (consensus_hooks/weight.h), at its edges.
BOOST_AUTO_TEST_CASE(weight_rule_edges) {
  const WeightRule two(2);
  BOOST_TEST((two.Of(uint64_t{0}, true) == 0));
  BOOST_TEST((two.Of(uint64_t{0}, false) == 0));
  BOOST_TEST((two.Of(U256(0), true) == 0));
  BOOST_TEST((two.Of(uint64_t{7}, true) == 14));
  BOOST_TEST((two.Of(uint64_t{7}, false) == 7));
  // The 128-bit fast path is exact at its widest: (2^64 - 1)^2.
  const WeightRule widest(UINT64_MAX);
  const Uint128 w = widest.Of(UINT64_MAX, true);
  BOOST_TEST((ToWide(w) == WideU(UINT64_MAX) * WideU(UINT64_MAX)));
  BOOST_TEST((widest.Of(UINT64_MAX, false) == UINT64_MAX));
  // Stakes past 2^64.
  const U256 big = (U256(1) << 200) + 5;
  BOOST_TEST((two.Of(big, true) == (WideU(1) << 201) + 10));
  BOOST_TEST((*two.Checked(big, true) == (U256(1) << 201) + 10));
  // 2^255 x 2 = 2^256 does not fit; 2^256 - 1 unattested does.
  const U256 half = U256(1) << 255;
  BOOST_TEST(!two.Checked(half, true).has_value());
  BOOST_TEST((two.Of(half, true) == WideU(1) << 256));
  const U256 max = ~U256(0);
  BOOST_TEST((*two.Checked(max, false) == max));
  BOOST_TEST(!two.Checked(max, true).has_value());
  BOOST_TEST((*two.Checked(half - 1, true) == max - 1));
}

BOOST_AUTO_TEST_CASE(weight_sum_is_exact_and_checked) {
  // Five (2^64 - 1)^2 weights wrap the 128-bit word twice over: the count
  // of wraps must keep the sum exact.
  WeightSum s(WeightRule(UINT64_MAX));
  for (int i = 0; i < 5; ++i) s.Add(UINT64_MAX, true);
  const WideU sq = WideU(UINT64_MAX) * WideU(UINT64_MAX);
  BOOST_TEST((s.Wide() == sq * 5));
  BOOST_TEST((*s.Total() == ToU256(sq * 5)));
  // Mixed small and wide stakes against a plain 512-bit sum.
  WeightSum m(WeightRule(3));
  WideU expect = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    const bool attested = i % 3 == 0;
    if (i % 7 == 0) {
      const U256 stake = (U256(1) << (64 + i)) + i;
      m.Add(stake, attested);
      expect += WideU(static_cast<boost::multiprecision::uint256_t>(stake)) * (attested ? 3 : 1);
    } else {
      const uint64_t stake = UINT64_MAX - i;
      m.Add(stake, attested);
      expect += WideU(stake) * (attested ? 3 : 1);
    }
  }
  BOOST_TEST((m.Wide() == expect));
  // Exactly 2^256 - 1 fits; one more does not.
  WeightSum edge(WeightRule(2));
  edge.Add(~U256(0) - 1, false);
  BOOST_TEST((*edge.Total() == ~U256(0) - 1));
  edge.Add(uint64_t{1}, false);
  BOOST_TEST((*edge.Total() == ~U256(0)));
  edge.Add(uint64_t{0}, true);  // stake 0 adds nothing
  BOOST_TEST(edge.Total().has_value());
  edge.Add(uint64_t{1}, false);
  BOOST_TEST(!edge.Total().has_value());
  BOOST_TEST((edge.Wide() == WideU(1) << 256));
  // Two attested 2^254 stakes weigh 2^255 each: 2^256 in all.
  WeightSum two(WeightRule(2));
  two.Add(U256(1) << 254, true);
  BOOST_TEST(two.Total().has_value());
  two.Add(U256(1) << 254, true);
  BOOST_TEST(!two.Total().has_value());
  EpochSnapshot snap;
  snap.multiplier = 2;
  U256Bytes quarter{};
  quarter[0] = 0x40;
  snap.entries = {{testing::IdFromLabel("a"), quarter, true}};
  BOOST_TEST(ComputeWeights(snap).ok());
  snap.entries.push_back({testing::IdFromLabel("b"), quarter, true});
  BOOST_TEST((ComputeWeights(snap).status().code() == ErrorCode::kOverflow));
}

// A registry bucket keeps stakes past 2^64 - 1 in a side list (stake column
// 0): the rule reads both.
BOOST_AUTO_TEST_CASE(weight_rule_reads_registry_buckets) {
  registry::CoreBucket b;
  U256Bytes wide{};
  wide[0] = 1;  // 2^248
  const ValidatorId lo = testing::IdFromLabel("lo"), hi = testing::IdFromLabel("hi");
  const bool lo_first = lo < hi;
  registry::InsertAt(b, 0, lo_first ? lo : hi, lo_first ? testing::Stake(9) : wide);
  registry::InsertAt(b, 1, lo_first ? hi : lo, lo_first ? wide : testing::Stake(9));
  const size_t k_small = lo_first ? 0 : 1, k_wide = 1 - k_small;
  BOOST_TEST(b.stakes[k_wide] == 0u);
  const WeightRule rule(2);
  BOOST_TEST((rule.Of(b, k_small, true) == 18));
  BOOST_TEST((rule.Of(b, k_wide, true) == WideU(1) << 249));
  U256Bytes be{};
  BOOST_TEST(rule.WeightBe(b, k_wide, true, be));
  BOOST_TEST((U256FromBe(be) == U256(1) << 249));
  BOOST_TEST(rule.WeightBe(b, k_small, false, be));
  BOOST_TEST((U256FromBe(be) == 9));
  WeightSum sum(rule);
  sum.Add(b, k_small, true);
  sum.Add(b, k_wide, false);
  BOOST_TEST((*sum.Total() == (U256(1) << 248) + 18));
  const WeightRule huge(UINT64_MAX);  // 2^248 x (2^64 - 1) > 2^256
  BOOST_TEST(!huge.WeightBe(b, k_wide, true, be));
}

// Every consumer of the rule agrees: per-validator weights, their checked
// total, and the leader table's total, on sets with stakes past 2^64.
BOOST_AUTO_TEST_CASE(weights_and_table_agree) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const EpochSnapshot s = RandomSnapshot(seed, 50, seed % 2 == 0);
    auto w = ComputeWeights(s);
    auto t = LeaderTable::Build(s);
    BOOST_REQUIRE(w.ok());
    BOOST_REQUIRE(t.ok());
    U256 total = 0;
    for (size_t i = 0; i < w->size(); ++i) {
      BOOST_TEST(((*w)[i] == t->Weight(i)));
      total += (*w)[i];
    }
    BOOST_TEST((total == t->total()));
  }
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
      s.entries.push_back(
          {testing::IdFromLabel("share-v" + std::to_string(i)), testing::Stake(5000), i % 2 == 0});
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
    BOOST_TEST(
        std::abs(static_cast<double>(attested_slots) - expected) < 5 * sigma,
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

// ---- the guide table against the spec's linear scan -------------------------

namespace {
EpochSnapshot FromStakes(const std::string& tag, const std::vector<U256>& stakes,
                         const std::vector<bool>& attested) {
  EpochSnapshot s;
  s.epoch = 9;
  s.seed = testing::HashFromLabel("guide-" + tag);
  for (size_t i = 0; i < stakes.size(); ++i) {
    // Ids in input order, so the test controls the order of the weights.
    ValidatorId id{};
    id[0] = static_cast<uint8_t>(i >> 16);
    id[1] = static_cast<uint8_t>(i >> 8);
    id[2] = static_cast<uint8_t>(i);
    s.entries.push_back({id, U256ToBe(stakes[i]), attested.empty() ? false : attested[i]});
  }
  return s;
}

// Every r that can sit next to a boundary: 0, W - 1, and p - 1, p, p + 1 of
// every prefix sum p below W; then draws over many slots, and the schedule
// against slot-by-slot leaders.
void CheckAgainstLinear(const std::string& tag, const EpochSnapshot& s, bool expect_small) {
  BOOST_TEST_CONTEXT(tag) {
    auto t = LeaderTable::Build(s);
    BOOST_REQUIRE(t.ok());
    BOOST_TEST(t->small() == expect_small);
    const std::vector<U256> w = t->weights();
    auto expected = ComputeWeights(s);
    BOOST_REQUIRE(expected.ok());
    BOOST_REQUIRE((w == *expected));
    std::vector<U256> rs = {U256(0), t->total() - 1};
    U256 acc = 0;
    for (const auto& x : w) {
      acc += x;
      for (int d = -1; d <= 1; ++d) {
        if (d < 0 && acc == 0) continue;
        U256 r = d < 0 ? acc - 1 : acc + static_cast<unsigned>(d);
        if (r < t->total()) rs.push_back(r);
      }
    }
    for (const auto& r : rs) {
      const uint32_t fast = t->IndexOf(r), slow = LeaderIndexLinear(w, r);
      if (fast != slow) BOOST_FAIL("r " << r << ": guide " << fast << " vs linear " << slow);
    }
    std::vector<uint32_t> sched(700);
    t->Schedule(3, sched.size(), sched.data());
    for (uint64_t k = 0; k < sched.size(); ++k) {
      const U256 r = t->Draw(3 + k);
      BOOST_REQUIRE(r < t->total());
      const uint32_t slow = LeaderIndexLinear(w, r);
      if (sched[k] != slow || t->LeaderIndex(3 + k) != slow) {
        BOOST_FAIL("slot " << 3 + k << ": schedule " << sched[k] << " vs linear " << slow);
      }
    }
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(guide_table_equals_the_linear_scan_on_edge_cases) {
  const U256 two64 = U256(1) << 64;
  // One validator: W = 1 (b = 0, every r is 0), W = 2, a huge single stake.
  CheckAgainstLinear("one, W=1", FromStakes("a", {U256(1)}, {}), true);
  CheckAgainstLinear("one attested, W=2", FromStakes("b", {U256(1)}, {true}), true);
  CheckAgainstLinear("one, W=2^200", FromStakes("c", {U256(1) << 200}, {}), false);
  // Zero-stake-free sets of equal and of spread stakes.
  CheckAgainstLinear("equal", FromStakes("d", std::vector<U256>(37, U256(1000)), {}), true);
  std::vector<U256> spread;
  for (unsigned i = 0; i < 300; ++i)
    spread.push_back(U256(1 + (uint64_t{i} * 2654435761u) % 100000));
  CheckAgainstLinear("spread", FromStakes("e", spread, {}), true);
  // Zero weights in between (only a materialised snapshot can hold them).
  CheckAgainstLinear(
      "zeros", FromStakes("f", {U256(0), U256(5), U256(0), U256(0), U256(3), U256(0)}, {}), true);
  // One whale and a long tail: many boundaries inside one guide bucket.
  std::vector<U256> whale(2000, U256(1));
  whale[1000] = U256(1) << 40;
  CheckAgainstLinear("whale", FromStakes("g", whale, {}), true);
  // W near 2^64 on the 64-bit path: 2^64 - 1 (b = 64), 2^63 + 1 (half the
  // masked words rejected), 2^63.
  CheckAgainstLinear("W=2^64-1", FromStakes("h", {two64 - 1 - 1000, U256(600), U256(400)}, {}),
                     true);
  CheckAgainstLinear("W=2^63+1", FromStakes("i", {U256(1) << 62, (U256(1) << 62) + 1}, {}), true);
  CheckAgainstLinear("W=2^63", FromStakes("j", {U256(1) << 62, U256(1) << 61, U256(1) << 61}, {}),
                     true);
  // Just over: 2^64 exactly, an attested weight crossing 2^64, a sum crossing
  // it after many small stakes (the builder spills to 256 bits mid-way).
  CheckAgainstLinear("W=2^64", FromStakes("k", {two64 - 1, U256(1)}, {}), false);
  CheckAgainstLinear("attested crossing", FromStakes("l", {U256(1) << 63, U256(7)}, {true, false}),
                     false);
  std::vector<U256> many(600, U256(1) << 55);
  CheckAgainstLinear("sum crossing", FromStakes("m", many, {}), false);
  // Far over 2^64 with mixed widths.
  std::vector<U256> wide;
  std::vector<bool> att;
  for (unsigned i = 0; i < 200; ++i) {
    wide.push_back((U256(i % 7 + 1) << (i % 3 == 0 ? 190 : 20)) + i);
    att.push_back(i % 2 == 0);
  }
  CheckAgainstLinear("wide", FromStakes("n", wide, att), false);
}

BOOST_AUTO_TEST_CASE(builder_spills_to_256_bits_exactly) {
  // The same validators through the builder directly and through a snapshot.
  EpochSnapshot s = FromStakes("spill", std::vector<U256>(40, U256(UINT64_MAX / 16)), {});
  for (size_t i = 0; i < s.entries.size(); i += 3) s.entries[i].attested = true;
  LeaderTable::Builder b(s.seed, s.epoch, s.multiplier, 0);
  for (const auto& e : s.entries) b.Add(UINT64_MAX / 16, e.attested);
  auto direct = std::move(b).Finish();
  auto viasnap = LeaderTable::Build(s);
  BOOST_REQUIRE(direct.ok());
  BOOST_REQUIRE(viasnap.ok());
  BOOST_TEST(!direct->small());
  BOOST_TEST((direct->total() == viasnap->total()));
  BOOST_TEST((direct->weights() == viasnap->weights()));
  for (uint64_t slot = 0; slot < 200; ++slot)
    BOOST_TEST(direct->LeaderIndex(slot) == viasnap->LeaderIndex(slot));
  // A zero-stake builder is empty, a 2^256 total is an overflow.
  LeaderTable::Builder zero(s.seed, 1, 2, 0);
  zero.Add(uint64_t{0}, false);
  BOOST_TEST((std::move(zero).Finish().status().code() == ErrorCode::kEmpty));
  LeaderTable::Builder over(s.seed, 1, 2, 0);
  over.Add(U256(1) << 255, true);
  BOOST_TEST((std::move(over).Finish().status().code() == ErrorCode::kOverflow));
}

BOOST_AUTO_TEST_SUITE_END()
