#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>

#include "plugin/config.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::plugin;

namespace {
Status ParseStatus(const std::string& text) {
  auto c = ParseConfig(text, "test.toml");
  return c.ok() ? Status::Ok() : c.status();
}
void ExpectKeyError(const std::string& text, const std::string& key) {
  Status s = ParseStatus(text);
  BOOST_TEST((s.code() == ErrorCode::kConfig), text);
  BOOST_TEST(s.message().find(key) != std::string::npos, s.message() << " should name " << key);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(committed_examples_parse) {
  for (const char* name : {"/config/example-node.toml", "/config/devnet.toml"}) {
    auto c = LoadConfig(testing::SourceDir() + name);
    BOOST_TEST(c.ok(), name << ": " << (c.ok() ? "" : c.status().message()));
  }
  auto node = LoadConfig(testing::SourceDir() + "/config/example-node.toml");
  BOOST_REQUIRE(node.ok());
  BOOST_TEST(!node->simulation);
  BOOST_TEST(!node->consensus_defaults);
  auto dev = LoadConfig(testing::SourceDir() + "/config/devnet.toml");
  BOOST_REQUIRE(dev.ok());
  BOOST_TEST(dev->simulation);
}

BOOST_AUTO_TEST_CASE(defaults) {
  auto c = ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c->multiplier == 2u);
  BOOST_TEST(c->max_age_secs == 86400u);
  BOOST_TEST(!c->simulation);
  BOOST_TEST(c->consensus_defaults);
  BOOST_TEST((c->collateral_admission == CollateralAdmission::kConsensus));
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_named) {
  ExpectKeyError("[tee]\nbogus = 1\n", "tee.bogus");
  ExpectKeyError("[tee.consensus]\nfoo = 1\n", "tee.consensus.foo");
  ExpectKeyError("[tee.consensus.simulated]\nmeasurments = []\n",
                 "tee.consensus.simulated.measurments");
  ExpectKeyError("[other]\nx = 1\n", "other");
  ExpectKeyError("x = 1\n", "x");
}

BOOST_AUTO_TEST_CASE(bad_values_are_named) {
  ExpectKeyError("[tee.consensus]\nmultiplier = 0\n", "tee.consensus.multiplier");
  ExpectKeyError("[tee.consensus]\nmultiplier = -2\n", "tee.consensus.multiplier");
  ExpectKeyError("[tee.consensus]\nmultiplier = 2.5\n", "tee.consensus.multiplier");
  ExpectKeyError("[tee.consensus]\nmax_age_secs = \"12x\"\n", "tee.consensus.max_age_secs");
  ExpectKeyError("[tee]\nlog_level = \"loud\"\n", "tee.log_level");
  ExpectKeyError("[tee.consensus]\nsimulation = \"yes\"\n", "tee.consensus.simulation");
  ExpectKeyError("[tee.consensus]\ncollateral_admission = \"anything\"\n",
                 "tee.consensus.collateral_admission");
  ExpectKeyError("[tee]\nconsensus = 3\n", "tee.consensus");
  ExpectKeyError("[tee.consensus.simulated]\nmeasurements = [\"abcd\"]\n",
                 "tee.consensus.simulated.measurements[0]");
  ExpectKeyError("[tee.consensus]\nmax_evidence_bytes = 1\n", "tee.consensus.max_evidence_bytes");
  ExpectKeyError("[tee.consensus]\nmax_collateral_bytes = 1\n",
                 "tee.consensus.max_collateral_bytes");
  ExpectKeyError("[tee]\nverify_max_collateral_blobs = 0\n", "tee.verify_max_collateral_blobs");
  ExpectKeyError("[tee]\nverify_max_collateral_bytes = 1\n", "tee.verify_max_collateral_bytes");
}

BOOST_AUTO_TEST_CASE(malformed_and_missing) {
  Status s = ParseStatus("[tee\n");
  BOOST_TEST((s.code() == ErrorCode::kConfig));
  BOOST_TEST(s.message().find("test.toml:1") != std::string::npos, s.message());
  auto missing = LoadConfig("/nonexistent/tenzro.toml");
  BOOST_TEST((missing.status().code() == ErrorCode::kConfig));
}

// LoadConfig reads only regular files, and at most kMaxConfigBytes of them:
// before, /dev/zero was read until the OOM killer came and /dev/urandom or a
// FIFO without a writer hung open().
BOOST_AUTO_TEST_CASE(only_small_regular_files_are_read) {
  testing::TempDir dir;
  const std::string fifo = dir.path() + "/fifo.toml";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string big = dir.path() + "/big.toml";
  {
    std::ofstream out(big);
    out << "[tee]\ndb_path = \"x\"\n";
    out << std::string(kMaxConfigBytes, '#') << "\n";
  }
  for (const std::string& path :
       {std::string("/dev/zero"), std::string("/dev/urandom"), fifo, big, dir.path()}) {
    auto c = LoadConfig(path);
    BOOST_TEST((c.status().code() == ErrorCode::kConfig), path);
  }
  const std::string ok = dir.path() + "/ok.toml";
  {
    std::ofstream out(ok);
    out << "[tee]\ndb_path = \"x\"\n# " << std::string(kMaxConfigBytes / 2, 'c') << "\n";
  }
  BOOST_TEST(LoadConfig(ok).ok());
}

BOOST_AUTO_TEST_CASE(integers_as_strings) {
  auto c =
      ParseConfig("[tee.consensus]\nmax_age_secs = \"0x100\"\nexpiry_window_secs = \"60\"\n", "t");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c->max_age_secs == 256u);
  BOOST_TEST(c->expiry_window_secs == 60u);
}

BOOST_AUTO_TEST_CASE(params_hash_is_canonical) {
  const std::string m1(96, 'a'), m2(96, 'b');
  auto a = ParseConfig(
      "[tee]\ndb_path = \"/a\"\nlog_level = \"warn\"\n[tee.consensus]\nmultiplier = 2\n"
      "[tee.consensus.simulated]\nmeasurements = [\"" +
          m1 + "\", \"" + m2 + "\"]\n",
      "a");
  auto b = ParseConfig("[tee.consensus.simulated]\nmeasurements = [\"" + m2 + "\", \"" +
                           std::string(96, 'A') +
                           "\"]\n[tee]\ndb_path = \"/b\"\n"
                           "[tee.consensus]\nmax_age_secs = 86400\n",
                       "b");
  BOOST_REQUIRE(a.ok());
  BOOST_REQUIRE(b.ok());
  // Node-local settings, key order, hex case and list order do not matter;
  // defaults written out equal defaults left out.
  BOOST_TEST((ParamsHash(*a) == ParamsHash(*b)));
  Config c = *a;
  c.multiplier = 3;
  BOOST_TEST((ParamsHash(c) != ParamsHash(*a)));
  c = *a;
  c.max_evidence_bytes = 4096;
  BOOST_TEST((ParamsHash(c) != ParamsHash(*a)));
  c = *a;
  c.simulation = true;
  BOOST_TEST((ParamsHash(c) != ParamsHash(*a)));
  c = *a;
  c.collateral_admission = CollateralAdmission::kLocal;
  BOOST_TEST((ParamsHash(c) != ParamsHash(*a)));
  BOOST_TEST(CanonicalParams(c).find("local(non-consensus)") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
