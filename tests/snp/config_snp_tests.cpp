// [tee.consensus.snp]: every key parsed, errors naming the key, defaults of
// DESIGN §10, and every field in the canonical params (params_hash).
#include <boost/test/unit_test.hpp>

#include <set>

#include "plugin/config.h"

using namespace tenzro::tee;
using namespace tenzro::tee::plugin;

namespace {

const std::string kHead = "[tee]\ndb_path = \"x\"\n[tee.consensus.snp]\n";

Result<Config> Parse(const std::string& snp_body) {
  return ParseConfig(kHead + snp_body, "t.toml");
}

void ExpectKeyError(const std::string& body, const std::string& key) {
  auto c = Parse(body);
  BOOST_REQUIRE_MESSAGE(!c.ok(), body);
  BOOST_TEST((c.status().code() == ErrorCode::kConfig));
  BOOST_TEST(c.status().message().find(key) != std::string::npos, c.status().message()
                                                                      << " should name " << key);
}

const std::string kHex48a(96, 'a');
const std::string kHex48b(96, 'b');
const std::string kHex32(64, 'c');

}  // namespace

BOOST_AUTO_TEST_SUITE(snp_config)

BOOST_AUTO_TEST_CASE(defaults_are_design_10) {
  auto c = ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(c.ok());
  const snp::Policy& p = c->snp;
  BOOST_TEST((p.ark_milan_sha256 == snp::kAmdArkMilanSha256));
  BOOST_TEST(ToHex(AsView(p.ark_genoa_sha256)) ==
             "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1");
  BOOST_TEST(ToHex(AsView(p.ark_milan_sha256)) ==
             "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd");
  BOOST_TEST(ToHex(AsView(p.ark_turin_sha256)) ==
             "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a");
  BOOST_TEST(!p.allow_debug);
  BOOST_TEST(!p.allow_migrate_ma);
  BOOST_TEST(p.max_vmpl == 3u);
  BOOST_TEST(!p.min_tcb_milan.has_value());
  BOOST_TEST(!p.min_committed_fw.has_value());
  BOOST_TEST(p.measurements.empty());
  BOOST_TEST(p.allow_masked_chip_id);
  BOOST_TEST(!p.require_crls);
}

