// URL handling, the thread pool, the [tee] fetcher keys and the fetch
// targets' validation: no network.
#include <boost/test/unit_test.hpp>

#include "attestation/tdx/tdx_verifier.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "fetch/kds_source.h"
#include "fetch/nvidia_source.h"
#include "fetch/pcs_source.h"
#include "fetch/service.h"
#include "fetch/thread_pool.h"
#include "fetch/url.h"
#include "plugin/config.h"

using namespace tenzro::tee;
using namespace tenzro::tee::fetch;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(fetch_url)

BOOST_AUTO_TEST_CASE(base_urls) {
  auto u = ParseBaseUrl("https://api.trustedservices.intel.com");
  BOOST_REQUIRE(u.ok());
  BOOST_TEST(u->host == "api.trustedservices.intel.com");
  BOOST_TEST(u->port == 443);
  BOOST_TEST(u->prefix == "");
  BOOST_TEST(u->HostHeader() == "api.trustedservices.intel.com");

  u = ParseBaseUrl("HTTPS://PCCS.Example:8081/prefix/");
  BOOST_REQUIRE(u.ok());
  BOOST_TEST(u->host == "pccs.example");
  BOOST_TEST(u->port == 8081);
  BOOST_TEST(u->prefix == "/prefix");
  BOOST_TEST(u->Origin() == "https://pccs.example:8081");

  u = ParseBaseUrl("https://[::1]:9443");
  BOOST_REQUIRE(u.ok());
  BOOST_TEST(u->host == "::1");
  BOOST_TEST(u->HostHeader() == "[::1]:9443");

  for (const char* bad :
       {"http://kdsintf.amd.com", "kdsintf.amd.com", "https://", "https://:443",
        "https://user@host", "https://host:0", "https://host:65536", "https://host:x",
        "https://host/p?q=1", "https://host/#f", "https://ho st", "https://host/a b"}) {
    auto r = ParseBaseUrl(bad);
    BOOST_TEST(!r.ok(), bad);
    if (!r.ok()) BOOST_TEST((r.status().code() == ErrorCode::kConfig));
  }
}

BOOST_AUTO_TEST_CASE(absolute_urls_for_redirects) {
  auto a = ParseAbsoluteUrl("https://Host:8443/x/y?z=1#frag");
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->origin.host == "host");
  BOOST_TEST(a->origin.port == 8443);
  BOOST_TEST(a->target == "/x/y?z=1");
  BOOST_TEST(!ParseAbsoluteUrl("http://host/x").has_value());
  auto root = ParseAbsoluteUrl("https://host");
  BOOST_REQUIRE(root.has_value());
  BOOST_TEST(root->target == "/");
}

BOOST_AUTO_TEST_CASE(percent_decoding) {
  BOOST_TEST(*PercentDecode("-----BEGIN%20CERTIFICATE-----%0AMII+ab/c%3D%0A") ==
             "-----BEGIN CERTIFICATE-----\nMII+ab/c=\n");
  BOOST_TEST(*PercentDecode("%2b%2B") == "++");
  BOOST_TEST(!PercentDecode("%").has_value());
  BOOST_TEST(!PercentDecode("%4").has_value());
  BOOST_TEST(!PercentDecode("%G0").has_value());
  BOOST_TEST(*PercentDecode("") == "");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fetch_pool)

