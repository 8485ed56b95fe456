// The seed's feature flags (issue 13): -DTEE_VENDOR_*=OFF builds a vendor out,
// [tee.consensus] vendors says which vendors a chain trusts. Built in every
// configuration (full, and CI's single-vendor build), so each case checks
// what its own build holds: a vendor built out or not listed answers
// `unsupported`, a consensus node refuses a chain listing a vendor it lacks,
// a chain's params_hash does not depend on the build, and a chain that drops
// a vendor demotes that vendor's validators at the next epoch.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "attestation/snp/sim/simulator.h"
#include "attestation/standalone.h"
#include "attestation/vendors.h"
#include "plugin/chain_params.h"
#include "plugin/config.h"
#include "plugin/plugin.h"
#include "plugin/serve.h"
#include "plugin/wiring.h"
#include "support/test_support.h"

using namespace tenzro::tee;
using namespace tenzro::tee::plugin;

namespace {

// 2026-01-01: inside the SNP simulator's windows.
constexpr uint64_t kNow = 1767225600;

constexpr Vendor kEveryVendor[] = {Vendor::kIntelTdx, Vendor::kAmdSevSnp, Vendor::kAwsNitro,
                                   Vendor::kNvidiaGpu};
constexpr TeeType kHardwareTypes[] = {TeeType::IntelTdx, TeeType::IntelSgx, TeeType::AmdSevSnp,
                                      TeeType::AwsNitro, TeeType::NvidiaGpu};
// One vendor's policy key and a harmless value for it.
const char* PolicyTable(Vendor v) {
  switch (v) {
    case Vendor::kIntelTdx:
      return "[tee.consensus.tdx]\nrequire_crls = true\n";
    case Vendor::kAmdSevSnp:
      return "[tee.consensus.snp]\nrequire_crls = true\n";
    case Vendor::kAwsNitro:
      return "[tee.consensus.nitro]\nallow_debug = false\n";
    case Vendor::kNvidiaGpu:
      return "[tee.consensus.nvidia]\nrequire_ocsp = true\n";
  }
  return "";
}

std::string VendorsLine(VendorSet set) {
  std::string out = "vendors = [";
  for (std::string_view name : VendorSetList(set)) {
    if (out.back() != '[') out += ", ";
    out += "\"" + std::string(name) + "\"";
  }
  return out + "]\n";
}

Result<Config> Parse(const std::string& consensus) {
  return ParseConfig("[tee]\ndb_path = \"x\"\n[tee.consensus]\n" + consensus, "t");
}

std::string ErrorOf(const Result<Config>& c) { return c.ok() ? "" : c.status().message(); }

Result<std::unique_ptr<Plugin>> OpenWith(const testing::TempDir& dir, const std::string& consensus,
                                         bool migrate = false) {
  const std::string cfg = dir.Sub("node.toml");
  {
    std::ofstream out(cfg);
    out << "[tee]\ndb_path = \"" << dir.Sub("db") << "\"\nlog_level = \"off\"\n"
        << (migrate ? "migrate_params = true\n" : "") << "[tee.consensus]\n"
        << consensus;
  }
  return Plugin::Open(cfg, nullptr);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vendors)

// CMake's TEE_VENDOR_* options reach the code (TEE_TEST_BUILT_VENDORS is the
// list CMake computed from them).
BOOST_AUTO_TEST_CASE(the_build_holds_what_cmake_configured) {
  BOOST_TEST(VendorSetNames(kBuiltVendors) == std::string(TEE_TEST_BUILT_VENDORS));
  for (Vendor v : kEveryVendor) {
    BOOST_TEST((VendorFromName(VendorName(v)) == v));
  }
  BOOST_TEST(!VendorFromName("intel-sgx").has_value());
  BOOST_TEST((VendorOf(TeeType::IntelSgx) == Vendor::kIntelTdx));
  BOOST_TEST(!VendorOf(TeeType::Simulated).has_value());
}

BOOST_AUTO_TEST_CASE(the_vendors_key) {
  auto absent = Parse("");
  BOOST_REQUIRE(absent.ok());
  BOOST_TEST(absent->chain().vendors == kAllVendors);
  auto none = Parse("vendors = []\n");
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none->chain().vendors == 0);
  const Vendor first = Vendor::kAmdSevSnp;
  auto one = Parse(VendorsLine(VendorBit(first)));
  BOOST_REQUIRE(one.ok());
  BOOST_TEST(one->chain().vendors == VendorBit(first));
  for (const char* bad : {"vendors = \"intel-tdx\"\n", "vendors = [\"intel-sgx\"]\n",
                          "vendors = [1]\n", "vendors = [\"aws-nitro\", \"aws-nitro\"]\n"}) {
    auto c = Parse(bad);
    BOOST_TEST(!c.ok(), bad);
    BOOST_TEST(ErrorOf(c).find("tee.consensus.vendors") != std::string::npos, ErrorOf(c));
  }
}

