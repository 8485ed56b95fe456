// `tenzro-tee serve` (plugin/serve.h): the HTTP API beside a running node,
// reading its database as a RocksDB secondary or read-only, never writing.
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <fstream>
#include <memory>
#include <string>

#include "plugin/plugin.h"
#include "plugin/serve.h"
#include "support/test_support.h"
#include "tests/http/http_client.h"

using namespace tenzro::tee;
using namespace tenzro::tee::testing::http_client;

namespace {

constexpr uint64_t kT0 = 1767225600;

struct Pair {
  Pair() {
    cfg = dir.Sub("node.toml");
    std::ofstream out(cfg);
    out << "[tee]\ndb_path = \"" << dir.Sub("db") << "\"\nlog_level = \"off\"\n"
        << "[tee.http]\nlisten = \"127.0.0.1:0\"\n"
        << "[tee.consensus]\nsimulation = true\n";
    out.close();
    auto c = plugin::LoadConfig(cfg);
    BOOST_REQUIRE(c.ok());
    config = *c;
    // The node itself runs without a server here: only serve's is tested.
    std::ofstream node_out(dir.Sub("node-only.toml"));
    node_out << "[tee]\ndb_path = \"" << dir.Sub("db") << "\"\nlog_level = \"off\"\n"
             << "[tee.consensus]\nsimulation = true\n";
    node_out.close();
    auto p = plugin::Plugin::Open(dir.Sub("node-only.toml"), nullptr);
    BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().ToString()));
    node = std::move(*p);
  }

  void Register(const std::string& label, uint64_t stake) {
    consensus::Registration reg;
    reg.id = testing::IdFromLabel(label);
    reg.stake_be = testing::Stake(stake);
    reg.registered_at = kT0;
    BOOST_REQUIRE(node->hooks().RegisterValidator(reg).ok());
  }

  std::unique_ptr<plugin::ServeNode> Serve(storage::StoreMode mode) {
    plugin::ServeNode::Options o;
    o.config = config;
    o.mode = mode;
    o.secondary_path = dir.Sub("secondary");
    auto s = plugin::ServeNode::Open(std::move(o));
    BOOST_REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.status().ToString()));
    return std::move(*s);
  }

  testing::TempDir dir;
  std::string cfg;
  plugin::Config config;
  std::unique_ptr<plugin::Plugin> node;
};

size_t Listed(uint16_t port) {
  Reply r = Get(port, "/api/registry/validators?limit=1000");
  BOOST_REQUIRE(r.status == 200u);
  return r.j["validators"].size();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_serve)

BOOST_AUTO_TEST_CASE(secondary_follows_the_node_on_refresh) {
  Pair pair;
  pair.Register("a", 1);
  pair.Register("b", 2);
  BOOST_REQUIRE(pair.node->hooks().OnEpoch(1, kT0, testing::HashFromLabel("s")).ok());
  auto serve = pair.Serve(storage::StoreMode::kSecondary);
  BOOST_TEST(Listed(serve->port()) == 2u);
  BOOST_TEST(Get(serve->port(), "/api/epochs/1").status == 200u);

  pair.Register("c", 3);
  BOOST_REQUIRE(pair.node->hooks().OnEpoch(2, kT0 + 1, testing::HashFromLabel("s2")).ok());
  BOOST_TEST(Listed(serve->port()) == 2u);  // a generation changes only on refresh
  BOOST_REQUIRE(serve->Refresh().ok());
  BOOST_TEST(Listed(serve->port()) == 3u);
  Reply e2 = Get(serve->port(), "/api/epochs/2");
  BOOST_TEST(e2.status == 200u);
  BOOST_TEST(e2.j["snapshot_size"] == 3u);

  // Verification works standalone, at the wall clock by default.
  const uint64_t issued = static_cast<uint64_t>(std::time(nullptr)) - 60;
  auto ev =
      pair.node->SimulateEvidence(testing::IdFromLabel("x"), testing::HashFromLabel("c"), issued);
  BOOST_REQUIRE(ev.ok());
  Reply v =
      Post(serve->port(), "/api/verify/tee-attestation",
           json{{"attestation", "0x" + ToHex(AsView(*ev))}, {"provider", "Simulated"}}.dump());
  BOOST_REQUIRE(v.status == 200u);
  BOOST_TEST(v.j["valid"] == true);
  BOOST_TEST(v.j["at_source"] == "wall_clock");
}

BOOST_AUTO_TEST_CASE(serve_never_writes) {
  Pair pair;
  pair.Register("a", 1);
  auto serve = pair.Serve(storage::StoreMode::kReadOnly);
  BOOST_TEST(Listed(serve->port()) == 1u);
  // The store a serve opened refuses writes: its hooks cannot register.
  consensus::Registration reg;
  reg.id = testing::IdFromLabel("intruder");
  reg.stake_be = testing::Stake(1);
  auto hooks = serve->hooks();
  BOOST_TEST(!const_cast<consensus::ConsensusHooks&>(*hooks).RegisterValidator(reg).ok());
  BOOST_TEST(Listed(serve->port()) == 1u);
  BOOST_TEST((serve->Refresh().code() == ErrorCode::kUnsupported));  // read-only: static
}

BOOST_AUTO_TEST_CASE(serve_refuses_bad_setups) {
  Pair pair;
  plugin::ServeNode::Options o;
  o.config = pair.config;
  o.mode = storage::StoreMode::kReadWrite;
  BOOST_TEST((plugin::ServeNode::Open(o).status().code() == ErrorCode::kConfig));
  o.mode = storage::StoreMode::kReadOnly;
  o.config.http.listen.clear();
  BOOST_TEST((plugin::ServeNode::Open(o).status().code() == ErrorCode::kConfig));
  o.config = pair.config;
  o.config.db_path = pair.dir.Sub("missing");
  BOOST_TEST((plugin::ServeNode::Open(o).status().code() == ErrorCode::kStorage));
}

BOOST_AUTO_TEST_SUITE_END()
