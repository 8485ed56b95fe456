// The operators' HTTP API (issue 13) through a real socket: a plugin opened
// with [tee.http] listen = "127.0.0.1:0", a small blocking Beast client.
// Every wait is bounded (socket receive timeouts, conditions polled with a
// deadline); nothing sleeps and hopes.
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "attestation/binding.h"
#include "attestation/sim/simulator.h"
#include "attestation/tdx/sim/scenario.h"
#include "crypto/hash.h"
#include "http/api.h"
#include "http/http_config.h"
#include "plugin/config.h"
#include "plugin/plugin.h"
#include "support/test_support.h"
#include "support/vectors.h"
#include "tests/http/http_client.h"
#include "tests/http/prometheus_text.h"

using namespace tenzro::tee;
using nlohmann::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace tenzro::tee::testing::http_client;

namespace {

constexpr uint64_t kT0 = 1767225600;  // 2026-01-01

struct Node {
  explicit Node(const std::string& http_extra = "", uint64_t read_timeout_ms = 2000) {
    const std::string cfg = dir.Sub("node.toml");
    std::ofstream out(cfg);
    out << "[tee]\ndb_path = \"" << dir.Sub("db") << "\"\nlog_level = \"off\"\n"
        << "[tee.http]\nlisten = \"127.0.0.1:0\"\nread_timeout_ms = " << read_timeout_ms
        << "\nidle_timeout_ms = 2000\nmax_connections = 64\n"
        << http_extra << "[tee.consensus]\nsimulation = true\n";
    out.close();
    auto p = plugin::Plugin::Open(cfg, nullptr);
    BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().ToString()));
    plugin = std::move(*p);
    BOOST_REQUIRE(plugin->http_server() != nullptr);
    port = plugin->http_server()->port();
  }

  consensus::RegisterOutcome Register(const std::string& label, uint64_t stake, bool attested) {
    consensus::Registration reg;
    reg.id = testing::IdFromLabel(label);
    reg.stake_be = testing::Stake(stake);
    reg.registered_at = kT0;
    Bytes ev;
    if (attested) {
      const Hash32 challenge = testing::HashFromLabel("challenge");
      auto e = plugin->SimulateEvidence(reg.id, challenge, kT0);
      BOOST_REQUIRE(e.ok());
      ev = std::move(*e);
      reg.tee_type = TeeType::Simulated;
      reg.evidence = AsView(ev);
      reg.challenge = challenge;
    }
    auto o = plugin->hooks().RegisterValidator(reg);
    BOOST_REQUIRE_MESSAGE(o.ok(), (o.ok() ? "" : o.status().ToString()));
    return *o;
  }

  // A model provider (issue 15) with Simulated evidence committing to
  // (key, model hash, challenge), or to another model when !bound.
  consensus::ProviderOutcome RegisterProvider(const std::string& label, const std::string& model,
                                              const Hash32& model_hash, bool bound) {
    consensus::ProviderRegistration r;
    r.id = testing::IdFromLabel(label);
    r.model_id = model;
    r.model_hash = model_hash;
    r.challenge = testing::HashFromLabel("provider challenge");
    r.registered_at = kT0;
    sim::EvidenceSpec spec;
    spec.issued_at = kT0;
    spec.report_data = ComputeBinding(ModelBinding{
        r.id, bound ? model_hash : testing::HashFromLabel("other weights"), r.challenge});
    const Bytes ev = sim::MakeEvidence(spec);
    r.evidence.push_back({TeeType::Simulated, AsView(ev)});
    auto o = plugin->hooks().RegisterProvider(r);
    BOOST_REQUIRE_MESSAGE(o.ok(), (o.ok() ? "" : o.status().ToString()));
    return *o;
  }

  // Everything the API can read, as one string: equal before and after an
  // abuse means no data changed.
  std::string State() {
    std::string s = plugin->StatusJson();
    consensus::ValidatorQuery q;
    q.limit = 1u << 20;
    for (const auto& v : plugin->hooks().ListValidators(q).validators)
      s += ToHex(AsView(v.id)) + ToHex(AsView(v.stake_be)) + std::to_string(v.state.status);
    return s;
  }

  testing::TempDir dir;
  std::unique_ptr<plugin::Plugin> plugin;
  uint16_t port = 0;
};