BOOST_AUTO_TEST_CASE(runs_tasks_in_due_order) {
  ThreadPool pool(1, 16);
  std::mutex mu;
  std::vector<int> order;
  auto add = [&](int v) {
    return [&, v] {
      std::lock_guard lock(mu);
      order.push_back(v);
    };
  };
  BOOST_TEST(pool.PostAfter(120ms, add(3)));
  BOOST_TEST(pool.PostAfter(60ms, add(2)));
  BOOST_TEST(pool.Post(add(1)));
  std::this_thread::sleep_for(400ms);
  pool.Stop();
  BOOST_TEST((order == std::vector<int>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(bounded_and_stop_drops_pending) {
  ThreadPool pool(2, 3);
  std::atomic<int> ran{0};
  BOOST_TEST(pool.PostAfter(10s, [&] { ++ran; }));
  BOOST_TEST(pool.PostAfter(10s, [&] { ++ran; }));
  BOOST_TEST(pool.PostAfter(10s, [&] { ++ran; }));
  BOOST_TEST(!pool.Post([&] { ++ran; }));  // full
  BOOST_TEST(pool.queued() == 3u);
  auto t0 = std::chrono::steady_clock::now();
  pool.Stop();
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 2s));
  BOOST_TEST(ran.load() == 0);
  BOOST_TEST(!pool.Post([&] { ++ran; }));  // stopped
  pool.Stop();                             // idempotent
}

BOOST_AUTO_TEST_CASE(stop_waits_for_running_tasks) {
  std::atomic<bool> finished{false};
  {
    ThreadPool pool(2, 8);
    std::atomic<bool> started{false};
    BOOST_TEST(pool.Post([&] {
      started = true;
      std::this_thread::sleep_for(150ms);
      finished = true;
    }));
    while (!started) std::this_thread::sleep_for(1ms);
  }  // destructor stops and joins
  BOOST_TEST(finished.load());
}

BOOST_AUTO_TEST_CASE(a_throwing_task_does_not_kill_a_worker) {
  ThreadPool pool(1, 8);
  std::atomic<bool> after{false};
  BOOST_TEST(pool.Post([] { throw std::runtime_error("boom"); }));
  BOOST_TEST(pool.Post([&] { after = true; }));
  for (int i = 0; i < 200 && !after; ++i) std::this_thread::sleep_for(5ms);
  BOOST_TEST(after.load());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fetch_config)

BOOST_AUTO_TEST_CASE(fetchers_are_off_by_default) {
  auto c = plugin::ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c->pcs_url.empty());
  BOOST_TEST(c->kds_url.empty());
  BOOST_TEST(c->nvidia_rim_url.empty());
  BOOST_TEST(c->nvidia_ocsp_url.empty());
  BOOST_TEST(c->fetch_ca_bundle.empty());
  BOOST_TEST(c->fetch_timeout_ms == 10000u);
  BOOST_TEST(c->fetch_interval_secs == 3600u);
}

