// Providers and hybrid ZK-in-TEE through the C ABI (issue 15), loaded with
// dlopen as a node would: two plugin instances fed identical calls give
// byte-identical epoch reports (providers included); everything survives a
// close/open; the queries page in id order; verify_hybrid's outcomes with a
// test host verifier; one real SNP vector; argument checks.
#include <dlfcn.h>
#include <sys/wait.h>

#include <cstdio>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "abi/tenzro_tee.h"
#include "crypto/hash.h"
#include "provider_support.h"
#include "support/abi_module.h"
#include "support/test_support.h"
#include "support/vectors.h"

using namespace tenzro::tee;
using namespace tenzro::tee::provtest;
namespace tt = tenzro::tee::testing;

namespace {

// The module under test: the last command-line argument.
class Module : public tt::AbiModule {
 public:
  Module() : AbiModule(Arg(1)) {
    BOOST_REQUIRE(api().abi_version >= 2u);
    BOOST_REQUIRE(api().size >= sizeof(tee_api));
  }
  // The n-th argument from the end.
  static std::string Arg(int n) {
    const auto& suite = boost::unit_test::framework::master_test_suite();
    return suite.argc > n ? suite.argv[suite.argc - n] : std::string();
  }
};

// The test host: provider events, and a ZK verifier per vk id that accepts
// exactly one (proof, public inputs) pair.
struct Host {
  struct Accepts {
    Bytes proof, inputs;
  };
  std::map<Hash32, Accepts> verifiers;
  std::vector<std::pair<Hash32, int32_t>> provider_events;
  int zk_calls = 0;

