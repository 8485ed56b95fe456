// Fetcher: gets collateral from one service (one host) off the consensus
// path, authenticates it, and hands it to a sink.
//
// Flow: Request(target) only enqueues (deduplicated by target key, bounded)
// and returns at once; it never touches the network, so a hook or a host
// thread calling it is never blocked. One lane per fetcher runs on the
// plugin's thread pool: one job at a time, one HTTP request at a time (KDS's
// rate limit; polite to PCS too). A 429 or 503 is retried on the same lane
// after a bounded exponential backoff that honours Retry-After, so nothing
// else goes to that host in between. Every other failure ends the job and is
// logged; the periodic refresh tries again later.
//
// A fetched blob is handed on only when (1) the source could assemble it in
// the bundle convention, (2) the verifier of its TEE type authenticates it
// with ParseCollateral(blob, known, now) at the fetch time, and (3) it is not
// stale (nextUpdate >= now). Unchanged content (same hash as the last blob
// handed on for that target) is not handed on again. Nothing is written by
// the fetcher itself: the sink receives whole, verified blobs only.
//
// Thread-safety: every public method may be called from any thread.
// Lifetime: the owner calls Shutdown, cancels the HTTPS client and stops the
// pool before destroying the fetcher (FetchService does this).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "attestation/verifier.h"
#include "core/thread_annotations.h"
#include "fetch/https_client.h"
#include "fetch/source.h"
#include "fetch/target.h"
#include "fetch/thread_pool.h"

namespace tenzro::tee::fetch {

enum class FetchFailure {
  kNetwork,      // resolve, connect, protocol, redirect refused
  kTimeout,      // a stalled server
  kTls,          // handshake, certificate or hostname verification
  kTooLarge,     // response over the caps
  kHttpStatus,   // a status other than 200 (after retries for 429/503)
  kRateLimited,  // 429/503 still after max_attempts
  kGarbage,      // the response is not the documented format
  kUnverified,   // the verifier did not authenticate it
  kStale,        // authenticated, but its nextUpdate is past
  kCancelled,    // shutdown
};
const char* FetchFailureName(FetchFailure f);

class FetchSink {
 public:
  virtual ~FetchSink() = default;
  // A verified, current document. Runs on a pool thread; must not block long.
  virtual void OnFetched(const FetchTarget& target, ByteView blob, const CollateralDoc& doc,
                         uint64_t now) = 0;
  // Failures other than kCancelled (they are also logged).
  virtual void OnFetchFailed(const FetchTarget& /*target*/, FetchFailure /*why*/,
                             const std::string& /*message*/) {}
};

struct FetcherOptions {
  size_t max_pending = 64;                      // targets queued or running
  size_t max_remembered = 256;                  // targets the periodic refresh re-requests
  std::chrono::seconds refresh_interval{3600};  // 0: no periodic refresh
  uint32_t max_attempts = 5;                    // HTTP tries per request step, 429/503 included
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{60000};  // also caps Retry-After
};

// Unix seconds (the wall clock in the plugin; a fixed time in tests).
using UnixClock = std::function<uint64_t()>;
// Collateral at hand for authenticating issuers (the plugin: the admitted set).
using KnownCollateral = std::function<std::shared_ptr<const CollateralSet>()>;

struct FetcherStats {
  uint64_t http_requests = 0;
  uint64_t retries = 0;
  uint64_t delivered = 0;
  uint64_t unchanged = 0;
  uint64_t failed = 0;
};

class Fetcher {
 public:
  struct Deps {
    ThreadPool* pool = nullptr;
    HttpsClient* client = nullptr;
    const AttestationVerifier* verifiers = nullptr;
    FetchSink* sink = nullptr;
    UnixClock clock;
    KnownCollateral known;                   // may be empty
    std::shared_ptr<spdlog::logger> logger;  // may be null
  };

  // REQUIRES: every pointer in deps is non-null and outlives the fetcher.
  Fetcher(std::unique_ptr<Source> source, BaseUrl base, FetcherOptions options, Deps deps);
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Ok when queued or already pending; kInvalidArgument for a target this
  // fetcher does not serve; kTooLarge when max_pending targets are pending;
  // kInternal after Shutdown.
  Status Request(const FetchTarget& target) EXCLUDES(mu_);
  // Schedules the periodic refresh (every refresh_interval) of every target
  // requested so far.
  void StartRefresh() EXCLUDES(mu_);
  // Stops accepting requests and scheduling work. Idempotent.
  void Shutdown() EXCLUDES(mu_);

  std::string_view name() const { return source_->name(); }
  const BaseUrl& base() const { return base_; }
  FetcherStats stats() const;
  size_t pending() const;

 private:
  struct Job {
    FetchTarget target;
    std::string key;
    std::vector<std::string> steps;
    std::vector<std::optional<PostBody>> bodies;  // Source::Bodies
    std::vector<HttpResponse> responses;
    uint32_t attempts = 0;  // of the current step
  };
  using JobPtr = std::shared_ptr<Job>;

  void RunNext() EXCLUDES(mu_);
  void Run(const JobPtr& job) EXCLUDES(mu_);
  void Complete(const JobPtr& job) EXCLUDES(mu_);
  void Finish(const JobPtr& job, std::optional<FetchFailure> failure, const std::string& message)
      EXCLUDES(mu_);
  void Refresh() EXCLUDES(mu_);
  std::chrono::milliseconds Backoff(uint32_t attempt, const HttpResponse& r) const;

  const std::unique_ptr<Source> source_;
  const BaseUrl base_;
  const FetcherOptions options_;
  const Deps deps_;

  mutable Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  bool busy_ GUARDED_BY(mu_) = false;  // the lane has a job running or waiting for its backoff
  std::deque<JobPtr> queue_ GUARDED_BY(mu_);
  std::set<std::string> pending_ GUARDED_BY(mu_);                  // keys queued or running
  std::map<std::string, FetchTarget> remembered_ GUARDED_BY(mu_);  // refreshed periodically
  std::map<std::string, Hash32> last_delivered_ GUARDED_BY(mu_);   // content hash per key
  FetcherStats stats_ GUARDED_BY(mu_);
};

}  // namespace tenzro::tee::fetch