// Standard base64, written out here so that the tests do not use the
// decoder they check.
std::string B64(const Bytes& b) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < b.size(); i += 3) {
    const uint32_t w = (uint32_t{b[i]} << 16) | (uint32_t{b[i + 1]} << 8) | b[i + 2];
    for (int k = 3; k >= 0; --k) out += kAlphabet[(w >> (6 * k)) & 63];
  }
  if (i < b.size()) {
    uint32_t w = uint32_t{b[i]} << 16;
    if (i + 1 < b.size()) w |= uint32_t{b[i + 1]} << 8;
    out += kAlphabet[(w >> 18) & 63];
    out += kAlphabet[(w >> 12) & 63];
    out += i + 1 < b.size() ? kAlphabet[(w >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string SimulatedRequest(const Bytes& ev, bool base64 = false) {
  return json{{"attestation", base64 ? B64(ev) : "0x" + ToHex(AsView(ev))},
              {"provider", "Simulated"}}
      .dump();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_config)

BOOST_AUTO_TEST_CASE(listen_addresses) {
  auto a = http::ParseListen("127.0.0.1:8080");
  BOOST_REQUIRE(a.ok());
  BOOST_TEST(a->port == 8080);
  BOOST_TEST(a->loopback);
  auto b = http::ParseListen("[::1]:0");
  BOOST_REQUIRE(b.ok());
  BOOST_TEST(b->loopback);
  BOOST_TEST(!http::ParseListen("0.0.0.0:80")->loopback);
  for (const char* bad : {"localhost:80", "127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:8x", "::1:80", "[::1:80"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!http::ParseListen(bad).ok()); }
  }
}

BOOST_AUTO_TEST_CASE(remote_needs_allow_remote) {
  auto refused = plugin::ParseConfig("[tee]\n[tee.http]\nlisten = \"0.0.0.0:8080\"\n", "t");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().message().find("allow_remote") != std::string::npos);
  auto allowed = plugin::ParseConfig(
      "[tee]\n[tee.http]\nlisten = \"0.0.0.0:8080\"\nallow_remote = true\n", "t");
  BOOST_TEST(allowed.ok());
  auto off = plugin::ParseConfig("[tee]\n", "t");
  BOOST_REQUIRE(off.ok());
  BOOST_TEST(!off->http.enabled());  // off by default
  auto unknown = plugin::ParseConfig("[tee]\n[tee.http]\nlisten_on = \"x\"\n", "t");
  BOOST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.status().message().find("tee.http.listen_on") != std::string::npos);
  BOOST_TEST(!plugin::ParseConfig("[tee]\n[tee.http]\nbearer_token = \"short\"\n", "t").ok());
}

