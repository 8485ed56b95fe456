#include "fetch/fetcher.h"

#include <algorithm>

namespace tenzro::tee::fetch {

const char* FetchFailureName(FetchFailure f) {
  switch (f) {
    case FetchFailure::kNetwork:
      return "network";
    case FetchFailure::kTimeout:
      return "timeout";
    case FetchFailure::kTls:
      return "tls";
    case FetchFailure::kTooLarge:
      return "too_large";
    case FetchFailure::kHttpStatus:
      return "http_status";
    case FetchFailure::kRateLimited:
      return "rate_limited";
    case FetchFailure::kGarbage:
      return "garbage";
    case FetchFailure::kUnverified:
      return "unverified";
    case FetchFailure::kStale:
      return "stale";
    case FetchFailure::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

namespace {

FetchFailure FromNet(NetError e) {
  switch (e) {
    case NetError::kTimeout:
      return FetchFailure::kTimeout;
    case NetError::kTls:
      return FetchFailure::kTls;
    case NetError::kTooLarge:
      return FetchFailure::kTooLarge;
    case NetError::kCancelled:
      return FetchFailure::kCancelled;
    default:
      return FetchFailure::kNetwork;
  }
}

// Retry-After in delta-seconds; an HTTP-date (or garbage) is ignored and the
// exponential backoff alone applies.
std::optional<uint64_t> RetryAfterSecs(const HttpResponse& r) {
  const std::string* v = r.Header("Retry-After");
  if (v == nullptr || v->empty() || v->size() > 9) return std::nullopt;
  uint64_t secs = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return std::nullopt;
    secs = secs * 10 + static_cast<uint64_t>(c - '0');
  }
  return secs;
}

}  // namespace

Fetcher::Fetcher(std::unique_ptr<Source> source, BaseUrl base, FetcherOptions options, Deps deps)
    : source_(std::move(source)),
      base_(std::move(base)),
      options_(options),
      deps_(std::move(deps)) {}

Status Fetcher::Request(const FetchTarget& target) {
  TEE_TRY(source_->Check(target));
  const std::string key = target.Key();
  MutexLock lock(&mu_);
  if (stopped_)
    return Error(ErrorCode::kInternal, "fetcher " + std::string(name()) + " is shut down");
  if (remembered_.size() < options_.max_remembered) remembered_.emplace(key, target);
  if (pending_.count(key) != 0) return Status::Ok();
  if (pending_.size() >= options_.max_pending) {
    return Error(ErrorCode::kTooLarge, "fetch queue of " + std::string(name()) + " is full (" +
                                           std::to_string(options_.max_pending) + ")");
  }
  auto job = std::make_shared<Job>();
  job->target = target;
  job->key = key;
  job->steps = source_->Plan(target);
  job->bodies = source_->Bodies(target);
  queue_.push_back(job);
  pending_.insert(key);
  if (!busy_) {
    if (!deps_.pool->Post([this] { RunNext(); })) {
      queue_.pop_back();
      pending_.erase(key);
      return Error(ErrorCode::kInternal, "thread pool refused the fetch");
    }
    busy_ = true;
  }
  return Status::Ok();
}

void Fetcher::RunNext() {
  JobPtr job;
  {
    MutexLock lock(&mu_);
    if (stopped_ || queue_.empty()) {
      busy_ = false;
      return;
    }
    job = queue_.front();
    queue_.pop_front();
  }
  Run(job);
}

std::chrono::milliseconds Fetcher::Backoff(uint32_t attempt, const HttpResponse& r) const {
  // base * 2^(attempt-1), capped; Retry-After when longer, capped too.
  std::chrono::milliseconds d = options_.backoff_base;
  for (uint32_t i = 1; i < attempt && d < options_.backoff_max; ++i) d *= 2;
  if (auto secs = RetryAfterSecs(r)) {
    d = std::max(d, std::chrono::milliseconds(std::min<uint64_t>(*secs, 86400) * 1000));
  }
  return std::min(d, options_.backoff_max);
}

void Fetcher::Run(const JobPtr& job) {
  while (job->responses.size() < job->steps.size()) {
    bool stopped = false;
    {
      MutexLock lock(&mu_);
      stopped = stopped_;
      if (!stopped) ++stats_.http_requests;
    }
    // Finish takes mu_ itself: called under the lock above it deadlocked the
    // worker (and so the plugin's close) when a job outlived Shutdown.
    if (stopped) return Finish(job, FetchFailure::kCancelled, "shut down");
    const size_t i = job->responses.size();
    const std::string& step = job->steps[i];
    HttpOutcome o = i < job->bodies.size() && job->bodies[i]
                        ? deps_.client->Post(base_, step, *job->bodies[i])
                        : deps_.client->Get(base_, step);
    if (!o.ok()) return Finish(job, FromNet(o.error), o.message);
    const unsigned status = o.response.status;
    if (status == 429 || status == 503) {
      if (++job->attempts >= options_.max_attempts) {
        return Finish(job, FetchFailure::kRateLimited,
                      "HTTP " + std::to_string(status) + " from " + base_.Origin() + step +
                          " after " + std::to_string(job->attempts) + " attempts");
      }
      const auto delay = Backoff(job->attempts, o.response);
      {
        MutexLock lock(&mu_);
        ++stats_.retries;
      }
      if (deps_.logger) {
        deps_.logger->info("fetch {}: HTTP {} from {}, retrying in {} ms (attempt {})", job->key,
                           status, base_.Origin(), delay.count(), job->attempts + 1);
      }
      // The lane stays busy while the job waits: nothing else goes to this
      // host until the retry.
      if (!deps_.pool->PostAfter(delay, [this, job] { Run(job); })) {
        return Finish(job, FetchFailure::kCancelled, "retry not scheduled (shutdown)");
      }
      return;
    }
    if (status != 200) {
      return Finish(job, FetchFailure::kHttpStatus,
                    "HTTP " + std::to_string(status) + " from " + base_.Origin() + step);
    }
    job->attempts = 0;
    job->responses.push_back(std::move(o.response));
  }
  Complete(job);
}

void Fetcher::Complete(const JobPtr& job) {
  auto blob = source_->AssembleSent(job->target, job->bodies, job->responses);
  job->responses.clear();  // bodies are no longer needed
  if (!blob.ok()) return Finish(job, FetchFailure::kGarbage, blob.status().message());

  const uint64_t now = deps_.clock();
  std::shared_ptr<const CollateralSet> known = deps_.known ? deps_.known() : nullptr;
  static const CollateralSet kNone;
  auto doc = deps_.verifiers->For(job->target.tee_type)
                 .ParseCollateral(AsView(*blob), known ? *known : kNone, now);
  if (!doc.ok()) {
    return Finish(job, FetchFailure::kUnverified, "not authenticated: " + doc.status().ToString());
  }
  if (doc->tee_type != job->target.tee_type) {
    return Finish(job, FetchFailure::kUnverified,
                  "the verifier returned a document of another TEE type");
  }
  if (doc->next_update < now) {
    return Finish(job, FetchFailure::kStale,
                  "stale: nextUpdate " + std::to_string(doc->next_update) + " is before now " +
                      std::to_string(now));
  }
  bool unchanged = false;
  {
    MutexLock lock(&mu_);
    auto it = last_delivered_.find(job->key);
    unchanged = it != last_delivered_.end() && it->second == doc->content_hash;
    if (unchanged) ++stats_.unchanged;
  }
  if (unchanged) {
    if (deps_.logger) deps_.logger->debug("fetch {}: unchanged", job->key);
    return Finish(job, std::nullopt, "");
  }
  if (deps_.logger) {
    deps_.logger->info("fetch {}: got {} ({} bytes, valid {}..{}, sha256 {})", job->key, doc->kind,
                       blob->size(), doc->this_update, doc->next_update,
                       ToHex(AsView(doc->content_hash)));
  }
  {
    // Counted before the sink hears of it, so a sink (or a test) that sees
    // the document also sees the count.
    MutexLock lock(&mu_);
    last_delivered_[job->key] = doc->content_hash;
    ++stats_.delivered;
  }
  deps_.sink->OnFetched(job->target, AsView(*blob), *doc, now);
  Finish(job, std::nullopt, "");
}

void Fetcher::Finish(const JobPtr& job, std::optional<FetchFailure> failure,
                     const std::string& message) {
  if (failure) {
    MutexLock lock(&mu_);
    ++stats_.failed;
  }
  if (failure && *failure != FetchFailure::kCancelled) {
    if (deps_.logger) {
      deps_.logger->warn("fetch {} from {} failed ({}): {}", job->key, base_.Origin(),
                         FetchFailureName(*failure), message);
    }
    deps_.sink->OnFetchFailed(job->target, *failure, message);
  }
  MutexLock lock(&mu_);
  pending_.erase(job->key);
  if (!stopped_ && !queue_.empty() && deps_.pool->Post([this] { RunNext(); })) return;
  busy_ = false;
}

void Fetcher::StartRefresh() {
  if (options_.refresh_interval.count() == 0) return;
  MutexLock lock(&mu_);
  if (stopped_) return;
  deps_.pool->PostAfter(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.refresh_interval),
      [this] { Refresh(); });
}

void Fetcher::Refresh() {
  std::vector<FetchTarget> targets;
  {
    MutexLock lock(&mu_);
    if (stopped_) return;
    for (const auto& [key, t] : remembered_) targets.push_back(t);
  }
  for (const auto& t : targets) {
    Status s = Request(t);
    if (!s.ok() && deps_.logger) deps_.logger->warn("refresh of {}: {}", t.Key(), s.message());
  }
  StartRefresh();
}

void Fetcher::Shutdown() {
  MutexLock lock(&mu_);
  stopped_ = true;
  queue_.clear();
}

FetcherStats Fetcher::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

size_t Fetcher::pending() const {
  MutexLock lock(&mu_);
  return pending_.size();
}

}  // namespace tenzro::tee::fetch
