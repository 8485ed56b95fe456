#include <boost/test/unit_test.hpp>

#include "attestation/collateral/collateral_set.h"
#include "support/test_support.h"

using namespace tenzro::tee;

namespace {
CollateralDoc Doc(const std::string& label, uint64_t this_update, uint64_t next_update,
                  uint64_t rank = 0, Bytes key = {}) {
  CollateralDoc d;
  d.tee_type = TeeType::Simulated;
  d.kind = "k";
  d.key = std::move(key);
  d.this_update = this_update;
  d.next_update = next_update;
  d.rank = rank;
  d.content_hash = testing::HashFromLabel(label);
  return d;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(collateral_set)

BOOST_AUTO_TEST_CASE(selection_follows_design_9) {
  CollateralSet s({Doc("old", 100, 1000), Doc("new", 200, 1000), Doc("ranked", 150, 1000, 5),
                   Doc("other-key", 300, 1000, 9, Bytes{1})});
  // Highest rank first, then latest this_update.
  BOOST_TEST((s.Select(TeeType::Simulated, "k", {}, 500)->content_hash ==
              testing::HashFromLabel("ranked")));
  // Before the ranked one is valid: latest issue among those valid.
  BOOST_TEST(
      (s.Select(TeeType::Simulated, "k", {}, 120)->content_hash == testing::HashFromLabel("old")));
  BOOST_TEST(s.Select(TeeType::Simulated, "k", {}, 99) == nullptr);
  BOOST_TEST(s.Select(TeeType::Simulated, "k", {}, 1001) == nullptr);  // all expired
  BOOST_TEST(s.Select(TeeType::IntelTdx, "k", {}, 500) == nullptr);
  Bytes key{1};
  BOOST_TEST((s.Select(TeeType::Simulated, "k", AsView(key), 500)->content_hash ==
              testing::HashFromLabel("other-key")));
}

BOOST_AUTO_TEST_CASE(selection_hash_is_order_independent_and_time_dependent) {
  CollateralSet a({Doc("x", 100, 1000), Doc("y", 100, 2000, 0, Bytes{2})});
  CollateralSet b({Doc("y", 100, 2000, 0, Bytes{2}), Doc("x", 100, 1000)});
  BOOST_TEST((a.SelectionHash(500) == b.SelectionHash(500)));
  BOOST_TEST((a.SelectionHash(500) != a.SelectionHash(1500)));  // x no longer selected
  BOOST_TEST((CollateralSet().SelectionHash(5) == CollateralSet().SelectionHash(6)));
  BOOST_TEST((a.SelectionHash(500) != CollateralSet().SelectionHash(500)));
}

BOOST_AUTO_TEST_CASE(with_is_idempotent) {
  CollateralSet a;
  auto b = a.With(Doc("x", 1, 2));
  auto c = b.With(Doc("x", 1, 2));
  BOOST_TEST(a.docs().size() == 0u);
  BOOST_TEST(c.docs().size() == 1u);
  BOOST_TEST(c.Contains(testing::HashFromLabel("x")));
}

// Issue 9 item 5: an admission shares the documents of the set (no copy of
// their bytes), groups are found by (type, kind, key), and a derived index
// is extended by With rather than rebuilt.
BOOST_AUTO_TEST_CASE(with_shares_documents_and_extends_indexes) {
  CollateralDoc big = Doc("big", 1, 2);
  big.data.assign(1 << 20, 0x5a);
  const CollateralSet a = CollateralSet().With(big);
  const CollateralSet b = a.With(Doc("x", 1, 2, 0, Bytes{7}));
  const CollateralDoc* in_a = &*a.docs().begin();
  const CollateralDoc* in_b = nullptr;
  for (const auto& d : b.docs()) {
    if (d.content_hash == big.content_hash) in_b = &d;
  }
  BOOST_TEST(in_a == in_b);
  const Bytes key{7};
  BOOST_TEST(b.Group(TeeType::Simulated, "k").size() == 2u);
  BOOST_TEST(b.Group(TeeType::Simulated, "k", AsView(key)).size() == 1u);
  BOOST_TEST(b.Group(TeeType::IntelTdx, "k").empty());

  struct Counting final : CollateralIndex {
    explicit Counting(size_t n) : docs(n) {}
    std::shared_ptr<const CollateralIndex> With(const CollateralDoc&) const override {
      return std::make_shared<Counting>(docs + 1);
    }
    size_t docs;
  };
  int builds = 0;
  auto build = [&](const CollateralSet& s) -> std::shared_ptr<const CollateralIndex> {
    ++builds;
    return std::make_shared<Counting>(s.size());
  };
  auto count = [](const std::shared_ptr<const CollateralIndex>& i) {
    return dynamic_cast<const Counting&>(*i).docs;
  };
  BOOST_TEST(count(b.Derived("n", build)) == 2u);
  BOOST_TEST(count(b.Derived("n", build)) == 2u);
  const CollateralSet copy = b;
  BOOST_TEST(count(copy.Derived("n", build)) == 2u);
  const CollateralSet c = b.With(Doc("y", 1, 2));
  BOOST_TEST(count(c.Derived("n", build)) == 3u);
  BOOST_TEST(builds == 1);
}

// Documents stay owned across long chains of admissions once the
// intermediate sets are gone (owners are flattened as the chain grows).
BOOST_AUTO_TEST_CASE(documents_outlive_intermediate_sets) {
  CollateralSet s;
  for (int i = 0; i < 100; ++i) {
    CollateralDoc d = Doc("doc" + std::to_string(i), 1, 2, 0, Bytes{static_cast<uint8_t>(i)});
    d.data.assign(64, static_cast<uint8_t>(i));
    s = s.With(std::move(d));
  }
  BOOST_TEST(s.size() == 100u);
  size_t intact = 0;
  for (const auto& d : s.docs()) {
    if (d.data.size() == 64 && d.data[0] == d.key.at(0)) ++intact;
  }
  BOOST_TEST(intact == 100u);
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(s.Contains(testing::HashFromLabel("doc" + std::to_string(i))));
}

BOOST_AUTO_TEST_SUITE_END()