// A policy table needs its vendor listed by the chain and built in.
BOOST_AUTO_TEST_CASE(a_policy_table_needs_its_vendor) {
  for (Vendor v : kEveryVendor) {
    const std::string table = PolicyTable(v);
    auto unlisted = Parse(VendorsLine(static_cast<VendorSet>(kAllVendors & ~VendorBit(v))) + table);
    BOOST_TEST(!unlisted.ok(), table);
    BOOST_TEST(ErrorOf(unlisted).find("does not list") != std::string::npos, ErrorOf(unlisted));
    auto listed = Parse(VendorsLine(VendorBit(v)) + table);
    if (VendorBuilt(v)) {
      BOOST_TEST(listed.ok(), ErrorOf(listed));
    } else {
      BOOST_TEST(!listed.ok(), table);
      BOOST_TEST(ErrorOf(listed).find("-D" + std::string(VendorBuildOption(v)) + "=OFF") !=
                     std::string::npos,
                 ErrorOf(listed));
    }
  }
}

// The list is hashed; a chain listing every vendor keeps the params_hash it
// had before the key existed; and a chain listing one vendor hashes alike in
// every build that holds it (the golden value is the same in CI's full and
// single-vendor builds).
BOOST_AUTO_TEST_CASE(params_hash_of_a_vendor_list) {
  ChainParams all;
  BOOST_TEST(CanonicalParams(all).find("\nvendors=") == std::string::npos);
  ChainParams fewer;
  fewer.vendors = static_cast<VendorSet>(kAllVendors & ~VendorBit(Vendor::kAwsNitro));
  BOOST_TEST(CanonicalParams(fewer).find("\nvendors=intel-tdx,amd-sev-snp,nvidia-gpu\n") !=
             std::string::npos);
  BOOST_TEST((ParamsHash(fewer) != ParamsHash(all)));
  // An unlisted vendor's policy is not part of the chain: changing it (the
  // defaults) changes nothing.
  ChainParams fewer_other_nitro = fewer;
  fewer_other_nitro.nitro.allow_debug = !fewer.nitro.allow_debug;
  BOOST_TEST((ParamsHash(fewer_other_nitro) == ParamsHash(fewer)));
  if (kBuiltVendors == kAllVendors) {
    auto explicit_all = Parse(VendorsLine(kAllVendors));
    BOOST_REQUIRE(explicit_all.ok());
    BOOST_TEST((ParamsHash(explicit_all->chain()) == ParamsHash(all)));
  }
  if (VendorBuilt(Vendor::kAmdSevSnp)) {
    auto snp_only = Parse("vendors = [\"amd-sev-snp\"]\n[tee.consensus.snp]\nmax_vmpl = 0\n");
    BOOST_REQUIRE(snp_only.ok());
    BOOST_TEST(ToHex(AsView(ParamsHash(snp_only->chain()))) ==
               "4b6f026837ba0ec5c2b5b7293bfbda63deec920b662d040ace73901ef12fd97f");
  }
}

// Every hardware type answers `unsupported` when its vendor is built out or
// not listed, and is read by its own verifier otherwise.
BOOST_AUTO_TEST_CASE(built_out_or_unlisted_answers_unsupported) {
  // List every built vendor but the first one built.
  VendorSet listed = kBuiltVendors;
  for (Vendor v : kEveryVendor) {
    if (VendorBuilt(v)) {
      listed = static_cast<VendorSet>(listed & ~VendorBit(v));
      break;
    }
  }
  ChainParams params;
  params.vendors = listed;
  const auto verifier = BuildVerifier(params);
  const Bytes junk(2048, 0x5a);
  for (TeeType type : kHardwareTypes) {
    const Vendor v = *VendorOf(type);
    StandaloneRequest req;
    req.tee_type = type;
    req.evidence = AsView(junk);
    req.now = kNow;
    auto verdict = VerifyStandalone(*verifier, req);
    BOOST_REQUIRE(verdict.ok());
    BOOST_TEST(!verdict->valid());
    BOOST_REQUIRE(!verdict->failures.empty());
    const Failure& f = verdict->failures.front();
    const std::string what = std::string(TeeTypeName(type)) + ": " + f.message;
    if (!VendorBuilt(v)) {
      BOOST_TEST((f.code == FailureCode::kUnsupported), what);
      BOOST_TEST(f.message.find("not built in") != std::string::npos, what);
    } else if ((listed & VendorBit(v)) == 0) {
      BOOST_TEST((f.code == FailureCode::kUnsupported), what);
      BOOST_TEST(f.message.find("vendors does not list") != std::string::npos, what);
    } else {
      // Its own verifier read it (SNP names the junk's version unsupported).
      BOOST_TEST(f.message.find("not built in") == std::string::npos, what);
      BOOST_TEST(f.message.find("does not list") == std::string::npos, what);
    }
  }
}

