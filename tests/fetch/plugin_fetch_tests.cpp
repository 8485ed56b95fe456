// The plugin with its fetchers: open and close are not held up by a stalled
// collateral server, hooks run while fetches hang, close joins every thread;
// a fetched document goes to the host callback and is admitted only in
// "local" mode.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "attestation/sim/simulator.h"
#include "crypto/hash.h"
#include "fetch_fixture.h"
#include "https_test_server.h"
#include "plugin/plugin.h"
#include "tests/http/http_client.h"
#include "tests/http/prometheus_text.h"

using namespace tenzro::tee;
using namespace tenzro::tee::testing;
using namespace std::chrono_literals;
using Reply = TestHttpsServer::Reply;

namespace {

struct Host {
  std::mutex mu;
  std::vector<std::pair<int32_t, Bytes>> fetched;
  tee_host_callbacks cb{};
  Host() {
    cb.size = sizeof(cb);
    cb.user = this;
    cb.collateral_fetched = [](void* user, int32_t type, const uint8_t* data, size_t len) {
      auto* h = static_cast<Host*>(user);
      std::lock_guard lock(h->mu);
      h->fetched.emplace_back(type, Bytes(data, data + len));
    };
    cb.log = [](void*, int32_t, const char*, size_t) {};
  }
};

std::unique_ptr<plugin::Plugin> OpenPlugin(const TempDir& dir, const std::string& extra,
                                           Host& host) {
  const std::string path = dir.Sub("node.toml");
  WriteTextFile(path, "[tee]\ndb_path = \"" + dir.Sub("db") + "\"\n" + extra);
  auto p = plugin::Plugin::Open(path, &host.cb);
  BOOST_REQUIRE_MESSAGE(p.ok(), (p.ok() ? "" : p.status().message()));
  return std::move(p).value();
}

long long Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_plugin)

BOOST_AUTO_TEST_CASE(stalled_servers_block_neither_hooks_nor_close) {
  TlsEnv tls;
  TestHttpsServer server(tls.localhost.chain_pem, tls.localhost.key_pem,
                         [](const TestHttpsServer::Request&) {
                           Reply r;
                           r.stall = true;
                           return r;
                         });
  TempDir dir;
  Host host;
  const std::string extra = "pcs_url = \"" + server.Url() + "\"\nkds_url = \"" + server.Url() +
                            "/kds\"\nfetch_ca_bundle = \"" + tls.ca_file +
                            "\"\nfetch_timeout_ms = 20000\n";
  auto t0 = std::chrono::steady_clock::now();
  auto p = OpenPlugin(dir, extra, host);
  const auto open_ms = Ms(std::chrono::steady_clock::now() - t0);
  BOOST_TEST(open_ms < 3000);
  BOOST_REQUIRE(p->fetchers() != nullptr);
  // Open asked for the global documents; both lanes are now stuck in a request.
  for (int i = 0; i < 500 && server.requests() < 2; ++i) std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE(server.requests() == 2u);

  // Hooks run while the fetches hang.
  consensus::Registration reg;
  reg.id = IdFromLabel("v1");
  reg.stake_be = Stake(10);
  auto t1 = std::chrono::steady_clock::now();
  auto out = p->hooks().RegisterValidator(reg);
  BOOST_REQUIRE(out.ok());
  auto epoch = p->hooks().OnEpoch(1, 1000, HashFromLabel("seed"));
  BOOST_REQUIRE(epoch.ok());
  const std::string status = p->StatusJson();
  BOOST_TEST(Ms(std::chrono::steady_clock::now() - t1) < 1000);
  BOOST_TEST(status.find("\"fetchers\"") != std::string::npos);
  BOOST_TEST(status.find("\"pcs\"") != std::string::npos);
  // A further request only enqueues.
  auto t2 = std::chrono::steady_clock::now();
  const Bytes fmspc = {1, 2, 3, 4, 5, 6};
  BOOST_TEST(
      p->RequestCollateral(fetch::FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc))).ok());
  BOOST_TEST(Ms(std::chrono::steady_clock::now() - t2) < 50);

  // close: requests in flight are cancelled and the pool joined, long
  // before the 20 s fetch timeout.
  auto t3 = std::chrono::steady_clock::now();
  p.reset();
  const auto close_ms = Ms(std::chrono::steady_clock::now() - t3);
  BOOST_TEST(close_ms < 2000);
  BOOST_TEST_MESSAGE("open " << open_ms << " ms, hooks while stalled " << Ms(t2 - t1)
                             << " ms, close with 2 requests in flight " << close_ms << " ms");
  std::lock_guard lock(host.mu);
  BOOST_TEST(host.fetched.empty());
}

BOOST_AUTO_TEST_CASE(no_fetcher_threads_without_urls) {
  TempDir dir;
  Host host;
  auto p = OpenPlugin(dir, "", host);
  BOOST_TEST(p->fetchers() == nullptr);
  const Bytes fmspc = {1, 2, 3, 4, 5, 6};
  BOOST_TEST(
      (p->RequestCollateral(fetch::FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc))).code() ==
       ErrorCode::kUnsupported));
}

