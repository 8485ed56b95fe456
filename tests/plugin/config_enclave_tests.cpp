// [tee.enclave] (issue 14): one case per rule; codes, not message text.
#include <boost/test/unit_test.hpp>

#include <string>

#include "plugin/config.h"
#include "plugin/enclave.h"

using namespace tenzro::tee;

namespace {
Result<plugin::Config> Parse(const std::string& consensus, const std::string& enclave) {
  return plugin::ParseConfig("[tee]\ndb_path = \"x\"\n[tee.consensus]\n" + consensus +
                                 "\n[tee.enclave]\n" + enclave + "\n",
                             "test.toml");
}
}  // namespace

BOOST_AUTO_TEST_SUITE(config_enclave)

BOOST_AUTO_TEST_CASE(defaults_to_no_key_source) {
  auto c = plugin::ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c->enclave_key_source == "none");
  auto io = SystemDeviceIo("/");
  auto src = plugin::MakeKeySource(*c, *io).value();
  BOOST_TEST((src->kind() == enclave_crypto::KeySourceKind::kNone));
}

BOOST_AUTO_TEST_CASE(table) {
  struct Case {
    const char* name;
    std::string consensus, enclave;
    bool ok;
  };
  const Case cases[] = {
      {"simulation with simulation on", "simulation = true", "key_source = \"simulation\"", true},
      {"simulation with simulation off", "simulation = false", "key_source = \"simulation\"",
       false},
      {"sev-snp defaults vendor snp", "", "key_source = \"sev-snp\"", true},
      {"sev-snp with another vendor", "", "key_source = \"sev-snp\"\nvendor = \"tdx\"", false},
      {"recipient nitro", "", "key_source = \"recipient\"\nvendor = \"nitro\"", true},
      {"unknown source", "", "key_source = \"tpm\"", false},
      {"unknown vendor", "", "vendor = \"sgx\"", false},
      {"unknown key", "", "keysource = \"none\"", false},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      auto r = Parse(c.consensus, c.enclave);
      BOOST_TEST(r.ok() == c.ok);
      if (!r.ok()) BOOST_TEST((r.status().code() == ErrorCode::kConfig));
    }
  }
  // The enclave table is node-local: it does not change params_hash.
  auto a = Parse("simulation = true", "key_source = \"simulation\"").value();
  auto b = Parse("simulation = true", "key_source = \"none\"").value();
  BOOST_TEST((plugin::ParamsHash(a) == plugin::ParamsHash(b)));
}

BOOST_AUTO_TEST_SUITE_END()
