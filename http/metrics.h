// Metrics: what GET /metrics exposes (Prometheus text format through
// prometheus-cpp core). Observation only: nothing here is read by anything
// that decides (DESIGN §2); values are doubles, as Prometheus' are, and never
// reach consensus code.
//
// One registry per Metrics object (never a process-wide one), so two plugin
// handles in one process do not share counters.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "attestation/verdict.h"
#include "core/thread_annotations.h"

namespace prometheus {
class Registry;
}

namespace tenzro::tee::http {

// Values read at scrape time from their owners.
struct ScrapeValues {
  // attested[t] = attested validators of TeeType t.
  uint64_t attested[8] = {};
  struct Fetcher {
    std::string name;
    uint64_t http_requests = 0, delivered = 0, failed = 0, pending = 0;
    uint64_t retries = 0;  // requests retried after a backoff (429, 5xx, I/O)
  };
  std::vector<Fetcher> fetchers;
  // Admitted collateral documents by (TeeType name, kind).
  std::map<std::pair<std::string, std::string>, uint64_t> collateral;
  struct CacheCount {
    std::string verifier;  // "consensus" or "standalone"
    std::string tee_type;
    std::string cache;
    uint64_t hits = 0, misses = 0;
  };
  std::vector<CacheCount> caches;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // One verification by the API: its latency, and its failures by code.
  void ObserveVerify(TeeType type, double seconds, const Verdict* verdict);
  // One registration through the plugin: outcome "attested", "unattested"
  // (no evidence, or an invalid verdict) or "refused" (an error status).
  void ObserveRegistration(TeeType type, std::string_view outcome);
  // One epoch transition (on_epoch), measured by the caller.
  void ObserveEpochTransition(double seconds);
  // Renders the text format, after `scrape` filled the values read now.
  std::string Render(const std::function<void(ScrapeValues&)>& scrape) const;

 private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> f_;
  mutable Mutex scrape_mu_;  // serialises the gauge updates of concurrent scrapes
};

}  // namespace tenzro::tee::http
