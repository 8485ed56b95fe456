// ChainParams and params_hash (DESIGN §2): every field is hashed. The table
// below lists every field of ChainParams, tdx::Policy, snp::Policy and nitro::Policy; each
// mutation must change params_hash. A field added without a row here trips
// the sizeof static_asserts of plugin/chain_params.cpp, whose comment sends
// the next person to CanonicalParams and to this table.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "plugin/chain_params.h"
#include "plugin/config.h"

using namespace tenzro::tee;
using namespace tenzro::tee::plugin;

namespace {

struct Mutation {
  const char* field;
  std::function<void(ChainParams&)> apply;
};

template <size_t N>
std::array<uint8_t, N> Filled(uint8_t b) {
  std::array<uint8_t, N> a{};
  a.fill(b);
  return a;
}

std::vector<Mutation> EveryField() {
  return {
      {"multiplier", [](ChainParams& p) { p.multiplier = 3; }},
      {"max_age_secs", [](ChainParams& p) { p.max_age_secs = 3600; }},
      {"expiry_window_secs", [](ChainParams& p) { p.expiry_window_secs = 1; }},
      {"max_evidence_bytes", [](ChainParams& p) { p.max_evidence_bytes = 4096; }},
      {"max_collateral_bytes", [](ChainParams& p) { p.max_collateral_bytes = 4096; }},
      {"simulation", [](ChainParams& p) { p.simulation = true; }},
      {"collateral_admission",
       [](ChainParams& p) { p.collateral_admission = CollateralAdmission::kLocal; }},
      {"simulated_measurements",
       [](ChainParams& p) { p.simulated_measurements = {Filled<48>(1)}; }},
      // issue 13: the vendors a chain trusts (an unlisted vendor's policy
      // leaves the encoding with it).
      {"vendors",
       [](ChainParams& p) {
         p.vendors = static_cast<VendorSet>(kAllVendors & ~VendorBit(Vendor::kAwsNitro));
       }},
      // tdx::Policy
      {"tdx.root_ca_sha256", [](ChainParams& p) { p.tdx.root_ca_sha256 = Filled<32>(7); }},
      {"tdx.accepted_tcb_statuses",
       [](ChainParams& p) { p.tdx.accepted_tcb_statuses = {tdx::TcbStatus::kUpToDate}; }},
      {"tdx.outofdate_grace_secs", [](ChainParams& p) { p.tdx.outofdate_grace_secs = 1; }},
      {"tdx.require_crls", [](ChainParams& p) { p.tdx.require_crls = !p.tdx.require_crls; }},
      {"tdx.mrtd", [](ChainParams& p) { p.tdx.mrtd = {Filled<48>(2)}; }},
      {"tdx.rtmr0", [](ChainParams& p) { p.tdx.rtmr[0] = {Filled<48>(2)}; }},
      {"tdx.rtmr1", [](ChainParams& p) { p.tdx.rtmr[1] = {Filled<48>(2)}; }},
      {"tdx.rtmr2", [](ChainParams& p) { p.tdx.rtmr[2] = {Filled<48>(2)}; }},
      {"tdx.rtmr3", [](ChainParams& p) { p.tdx.rtmr[3] = {Filled<48>(2)}; }},
      {"tdx.mrseam", [](ChainParams& p) { p.tdx.mrseam = {Filled<48>(2)}; }},
      {"tdx.mrconfigid", [](ChainParams& p) { p.tdx.mrconfigid = {Filled<48>(2)}; }},
      {"tdx.require_sept_ve_disable",
       [](ChainParams& p) { p.tdx.require_sept_ve_disable = !p.tdx.require_sept_ve_disable; }},
      {"tdx.sgx_mrenclave", [](ChainParams& p) { p.tdx.sgx_mrenclave = {Filled<32>(3)}; }},
      {"tdx.sgx_mrsigner", [](ChainParams& p) { p.tdx.sgx_mrsigner = {Filled<32>(3)}; }},
      {"tdx.sgx_isvprodid", [](ChainParams& p) { p.tdx.sgx_isvprodid = {9}; }},
      {"tdx.sgx_min_isvsvn", [](ChainParams& p) { p.tdx.sgx_min_isvsvn = 9; }},
      // snp::Policy
      {"snp.ark_milan_sha256", [](ChainParams& p) { p.snp.ark_milan_sha256 = Filled<32>(4); }},
      {"snp.ark_genoa_sha256", [](ChainParams& p) { p.snp.ark_genoa_sha256 = Filled<32>(4); }},
      {"snp.ark_turin_sha256", [](ChainParams& p) { p.snp.ark_turin_sha256 = Filled<32>(4); }},
      {"snp.allow_debug", [](ChainParams& p) { p.snp.allow_debug = !p.snp.allow_debug; }},
      {"snp.allow_migrate_ma",
       [](ChainParams& p) { p.snp.allow_migrate_ma = !p.snp.allow_migrate_ma; }},
      {"snp.max_vmpl", [](ChainParams& p) { p.snp.max_vmpl = 1; }},
      {"snp.min_tcb_milan",
       [](ChainParams& p) {
         p.snp.min_tcb_milan = snp::MinTcb{0, 1, 0, 0, 0};
       }},
      {"snp.min_tcb_genoa",
       [](ChainParams& p) {
         p.snp.min_tcb_genoa = snp::MinTcb{0, 1, 0, 0, 0};
       }},
      {"snp.min_tcb_turin",
       [](ChainParams& p) {
         p.snp.min_tcb_turin = snp::MinTcb{1, 0, 0, 0, 0};
       }},
      {"snp.min_committed_fw",
       [](ChainParams& p) {
         p.snp.min_committed_fw = snp::MinFirmware{1, 2, 3};
       }},
      {"snp.measurements", [](ChainParams& p) { p.snp.measurements = {Filled<48>(5)}; }},
      {"snp.host_data", [](ChainParams& p) { p.snp.host_data = {Filled<32>(5)}; }},
      {"snp.id_key_digests", [](ChainParams& p) { p.snp.id_key_digests = {Filled<48>(5)}; }},
      {"snp.author_key_digests",
       [](ChainParams& p) { p.snp.author_key_digests = {Filled<48>(5)}; }},
      {"snp.allow_masked_chip_id",
       [](ChainParams& p) { p.snp.allow_masked_chip_id = !p.snp.allow_masked_chip_id; }},
      {"snp.require_crls", [](ChainParams& p) { p.snp.require_crls = !p.snp.require_crls; }},
      // nitro::Policy (issue 10)
      {"nitro.root_ca_sha256", [](ChainParams& p) { p.nitro.root_ca_sha256 = Filled<32>(6); }},
      {"nitro.images",
       [](ChainParams& p) {
         p.nitro.images = {nitro::Image{{{0, Bytes(48, 1)}, {1, Bytes(48, 2)}, {2, Bytes(48, 3)}}}};
       }},
      {"nitro.allow_debug", [](ChainParams& p) { p.nitro.allow_debug = !p.nitro.allow_debug; }},
      {"nitro.check_chain_at",
       [](ChainParams& p) { p.nitro.check_chain_at = nitro::ChainTime::kDocument; }},
      {"nitro.max_age_secs", [](ChainParams& p) { p.nitro.max_age_secs = 3600; }},
      {"nitro.max_clock_skew_secs", [](ChainParams& p) { p.nitro.max_clock_skew_secs = 60; }},
      // issue 11: [tee.consensus.nvidia]
      {"nvidia.device_root_sha256",
       [](ChainParams& p) { p.nvidia.device_root_sha256 = Filled<32>(6); }},
      {"nvidia.rim_root_sha256", [](ChainParams& p) { p.nvidia.rim_root_sha256 = Filled<32>(6); }},
      {"nvidia.require_rims", [](ChainParams& p) { p.nvidia.require_rims = true; }},
      {"nvidia.require_ocsp", [](ChainParams& p) { p.nvidia.require_ocsp = true; }},
      {"nvidia.allow_hold", [](ChainParams& p) { p.nvidia.allow_hold = true; }},
      {"nvidia.mode", [](ChainParams& p) { p.nvidia.mode = nvidia::Mode::kBoth; }},
      {"nvidia.nras_issuer", [](ChainParams& p) { p.nvidia.nras_issuer = "https://example.org"; }},
      {"nvidia.nras_jwks_sha256",
       [](ChainParams& p) { p.nvidia.nras_jwks_sha256 = Filled<32>(8); }},
      {"nvidia.min_driver_version",
       [](ChainParams& p) {
         p.nvidia.min_driver_version = nvidia::DottedVersion{{550, 90, 7}};
       }},
      {"nvidia.min_vbios_version",
       [](ChainParams& p) {
         p.nvidia.min_vbios_version = nvidia::DottedVersion{{0x96, 0, 0x9f}};
       }},
      {"nvidia.allowed_architectures",
       [](ChainParams& p) { p.nvidia.allowed_architectures = {nvidia::Arch::kHopper}; }},
      {"nvidia.max_age_secs", [](ChainParams& p) { p.nvidia.max_age_secs = 3600; }},
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(chain_params)

// The table has one row per field: 9 of ChainParams (tdx and snp are rows of
// their own), 16 of tdx::Policy (rtmr counts four), 16 of snp::Policy, 6
// of nitro::Policy and 12 of nvidia::Policy.
BOOST_AUTO_TEST_CASE(the_table_lists_every_field) {
  BOOST_TEST(EveryField().size() == 9u + 16u + 16u + 6u + 12u);
}

BOOST_AUTO_TEST_CASE(every_field_changes_params_hash) {
  const ChainParams base;
  const Hash32 h0 = ParamsHash(base);
  std::set<Hash32> seen = {h0};
  for (const Mutation& m : EveryField()) {
    ChainParams p = base;
    m.apply(p);
    const Hash32 h = ParamsHash(p);
    BOOST_TEST((h != h0), m.field << " is not hashed");
    BOOST_TEST(seen.insert(h).second, m.field << " collides with another field's mutation");
    BOOST_TEST(CanonicalParams(p) != CanonicalParams(base), m.field);
  }
}

// The consensus limits are chain parameters: read from [tee.consensus] only.
BOOST_AUTO_TEST_CASE(limits_and_switches_come_from_tee_consensus) {
  auto c = ParseConfig(
      "[tee]\ndb_path = \"x\"\n[tee.consensus]\nmax_evidence_bytes = 4096\nmax_collateral_bytes = "
      "8192\n"
      "simulation = true\ncollateral_admission = \"local\"\n",
      "t");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c->chain().max_evidence_bytes == 4096u);
  BOOST_TEST(c->chain().max_collateral_bytes == 8192u);
  BOOST_TEST(c->chain().simulation);
  BOOST_TEST((c->chain().collateral_admission == CollateralAdmission::kLocal));
  auto plain = ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(plain.ok());
  BOOST_TEST((ParamsHash(plain->chain()) != ParamsHash(*c)));
  // Each consensus limit alone moves the hash (the defect: it did not).
  for (const char* line : {"max_evidence_bytes = 4096", "max_collateral_bytes = 8192"}) {
    auto one =
        ParseConfig(std::string("[tee]\ndb_path = \"x\"\n[tee.consensus]\n") + line + "\n", "t");
    BOOST_REQUIRE(one.ok());
    BOOST_TEST((ParamsHash(*one) != ParamsHash(*plain)), line);
  }
}

// Their old place under [tee] is refused with the new key named, so a node
// cannot keep a consensus value outside params_hash by mistake.
BOOST_AUTO_TEST_CASE(old_tee_locations_are_refused) {
  for (const char* key :
       {"simulation = true", "collateral_admission = \"local\"", "max_evidence_bytes = 4096"}) {
    auto c = ParseConfig(std::string("[tee]\ndb_path = \"x\"\n") + key + "\n", "t");
    BOOST_REQUIRE(!c.ok());
    BOOST_TEST((c.status().code() == ErrorCode::kConfig));
    BOOST_TEST(c.status().message().find("tee.consensus.") != std::string::npos,
               c.status().message());
  }
}

// Node-local settings never move the hash.
BOOST_AUTO_TEST_CASE(node_local_settings_are_not_hashed) {
  auto a = ParseConfig("[tee]\ndb_path = \"a\"\n", "t");
  auto b = ParseConfig(
      "[tee]\ndb_path = \"b\"\nrocksdb_memory_mb = 128\nlog_level = \"error\"\nsnapshot_retention "
      "= 3\n"
      "migrate_params = true\nverify_max_collateral_blobs = 4\nverify_max_collateral_bytes = "
      "4096\n",
      "t");
  BOOST_REQUIRE(a.ok());
  BOOST_REQUIRE(b.ok());
  BOOST_TEST((ParamsHash(*a) == ParamsHash(*b)));
}

BOOST_AUTO_TEST_SUITE_END()