BOOST_AUTO_TEST_CASE(keys_parse_and_bad_values_name_the_key) {
  auto c = plugin::ParseConfig(
      "[tee]\ndb_path = \"x\"\npcs_url = \"https://api.trustedservices.intel.com\"\n"
      "kds_url = \"https://kdsintf.amd.com\"\n"
      "nvidia_rim_url = \"https://rim.attestation.nvidia.com/v1/rim\"\n"
      "nvidia_ocsp_url = \"https://ocsp.ndis.nvidia.com\"\nfetch_ca_bundle = "
      "\"/etc/ssl/certs/ca-certificates.crt\"\n"
      "fetch_timeout_ms = 2500\nfetch_interval_secs = 600\n",
      "t");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c->pcs_url == "https://api.trustedservices.intel.com");
  BOOST_TEST(c->kds_url == "https://kdsintf.amd.com");
  BOOST_TEST(c->nvidia_rim_url == fetch::kNvidiaRimUrl);
  BOOST_TEST(c->nvidia_ocsp_url == fetch::kNvidiaOcspUrl);
  BOOST_TEST(c->fetch_timeout_ms == 2500u);
  BOOST_TEST(c->fetch_interval_secs == 600u);
  // Node-local: the fetchers change no chain parameter.
  auto plain = plugin::ParseConfig("[tee]\ndb_path = \"x\"\n", "t");
  BOOST_REQUIRE(plain.ok());
  BOOST_TEST((plugin::ParamsHash(*c) == plugin::ParamsHash(*plain)));

  struct Bad {
    const char* line;
    const char* key;
  };
  for (const Bad& b :
       {Bad{"pcs_url = \"http://x\"", "tee.pcs_url"}, Bad{"kds_url = \"ftp://x\"", "tee.kds_url"},
        Bad{"kds_url = 3", "tee.kds_url"},
        Bad{"nvidia_rim_url = \"http://rim\"", "tee.nvidia_rim_url"},
        Bad{"nvidia_ocsp_url = 1", "tee.nvidia_ocsp_url"},
        Bad{"fetch_timeout_ms = 5", "tee.fetch_timeout_ms"},
        Bad{"fetch_interval_secs = 1", "tee.fetch_interval_secs"},
        Bad{"fetch_ca_bundle = true", "tee.fetch_ca_bundle"}}) {
    auto r = plugin::ParseConfig(std::string("[tee]\ndb_path = \"x\"\n") + b.line + "\n", "t");
    BOOST_TEST(!r.ok(), b.line);
    if (!r.ok()) {
      BOOST_TEST((r.status().code() == ErrorCode::kConfig));
      BOOST_TEST(r.status().message().find(b.key) != std::string::npos, r.status().message());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fetch_targets)

BOOST_AUTO_TEST_CASE(pcs_paths_and_checks) {
  PcsSource pcs;
  const Bytes fmspc = {0xB0, 0xC0, 0x6F, 0, 0, 0};
  auto tdx = FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc));
  BOOST_TEST(pcs.Check(tdx).ok());
  BOOST_TEST(pcs.Plan(tdx) ==
             std::vector<std::string>{"/tdx/certification/v4/tcb?fmspc=B0C06F000000"});
  auto sgx = FetchTarget::TcbInfo(TeeType::IntelSgx, AsView(fmspc));
  BOOST_TEST(pcs.Plan(sgx) ==
             std::vector<std::string>{"/sgx/certification/v4/tcb?fmspc=B0C06F000000"});
  BOOST_TEST(pcs.Plan(FetchTarget::QeIdentity(TeeType::IntelTdx)) ==
             std::vector<std::string>{"/tdx/certification/v4/qe/identity"});
  BOOST_TEST(pcs.Plan(FetchTarget::PckCrl(TeeType::IntelTdx, "processor")) ==
             std::vector<std::string>{"/sgx/certification/v4/pckcrl?ca=processor&encoding=der"});
  BOOST_TEST(pcs.Plan(FetchTarget::RootCaCrl(TeeType::IntelSgx)) ==
             (std::vector<std::string>{"/sgx/certification/v4/rootcacrl",
                                       "/sgx/certification/v4/qe/identity"}));

  const Bytes short_fmspc = {1, 2, 3};
  BOOST_TEST(!pcs.Check(FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(short_fmspc))).ok());
  BOOST_TEST(!pcs.Check(FetchTarget::PckCrl(TeeType::IntelTdx, "root")).ok());
  BOOST_TEST(!pcs.Check(FetchTarget::QeIdentity(TeeType::AmdSevSnp)).ok());
  BOOST_TEST(!pcs.Check(FetchTarget::VcekChain("Milan")).ok());
}

