// FetchService: the collateral fetchers a plugin runs, with the thread pool
// and HTTPS client they share. The Plugin owns one when [tee] pcs_url or
// kds_url is set; Shutdown (or destruction) cancels requests in flight and
// joins every thread it started.
//
// What triggers fetches (the design choice, DESIGN §2: fetchers decide
// nothing, they feed the host):
//   1. At start, RequestGlobal(): the documents every node needs whatever its
//      validators run: TDX and SGX QE Identity, PCK CRLs (platform,
//      processor) and the Root CA CRL for both Intel types; for each KDS
//      product (Milan, Genoa, Turin) the VCEK and VLEK cert_chains and the CRL.
//   2. Explicit Request(target): per-platform documents (TCB Info by FMSPC,
//      a VCEK by chip id and reported TCB), asked for by the plugin when a
//      verification reports collateral missing or expired
//      (TargetsForVerdict), or by whoever holds the Plugin.
//   3. Periodic refresh: every refresh_interval, each fetcher re-requests
//      every target requested so far (bounded), so a new TCB Info or CRL
//      reaches the host before the old one's nextUpdate; unchanged content
//      is not handed on twice.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "attestation/verdict.h"
#include "attestation/verifier.h"
#include "fetch/fetcher.h"
#include "fetch/https_client.h"
#include "fetch/thread_pool.h"

namespace tenzro::tee::fetch {

struct FetchConfig {
  std::string pcs_url;  // empty: no Intel PCS fetcher
  std::string kds_url;  // empty: no AMD KDS fetcher
  // NVIDIA's RIM service and OCSP responder (fetch/nvidia_source.h:
  // kNvidiaRimUrl, kNvidiaOcspUrl); empty: that fetcher is off.
  std::string nvidia_rim_url;
  std::string nvidia_ocsp_url;
  std::string ca_bundle;  // empty: the system's trust store
  std::chrono::milliseconds timeout{10000};
  size_t threads = 2;
  size_t max_tasks = 256;
  FetcherOptions fetcher;  // shared by both fetchers
  size_t max_body_bytes = 4u << 20;

  bool enabled() const {
    return !pcs_url.empty() || !kds_url.empty() || !nvidia_rim_url.empty() ||
           !nvidia_ocsp_url.empty();
  }
};

class FetchService {
 public:
  // kConfig for a bad URL or CA bundle. REQUIRES: verifiers and sink outlive
  // the service. clock empty: the wall clock.
  static Result<std::unique_ptr<FetchService>> Start(
      const FetchConfig& config, const AttestationVerifier& verifiers, FetchSink& sink,
      std::shared_ptr<spdlog::logger> logger, UnixClock clock = {}, KnownCollateral known = {});
  ~FetchService();
  FetchService(const FetchService&) = delete;
  FetchService& operator=(const FetchService&) = delete;

  // Routes to the PCS, KDS or NVIDIA fetcher of the target's kind;
  // kUnsupported when that one is off.
  Status Request(const FetchTarget& target);
  void RequestGlobal();
  // Cancels requests in flight and joins the pool's threads. Idempotent.
  void Shutdown();

  Fetcher* pcs() { return pcs_.get(); }
  Fetcher* kds() { return kds_.get(); }
  Fetcher* nvidia_rim() { return nvidia_rim_.get(); }
  Fetcher* nvidia_ocsp() { return nvidia_ocsp_.get(); }
  // Every fetcher that is on.
  std::vector<Fetcher*> fetchers();
  ThreadPool& pool() { return *pool_; }

 private:
  FetchService() = default;

  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<HttpsClient> client_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<Fetcher> pcs_;
  std::unique_ptr<Fetcher> kds_;
  std::unique_ptr<Fetcher> nvidia_rim_;
  std::unique_ptr<Fetcher> nvidia_ocsp_;
};

// The documents a verdict's typed fetch hints name (Verdict::fetch_hints:
// missing or out of their window), as targets of the PCS fetcher: TDX/SGX
// TCB Info by FMSPC, QE Identity, PCK CRL by CA, Root CA CRL. Empty for a
// verdict without hints. (SNP verdicts carry none yet: KDS fetches are
// driven by the node's configured products.) NVIDIA verdicts: RIMs by RIM
// ID (nvidia_rim hints) and OCSP responses by certificate and issuer
// (nvidia_ocsp hints).
std::vector<FetchTarget> TargetsForVerdict(TeeType type, const Verdict& verdict);

}  // namespace tenzro::tee::fetch