BOOST_AUTO_TEST_CASE(fetched_documents_reach_the_host_and_local_admission_only) {
  // The plugin's sink, fed a genuine Simulated revocation list (the only
  // collateral the wired verifiers admit until TDX/SNP land).
  const uint64_t now = 1'700'000'000;
  const Bytes blob = sim::MakeRevocationList(now - 10, now + 3600, {});
  for (const bool local : {false, true}) {
    TempDir dir;
    Host host;
    auto p =
        OpenPlugin(dir,
                   std::string("[tee.consensus]\nsimulation = true\ncollateral_admission = \"") +
                       (local ? "local" : "consensus") + "\"\n",
                   host);
    fetch::FetchTarget target;
    target.tee_type = TeeType::Simulated;
    CollateralDoc doc;
    doc.tee_type = TeeType::Simulated;
    doc.kind = "sim_revocation_list";
    doc.content_hash = crypto::Sha256(AsView(blob));
    p->OnFetched(target, AsView(blob), doc, now);
    {
      std::lock_guard lock(host.mu);
      BOOST_REQUIRE(host.fetched.size() == 1u);
      BOOST_TEST(host.fetched[0].first == TEE_TYPE_SIMULATED);
      BOOST_TEST(host.fetched[0].second == blob);
    }
    BOOST_TEST(p->hooks().AdmittedCollateral()->Contains(doc.content_hash) == local,
               "local=" << local);
  }
}

BOOST_AUTO_TEST_CASE(kds_chain_fetched_verified_and_admitted_end_to_end) {
  // The plugin as a node runs it: its own SnpVerifier, the wall clock, the
  // host callback, and local admission. The KDS certificate chains are
  // valid for decades, so the real Genoa chain is current at any test date.
  auto vc = FindCase("snp", "genoa-v3-openpcc-with-crl");
  if (!vc) return;
  const Bytes chain = vc->Collateral("chain");
  TlsEnv tls;
  TestHttpsServer server(tls.localhost.chain_pem, tls.localhost.key_pem,
                         [&chain](const TestHttpsServer::Request& r) {
                           Reply rep;
                           if (r.target == "/vcek/v1/Genoa/cert_chain")
                             rep.body = chain;
                           else
                             rep.status = 404;
                           return rep;
                         });
  for (const bool local : {false, true}) {
    TempDir dir;
    Host host;
    auto p = OpenPlugin(dir,
                        "kds_url = \"" + server.Url() + "\"\nfetch_ca_bundle = \"" + tls.ca_file +
                            "\"\n[tee.consensus]\ncollateral_admission = \"" +
                            (local ? "local" : "consensus") + "\"\n",
                        host);
    // Open asked for the chains and CRLs of every product; only Genoa's
    // VCEK chain exists here.
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard lock(host.mu);
        if (!host.fetched.empty()) break;
      }
      std::this_thread::sleep_for(10ms);
    }
    Hash32 hash{};
    {
      std::lock_guard lock(host.mu);
      BOOST_REQUIRE(host.fetched.size() == 1u);
      BOOST_TEST(host.fetched[0].first == TEE_TYPE_AMD_SEV_SNP);
      BOOST_TEST(Certs(host.fetched[0].second).size() == 2u);
      hash = crypto::Sha256(AsView(host.fetched[0].second));
    }
    // Local admission happens right after the callback, on the same thread.
    bool admitted = false;
    for (int i = 0; i < 200 && !admitted; ++i) {
      admitted = p->hooks().AdmittedCollateral()->Contains(hash);
      if (!admitted) std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST(admitted == local, "local=" << local);
    // And a consensus node can admit what its host proposes.
    if (!local) {
      std::vector<uint8_t> blob;
      {
        std::lock_guard lock(host.mu);
        blob = host.fetched[0].second;
      }
      BOOST_TEST(p->hooks().SubmitCollateral(TeeType::AmdSevSnp, AsView(blob), 1'800'000'000).ok());
      BOOST_TEST(p->hooks().AdmittedCollateral()->Contains(hash));
    }
  }
}

// The fetcher families of GET /metrics (issue 13) move with the fetchers:
// a PCS answering 503 makes requests, then retries after the backoff.
BOOST_AUTO_TEST_CASE(fetcher_metrics_count_requests_and_backoff_retries) {
  namespace pt = tenzro::tee::testing::prometheus_text;
  namespace hc = tenzro::tee::testing::http_client;
  TlsEnv tls;
  TestHttpsServer server(tls.localhost.chain_pem, tls.localhost.key_pem,
                         [](const TestHttpsServer::Request&) {
                           Reply r;
                           r.status = 503;
                           return r;
                         });
  TempDir dir;
  Host host;
  const std::string extra = "pcs_url = \"" + server.Url() + "\"\nfetch_ca_bundle = \"" +
                            tls.ca_file + "\"\n[tee.http]\nlisten = \"127.0.0.1:0\"\n";
  auto p = OpenPlugin(dir, extra, host);
  BOOST_REQUIRE(p->http_server() != nullptr);
  const uint16_t port = p->http_server()->port();
  const std::map<std::string, std::string> requests = {{"fetcher", "pcs"}, {"event", "requests"}};
  const std::map<std::string, std::string> retries = {{"fetcher", "pcs"}, {"event", "retries"}};
  // Open asked for the global documents: a 503, then a retry after the 1 s
  // backoff. Bounded wait: 15 s.
  std::vector<pt::Sample> samples;
  for (int i = 0; i < 150; ++i) {
    hc::Reply m = hc::Get(port, "/metrics");
    BOOST_REQUIRE(m.status == 200u);
    samples = pt::ParsePrometheus(m.body);
    if (pt::Value(samples, "tenzro_tee_fetcher_events", retries) >= 1.0 &&
        pt::Value(samples, "tenzro_tee_fetcher_events", requests) >= 2.0) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(pt::Value(samples, "tenzro_tee_fetcher_events", retries) >= 1.0);
  BOOST_TEST(pt::Value(samples, "tenzro_tee_fetcher_events", requests) >= 2.0);
  BOOST_TEST(pt::Value(samples, "tenzro_tee_fetcher_events",
                       {{"fetcher", "pcs"}, {"event", "delivered"}}) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