  static void OnProvider(void* user, const uint8_t id[32], int32_t event, int32_t) {
    Hash32 h{};
    std::memcpy(h.data(), id, 32);
    static_cast<Host*>(user)->provider_events.emplace_back(h, event);
  }
  static int32_t ZkVerify(void* user, const uint8_t vk_id[32], const uint8_t* proof,
                          size_t proof_len, const uint8_t* inputs, size_t inputs_len) {
    auto* host = static_cast<Host*>(user);
    ++host->zk_calls;
    Hash32 vk{};
    std::memcpy(vk.data(), vk_id, 32);
    auto it = host->verifiers.find(vk);
    if (it == host->verifiers.end()) return TEE_ZK_UNSUPPORTED;
    const bool ok = Bytes(proof, proof + proof_len) == it->second.proof &&
                    Bytes(inputs, inputs + inputs_len) == it->second.inputs;
    return ok ? TEE_ZK_VALID : TEE_ZK_INVALID;
  }
  tee_host_callbacks Callbacks() {
    tee_host_callbacks cb{};
    cb.size = sizeof(cb);
    cb.user = this;
    cb.provider_event = &OnProvider;
    cb.zk_verify = &ZkVerify;
    return cb;
  }
};

class Node {
 public:
  Node(const tee_api& api, const std::string& dir, const tee_host_callbacks* cb) : api_(api) {
    config_ = dir + "/node.toml";
    std::ofstream f(config_);
    f << "[tee]\ndb_path = \"" << dir << "/db\"\nlog_level = \"off\"\n"
      << "[tee.consensus]\nsimulation = true\nmultiplier = 2\nexpiry_window_secs = 3600\n";
    f.close();
    Open(cb);
  }
  ~Node() { api_.close(h_); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  void Open(const tee_host_callbacks* cb) {
    api_.close(h_);
    h_ = nullptr;
    BOOST_REQUIRE_MESSAGE(api_.open(config_.c_str(), cb, &h_) == TEE_OK, api_.last_error(nullptr));
  }
  tee_handle* h() const { return h_; }
  std::string Error() const { return api_.last_error(h_); }

 private:
  const tee_api& api_;
  std::string config_;
  tee_handle* h_ = nullptr;
};

const Hash32 kChallenge = tt::HashFromLabel("abi-provider-challenge");
const Hash32 kModelHash = tt::HashFromLabel("llama-3-70b weights");
const std::string kModel = "llama-3-70b";

int32_t RegisterProvider(const tee_api& api, tee_handle* h, const Hash32& id,
                         const std::string& model, const std::vector<std::pair<int32_t, Bytes>>& ev,
                         tee_register_result* out) {
  std::vector<tee_evidence> e;
  for (const auto& [t, b] : ev) e.push_back(tee_evidence{t, 0, b.data(), b.size()});
  return api.register_provider(h, id.data(), model.data(), model.size(), kModelHash.data(),
                               e.data(), e.size(), kChallenge.data(), kNow, out);
}

ModelBinding Bound(const Hash32& id) { return ModelBinding{id, kModelHash, kChallenge}; }

// One scripted history, made once: the simulators sign with fresh ECDSA
// nonces, so the two nodes must be fed the very same bytes.
struct Script {
  std::vector<Bytes> tdx_collateral = TdxCollateral();
  std::vector<std::vector<std::pair<int32_t, Bytes>>> evidence;
  Bytes crl = SnpAskRevocation(static_cast<int64_t>(kNow));
  Script() {
    for (int i = 0; i < 4; ++i) {
      const Hash32 id = tt::IdFromLabel("provider-" + std::to_string(i));
      std::vector<std::pair<int32_t, Bytes>> ev = {{TEE_TYPE_AMD_SEV_SNP, SnpEvidence(Bound(id))}};
      if (i % 2 == 0) ev.push_back({TEE_TYPE_INTEL_TDX, TdxQuote(Bound(id))});
      evidence.push_back(std::move(ev));
    }
  }
};

// Feeds one node the script; returns every epoch's report and provider part
// as raw bytes.
std::vector<Bytes> Drive(const tee_api& api, tee_handle* h, const Script& s) {
  std::vector<Bytes> out;
  for (const Bytes& b : s.tdx_collateral)
    BOOST_REQUIRE(api.submit_collateral(h, TEE_TYPE_INTEL_TDX, b.data(), b.size(), kNow) == TEE_OK);
  for (int i = 0; i < 4; ++i) {
    const Hash32 id = tt::IdFromLabel("provider-" + std::to_string(i));
    tee_register_result r{};
    BOOST_REQUIRE(RegisterProvider(api, h, id, i == 3 ? "mistral-7b" : kModel,
                                   s.evidence[static_cast<size_t>(i)], &r) == TEE_OK);
    BOOST_TEST(r.attested == 1);
    const auto vid = tt::IdFromLabel("validator-" + std::to_string(i));
    const auto stake = tt::Stake(100 + static_cast<uint64_t>(i));
    BOOST_REQUIRE(api.register_validator(h, vid.data(), stake.data(), TEE_TYPE_NONE, nullptr, 0,
                                         nullptr, kNow, nullptr) == TEE_OK);
  }
  auto epoch = [&](uint64_t e, uint64_t t) {
    tee_epoch_report rep{};
    tee_epoch_providers prov{};
    prov.size = sizeof(prov);
    const Hash32 seed = tt::HashFromLabel("seed-" + std::to_string(e));
    BOOST_REQUIRE(api.on_epoch_v2(h, e, t, seed.data(), &rep, &prov) == TEE_OK);
    Bytes b(sizeof(rep) + sizeof(prov));
    std::memcpy(b.data(), &rep, sizeof(rep));
    std::memcpy(b.data() + sizeof(rep), &prov, sizeof(prov));
    out.push_back(b);
    return prov;
  };
  const auto p1 = epoch(1, kNow + 10);
  BOOST_TEST(p1.providers == 4u);
  BOOST_TEST(p1.attested == 4u);
  BOOST_REQUIRE(api.submit_collateral(h, TEE_TYPE_AMD_SEV_SNP, s.crl.data(), s.crl.size(),
                                      kNow + 20) == TEE_OK);
  const auto p2 = epoch(2, kNow + 30);
  BOOST_TEST(p2.demoted == 4u);  // every provider has a Genoa piece
  BOOST_TEST(p2.attested == 0u);
  return out;
}

std::vector<tee_provider_record> ByType(const tee_api& api, tee_handle* h, int32_t type,
                                        size_t page) {
  std::vector<tee_provider_record> all;
  const uint8_t* cursor = nullptr;
  std::array<uint8_t, 32> last{};
  for (;;) {
    tee_provider_record* out = nullptr;
    size_t n = 0;
    BOOST_REQUIRE(api.get_providers_by_type(h, type, cursor, page, &out, &n) == TEE_OK);
    all.insert(all.end(), out, out + n);
    api.free(out);
    if (n < page) break;
    std::memcpy(last.data(), all.back().provider_id, 32);
    cursor = last.data();
  }
  return all;
}

nlohmann::json Hybrid(const tee_api& api, tee_handle* h, int32_t type, const Bytes& evidence,
                      const std::vector<Bytes>& collateral, uint64_t now, const std::string& proof,
                      const std::string& inputs, const Hash32& vk, const Hash32& challenge) {
  std::vector<tee_blob> blobs;
  for (const auto& b : collateral) blobs.push_back(tee_blob{b.data(), b.size()});
  char* json = nullptr;
  size_t len = 0;
  const int32_t st =
      api.verify_hybrid(h, type, evidence.data(), evidence.size(), blobs.data(), blobs.size(), now,
                        reinterpret_cast<const uint8_t*>(proof.data()), proof.size(),
                        reinterpret_cast<const uint8_t*>(inputs.data()), inputs.size(), vk.data(),
                        challenge.data(), &json, &len);
  BOOST_REQUIRE_MESSAGE(st == TEE_OK, api.last_error(h));
  auto j = nlohmann::json::parse(std::string(json, len));
  api.free(json);
  return j;
}

Bytes ToBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(provider_abi)

BOOST_AUTO_TEST_CASE(two_instances_give_identical_reports_and_a_restart_keeps_everything) {
  Module m;
  const tee_api& api = m.api();
  tt::TempDir a_dir, b_dir;
  Host a_host, b_host;
  auto a_cb = a_host.Callbacks(), b_cb = b_host.Callbacks();
  std::vector<Bytes> a_reports, b_reports;
  std::vector<tee_provider_record> before;
  {
    Node a(api, a_dir.path(), &a_cb);
    Node b(api, b_dir.path(), &b_cb);
    const Script script;
    a_reports = Drive(api, a.h(), script);
    b_reports = Drive(api, b.h(), script);
    before = ByType(api, a.h(), TEE_TYPE_AMD_SEV_SNP, 3);
    BOOST_TEST(before.size() == 4u);
  }
  BOOST_REQUIRE(a_reports.size() == b_reports.size());
  for (size_t i = 0; i < a_reports.size(); ++i) {
    BOOST_TEST((a_reports[i] == b_reports[i]),
               "epoch report " << i + 1 << " differs: " << ToHex(AsView(a_reports[i])) << " vs "
                               << ToHex(AsView(b_reports[i])));
  }
  // Both hosts heard the same provider events: 4 registrations, 4 demotions.
  BOOST_TEST(a_host.provider_events.size() == 8u);
  BOOST_TEST((a_host.provider_events == b_host.provider_events));

  // Restart: the records, the stored report (providers included) and the queries.
  Node a(api, a_dir.path(), &a_cb);
  const auto after = ByType(api, a.h(), TEE_TYPE_AMD_SEV_SNP, 3);
  BOOST_REQUIRE(after.size() == before.size());
  BOOST_TEST(std::memcmp(after.data(), before.data(), after.size() * sizeof(after[0])) == 0);
  tee_epoch_report rep{};
  tee_epoch_providers prov{};
  prov.size = sizeof(prov);
  const Hash32 seed = tt::HashFromLabel("seed-2");
  BOOST_REQUIRE(api.on_epoch_v2(a.h(), 2, kNow + 30, seed.data(), &rep, &prov) == TEE_OK);
  Bytes again(sizeof(rep) + sizeof(prov));
  std::memcpy(again.data(), &rep, sizeof(rep));
  std::memcpy(again.data() + sizeof(rep), &prov, sizeof(prov));
  BOOST_TEST((again == a_reports[1]));
}

BOOST_AUTO_TEST_CASE(queries_and_current_verdicts) {
  Module m;
  const tee_api& api = m.api();
  tt::TempDir dir;
  Host host;
  auto cb = host.Callbacks();
  Node n(api, dir.path(), &cb);
  for (const Bytes& b : TdxCollateral())
    BOOST_REQUIRE(api.submit_collateral(n.h(), TEE_TYPE_INTEL_TDX, b.data(), b.size(), kNow) ==
                  TEE_OK);
  std::vector<Hash32> ids;
  for (int i = 0; i < 5; ++i) {
    const Hash32 id = tt::IdFromLabel("p-" + std::to_string(i));
    ids.push_back(id);
    tee_register_result r{};
    BOOST_REQUIRE(RegisterProvider(api, n.h(), id, kModel,
                                   {{TEE_TYPE_INTEL_TDX, TdxQuote(Bound(id))}}, &r) == TEE_OK);
    BOOST_TEST(r.attested == 1);
  }
  std::sort(ids.begin(), ids.end());
  for (size_t page : {1u, 2u, 5u, 7u}) {
    const auto all = ByType(api, n.h(), TEE_TYPE_INTEL_TDX, page);
    BOOST_REQUIRE(all.size() == ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      BOOST_TEST(std::memcmp(all[i].provider_id, ids[i].data(), 32) == 0);
      BOOST_TEST(std::string(all[i].model_id) == kModel);
      BOOST_TEST(all[i].tee_types == (1u << TEE_TYPE_INTEL_TDX));
      BOOST_TEST(all[i].status == TEE_VALIDATOR_ATTESTED);
    }
  }
  BOOST_TEST(ByType(api, n.h(), TEE_TYPE_NVIDIA_GPU, 10).empty());
  tee_provider_record* out = nullptr;
  size_t count = 0;
  BOOST_REQUIRE(api.get_providers_by_model(n.h(), kModel.data(), kModel.size(), ids[1].data(), 10,
                                           &out, &count) == TEE_OK);
  BOOST_TEST(count == 3u);  // after the second id
  api.free(out);

  // Validators by type: one Simulated validator, one without evidence.
  const Hash32 v1 = tt::IdFromLabel("v1"), v2 = tt::IdFromLabel("v2");
  uint8_t* ev = nullptr;
  size_t ev_len = 0;
  BOOST_REQUIRE(api.simulate_evidence(n.h(), v1.data(), kChallenge.data(), kNow, &ev, &ev_len) ==
                TEE_OK);
  const auto stake = tt::Stake(10);
  BOOST_REQUIRE(api.register_validator(n.h(), v1.data(), stake.data(), TEE_TYPE_SIMULATED, ev,
                                       ev_len, kChallenge.data(), kNow, nullptr) == TEE_OK);
  api.free(ev);
  BOOST_REQUIRE(api.register_validator(n.h(), v2.data(), stake.data(), TEE_TYPE_NONE, nullptr, 0,
                                       nullptr, kNow, nullptr) == TEE_OK);
  tee_record* recs = nullptr;
  BOOST_REQUIRE(api.get_validators_by_type(n.h(), TEE_TYPE_SIMULATED, nullptr, 10, &recs, &count) ==
                TEE_OK);
  BOOST_REQUIRE(count == 1u);
  BOOST_TEST(std::memcmp(recs[0].validator_id, v1.data(), 32) == 0);
  BOOST_TEST(recs[0].status == TEE_VALIDATOR_ATTESTED);
  api.free(recs);

  // The current verdict: valid now, expired after the evidence age.
  char* json = nullptr;
  size_t len = 0;
  BOOST_REQUIRE(api.verify_provider_attestation(n.h(), ids[0].data(), kNow + 5, &json, &len) ==
                TEE_OK);
  auto j = nlohmann::json::parse(std::string(json, len));
  api.free(json);
  BOOST_TEST(j["valid"].get<bool>());
  BOOST_TEST(j["model_id"].get<std::string>() == kModel);
  BOOST_TEST(j["signatures_rechecked"].get<bool>() == false);
  BOOST_TEST(j["evidence"][0]["tee_type"].get<std::string>() == "IntelTdx");
  BOOST_REQUIRE(api.verify_provider_attestation(n.h(), ids[0].data(), kNow + kMaxAge + 1, &json,
                                                &len) == TEE_OK);
  j = nlohmann::json::parse(std::string(json, len));
  api.free(json);
  BOOST_TEST(!j["valid"].get<bool>());
  BOOST_TEST(j["reason"].get<std::string>() == "expired");
  const Hash32 nobody = tt::IdFromLabel("nobody");
  BOOST_TEST(api.verify_provider_attestation(n.h(), nobody.data(), kNow, &json, &len) ==
             TEE_ERR_NOT_FOUND);
  BOOST_TEST(api.deregister_provider(n.h(), ids[0].data()) == TEE_OK);
  BOOST_TEST(api.deregister_provider(n.h(), ids[0].data()) == TEE_ERR_NOT_FOUND);
  BOOST_TEST(ByType(api, n.h(), TEE_TYPE_INTEL_TDX, 10).size() == 4u);
}

BOOST_AUTO_TEST_CASE(every_argument_is_checked) {
  Module m;
  const tee_api& api = m.api();
  tt::TempDir dir;
  Node n(api, dir.path(), nullptr);
  const Hash32 id = tt::IdFromLabel("p");
  const Bytes ev = SnpEvidence(Bound(id));
  const tee_evidence one{TEE_TYPE_AMD_SEV_SNP, 0, ev.data(), ev.size()};
  const tee_evidence none_type{TEE_TYPE_NONE, 0, ev.data(), ev.size()};
  const tee_evidence null_data{TEE_TYPE_AMD_SEV_SNP, 0, nullptr, 5};
  const std::string long_model(129, 'm'), ctrl = "a\tb";
  auto reg = [&](const uint8_t* pid, const char* model, size_t mlen, const uint8_t* mh,
                 const tee_evidence* e, size_t ne, const uint8_t* ch) {
    return api.register_provider(n.h(), pid, model, mlen, mh, e, ne, ch, kNow, nullptr);
  };
  const uint8_t* p = id.data();
  const uint8_t* mh = kModelHash.data();
  const uint8_t* ch = kChallenge.data();
  const char* model = kModel.data();
  const size_t ml = kModel.size();
  const int32_t bad[] = {
      reg(nullptr, model, ml, mh, &one, 1, ch),
      reg(p, nullptr, ml, mh, &one, 1, ch),
      reg(p, model, 0, mh, &one, 1, ch),
      reg(p, long_model.data(), long_model.size(), mh, &one, 1, ch),
      reg(p, ctrl.data(), ctrl.size(), mh, &one, 1, ch),
      reg(p, model, ml, nullptr, &one, 1, ch),
      reg(p, model, ml, mh, nullptr, 1, ch),
      reg(p, model, ml, mh, &one, 0, ch),
      reg(p, model, ml, mh, &one, TEE_MAX_PROVIDER_EVIDENCE + 1, ch),
      reg(p, model, ml, mh, &none_type, 1, ch),
      reg(p, model, ml, mh, &null_data, 1, ch),
      reg(p, model, ml, mh, &one, 1, nullptr),
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
    BOOST_TEST(bad[i] == TEE_ERR_INVALID_ARGUMENT, "case " << i);
  }
  BOOST_TEST(!n.Error().empty());
  tee_provider_record* out = nullptr;
  size_t count = 0;
  BOOST_TEST(api.get_providers_by_type(n.h(), TEE_TYPE_AMD_SEV_SNP, nullptr, 0, &out, &count) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.get_providers_by_type(n.h(), TEE_TYPE_AMD_SEV_SNP, nullptr, TEE_MAX_PAGE + 1, &out,
                                       &count) == TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.get_providers_by_type(n.h(), 99, nullptr, 1, &out, &count) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.get_providers_by_type(n.h(), TEE_TYPE_AMD_SEV_SNP, nullptr, 1, nullptr, &count) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.get_providers_by_model(n.h(), nullptr, 3, nullptr, 1, &out, &count) ==
             TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.get_providers_by_type(nullptr, TEE_TYPE_AMD_SEV_SNP, nullptr, 1, &out, &count) ==
             TEE_ERR_INVALID_ARGUMENT);
  tee_epoch_providers tiny{};
  tiny.size = 4;
  BOOST_TEST(api.on_epoch_v2(n.h(), 1, kNow, kChallenge.data(), nullptr, &tiny) ==
             TEE_ERR_INVALID_ARGUMENT);
  // A host that knows only the header gets nothing past it.
  tee_epoch_providers header_only{};
  header_only.size = 8;
  header_only.providers = 77;
  BOOST_TEST(api.on_epoch_v2(n.h(), 1, kNow, kChallenge.data(), nullptr, &header_only) == TEE_OK);
  BOOST_TEST(header_only.providers == 77u);
  char* json = nullptr;
  size_t len = 0;
  const std::string proof = "p";
  BOOST_TEST(api.verify_hybrid(n.h(), TEE_TYPE_AMD_SEV_SNP, ev.data(), ev.size(), nullptr, 0, kNow,
                               nullptr, 0, nullptr, 0, kChallenge.data(), kChallenge.data(), &json,
                               &len) == TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(api.verify_hybrid(n.h(), TEE_TYPE_AMD_SEV_SNP, ev.data(), ev.size(), nullptr, 0, kNow,
                               reinterpret_cast<const uint8_t*>(proof.data()), 1, nullptr, 0,
                               nullptr, kChallenge.data(), &json,
                               &len) == TEE_ERR_INVALID_ARGUMENT);
  BOOST_TEST(json == nullptr);
}

BOOST_AUTO_TEST_CASE(hybrid_outcomes_with_a_test_host_verifier) {
  Module m;
  const tee_api& api = m.api();
  tt::TempDir dir;
  Host host;
  const Hash32 vk = tt::HashFromLabel("vk-groth16-1");
  const Hash32 unknown_vk = tt::HashFromLabel("vk-nobody-registered");
  host.verifiers[vk] = {ToBytes("good-proof"), ToBytes("inputs")};
  host.verifiers[tt::HashFromLabel("vk-other")] = {ToBytes("x"), ToBytes("y")};
  auto cb = host.Callbacks();
  Node n(api, dir.path(), &cb);
  auto bound = [&](const std::string& proof, const std::string& inputs, const Hash32& k) {
    return ZkBinding::For(Text(proof), Text(inputs), k, kChallenge);
  };
  struct Case {
    const char* name;
    std::string bound_proof;  // what the evidence commits to
    std::string given_proof;  // what the caller presents
    Hash32 vk;
    bool valid, tee_valid;
    const char* zk;
    const char* reason;
  };
  const Case cases[] = {
      {"tee valid, zk valid", "good-proof", "good-proof", vk, true, true, "valid", nullptr},
      {"tee valid, zk invalid", "bad-proof", "bad-proof", vk, false, true, "invalid", "zk_invalid"},
      // Evidence bound to another proof: the TEE part fails, the ZK part holds.
      {"tee invalid, zk valid", "bad-proof", "good-proof", vk, false, false, "valid",
       "binding_mismatch"},
      {"tee invalid, zk invalid", "good-proof", "bad-proof", vk, false, false, "invalid",
       "binding_mismatch"},
      {"no verifier for the vk id", "good-proof", "good-proof", unknown_vk, false, true,
       "unsupported", "unsupported"},
  };
  for (const int32_t type : {TEE_TYPE_AMD_SEV_SNP, TEE_TYPE_INTEL_TDX}) {
    for (const Case& c : cases) {
      BOOST_TEST_CONTEXT(c.name << " (type " << type << ")") {
        const auto b = bound(c.bound_proof, "inputs", c.vk);
        const Bytes ev = type == TEE_TYPE_AMD_SEV_SNP ? SnpEvidence(b) : TdxQuote(b);
        const auto coll = type == TEE_TYPE_INTEL_TDX ? TdxCollateral() : std::vector<Bytes>{};
        const auto j =
            Hybrid(api, n.h(), type, ev, coll, kNow, c.given_proof, "inputs", c.vk, kChallenge);
        BOOST_TEST(j["valid"].get<bool>() == c.valid);
        BOOST_TEST(j["tee"]["valid"].get<bool>() == c.tee_valid);
        BOOST_TEST(j["zk"]["status"].get<std::string>() == c.zk);
        if (c.reason == nullptr) {
          BOOST_TEST(j["reason"].is_null());
        } else {
          BOOST_TEST(j["reason"].get<std::string>() == c.reason);
        }
        BOOST_TEST(j["zk"]["vk_id"].get<std::string>() == ToHex(AsView(c.vk)));
      }
    }
  }
  // A proof swapped under valid TEE evidence: the host accepts the new proof,
  // but the evidence commits to the old one.
  host.verifiers[vk] = {ToBytes("other-proof"), ToBytes("inputs")};
  const Bytes ev = SnpEvidence(bound("good-proof", "inputs", vk));
  const auto swapped = Hybrid(api, n.h(), TEE_TYPE_AMD_SEV_SNP, ev, {}, kNow, "other-proof",
                              "inputs", vk, kChallenge);
  BOOST_TEST(!swapped["valid"].get<bool>());
  BOOST_TEST(swapped["zk"]["status"].get<std::string>() == "valid");
  BOOST_TEST(swapped["tee"]["reason"].get<std::string>() == "binding_mismatch");
  // Public inputs swapped likewise.
  host.verifiers[vk] = {ToBytes("good-proof"), ToBytes("other-inputs")};
  const auto inputs_swapped = Hybrid(api, n.h(), TEE_TYPE_AMD_SEV_SNP, ev, {}, kNow, "good-proof",
                                     "other-inputs", vk, kChallenge);
  BOOST_TEST(!inputs_swapped["valid"].get<bool>());
  BOOST_TEST(inputs_swapped["tee"]["reason"].get<std::string>() == "binding_mismatch");

  // A host without the callback (an older host's smaller struct): unsupported.
  tt::TempDir old_dir;
  tee_host_callbacks old_cb{};
  old_cb.size = static_cast<uint32_t>(offsetof(tee_host_callbacks, provider_event));
  old_cb.user = &host;
  old_cb.zk_verify = &Host::ZkVerify;  // past the declared size: never called
  const int calls = host.zk_calls;
  Node old_host(api, old_dir.path(), &old_cb);
  host.verifiers[vk] = {ToBytes("good-proof"), ToBytes("inputs")};
  const auto j = Hybrid(api, old_host.h(), TEE_TYPE_AMD_SEV_SNP, ev, {}, kNow, "good-proof",
                        "inputs", vk, kChallenge);
  BOOST_TEST(j["tee"]["valid"].get<bool>());
  BOOST_TEST(!j["valid"].get<bool>());
  BOOST_TEST(j["zk"]["status"].get<std::string>() == "unsupported");
  BOOST_TEST(host.zk_calls == calls);
}

// One real vector (TEE_VECTORS_DIR): genuine SNP evidence from a real Milan
// machine is not evidence for our provider or our proof (its report data is
// someone else's), and is rejected for binding alone.
BOOST_AUTO_TEST_CASE(real_snp_vector_is_rejected_for_binding_only) {
  const auto cases = tt::LoadCases("snp");
  const tt::VectorCase* c = nullptr;
  for (const auto& x : cases) {
    if (x.name == "milan-v2-virtee") c = &x;
  }
  if (c == nullptr) {
    BOOST_TEST_MESSAGE("real vectors absent (TEE_VECTORS_DIR): milan-v2-virtee not run");
    return;
  }
  Module m;
  const tee_api& api = m.api();
  tt::TempDir dir;
  Host host;
  const Hash32 vk = tt::HashFromLabel("vk");
  host.verifiers[vk] = {ToBytes("proof"), ToBytes("")};
  auto cb = host.Callbacks();
  Node n(api, dir.path(), &cb);
  const Bytes ev = c->Evidence();
  const auto j = Hybrid(api, n.h(), TEE_TYPE_AMD_SEV_SNP, ev, c->AllCollateral(), c->verify_at,
                        "proof", "", vk, kChallenge);
  BOOST_TEST(j["tee"]["hardware_verified"].get<bool>());
  BOOST_TEST(j["tee"]["reason"].get<std::string>() == "binding_mismatch");
  BOOST_TEST(j["tee"]["failures"].size() == 1u);
  BOOST_TEST(j["zk"]["status"].get<std::string>() == "valid");
  BOOST_TEST(!j["valid"].get<bool>());
  // Registered as a provider: stored unattested, binding_mismatch.
  for (const auto& b : c->AllCollateral()) {
    (void)api.submit_collateral(n.h(), TEE_TYPE_AMD_SEV_SNP, b.data(), b.size(), c->verify_at);
  }
  std::vector<tee_evidence> e = {tee_evidence{TEE_TYPE_AMD_SEV_SNP, 0, ev.data(), ev.size()}};
  const Hash32 id = tt::IdFromLabel("real-provider");
  tee_register_result r{};
  BOOST_REQUIRE(api.register_provider(n.h(), id.data(), kModel.data(), kModel.size(),
                                      kModelHash.data(), e.data(), e.size(), kChallenge.data(),
                                      c->verify_at, &r) == TEE_OK);
  BOOST_TEST(r.attested == 0);
  BOOST_TEST(r.reason == TEE_FAIL_BINDING_MISMATCH);
}

// The CLI (issue 15 item 6): `provider list` and `provider verify` open the
// database read-only, so they work while the node holds it.
BOOST_AUTO_TEST_CASE(cli_lists_and_verifies_while_the_node_runs) {
  const std::string cli = Module::Arg(2);
  BOOST_REQUIRE_MESSAGE(!cli.empty(), "usage: -- <tenzro-tee CLI> <module>");
  Module m;
  const tee_api& api = m.api();
  tt::TempDir dir;
  Node n(api, dir.path(), nullptr);
  for (const Bytes& b : TdxCollateral())
    BOOST_REQUIRE(api.submit_collateral(n.h(), TEE_TYPE_INTEL_TDX, b.data(), b.size(), kNow) ==
                  TEE_OK);
  const Hash32 a = tt::IdFromLabel("cli-a"), b = tt::IdFromLabel("cli-b");
  BOOST_REQUIRE(RegisterProvider(api, n.h(), a, kModel,
                                 {{TEE_TYPE_AMD_SEV_SNP, SnpEvidence(Bound(a))},
                                  {TEE_TYPE_INTEL_TDX, TdxQuote(Bound(a))}},
                                 nullptr) == TEE_OK);
  BOOST_REQUIRE(RegisterProvider(api, n.h(), b, "mistral-7b",
                                 {{TEE_TYPE_AMD_SEV_SNP, SnpEvidence(Bound(b))}},
                                 nullptr) == TEE_OK);
  auto run = [&](const std::string& args, std::string& out) {
    const std::string cmd = "'" + cli + "' provider " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    BOOST_REQUIRE(p != nullptr);
    char buf[4096];
    out.clear();
    for (size_t got; (got = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, got);
    const int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  const std::string db = " --db '" + dir.path() + "/db'";
  std::string out;
  BOOST_TEST(run("list --type snp --json" + db, out) == 0, out);
  BOOST_TEST(nlohmann::json::parse(out).size() == 2u, out);
  BOOST_TEST(run("list --type intel-tdx --json" + db, out) == 0, out);
  const auto tdx = nlohmann::json::parse(out);
  BOOST_REQUIRE(tdx.size() == 1u);
  BOOST_TEST(tdx[0]["provider_id"].get<std::string>() == ToHex(AsView(a)));
  BOOST_TEST(tdx[0]["status"].get<std::string>() == "attested");
  BOOST_TEST(run("list --type nvidia-gpu --json" + db, out) == 0, out);
  BOOST_TEST(nlohmann::json::parse(out).empty());
  BOOST_TEST(run("list --type quantum" + db, out) == 2);
  const std::string cfg = " --config '" + dir.path() + "/node.toml'";
  const std::string id = " --id " + ToHex(AsView(a));
  BOOST_TEST(run("verify" + id + db + cfg + " --at " + std::to_string(kNow + 5), out) == 0, out);
  BOOST_TEST(nlohmann::json::parse(out)["valid"].get<bool>());
  BOOST_TEST(
      run("verify" + id + db + cfg + " --at " + std::to_string(kNow + 3 * kMaxAge), out) == 1, out);
  BOOST_TEST(nlohmann::json::parse(out)["reason"].get<std::string>() == "expired");
  // Without the chain's config (simulation off): the dev roots are not trusted.
  BOOST_TEST(run("verify" + id + db + " --at " + std::to_string(kNow + 5), out) == 1, out);
  BOOST_TEST(nlohmann::json::parse(out)["reason"].get<std::string>() == "simulation_disabled");
  BOOST_TEST(run("verify --id 00" + db + " --at 1", out) == 2);
  // Still the node's: it keeps writing.
  BOOST_TEST(api.deregister_provider(n.h(), b.data()) == TEE_OK);
}

BOOST_AUTO_TEST_SUITE_END()
