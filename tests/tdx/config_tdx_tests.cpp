// [tee.consensus.tdx] (plugin/config_tdx.cpp): every key, its errors, and the
// canonical params that make params_hash.
#include <boost/test/unit_test.hpp>

#include "plugin/config.h"

using namespace tenzro::tee;
using namespace tenzro::tee::plugin;

namespace {

Result<Config> Parse(const std::string& table_body) {
  return ParseConfig("[tee]\ndb_path = \"x\"\n[tee.consensus.tdx]\n" + table_body, "t.toml");
}

void ExpectError(const std::string& body, const std::string& key) {
  auto c = Parse(body);
  BOOST_TEST(!c.ok(), body);
  if (!c.ok()) {
    BOOST_TEST((c.status().code() == ErrorCode::kConfig));
    BOOST_TEST(c.status().message().find(key) != std::string::npos, c.status().message()
                                                                        << " should name " << key);
  }
}

const std::string kM1(96, 'a');
const std::string kM2(96, 'B');

}  // namespace

BOOST_AUTO_TEST_SUITE(tdx_config)

BOOST_AUTO_TEST_CASE(defaults_are_design_10) {
  auto c = ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(c.ok());
  const tdx::Policy& p = c->tdx;
  BOOST_TEST((p.root_ca_sha256 == tdx::kIntelRootCaSha256));
  BOOST_TEST(ToHex(AsView(p.root_ca_sha256)) ==
             "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  BOOST_TEST(p.accepted_tcb_statuses.size() == tdx::kTcbStatusCount - 1);
  BOOST_TEST(p.accepted_tcb_statuses.count(tdx::TcbStatus::kRevoked) == 0u);
  BOOST_TEST(p.outofdate_grace_secs == 0u);
  BOOST_TEST(!p.require_crls);
  BOOST_TEST(!p.require_sept_ve_disable);
  BOOST_TEST(p.mrtd.empty());
  BOOST_TEST(p.sgx_min_isvsvn == 0);
}

BOOST_AUTO_TEST_CASE(every_key_parses) {
  auto c = Parse("root_ca_sha256 = \"" + std::string(64, 'C') +
                 "\"\n"
                 "accepted_tcb_statuses = [\"UpToDate\", \"SWHardeningNeeded\"]\n"
                 "outofdate_grace_secs = 2592000\n"
                 "require_crls = true\n"
                 "mrtd = [\"" +
                 kM2 + "\", \"" + kM1 + "\", \"" + kM1 +
                 "\"]\n"
                 "rtmr0 = [\"" +
                 kM1 + "\"]\nrtmr1 = []\nrtmr2 = [\"" + kM2 + "\"]\nrtmr3 = [\"" + kM1 +
                 "\"]\n"
                 "mrseam = [\"" +
                 kM1 + "\"]\nmrconfigid = [\"" + kM2 +
                 "\"]\n"
                 "require_sept_ve_disable = true\n"
                 "sgx_mrenclave = [\"" +
                 std::string(64, '1') +
                 "\"]\n"
                 "sgx_mrsigner = [\"" +
                 std::string(64, '2') +
                 "\"]\n"
                 "sgx_isvprodid = [3, 1, 3]\n"
                 "sgx_min_isvsvn = 7\n");
  BOOST_REQUIRE_MESSAGE(c.ok(), (c.ok() ? std::string() : c.status().message()));
  const tdx::Policy& p = c->tdx;
  BOOST_TEST(p.root_ca_sha256[0] == 0xcc);
  BOOST_TEST(p.accepted_tcb_statuses.size() == 2u);
  BOOST_TEST(p.outofdate_grace_secs == 2592000u);
  BOOST_TEST(p.require_crls);
  BOOST_TEST(p.mrtd.size() == 2u);  // sorted, unique
  BOOST_TEST(p.mrtd[0][0] == 0xaa);
  BOOST_TEST(p.rtmr[0].size() == 1u);
  BOOST_TEST(p.rtmr[1].empty());
  BOOST_TEST(p.rtmr[2][0][0] == 0xbb);
  BOOST_TEST(p.mrseam.size() == 1u);
  BOOST_TEST(p.mrconfigid.size() == 1u);
  BOOST_TEST(p.require_sept_ve_disable);
  BOOST_TEST(p.sgx_mrenclave[0][0] == 0x11);
  BOOST_TEST(p.sgx_mrsigner[0][0] == 0x22);
  BOOST_TEST(p.sgx_isvprodid == std::vector<uint16_t>({1, 3}), boost::test_tools::per_element());
  BOOST_TEST(p.sgx_min_isvsvn == 7);
  const std::string canon = CanonicalParams(*c);
  BOOST_TEST(
      canon.find("tdx.accepted_tcb_statuses=UpToDate,SWHardeningNeeded\n") != std::string::npos,
      canon);
  BOOST_TEST(canon.find("tdx.mrtd=" + std::string(96, 'a') + "," + std::string(96, 'b') + "\n") !=
             std::string::npos);
  BOOST_TEST(canon.find("tdx.sgx_isvprodid=1,3\n") != std::string::npos);
  BOOST_TEST(canon.find("tdx.require_crls=true\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(errors_name_the_key) {
  ExpectError("bogus = 1\n", "tee.consensus.tdx.bogus");
  ExpectError("root_ca_sha256 = \"abcd\"\n", "tee.consensus.tdx.root_ca_sha256");
  ExpectError("root_ca_sha256 = 5\n", "tee.consensus.tdx.root_ca_sha256");
  ExpectError("accepted_tcb_statuses = [\"Fine\"]\n", "tee.consensus.tdx.accepted_tcb_statuses[0]");
  ExpectError("accepted_tcb_statuses = \"UpToDate\"\n", "tee.consensus.tdx.accepted_tcb_statuses");
  ExpectError("outofdate_grace_secs = -1\n", "tee.consensus.tdx.outofdate_grace_secs");
  ExpectError("require_crls = 1\n", "tee.consensus.tdx.require_crls");
  ExpectError("mrtd = [\"" + kM1 + "\", \"abc\"]\n", "tee.consensus.tdx.mrtd[1]");
  ExpectError("rtmr2 = [\"" + std::string(64, 'a') + "\"]\n", "tee.consensus.tdx.rtmr2[0]");
  ExpectError("mrseam = \"" + kM1 + "\"\n", "tee.consensus.tdx.mrseam");
  ExpectError("sgx_mrenclave = [\"" + kM1 + "\"]\n", "tee.consensus.tdx.sgx_mrenclave[0]");
  ExpectError("sgx_isvprodid = [70000]\n", "tee.consensus.tdx.sgx_isvprodid[0]");
  ExpectError("sgx_min_isvsvn = 65536\n", "tee.consensus.tdx.sgx_min_isvsvn");
  ExpectError("require_sept_ve_disable = \"yes\"\n", "tee.consensus.tdx.require_sept_ve_disable");
}

BOOST_AUTO_TEST_CASE(every_key_changes_params_hash) {
  const auto base = Parse("");
  BOOST_REQUIRE(base.ok());
  const Hash32 h0 = ParamsHash(*base);
  // Another status set changes it.
  auto same = Parse("accepted_tcb_statuses = [\"Revoked\"]\n");
  BOOST_REQUIRE(same.ok());
  BOOST_TEST((ParamsHash(*same) != h0));
  for (const std::string& body :
       {"root_ca_sha256 = \"" + std::string(64, '0') + "\"\n",
        std::string("outofdate_grace_secs = 1\n"), std::string("require_crls = true\n"),
        "mrtd = [\"" + kM1 + "\"]\n", "rtmr3 = [\"" + kM1 + "\"]\n", "mrseam = [\"" + kM1 + "\"]\n",
        "mrconfigid = [\"" + kM1 + "\"]\n", std::string("require_sept_ve_disable = true\n"),
        "sgx_mrenclave = [\"" + std::string(64, '1') + "\"]\n",
        "sgx_mrsigner = [\"" + std::string(64, '1') + "\"]\n", std::string("sgx_isvprodid = [1]\n"),
        std::string("sgx_min_isvsvn = 1\n")}) {
    auto c = Parse(body);
    BOOST_REQUIRE_MESSAGE(c.ok(), body);
    BOOST_TEST((ParamsHash(*c) != h0), body);
  }
  auto explicit_default = Parse("outofdate_grace_secs = 0\nrequire_crls = false\nmrtd = []\n");
  BOOST_REQUIRE(explicit_default.ok());
  BOOST_TEST((ParamsHash(*explicit_default) == h0));
}

BOOST_AUTO_TEST_SUITE_END()