BOOST_AUTO_TEST_CASE(kds_paths_and_checks) {
  KdsSource kds;
  Bytes chip(64);
  for (size_t i = 0; i < chip.size(); ++i) chip[i] = static_cast<uint8_t>(i);
  auto genoa = FetchTarget::Vcek("Genoa", AsView(chip), SnpTcb{10, 0, 23, 84, std::nullopt});
  BOOST_TEST(kds.Check(genoa).ok());
  const std::string hwid = ToHex(AsView(chip));
  BOOST_TEST(kds.Plan(genoa) ==
             (std::vector<std::string>{
                 "/vcek/v1/Genoa/cert_chain",
                 "/vcek/v1/Genoa/" + hwid + "?blSPL=10&teeSPL=0&snpSPL=23&ucodeSPL=84"}));
  // Turin: 8-byte hwid, fmcSPL required.
  auto turin = FetchTarget::Vcek("Turin", AsView(chip), SnpTcb{0, 0, 2, 71, uint8_t{1}});
  BOOST_TEST(kds.Check(turin).ok());
  BOOST_TEST(kds.Plan(turin)[1] ==
             "/vcek/v1/Turin/0001020304050607?blSPL=0&teeSPL=0&snpSPL=2&ucodeSPL=71&fmcSPL=1");
  BOOST_TEST(
      !kds.Check(FetchTarget::Vcek("Turin", AsView(chip), SnpTcb{0, 0, 2, 71, std::nullopt})).ok());
  BOOST_TEST(
      !kds.Check(FetchTarget::Vcek("Milan", AsView(chip), SnpTcb{0, 0, 2, 71, uint8_t{1}})).ok());
  BOOST_TEST(!kds.Check(FetchTarget::Vcek("Milan", ByteView(chip).first(8), SnpTcb{})).ok());
  BOOST_TEST(!kds.Check(FetchTarget::VcekChain("Siena")).ok());
  BOOST_TEST(kds.Plan(FetchTarget::VlekChain("Milan")) ==
             std::vector<std::string>{"/vlek/v1/Milan/cert_chain"});
  BOOST_TEST(kds.Plan(FetchTarget::KdsCrl("Milan")) ==
             (std::vector<std::string>{"/vcek/v1/Milan/crl", "/vcek/v1/Milan/cert_chain"}));
  BOOST_TEST(!kds.Check(FetchTarget::RootCaCrl(TeeType::IntelTdx)).ok());
}

BOOST_AUTO_TEST_CASE(keys_distinguish_targets) {
  Bytes chip(64, 7);
  auto a = FetchTarget::Vcek("Genoa", AsView(chip), SnpTcb{1, 0, 2, 3, std::nullopt});
  auto b = FetchTarget::Vcek("Genoa", AsView(chip), SnpTcb{1, 0, 2, 4, std::nullopt});
  BOOST_TEST(a.Key() != b.Key());
  BOOST_TEST(FetchTarget::PckCrl(TeeType::IntelTdx, "platform").Key() !=
             FetchTarget::PckCrl(TeeType::IntelSgx, "platform").Key());
}

BOOST_AUTO_TEST_CASE(verdicts_that_miss_collateral_name_targets) {
  Verdict v;
  v.tee_type = TeeType::IntelTdx;
  BOOST_TEST(TargetsForVerdict(TeeType::IntelTdx, v).empty());  // no hints: nothing to fetch
  // Failure codes and claims alone name nothing: only typed hints do.
  v.Fail(FailureCode::kCollateralMissing, "no TCB Info");
  BOOST_TEST(TargetsForVerdict(TeeType::IntelTdx, v).empty());
  const Bytes fmspc = *FromHex("b0c06f000000");
  v.Hint(FetchHint{tdx::kKindTcbInfo, "", fmspc});
  v.Hint(FetchHint{tdx::kKindTcbInfo, "", fmspc});  // deduplicated
  v.Hint(FetchHint{tdx::kKindQeIdentity, "", {}});
  v.Hint(FetchHint{tdx::kKindPckCrl, "processor", {}});
  v.Hint(FetchHint{tdx::kKindRootCaCrl, "", {}});
  auto t = TargetsForVerdict(TeeType::IntelTdx, v);
  BOOST_REQUIRE(t.size() == 4u);
  BOOST_TEST((t[0].kind == Kind::kTcbInfo));
  BOOST_TEST(ToHex(AsView(t[0].id)) == "b0c06f000000");
  BOOST_TEST((t[1].kind == Kind::kQeIdentity));
  BOOST_TEST((t[2].kind == Kind::kPckCrl));
  BOOST_TEST(t[2].name == "processor");
  BOOST_TEST((t[3].kind == Kind::kRootCaCrl));
  // Malformed hints name nothing; another vendor's verdict names nothing here.
  Verdict odd;
  odd.Hint(FetchHint{tdx::kKindTcbInfo, "", Bytes{1, 2}});
  odd.Hint(FetchHint{tdx::kKindPckCrl, "nobody", {}});
  BOOST_TEST(TargetsForVerdict(TeeType::IntelTdx, odd).empty());
  BOOST_TEST(TargetsForVerdict(TeeType::AmdSevSnp, v).empty());
}

BOOST_AUTO_TEST_SUITE_END()
