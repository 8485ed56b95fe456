#include "plugin/chain_params.h"

#include <map>

#include "crypto/hash.h"
#include "plugin/config_util.h"

namespace tenzro::tee::plugin {

// Tripwires: a field added to ChainParams, tdx::Policy, snp::Policy or nitro::Policy changes
// these sizes. Before updating a number, hash the new field in
// CanonicalParams (or CanonicalTdxPolicy / CanonicalSnpPolicy) and add it to
// the mutation table of tests/plugin/chain_params_tests.cpp (see
// chain_params.h). Sizes are those of x86-64 libstdc++ (gcc and clang).
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(ChainParams) == 1000,
              "ChainParams changed: hash the new field, then update this tripwire");
static_assert(
    sizeof(tdx::Policy) == 352,
    "tdx::Policy changed: hash the new field in CanonicalTdxPolicy, then update this tripwire");
static_assert(
    sizeof(snp::Policy) == 232,
    "snp::Policy changed: hash the new field in CanonicalSnpPolicy, then update this tripwire");
static_assert(sizeof(nvidia::Policy) == 248,
              "nvidia::Policy changed: hash the new field in CanonicalNvidiaPolicy "
              "(plugin/config_nvidia.cpp), then update this tripwire");
static_assert(
    sizeof(nitro::Policy) == 88,
    "nitro::Policy changed: hash the new field in CanonicalNitroPolicy, then update this tripwire");
#endif

std::string CanonicalParams(const ChainParams& p) {
  std::map<std::string, std::string> kv;
  kv["collateral_admission"] =
      p.collateral_admission == CollateralAdmission::kLocal ? "local(non-consensus)" : "consensus";
  kv["expiry_window_secs"] = std::to_string(p.expiry_window_secs);
  kv["max_age_secs"] = std::to_string(p.max_age_secs);
  kv["max_collateral_bytes"] = std::to_string(p.max_collateral_bytes);
  kv["max_evidence_bytes"] = std::to_string(p.max_evidence_bytes);
  kv["multiplier"] = std::to_string(p.multiplier);
  kv["simulation"] = p.simulation ? "true" : "false";
  std::string ms;
  for (const auto& m : p.simulated_measurements) {  // sorted, unique
    if (!ms.empty()) ms += ",";
    ms += ToHex(AsView(m));
  }
  kv["simulated.measurements"] = ms;
  // Only the listed vendors' policies are hashed, and the list only when it
  // is not all four: a chain that lists every vendor keeps the params_hash it
  // had before the list existed, and two builds (one without a vendor the
  // chain does not list) hash a chain alike. A vendor not built in has no
  // code to hash its policy with; Plugin::Open refuses a chain listing it.
  const auto listed = [&p](Vendor v) { return (p.vendors & VendorBit(v)) != 0; };
  if (p.vendors != kAllVendors) kv["vendors"] = VendorSetNames(p.vendors);
  if constexpr (VendorBuilt(Vendor::kIntelTdx)) {
    if (listed(Vendor::kIntelTdx)) CanonicalTdxPolicy(p.tdx, kv);
  }
  if constexpr (VendorBuilt(Vendor::kAmdSevSnp)) {
    if (listed(Vendor::kAmdSevSnp)) CanonicalSnpPolicy(p.snp, kv);
  }
  if constexpr (VendorBuilt(Vendor::kAwsNitro)) {
    if (listed(Vendor::kAwsNitro)) CanonicalNitroPolicy(p.nitro, kv);
  }
  if constexpr (VendorBuilt(Vendor::kNvidiaGpu)) {
    if (listed(Vendor::kNvidiaGpu)) CanonicalNvidiaPolicy(p.nvidia, kv);
  }
  std::string out = "tenzro-tee-params-v2\n";
  for (const auto& [k, v] : kv) out += k + "=" + v + "\n";
  return out;
}

Hash32 ParamsHash(const ChainParams& p) {
  std::string canon = CanonicalParams(p);
  return crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(canon.data()), canon.size()));
}

}  // namespace tenzro::tee::plugin