BOOST_AUTO_TEST_CASE(every_key) {
  auto c = Parse("ark_milan_sha256 = \"" + std::string(64, '1') +
                 "\"\n"
                 "ark_genoa_sha256 = \"" +
                 std::string(64, '2') +
                 "\"\n"
                 "ark_turin_sha256 = \"" +
                 std::string(64, '3') +
                 "\"\n"
                 "allow_debug = true\nallow_migrate_ma = true\nmax_vmpl = 0\n"
                 "min_tcb_milan = \"0300000000000873\"\n"
                 "min_tcb_genoa = { bl = 10, tee = 0, snp = 23, ucode = 84 }\n"
                 "min_tcb_turin = \"0001000200000047\"\n"
                 "min_committed_fw = \"1.55.40\"\n"
                 "measurements = [\"" +
                 kHex48b + "\", \"" + kHex48a + "\", \"" + kHex48a +
                 "\"]\n"
                 "host_data = [\"" +
                 kHex32 +
                 "\"]\n"
                 "id_key_digests = [\"" +
                 kHex48a +
                 "\"]\n"
                 "author_key_digests = [\"" +
                 kHex48b +
                 "\"]\n"
                 "allow_masked_chip_id = false\nrequire_crls = true\n");
  BOOST_REQUIRE_MESSAGE(c.ok(), (c.ok() ? std::string() : c.status().message()));
  const snp::Policy& p = c->snp;
  BOOST_TEST(p.ark_milan_sha256[0] == 0x11);
  BOOST_TEST(p.ark_genoa_sha256[0] == 0x22);
  BOOST_TEST(p.ark_turin_sha256[31] == 0x33);
  BOOST_TEST(p.allow_debug);
  BOOST_TEST(p.allow_migrate_ma);
  BOOST_TEST(p.max_vmpl == 0u);
  BOOST_TEST((*p.min_tcb_milan == snp::MinTcb{0, 3, 0, 8, 115}));
  BOOST_TEST((*p.min_tcb_genoa == snp::MinTcb{0, 10, 0, 23, 84}));
  BOOST_TEST((*p.min_tcb_turin == snp::MinTcb{0, 1, 0, 2, 71}));  // Turin layout: FMC first
  BOOST_TEST((*p.min_committed_fw == snp::MinFirmware{1, 55, 40}));
  BOOST_TEST(p.measurements.size() == 2u);  // sorted, unique
  BOOST_TEST(p.measurements[0][0] == 0xaa);
  BOOST_TEST(p.host_data.size() == 1u);
  BOOST_TEST(p.id_key_digests.size() == 1u);
  BOOST_TEST(p.author_key_digests.size() == 1u);
  BOOST_TEST(!p.allow_masked_chip_id);
  BOOST_TEST(p.require_crls);

  const std::string canon = CanonicalParams(*c);
  for (const char* line :
       {"snp.allow_debug=true", "snp.max_vmpl=0", "snp.min_tcb_milan=bl:3,tee:0,snp:8,ucode:115",
        "snp.min_tcb_turin=fmc:0,bl:1,tee:0,snp:2,ucode:71", "snp.min_committed_fw=1.55.40",
        "snp.require_crls=true", "snp.allow_masked_chip_id=false", "snp.allow_migrate_ma=true"}) {
    BOOST_TEST(canon.find(std::string(line) + "\n") != std::string::npos, line);
  }
  BOOST_TEST(canon.find("snp.measurements=" + kHex48a + "," + kHex48b + "\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_key_changes_params_hash) {
  auto base = ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(base.ok());
  const Hash32 h0 = ParamsHash(*base);
  const std::vector<std::string> bodies = {
      "ark_milan_sha256 = \"" + std::string(64, '1') + "\"",
      "ark_genoa_sha256 = \"" + std::string(64, '1') + "\"",
      "ark_turin_sha256 = \"" + std::string(64, '1') + "\"",
      "allow_debug = true",
      "allow_migrate_ma = true",
      "max_vmpl = 2",
      "min_tcb_milan = \"0100000000000000\"",
      "min_tcb_genoa = \"0100000000000000\"",
      "min_tcb_turin = \"0100000000000000\"",
      "min_committed_fw = \"1.0.0\"",
      "measurements = [\"" + kHex48a + "\"]",
      "host_data = [\"" + kHex32 + "\"]",
      "id_key_digests = [\"" + kHex48a + "\"]",
      "author_key_digests = [\"" + kHex48a + "\"]",
      "allow_masked_chip_id = false",
      "require_crls = true",
  };
  std::set<Hash32> seen = {h0};
  for (const auto& b : bodies) {
    auto c = Parse(b + "\n");
    BOOST_REQUIRE_MESSAGE(c.ok(), b);
    BOOST_TEST(seen.insert(ParamsHash(*c)).second, b);
  }
  // An explicit default is the same chain as the built-in default.
  auto same = Parse("max_vmpl = 3\nallow_masked_chip_id = true\n");
  BOOST_REQUIRE(same.ok());
  auto empty = Parse("");
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST((ParamsHash(*same) == ParamsHash(*empty)));
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_key) {
  const std::string k = "tee.consensus.snp.";
  ExpectKeyError("bogus = 1\n", k + "bogus");
  ExpectKeyError("ark_milan_sha256 = \"abcd\"\n", k + "ark_milan_sha256");
  ExpectKeyError("ark_genoa_sha256 = 5\n", k + "ark_genoa_sha256");
  ExpectKeyError("allow_debug = \"yes\"\n", k + "allow_debug");
  ExpectKeyError("max_vmpl = 4\n", k + "max_vmpl");
  ExpectKeyError("max_vmpl = -1\n", k + "max_vmpl");
  ExpectKeyError("min_tcb_milan = \"03000000000008\"\n", k + "min_tcb_milan");
  ExpectKeyError("min_tcb_milan = \"0300000100000873\"\n", k + "min_tcb_milan");  // reserved byte
  ExpectKeyError("min_tcb_turin = \"0001000201000047\"\n", k + "min_tcb_turin");  // reserved byte
  ExpectKeyError("min_tcb_genoa = { bl = 256 }\n", k + "min_tcb_genoa.bl");
  ExpectKeyError("min_tcb_genoa = { fmc = 1 }\n", k + "min_tcb_genoa.fmc");  // Turin only
  ExpectKeyError("min_tcb_genoa = 7\n", k + "min_tcb_genoa");
  ExpectKeyError("min_committed_fw = \"1.55\"\n", k + "min_committed_fw");
  ExpectKeyError("min_committed_fw = \"1.55.300\"\n", k + "min_committed_fw");
  ExpectKeyError("measurements = \"" + kHex48a + "\"\n", k + "measurements");
  ExpectKeyError("measurements = [\"" + kHex32 + "\"]\n", k + "measurements[0]");
  ExpectKeyError("host_data = [\"" + kHex32 + "\", \"zz\"]\n", k + "host_data[1]");
  ExpectKeyError("id_key_digests = [1]\n", k + "id_key_digests[0]");
  ExpectKeyError("author_key_digests = [\"" + kHex48a + "0\"]\n", k + "author_key_digests[0]");
  ExpectKeyError("require_crls = 1\n", k + "require_crls");
}

BOOST_AUTO_TEST_SUITE_END()