// A consensus node cannot decide a vendor it lacks like its peers do: it
// refuses the chain; with the chain's list inside its build it runs and says
// what it holds.
BOOST_AUTO_TEST_CASE(a_node_refuses_a_chain_listing_a_vendor_it_lacks) {
  {
    testing::TempDir dir;
    auto p = OpenWith(dir, "");  // default: every vendor
    if (kBuiltVendors == kAllVendors) {
      BOOST_TEST(p.ok(), (p.ok() ? "" : p.status().ToString()));
    } else {
      BOOST_REQUIRE(!p.ok());
      BOOST_TEST((p.status().code() == ErrorCode::kConfig));
      const VendorSet missing = static_cast<VendorSet>(kAllVendors & ~kBuiltVendors);
      BOOST_TEST(p.status().message().find(VendorSetNames(missing, ", ")) != std::string::npos,
                 p.status().message());
      // `serve` answers for the node beside it: it refuses the same chain.
      ServeNode::Options o;
      o.config.db_path = dir.Sub("db");
      o.config.http.listen = "127.0.0.1:0";
      o.mode = storage::StoreMode::kReadOnly;
      auto s = ServeNode::Open(std::move(o));
      BOOST_REQUIRE(!s.ok());
      BOOST_TEST((s.status().code() == ErrorCode::kConfig));
      BOOST_TEST(s.status().message().find("tee.consensus.vendors") != std::string::npos,
                 s.status().message());
    }
  }
  testing::TempDir dir;
  auto p = OpenWith(dir, VendorsLine(kBuiltVendors));
  BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().ToString()));
  const auto status = nlohmann::json::parse((*p)->StatusJson());
  std::vector<std::string> built;
  for (std::string_view n : VendorSetList(kBuiltVendors)) built.emplace_back(n);
  BOOST_TEST((status.at("vendors_built").get<std::vector<std::string>>() == built));
  BOOST_TEST((status.at("vendors").get<std::vector<std::string>>() == built));
}

// A chain that stops trusting a vendor (migrate_params) demotes its
// validators at the next epoch with `unsupported`; the list is a chain
// parameter, so without migrate_params the node refuses the new list.
BOOST_AUTO_TEST_CASE(dropping_a_vendor_demotes_its_validators) {
  if constexpr (!VendorBuilt(Vendor::kAmdSevSnp)) {
    BOOST_TEST_MESSAGE("amd-sev-snp is built out: nothing to demote");
    return;
  } else {
    testing::TempDir dir;
    const BindingInput binding{testing::IdFromLabel("snp-validator"),
                               testing::HashFromLabel("challenge")};
    auto spec = snp::sim::DefaultSimSpec(snp::format::Product::kGenoa);
    snp::sim::Bind(spec.report, binding);
    auto ev = snp::sim::Simulate(spec);
    BOOST_REQUIRE(ev.ok());
    const Bytes evidence = ev->Extended();
    {
      auto p = OpenWith(dir, "simulation = true\nvendors = [\"amd-sev-snp\"]\n");
      BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().ToString()));
      consensus::Registration reg;
      reg.id = binding.validator_id;
      reg.stake_be = testing::Stake(1000);
      reg.tee_type = TeeType::AmdSevSnp;
      reg.evidence = AsView(evidence);
      reg.challenge = binding.challenge;
      reg.registered_at = kNow;
      auto o = (*p)->hooks().RegisterValidator(reg);
      BOOST_REQUIRE(o.ok());
      BOOST_TEST(o->attested, FailureCodeName(o->reason));
      auto r = (*p)->hooks().OnEpoch(1, kNow + 60, testing::HashFromLabel("seed1"));
      BOOST_REQUIRE(r.ok());
      BOOST_TEST(r->attested == 1u);
    }
    const std::string dropped = "simulation = true\nvendors = []\n";
    auto refused = OpenWith(dir, dropped);
    BOOST_REQUIRE(!refused.ok());
    BOOST_TEST((refused.status().code() == ErrorCode::kParamsMismatch));
    auto p = OpenWith(dir, dropped, /*migrate=*/true);
    BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().ToString()));
    auto r = (*p)->hooks().OnEpoch(2, kNow + 120, testing::HashFromLabel("seed2"));
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r->attested == 0u);
    BOOST_TEST(r->demoted == 1u);
    auto rec = (*p)->hooks().GetRecord(binding.validator_id);
    BOOST_REQUIRE(rec.ok());
    BOOST_TEST(!rec->attested());
    BOOST_TEST((rec->reason == FailureCode::kUnsupported), FailureCodeName(rec->reason));
  }
}

BOOST_AUTO_TEST_SUITE_END()
