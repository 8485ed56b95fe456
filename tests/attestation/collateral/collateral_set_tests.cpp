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
  BOOST_TEST((s.Select(TeeType::Simulated, "k", {}, 500)->content_hash == testing::HashFromLabel("ranked")));
  // Before the ranked one is valid: latest issue among those valid.
  BOOST_TEST((s.Select(TeeType::Simulated, "k", {}, 120)->content_hash == testing::HashFromLabel("old")));
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

BOOST_AUTO_TEST_SUITE_END()