BOOST_AUTO_TEST_CASE(http_keys_are_not_chain_parameters) {
  auto a = plugin::ParseConfig("[tee]\n[tee.consensus]\n", "t");
  auto b = plugin::ParseConfig(
      "[tee]\n[tee.http]\nlisten = \"127.0.0.1:1\"\nmax_connections = 3\n[tee.consensus]\n", "t");
  BOOST_REQUIRE(a.ok() && b.ok());
  BOOST_TEST(plugin::ParamsHash(a->chain()) == plugin::ParamsHash(b->chain()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_api)

BOOST_AUTO_TEST_CASE(every_route_is_in_the_openapi_document_and_back) {
  const json doc = json::parse(http::OpenApiDocument());
  BOOST_TEST(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  std::set<std::pair<std::string, std::string>> routes, documented;
  for (const auto& r : http::Api::Routes()) {
    std::string m = r.method;
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    routes.emplace(m, r.path);
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      documented.emplace(method, path);
      BOOST_TEST_CONTEXT(method << " " << path) { BOOST_TEST(op.contains("responses")); }
    }
  }
  BOOST_TEST(routes == documented);

  // And each route answers as routed (not 404/405) on a live server, the
  // document it serves being the committed one.
  Node node;
  node.Register("a", 5, false);
  node.RegisterProvider("a", "llama-3-70b", testing::HashFromLabel("weights"), true);
  BOOST_REQUIRE(node.plugin->hooks().OnEpoch(1, kT0, testing::HashFromLabel("seed")).ok());
  const std::string id = ToHex(AsView(testing::IdFromLabel("a")));
  for (const auto& r : http::Api::Routes()) {
    std::string target = r.path;
    if (auto p = target.find("{id}"); p != std::string::npos) target.replace(p, 4, id);
    if (auto p = target.find("{epoch}"); p != std::string::npos) target.replace(p, 7, "1");
    Reply rep = r.method == "POST" ? Post(node.port, target, "{}") : Get(node.port, target);
    BOOST_TEST_CONTEXT(r.method << " " << target) {
      BOOST_TEST(rep.status != 404u);
      BOOST_TEST(rep.status != 405u);
      if (r.path != "/metrics") BOOST_TEST(!rep.j.is_discarded());
    }
  }
  BOOST_TEST(Get(node.port, "/api/openapi.json").body == std::string(http::OpenApiDocument()));
  BOOST_TEST(Get(node.port, "/api/nothing").status == 404u);
  Reply wrong = Send(node.port, bhttp::verb::delete_, "/healthz");
  BOOST_TEST(wrong.status == 405u);
  BOOST_TEST(wrong.allow == "GET");
}

BOOST_AUTO_TEST_CASE(seed_request_verbatim_hex_and_base64) {
  Node node;
  // Issued a minute ago: before any epoch, `at` is the wall clock.
  const uint64_t issued = static_cast<uint64_t>(std::time(nullptr)) - 60;
  const auto ev =
      node.plugin->SimulateEvidence(testing::IdFromLabel("v"), testing::HashFromLabel("c"), issued);
  BOOST_REQUIRE(ev.ok());
  for (bool b64 : {false, true}) {
    Reply r = Post(node.port, "/api/verify/tee-attestation", SimulatedRequest(*ev, b64));
    BOOST_TEST_CONTEXT("base64 " << b64) {
      BOOST_REQUIRE(r.status == 200u);
      // The seed's fields, then §3's.
      BOOST_TEST(r.j["valid"] == true);
      BOOST_TEST(r.j["provider"] == "Simulated");
      BOOST_TEST(r.j["hardware_verified"].is_boolean());
      BOOST_TEST(r.j["measurements_valid"] == true);
      BOOST_TEST(r.j["certificate_chain_valid"].is_boolean());
      for (const char* k : {"tee_type", "binding_valid", "debug", "tcb_status", "advisory_ids",
                            "valid_until", "reason", "failures", "claims"}) {
        BOOST_TEST_CONTEXT(k) { BOOST_TEST(r.j.contains(k)); }
      }
      BOOST_TEST(r.j["binding_valid"].is_null());
      // No epoch yet: the wall clock, labelled.
      BOOST_TEST(r.j["at_source"] == "wall_clock");
    }
  }
  // Binding with the seed's "nonce" name for the challenge, and a wrong key.
  json bound = json::parse(SimulatedRequest(*ev));
  bound["validator_key"] = ToHex(AsView(testing::IdFromLabel("v")));
  bound["nonce"] = ToHex(AsView(testing::HashFromLabel("c")));
  bound["at"] = issued + 60;
  Reply ok = Post(node.port, "/api/verify/tee-attestation", bound.dump());
  BOOST_REQUIRE(ok.status == 200u);
  BOOST_TEST(ok.j["binding_valid"] == true);
  BOOST_TEST(ok.j["at"] == issued + 60);
  BOOST_TEST(ok.j["at_source"] == "request");
  bound["validator_key"] = ToHex(AsView(testing::IdFromLabel("someone else")));
  Reply wrong = Post(node.port, "/api/verify/tee-attestation", bound.dump());
  BOOST_REQUIRE(wrong.status == 200u);
  BOOST_TEST(wrong.j["valid"] == false);
  BOOST_TEST(wrong.j["reason"] == "binding_mismatch");

  // After an epoch, `at` defaults to its time.
  BOOST_REQUIRE(node.plugin->hooks().OnEpoch(1, kT0 + 100, testing::HashFromLabel("s")).ok());
  Reply later = Post(node.port, "/api/verify/tee-attestation", SimulatedRequest(*ev));
  BOOST_TEST(later.j["at_source"] == "latest_epoch");
  BOOST_TEST(later.j["at"] == kT0 + 100);
}

BOOST_AUTO_TEST_CASE(junk_evidence_is_an_invalid_verdict_not_an_error) {
  Node node;
  Reply r = Post(node.port, "/api/verify/tee-attestation",
                 R"({"attestation":"0x00112233","provider":"IntelTdx"})");
  BOOST_REQUIRE(r.status == 200u);
  BOOST_TEST(r.j["valid"] == false);
  BOOST_TEST(r.j["reason"] == "malformed");
  BOOST_TEST(r.j["provider"] == "IntelTdx");
}

BOOST_AUTO_TEST_CASE(real_tdx_quote_when_vectors_are_present) {
  const auto cases = testing::LoadCases("tdx");
  const testing::VectorCase* pick = nullptr;
  for (const auto& c : cases) {
    if (c.mutate.empty() && c.policy.empty() && c.expect.value("valid", false)) {
      pick = &c;
      break;
    }
  }
  if (pick == nullptr) {
    BOOST_TEST_MESSAGE("TEE_VECTORS_DIR absent or without a valid TDX case: skipped");
    return;
  }
  Node node;
  json coll = json::array();
  for (const Bytes& b : pick->AllCollateral()) coll.push_back(B64(b));
  json req = {{"attestation", "0x" + ToHex(AsView(pick->Evidence()))},
              {"provider", "IntelTdx"},
              {"collateral", coll},
              {"at", pick->verify_at}};
  Reply r = Post(node.port, "/api/verify/tee-attestation", req.dump());
  BOOST_TEST_MESSAGE("case " << pick->name);
  BOOST_REQUIRE(r.status == 200u);
  BOOST_TEST(r.j["valid"] == true, r.body.substr(0, 400));
  BOOST_TEST(r.j["hardware_verified"] == true);
  BOOST_TEST(r.j["certificate_chain_valid"] == true);
  BOOST_TEST(r.j["claims"]["mrtd"] == pick->expect["mrtd"]);
  // Without the collateral: the same quote is not valid (the route really
  // verifies), and says what is missing.
  req.erase("collateral");
  Reply bare = Post(node.port, "/api/verify/tee-attestation", req.dump());
  BOOST_TEST(bare.j["valid"] == false);
}

// Model providers (issue 15) through the registry routes: filters by TEE
// type and model, pages in id order, one record with its evidence.
BOOST_AUTO_TEST_CASE(provider_reads_page_filter_and_show_one) {
  Node node;
  const Hash32 llama = testing::HashFromLabel("llama weights");
  const Hash32 mistral = testing::HashFromLabel("mistral weights");
  auto reg = [&](const std::string& label, const std::string& model, const Hash32& model_hash,
                 bool bound) {
    BOOST_TEST(node.RegisterProvider(label, model, model_hash, bound).attested == bound);
    return ToHex(AsView(testing::IdFromLabel(label)));
  };
  std::set<std::string> llamas, all;
  for (int i = 0; i < 4; ++i)
    llamas.insert(reg("llama" + std::to_string(i), "llama-3-70b", llama, true));
  llamas.insert(reg("llama-unbound", "llama-3-70b", llama, false));
  all = llamas;
  const std::string mistral_id = reg("mistral", "mistral-7b", mistral, true);
  all.insert(mistral_id);

  BOOST_TEST(Get(node.port, "/api/registry/providers").status == 400u);
  BOOST_TEST(Get(node.port, "/api/registry/providers?tee_type=Nope").status == 400u);
  BOOST_TEST(Get(node.port, "/api/registry/providers?model=%01").status == 400u);
  BOOST_TEST(Get(node.port, "/api/registry/providers?tee_type=Simulated&limit=0").status == 400u);
  // By type, two at a time: every provider once, in id order, then no cursor.
  std::vector<std::string> seen;
  std::string cursor;
  for (int guard = 0; guard < 10; ++guard) {
    Reply r = Get(node.port, "/api/registry/providers?tee_type=Simulated&limit=2" +
                                 (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_REQUIRE(r.status == 200u);
    BOOST_TEST(r.j["providers"].size() <= 2u);
    for (const auto& p : r.j["providers"]) seen.push_back(p["id"]);
    if (r.j["next_cursor"].is_null()) break;
    cursor = r.j["next_cursor"];
  }
  BOOST_TEST(std::is_sorted(seen.begin(), seen.end()));
  BOOST_TEST((std::set<std::string>(seen.begin(), seen.end()) == all));
  BOOST_TEST(seen.size() == all.size());
  // By model, and by model and type.
  Reply by_model = Get(node.port, "/api/registry/providers?model=llama-3-70b");
  std::set<std::string> got;
  for (const auto& p : by_model.j["providers"]) got.insert(p["id"]);
  BOOST_TEST((got == llamas));
  BOOST_TEST(by_model.j["next_cursor"].is_null());
  BOOST_TEST(Get(node.port, "/api/registry/providers?model=mistral-7b&tee_type=IntelTdx")
                 .j["providers"]
                 .empty());
  BOOST_TEST(Get(node.port, "/api/registry/providers?model=mistral-7b&tee_type=Simulated")
                 .j["providers"]
                 .size() == 1u);
  // One record.
  Reply one = Get(node.port, "/api/registry/providers/" + mistral_id);
  BOOST_REQUIRE(one.status == 200u);
  BOOST_TEST(one.j["id"] == mistral_id);
  BOOST_TEST(one.j["model_id"] == "mistral-7b");
  BOOST_TEST(one.j["model_hash"] == ToHex(AsView(mistral)));
  BOOST_TEST(one.j["status"] == "attested");
  BOOST_REQUIRE(one.j["evidence"].size() == 1u);
  BOOST_TEST(one.j["evidence"][0]["tee_type"] == "Simulated");
  BOOST_TEST(one.j["evidence"][0]["valid_until"].is_number());
  Reply unbound = Get(
      node.port, "/api/registry/providers/" + ToHex(AsView(testing::IdFromLabel("llama-unbound"))));
  BOOST_TEST(unbound.j["status"] == "unattested");
  BOOST_TEST(unbound.j["reason"] == "binding_mismatch");
  BOOST_TEST(Get(node.port, "/api/registry/providers/" + std::string(64, '0')).status == 404u);
  BOOST_TEST(Get(node.port, "/api/registry/providers/xyz").status == 400u);
}

BOOST_AUTO_TEST_CASE(registry_pages_in_id_order_and_filters) {
  Node node;
  std::set<std::string> all;
  for (int i = 0; i < 7; ++i) {
    node.Register("u" + std::to_string(i), 10 + static_cast<uint64_t>(i), false);
    all.insert(ToHex(AsView(testing::IdFromLabel("u" + std::to_string(i)))));
  }
  node.Register("att", 50, true);
  const std::string att = ToHex(AsView(testing::IdFromLabel("att")));
  all.insert(att);

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    Reply r = Get(node.port,
                  "/api/registry/validators?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_REQUIRE(r.status == 200u);
    ++pages;
    for (const auto& v : r.j["validators"]) seen.push_back(v["id"]);
    if (r.j["next_cursor"].is_null()) break;
    cursor = r.j["next_cursor"];
    BOOST_REQUIRE(pages < 10);
  }
  BOOST_TEST(pages == 3);
  BOOST_TEST(std::is_sorted(seen.begin(), seen.end()));
  BOOST_TEST(std::set<std::string>(seen.begin(), seen.end()) == all);
  BOOST_TEST(seen.size() == all.size());

  Reply attested = Get(node.port, "/api/registry/validators?status=attested&tee_type=Simulated");
  BOOST_REQUIRE(attested.j["validators"].size() == 1u);
  BOOST_TEST(attested.j["validators"][0]["id"] == att);
  BOOST_TEST(attested.j["validators"][0]["stake"] == "50");
  BOOST_TEST(Get(node.port, "/api/registry/validators?status=unattested").j["validators"].size() ==
             7u);
  BOOST_TEST(Get(node.port, "/api/registry/validators?tee_type=IntelTdx").j["validators"].size() ==
             0u);
  for (const char* bad : {"?limit=0", "?limit=1001", "?limit=x", "?status=happy", "?tee_type=Tdx",
                          "?cursor=12", "?sort=id", "?limit=1&limit=2"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(Get(node.port, std::string("/api/registry/validators") + bad).status == 400u);
    }
  }

  Reply one = Get(node.port, "/api/registry/validators/" + att);
  BOOST_REQUIRE(one.status == 200u);
  BOOST_TEST(one.j["status"] == "attested");
  BOOST_TEST(one.j["tee_type"] == "Simulated");
  BOOST_TEST(one.j["last_verdict"]["valid"] == true);
  BOOST_TEST(one.j["last_verdict"]["valid_until"].is_number());
  BOOST_TEST(Get(node.port, "/api/registry/validators/" + std::string(64, '0')).status == 404u);
  BOOST_TEST(Get(node.port, "/api/registry/validators/xyz").status == 400u);
}

BOOST_AUTO_TEST_CASE(epochs_and_bounded_schedules) {
  Node node;
  for (int i = 0; i < 5; ++i) node.Register("v" + std::to_string(i), 100, i % 2 == 0);
  const Hash32 seed = testing::HashFromLabel("seed");
  auto report = node.plugin->hooks().OnEpoch(3, kT0 + 10, seed);
  BOOST_REQUIRE(report.ok());
  Reply e = Get(node.port, "/api/epochs/3");
  BOOST_REQUIRE(e.status == 200u);
  BOOST_TEST(e.j["epoch"] == 3u);
  BOOST_TEST(e.j["epoch_time"] == kT0 + 10);
  BOOST_TEST(e.j["attested"] == report->attested);
  BOOST_TEST(e.j["total_weight"] == U256ToDecimal(U256FromBe(report->total_weight_be)));
  BOOST_TEST(e.j["seed"] == ToHex(AsView(seed)));
  BOOST_TEST(Get(node.port, "/api/epochs/4").status == 404u);
  BOOST_TEST(Get(node.port, "/api/epochs/-1").status == 400u);
  BOOST_TEST(Get(node.port, "/api/epochs/99999999999999999999").status == 400u);

  Reply s = Get(node.port, "/api/epochs/3/schedule?from=1000&count=64");
  BOOST_REQUIRE(s.status == 200u);
  auto view = node.plugin->hooks().Epoch(3);
  BOOST_REQUIRE(view.ok());
  auto table = (*view)->Table();
  BOOST_REQUIRE(table.ok());
  std::vector<uint32_t> idx(64);
  (*table)->Schedule(1000, 64, idx.data());
  BOOST_REQUIRE(s.j["leaders"].size() == 64u);
  for (size_t i = 0; i < 64; ++i)
    BOOST_TEST(s.j["leaders"][i] == ToHex(AsView((*view)->IdAt(idx[i]))));
  BOOST_TEST(Get(node.port, "/api/epochs/3/schedule?count=10001").status == 400u);
  BOOST_TEST(Get(node.port, "/api/epochs/3/schedule?count=0").status == 400u);
  BOOST_TEST(Get(node.port, "/api/epochs/3/schedule?from=18446744073709551615&count=2").status ==
             400u);
  BOOST_TEST(Get(node.port, "/api/epochs/3/schedule").j["leaders"].size() == 100u);
  BOOST_TEST(Get(node.port, "/api/epochs/5/schedule").status == 404u);
}

BOOST_AUTO_TEST_CASE(bearer_token_guards_all_but_health) {
  const std::string token = "0123456789abcdef-token";
  Node node("bearer_token = \"" + token + "\"\n");
  BOOST_TEST(Get(node.port, "/healthz").status == 200u);
  BOOST_TEST(Get(node.port, "/api/openapi.json").status == 200u);
  BOOST_TEST(Get(node.port, "/api/registry/validators").status == 401u);
  BOOST_TEST(Get(node.port, "/api/registry/validators", token + "x").status == 401u);
  BOOST_TEST(Get(node.port, "/api/registry/validators", token).status == 200u);
  BOOST_TEST(Post(node.port, "/api/verify/tee-attestation", "{}").status == 401u);
}

using namespace tenzro::tee::testing::prometheus_text;

BOOST_AUTO_TEST_CASE(metrics_parse_as_prometheus_text_and_count) {
  Node node;
  node.Register("att", 50, true);
  const uint64_t issued = static_cast<uint64_t>(std::time(nullptr)) - 60;
  auto ev =
      node.plugin->SimulateEvidence(testing::IdFromLabel("v"), testing::HashFromLabel("c"), issued);
  BOOST_REQUIRE(ev.ok());
  BOOST_REQUIRE(Post(node.port, "/api/verify/tee-attestation", SimulatedRequest(*ev)).status ==
                200u);
  BOOST_REQUIRE(Post(node.port, "/api/verify/tee-attestation",
                     R"({"attestation":"0x00","provider":"IntelTdx"})")
                    .status == 200u);
  Reply m = Get(node.port, "/metrics");
  BOOST_REQUIRE(m.status == 200u);
  const auto samples = ParsePrometheus(m.body);
  BOOST_TEST(Value(samples, "tenzro_tee_attested_validators", {{"tee_type", "Simulated"}}) == 1.0);
  BOOST_TEST(Value(samples, "tenzro_tee_attested_validators", {{"tee_type", "IntelTdx"}}) == 0.0);
  BOOST_TEST(Value(samples, "tenzro_tee_verify_seconds_count", {{"tee_type", "Simulated"}}) == 1.0);
  BOOST_TEST(Value(samples, "tenzro_tee_verifications_total",
                   {{"tee_type", "IntelTdx"}, {"outcome", "invalid"}}) == 1.0);
  BOOST_TEST(Value(samples, "tenzro_tee_verifications_total",
                   {{"tee_type", "Simulated"}, {"outcome", "valid"}}) == 1.0);
  BOOST_TEST(Value(samples, "tenzro_tee_verdict_failures_total", {{"code", "malformed"}}) >= 1.0);
  // The parser is strict: a sample outside its family fails it.
  BOOST_TEST(m.body.find("# TYPE tenzro_tee_verify_seconds histogram") != std::string::npos);
}

// Every family the issue lists, and each moves when what it counts happens:
// registrations through the plugin, an epoch transition, an admitted
// document, verifications that hit the TDX verifier's caches.
BOOST_AUTO_TEST_CASE(every_family_moves_with_what_it_counts) {
  Node node;
  auto scrape = [&] {
    Reply m = Get(node.port, "/metrics");
    BOOST_REQUIRE(m.status == 200u);
    return ParsePrometheus(m.body);
  };
  const auto before = scrape();
  BOOST_TEST(Value(before, "tenzro_tee_registrations_total",
                   {{"tee_type", "Simulated"}, {"outcome", "attested"}}) == -1.0);
  BOOST_TEST(Value(before, "tenzro_tee_epoch_transition_seconds_count", {}) == -1.0);

  // Registrations: one attested, one without evidence, one refused (zero stake).
  const Hash32 challenge = testing::HashFromLabel("challenge");
  consensus::Registration reg;
  reg.id = testing::IdFromLabel("a");
  reg.stake_be = testing::Stake(5);
  reg.registered_at = kT0;
  auto ev = node.plugin->SimulateEvidence(reg.id, challenge, kT0);
  BOOST_REQUIRE(ev.ok());
  reg.tee_type = TeeType::Simulated;
  reg.evidence = AsView(*ev);
  reg.challenge = challenge;
  BOOST_REQUIRE(node.plugin->RegisterValidator(reg).ok());
  consensus::Registration bare;
  bare.id = testing::IdFromLabel("b");
  bare.stake_be = testing::Stake(5);
  bare.registered_at = kT0;
  BOOST_REQUIRE(node.plugin->RegisterBatch({bare}).ok());
  consensus::Registration zero = bare;
  zero.id = testing::IdFromLabel("z");
  zero.stake_be = testing::Stake(0);
  BOOST_REQUIRE(!node.plugin->RegisterValidator(zero).ok());
  // An epoch transition, and one admitted revocation list.
  BOOST_REQUIRE(node.plugin->OnEpoch(1, kT0 + 60, testing::HashFromLabel("seed")).ok());
  const Bytes crl = sim::MakeRevocationList(kT0, kT0 + 86400, {});
  BOOST_REQUIRE(node.plugin->hooks().SubmitCollateral(TeeType::Simulated, AsView(crl), kT0).ok());
  // Two verifications of one simulated TDX quote: the second hits the
  // standalone verifier's certification cache.
  auto quote = tdx::sim::SimulateQuote(true, BindingInput{reg.id, challenge});
  auto coll = tdx::sim::SimulateCollateral(true, tdx::sim::kSimNow);
  BOOST_REQUIRE(quote.ok());
  BOOST_REQUIRE(coll.ok());
  json blobs = json::array();
  for (const Bytes& b : *coll) blobs.push_back(B64(b));
  const json req = {{"attestation", "0x" + ToHex(AsView(*quote))},
                    {"provider", "IntelTdx"},
                    {"collateral", blobs},
                    {"at", tdx::sim::kSimNow}};
  for (int i = 0; i < 2; ++i) {
    Reply r = Post(node.port, "/api/verify/tee-attestation", req.dump());
    BOOST_REQUIRE(r.status == 200u);
    BOOST_TEST(r.j["valid"] == true, r.body.substr(0, 300));
  }

  Reply text = Get(node.port, "/metrics");
  BOOST_REQUIRE(text.status == 200u);
  const auto after = ParsePrometheus(text.body);
  // prometheus-cpp writes a family once it has a series.
  for (const char* family :
       {"tenzro_tee_verify_seconds", "tenzro_tee_attested_validators",
        "tenzro_tee_registrations_total", "tenzro_tee_epoch_transition_seconds",
        "tenzro_tee_admitted_collateral", "tenzro_tee_cache_lookups", "tenzro_tee_cache_hit_ratio",
        "tenzro_tee_verifications_total"}) {
    BOOST_TEST_CONTEXT(family) {
      BOOST_TEST(text.body.find(std::string("# TYPE ") + family + " ") != std::string::npos);
    }
  }
  BOOST_TEST(Value(after, "tenzro_tee_registrations_total",
                   {{"tee_type", "Simulated"}, {"outcome", "attested"}}) == 1.0);
  BOOST_TEST(Value(after, "tenzro_tee_registrations_total",
                   {{"tee_type", "None"}, {"outcome", "unattested"}}) == 1.0);
  BOOST_TEST(Value(after, "tenzro_tee_registrations_total",
                   {{"tee_type", "None"}, {"outcome", "refused"}}) == 1.0);
  BOOST_TEST(Value(after, "tenzro_tee_epoch_transition_seconds_count", {}) == 1.0);
  BOOST_TEST(Value(after, "tenzro_tee_epoch_transition_seconds_sum", {}) >= 0.0);
  BOOST_TEST(Value(after, "tenzro_tee_admitted_collateral",
                   {{"tee_type", "Simulated"}, {"kind", "sim_revocation_list"}}) == 1.0);
  BOOST_TEST(Value(after, "tenzro_tee_verify_seconds_count", {{"tee_type", "IntelTdx"}}) == 2.0);
  const std::map<std::string, std::string> cert_cache = {
      {"verifier", "standalone"}, {"tee_type", "IntelTdx"}, {"cache", "certifications"}};
  auto with = [&](const char* result) {
    auto l = cert_cache;
    l.emplace("result", result);
    return l;
  };
  BOOST_TEST(Value(after, "tenzro_tee_cache_lookups", with("miss")) >= 1.0);
  BOOST_TEST(Value(after, "tenzro_tee_cache_lookups", with("hit")) >= 1.0);
  const double ratio = Value(after, "tenzro_tee_cache_hit_ratio", cert_cache);
  BOOST_TEST(ratio > 0.0);
  BOOST_TEST(ratio < 1.0);
  // The consensus verifier verified nothing of TDX: its lookups stay zero.
  BOOST_TEST(Value(after, "tenzro_tee_cache_lookups",
                   {{"verifier", "consensus"},
                    {"tee_type", "IntelTdx"},
                    {"cache", "certifications"},
                    {"result", "hit"}}) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_abuse)

BOOST_AUTO_TEST_CASE(bad_requests_are_400_and_change_nothing) {
  Node node;
  node.Register("x", 7, true);
  const std::string before = node.State();
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "malformed_json"},
      {"[]", "malformed_json"},
      {deep, "malformed_json"},
      {R"({"attestation":"0x00","provider":"IntelTdxx"})", "unknown_provider"},
      {R"({"attestation":"0x00","provider":"None"})", "unknown_provider"},
      {R"({"attestation":"0x00","provider":3})", "wrong_type"},
      {R"({"attestation":42,"provider":"IntelTdx"})", "wrong_type"},
      {R"({"provider":"IntelTdx"})", "wrong_type"},
      {R"({"attestation":"0x0g","provider":"IntelTdx"})", "bad_encoding"},
      {R"({"attestation":"!!!","provider":"IntelTdx"})", "bad_encoding"},
      {R"({"attestation":"","provider":"IntelTdx"})", "bad_encoding"},
      {R"({"attestation":"0x00","provider":"IntelTdx","at":-5})", "wrong_type"},
      {R"({"attestation":"0x00","provider":"IntelTdx","at":1.5})", "wrong_type"},
      {R"({"attestation":"0x00","provider":"IntelTdx","at":"now"})", "wrong_type"},
      {R"({"attestation":"0x00","provider":"IntelTdx","collateral":"x"})", "wrong_type"},
      {R"({"attestation":"0x00","provider":"IntelTdx","collateral":[1]})", "bad_encoding"},
      {R"({"attestation":"0x00","provider":"IntelTdx","validator_key":"00"})", "wrong_type"},
      {R"({"attestation":"0x00","provider":"IntelTdx","extra":1})", "unknown_field"},
  };
  for (const auto& [body, code] : cases) {
    Reply r = Post(node.port, "/api/verify/tee-attestation", body);
    BOOST_TEST_CONTEXT(body.substr(0, 80)) {
      BOOST_TEST(r.status == 400u);
      BOOST_TEST(r.j["error"] == code);
    }
  }
  BOOST_TEST(Get(node.port, "/healthz").status == 200u);
  BOOST_TEST(node.State() == before);
}

BOOST_AUTO_TEST_CASE(ten_megabyte_body_is_413) {
  Node node;
  const std::string before = node.State();
  // 10 MB as the issue asks, and 2 MiB: over the configured 1 MiB but under
  // Beast's own 8 MB default, so the configured limit is the one enforced.
  for (size_t size : {size_t{10} << 20, size_t{2} << 20}) {
    BOOST_TEST_CONTEXT("body of " << size << " bytes") {
      net::io_context ioc;
      tcp::socket s = Connect(ioc, node.port);
      const std::string body(size, 'a');
      const std::string head =
          "POST /api/verify/tee-attestation HTTP/1.1\r\nHost: x\r\n"
          "Content-Type: application/json\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n";
      net::write(s, net::buffer(head));
      boost::system::error_code ec;
      net::write(s, net::buffer(body), ec);  // the server drains what it refused
      std::string got;
      BOOST_TEST(ReadsUntilClosed(s, &got));
      BOOST_TEST(got.rfind("HTTP/1.1 413", 0) == 0, got.substr(0, 40));
      BOOST_TEST(got.find("payload_too_large") != std::string::npos);
    }
  }
  BOOST_TEST(Get(node.port, "/healthz").status == 200u);
  BOOST_TEST(node.State() == before);
}

BOOST_AUTO_TEST_CASE(slowloris_is_closed_by_the_read_timeout) {
  Node node("", /*read_timeout_ms=*/300);
  const std::string before = node.State();
  net::io_context ioc;
  tcp::socket s = Connect(ioc, node.port);
  net::write(s,
             net::buffer(std::string("POST /api/verify/tee-attestation HTTP/1.1\r\nHost: x\r\n")));
  // A header byte whenever 50 ms pass without an answer: the read timeout
  // bounds the whole request, so trickling does not keep it open. At most
  // 400 rounds (20 s) before the test gives up.
  bool closed = false;
  int trickled = 0;
  for (int i = 0; i < 400 && !closed; ++i) {
    pollfd p{s.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      char c;
      closed = ::recv(s.native_handle(), &c, 1, 0) <= 0;
      BOOST_REQUIRE_MESSAGE(closed, "the server answered a request it never got");
    } else if (::send(s.native_handle(), "X", 1, MSG_NOSIGNAL) == 1) {
      ++trickled;
    } else {
      closed = true;
    }
  }
  BOOST_TEST(closed);
  BOOST_TEST(trickled > 0);
  // The stream closes the socket before its handler counts the timeout.
  BOOST_TEST(WaitFor([&] { return node.plugin->http_server()->stats().timeouts >= 1u; }));
  BOOST_TEST(Get(node.port, "/healthz").status == 200u);
  BOOST_TEST(node.State() == before);
}

BOOST_AUTO_TEST_CASE(thousand_connections_opened_and_dropped) {
  Node node;
  const std::string before = node.State();
  net::io_context ioc;
  std::vector<tcp::socket> held;
  for (int i = 0; i < 1000; ++i) {
    tcp::socket s = Connect(ioc, node.port);
    if (i % 3 == 1) net::write(s, net::buffer(std::string("GET /hea")));
    if (i % 3 == 2) {
      // Held open, 100 at a time: past max_connections (64), so the cap
      // refuses some.
      held.push_back(std::move(s));
      if (held.size() == 100) {
        // Accepted while all are held: the cap must have refused some.
        BOOST_REQUIRE(WaitFor([&] {
          return node.plugin->http_server()->stats().accepted >= static_cast<uint64_t>(i + 1);
        }));
        held.clear();
      }
    }
  }
  BOOST_TEST(Get(node.port, "/healthz").status == 200u);
  const auto* server = node.plugin->http_server();
  BOOST_TEST(WaitFor([&] { return server->connections() == 0; }));
  BOOST_TEST(server->stats().accepted >= 1000u);
  BOOST_TEST(server->stats().refused > 0u);
  BOOST_TEST(node.State() == before);
}

BOOST_AUTO_TEST_CASE(garbage_instead_of_http) {
  Node node;
  const std::string before = node.State();
  const std::vector<std::string> junk = {
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS ClientHello
      "GARBAGE GARBAGE GARBAGE\r\n\r\n",
      std::string(5000, '\0'),
      "GET / HTTP/9.9\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX: " + std::string(64 << 10, 'h') + "\r\n\r\n",
  };
  for (const auto& j : junk) {
    net::io_context ioc;
    tcp::socket s = Connect(ioc, node.port);
    boost::system::error_code ec;
    net::write(s, net::buffer(j), ec);
    std::string got;
    BOOST_TEST_CONTEXT(j.substr(0, 20)) {
      BOOST_TEST(ReadsUntilClosed(s, &got));
      // Either a 4xx answer or a plain close: never a 2xx or 5xx.
      if (!got.empty()) BOOST_TEST(got.substr(0, 10) == "HTTP/1.1 4");
    }
  }
  BOOST_TEST(Get(node.port, "/healthz").status == 200u);
  BOOST_TEST(node.State() == before);
}

BOOST_AUTO_TEST_SUITE_END()
