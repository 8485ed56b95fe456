// http_bench: the in-process half of benches/http_bench.sh (issue 13).
//
// Opens the plugin with its HTTP API on 127.0.0.1 (an ephemeral port), with
// a cached TDX quote and its collateral (the real dcapqvl-tdx-v4-uptodate set
// through TEE_VECTORS_DIR, else the TDX simulator with simulation on), then:
//   1. measures the in-process verify rate: --threads threads (the API's
//      verification pool size) calling Plugin::Verify, the call the route
//      makes, with the same request, for --seconds;
//   2. writes <out>/body.json (the POST body) and <out>/post.lua (wrk);
//   3. prints "inproc_per_s R" and "port P", and serves until stdin closes,
//      while the script runs wrk against the same plugin on the same cores.
// --admit: the collateral is admitted into the plugin first (as a node
// holds it) and the body is the seed's request plus `at`; both sides then
// verify against the admitted set, without blobs.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "attestation/tdx/sim/scenario.h"
#include "crypto/base64.h"
#include "crypto/hash.h"
#include "plugin/plugin.h"
#include "support/vectors.h"

using namespace tenzro::tee;

namespace {

struct Input {
  Bytes quote;
  std::vector<Bytes> collateral;
  uint64_t at = 0;
  bool simulated = false;
  std::string source;
};

Input LoadInput() {
  Input in;
  for (const auto& c : testing::LoadCases("tdx")) {
    if (c.name == "tdx-v4-uptodate") {
      in.quote = c.Evidence();
      in.collateral = c.AllCollateral();
      in.at = c.verify_at;
      in.source = "vectors: " + c.set;
      return in;
    }
  }
  const BindingInput binding{crypto::Sha256(AsView(Bytes{1})), crypto::Sha256(AsView(Bytes{2}))};
  auto q = tdx::sim::SimulateQuote(true, binding);
  auto coll = tdx::sim::SimulateCollateral(true, tdx::sim::kSimNow);
  if (!q.ok() || !coll.ok()) throw std::runtime_error("TDX simulator failed");
  in.quote = std::move(*q);
  in.collateral = std::move(*coll);
  in.at = tdx::sim::kSimNow;
  in.simulated = true;
  in.source = "TDX simulator (TEE_VECTORS_DIR absent)";
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string out = "http-bench-out";
    double seconds = 10;
    unsigned threads = 2;
    bool admit = false;
    for (int i = 1; i < argc; ++i)
      if (std::string(argv[i]) == "--admit") admit = true;
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string a = argv[i];
      if (a == "--out") out = argv[i + 1];
      if (a == "--seconds") seconds = std::stod(argv[i + 1]);
      if (a == "--threads") threads = static_cast<unsigned>(std::stoul(argv[i + 1]));
      if (a == "--admit") --i;
    }
    if (!crypto::InitCrypto()) return 2;
    const Input in = LoadInput();
    std::filesystem::create_directories(out);
    std::filesystem::remove_all(out + "/db");
    const std::string cfg = out + "/node.toml";
    {
      std::ofstream c(cfg);
      c << "[tee]\ndb_path = \"" << out << "/db\"\nlog_level = \"off\"\n"
        << "[tee.consensus]\nsimulation = " << (in.simulated ? "true" : "false") << "\n"
        << "[tee.http]\nlisten = \"127.0.0.1:0\"\nio_threads = 1\nverify_threads = " << threads
        << "\nverify_queue = 1024\nmax_connections = 1024\n";
    }
    auto p = plugin::Plugin::Open(cfg, nullptr);
    if (!p.ok()) {
      std::cerr << "open: " << p.status().ToString() << "\n";
      return 2;
    }
    auto& plugin = **p;

    nlohmann::json body = {
        {"attestation", "0x" + ToHex(AsView(in.quote))}, {"provider", "IntelTdx"}, {"at", in.at}};
    nlohmann::json coll = nlohmann::json::array();
    for (const Bytes& b : in.collateral) coll.push_back(crypto::Base64Encode(AsView(b)));
    if (admit) {
      // In passes: a document may need an issuer admitted before it.
      std::vector<bool> done_doc(in.collateral.size(), false);
      for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < in.collateral.size(); ++i) {
          if (done_doc[i]) continue;
          if (plugin.hooks()
                  .SubmitCollateral(TeeType::IntelTdx, AsView(in.collateral[i]), in.at)
                  .ok()) {
            done_doc[i] = progress = true;
          }
        }
      }
    } else {
      body["collateral"] = coll;
    }
    std::ofstream(out + "/body.json") << body.dump();
    std::ofstream(out + "/post.lua")
        << "local f = assert(io.open(\"" << std::filesystem::absolute(out).string()
        << "/body.json\", \"rb\"))\nwrk.method = \"POST\"\nwrk.body = f:read(\"*a\")\nf:close()\n"
        << "wrk.headers[\"Content-Type\"] = \"application/json\"\n";

    auto request = [&] {
      StandaloneRequest req;
      req.tee_type = TeeType::IntelTdx;
      req.evidence = AsView(in.quote);
      if (!admit)
        for (const Bytes& b : in.collateral) req.collateral_blobs.push_back(AsView(b));
      req.now = in.at;
      return req;
    };
    auto first = plugin.Verify(request());
    if (!first.ok() || !first->valid()) {
      std::cerr << "the bench quote is not valid: "
                << (first.ok() ? VerdictToJson(*first).dump() : first.status().ToString()) << "\n";
      return 2;
    }
    // In-process: the pool's thread count, the route's call.
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> done{0};
    std::vector<std::thread> pool;
    auto cpu_secs = [] {
      rusage ru{};
      getrusage(RUSAGE_SELF, &ru);
      return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    };
    const double cpu0 = cpu_secs();
    const auto t0 = std::chrono::steady_clock::now();
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        uint64_t n = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          auto v = plugin.Verify(request());
          if (!v.ok() || !v->valid()) std::abort();
          ++n;
        }
        done += n;
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : pool) t.join();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_secs() - cpu0;
    std::printf("source %s%s\nthreads %u\ninproc_per_s %.1f\ninproc_per_cpu_s %.1f\nport %u\n",
                in.source.c_str(), admit ? " (collateral admitted)" : " (collateral in every body)",
                threads, static_cast<double>(done.load()) / secs,
                static_cast<double>(done.load()) / cpu,
                static_cast<unsigned>(plugin.http_server()->port()));
    std::fflush(stdout);
    // Serve until stdin closes.
    while (std::getchar() != EOF) {
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "http_bench: " << e.what() << "\n";
    return 2;
  }
}
