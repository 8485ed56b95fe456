#include "http/metrics.h"

#include <sstream>
#include <tuple>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace tenzro::tee::http {

struct Metrics::Families {
  prometheus::Family<prometheus::Histogram>* latency;
  prometheus::Family<prometheus::Counter>* verifications;
  prometheus::Family<prometheus::Counter>* failures;
  prometheus::Family<prometheus::Gauge>* attested;
  prometheus::Family<prometheus::Gauge>* fetcher;
  prometheus::Family<prometheus::Counter>* registrations;
  prometheus::Family<prometheus::Histogram>* epoch;
  prometheus::Family<prometheus::Gauge>* collateral;
  prometheus::Family<prometheus::Gauge>* cache_lookups;
  prometheus::Family<prometheus::Gauge>* cache_ratio;
};

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()), f_(std::make_unique<Families>()) {
  // {family, name, help} of each kind.
  using Counters = prometheus::Family<prometheus::Counter>;
  using Gauges = prometheus::Family<prometheus::Gauge>;
  using Histograms = prometheus::Family<prometheus::Histogram>;
  const std::tuple<Counters**, const char*, const char*> counters[] = {
      {&f_->verifications, "tenzro_tee_verifications_total",
       "API verifications by TEE type and outcome (valid, invalid, error)"},
      {&f_->failures, "tenzro_tee_verdict_failures_total",
       "Failed checks of API verdicts by failure code (DESIGN §3)"},
      {&f_->registrations, "tenzro_tee_registrations_total",
       "Registrations by TEE type and outcome (attested, unattested, refused)"}};
  const std::tuple<Gauges**, const char*, const char*> gauges[] = {
      {&f_->attested, "tenzro_tee_attested_validators",
       "Committed attested validators by TEE type"},
      {&f_->fetcher, "tenzro_tee_fetcher_events",
       "Collateral fetcher counts since open: requests, delivered, failed, pending, retries "
       "(each after a backoff)"},
      {&f_->collateral, "tenzro_tee_admitted_collateral",
       "Admitted collateral documents by TEE type and kind"},
      {&f_->cache_lookups, "tenzro_tee_cache_lookups",
       "Verifier cache lookups since open by verifier (consensus, standalone), TEE type, cache "
       "and result (hit, miss)"},
      {&f_->cache_ratio, "tenzro_tee_cache_hit_ratio",
       "Verifier cache hits / lookups since open (caches with lookups)"}};
  const std::tuple<Histograms**, const char*, const char*> histograms[] = {
      {&f_->latency, "tenzro_tee_verify_seconds", "Latency of API verifications by TEE type"},
      {&f_->epoch, "tenzro_tee_epoch_transition_seconds",
       "Duration of epoch transitions (on_epoch: re-evaluation and batch)"}};
  for (auto [slot, name, help] : counters)
    *slot = &prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  for (auto [slot, name, help] : gauges)
    *slot = &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
  for (auto [slot, name, help] : histograms)
    *slot = &prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
}

Metrics::~Metrics() = default;

void Metrics::ObserveVerify(TeeType type, double seconds, const Verdict* verdict) {
  const std::string t(TeeTypeName(type));
  // 1 ms .. 10 s: cached checks take well under a millisecond, cold chains
  // and CRLs tens of milliseconds.
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  f_->latency->Add({{"tee_type", t}}, kBuckets).Observe(seconds);
  const char* outcome = verdict == nullptr ? "error" : verdict->valid() ? "valid" : "invalid";
  f_->verifications->Add({{"tee_type", t}, {"outcome", outcome}}).Increment();
  if (verdict != nullptr) {
    for (const auto& fl : verdict->failures)
      f_->failures->Add({{"code", std::string(FailureCodeName(fl.code))}}).Increment();
  }
}

void Metrics::ObserveRegistration(TeeType type, std::string_view outcome) {
  f_->registrations
      ->Add({{"tee_type", std::string(TeeTypeName(type))}, {"outcome", std::string(outcome)}})
      .Increment();
}

void Metrics::ObserveEpochTransition(double seconds) {
  // 1 ms .. 2 min: a small devnet epoch to a million re-evaluated records.
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  f_->epoch->Add({}, kBuckets).Observe(seconds);
}

std::string Metrics::Render(const std::function<void(ScrapeValues&)>& scrape) const {
  MutexLock lock(&scrape_mu_);
  ScrapeValues v;
  if (scrape) scrape(v);
  for (int32_t t = 1; t < kTeeTypeCount; ++t) {
    f_->attested->Add({{"tee_type", std::string(TeeTypeName(static_cast<TeeType>(t)))}})
        .Set(static_cast<double>(v.attested[t]));
  }
  for (const auto& fe : v.fetchers) {
    for (auto [what, n] : {std::pair{"requests", fe.http_requests},
                           std::pair{"delivered", fe.delivered}, std::pair{"failed", fe.failed},
                           std::pair{"pending", fe.pending}, std::pair{"retries", fe.retries}}) {
      f_->fetcher->Add({{"fetcher", fe.name}, {"event", what}}).Set(static_cast<double>(n));
    }
  }
  for (const auto& [key, n] : v.collateral) {
    f_->collateral->Add({{"tee_type", key.first}, {"kind", key.second}})
        .Set(static_cast<double>(n));
  }
  for (const auto& c : v.caches) {
    const std::map<std::string, std::string> labels = {
        {"verifier", c.verifier}, {"tee_type", c.tee_type}, {"cache", c.cache}};
    auto with = [&](const char* result) {
      auto l = labels;
      l.emplace("result", result);
      return l;
    };
    f_->cache_lookups->Add(with("hit")).Set(static_cast<double>(c.hits));
    f_->cache_lookups->Add(with("miss")).Set(static_cast<double>(c.misses));
    const uint64_t lookups = c.hits + c.misses;
    if (lookups != 0) {
      f_->cache_ratio->Add(labels).Set(static_cast<double>(c.hits) / static_cast<double>(lookups));
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace tenzro::tee::http
