// [tee.consensus.nitro] (plugin/config_nitro.cpp) and the wiring: keys parse,
// bad values name the key, the plugin knows the simulator's dev root by
// fingerprint and trusts it only with simulation on.
#include <boost/test/unit_test.hpp>

#include "nitro_test_util.h"
#include "plugin/config.h"
#include "plugin/dev_roots.h"
#include "plugin/wiring.h"

using namespace tenzro::tee;
using namespace tenzro::tee::plugin;
namespace tu = tenzro::tee::nitro::testutil;

namespace {

Result<Config> Parse(const std::string& nitro_table, bool simulation = false) {
  return ParseConfig("[tee]\ndb_path = \"x\"\n[tee.consensus]\nsimulation = " +
                         std::string(simulation ? "true" : "false") + "\n" + nitro_table,
                     "t");
}

const std::string kP0 = std::string(96, 'a'), kP1 = std::string(96, 'b'),
                  kP2 = std::string(96, 'c');

}  // namespace

BOOST_AUTO_TEST_SUITE(nitro_config)

BOOST_AUTO_TEST_CASE(every_key_parses) {
  auto c =
      Parse("[tee.consensus.nitro]\nroot_ca_sha256 = \"" + std::string(64, '1') +
            "\"\nallow_debug = true\ncheck_chain_at = \"document\"\nmax_age_secs = 3600\n"
            "max_clock_skew_secs = 30\n[[tee.consensus.nitro.images]]\npcr0 = \"" +
            kP0 + "\"\npcr1 = \"" + kP1 + "\"\npcr2 = \"" + kP2 + "\"\npcr8 = \"" + kP0 + "\"\n");
  if (!c.ok()) BOOST_FAIL(c.status().ToString());
  const nitro::Policy& p = c->chain().nitro;
  BOOST_TEST(p.root_ca_sha256[0] == 0x11);
  BOOST_TEST(p.allow_debug);
  BOOST_TEST((p.check_chain_at == nitro::ChainTime::kDocument));
  BOOST_TEST(p.max_age_secs.value_or(0) == 3600u);
  BOOST_TEST(p.max_clock_skew_secs == 30u);
  BOOST_REQUIRE(p.images.size() == 1u);
  BOOST_TEST(p.images[0].pcrs.size() == 4u);
  auto defaults = Parse("");
  BOOST_REQUIRE(defaults.ok());
  BOOST_TEST((defaults->chain().nitro.root_ca_sha256 == nitro::kAwsNitroRootG1Sha256));
  BOOST_TEST((ParamsHash(defaults->chain()) != ParamsHash(c->chain())));
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_key) {
  const std::pair<std::string, std::string> cases[] = {
      {"root_ca_sha256 = \"abcd\"", "tee.consensus.nitro.root_ca_sha256"},
      {"check_chain_at = \"later\"", "tee.consensus.nitro.check_chain_at"},
      {"max_age_secs = 0", "tee.consensus.nitro.max_age_secs"},
      {"pcr_policy = 1", "tee.consensus.nitro.pcr_policy"},
      {"[[tee.consensus.nitro.images]]\npcr0 = \"" + kP0 + "\"\npcr1 = \"" + kP1 + "\"\npcr2 = \"" +
           kP2 + "\"\npcr3 = \"" + kP0 + "\"",
       "tee.consensus.nitro.images[0].pcr3"},
      {"[[tee.consensus.nitro.images]]\npcr0 = \"" + kP0 + "\"", "pcr1"},
      {"[[tee.consensus.nitro.images]]\npcr0 = \"00\"\npcr1 = \"" + kP1 + "\"\npcr2 = \"" + kP2 +
           "\"",
       "images[0].pcr0"},
  };
  for (const auto& [line, key] : cases) {
    auto c = Parse("[tee.consensus.nitro]\n" + line + "\n");
    BOOST_TEST(!c.ok(), line);
    if (!c.ok())
      BOOST_TEST(c.status().message().find(key) != std::string::npos, c.status().message());
  }
}

BOOST_AUTO_TEST_CASE(the_plugin_knows_the_dev_root_by_fingerprint_only) {
  BOOST_TEST((kNitroDevRootSha256 == nitro::sim::DevRootFingerprint()));
  const Bytes doc = tu::MakeDoc();
  for (bool simulation : {false, true}) {
    auto c = Parse("", simulation);
    BOOST_REQUIRE(c.ok());
    auto v = BuildVerifier(c->chain());
    VerifyRequest req;
    req.evidence = AsView(doc);
    req.now = tu::kDocTime + 60;
    auto r = v->Verify(TeeType::AwsNitro, req);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->valid() == simulation, VerdictToJson(*r).dump());
    if (!simulation) BOOST_TEST((r->reason() == FailureCode::kSimulationDisabled));
  }
}

BOOST_AUTO_TEST_SUITE_END()
