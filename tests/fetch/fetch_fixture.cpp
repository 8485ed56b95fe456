#include "fetch_fixture.h"

#include <stdexcept>

#include <spdlog/sinks/stdout_sinks.h>
#include <boost/test/unit_test.hpp>

namespace tenzro::tee::testing {

void RecordingSink::OnFetched(const fetch::FetchTarget& target, ByteView blob,
                              const CollateralDoc& doc, uint64_t now) {
  std::lock_guard lock(mu_);
  got_.push_back(Got{target, Bytes(blob.begin(), blob.end()), doc, now});
  cv_.notify_all();
}

void RecordingSink::OnFetchFailed(const fetch::FetchTarget& target, fetch::FetchFailure why,
                                  const std::string& message) {
  std::lock_guard lock(mu_);
  failed_.push_back(Failed{target, why, message});
  cv_.notify_all();
}

bool RecordingSink::WaitOutcomes(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return got_.size() + failed_.size() >= n; });
}

std::vector<RecordingSink::Got> RecordingSink::got() const {
  std::lock_guard lock(mu_);
  return got_;
}

std::vector<RecordingSink::Failed> RecordingSink::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

TlsEnv::TlsEnv() : ca_file(dir.Sub("ca.pem")), localhost(ca.Issue("localhost")) {
  WriteTextFile(ca_file, ca.CaPem());
}

std::optional<VectorCase> FindCase(const std::string& vendor, const std::string& name) {
  for (auto& c : LoadCases(vendor)) {
    if (c.name == name) return c;
  }
  BOOST_TEST_MESSAGE("SKIPPED: real vectors absent (or no case " << vendor << "/" << name
                                                                 << "); see TEE_VECTORS_DIR");
  return std::nullopt;
}

std::vector<x509::Certificate> Certs(const Bytes& pem_or_der) {
  auto c = x509::Certificate::ParseAll(AsView(pem_or_der));
  if (!c.ok()) throw std::runtime_error("no certificates: " + c.status().message());
  return std::move(c).value();
}

x509::Certificate RootOf(const Bytes& chain_pem) {
  for (const auto& c : Certs(chain_pem)) {
    if (c.IssuedBy(c)) return c;
  }
  throw std::runtime_error("no self-signed certificate in the chain");
}

std::unique_ptr<fetch::FetchService> StartService(const ServiceOptions& o,
                                                  const AttestationVerifier& v,
                                                  fetch::FetchSink& sink) {
  fetch::FetchConfig fc;
  fc.pcs_url = o.pcs_url;
  fc.kds_url = o.kds_url;
  fc.nvidia_rim_url = o.nvidia_rim_url;
  fc.nvidia_ocsp_url = o.nvidia_ocsp_url;
  fc.ca_bundle = o.ca_file;
  fc.timeout = o.timeout;
  fc.fetcher = o.fetcher;
  const uint64_t now = o.now;
  // Fetch failures are logged at warn: visible in the test output.
  auto logger = std::make_shared<spdlog::logger>("fetch-test",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_level(spdlog::level::warn);
  auto s = fetch::FetchService::Start(
      fc, v, sink, logger, [now] { return now; }, o.known);
  if (!s.ok()) throw std::runtime_error("FetchService::Start: " + s.status().message());
  return std::move(s).value();
}

std::string Text(const Bytes& b) { return std::string(b.begin(), b.end()); }
Bytes ToBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace tenzro::tee::testing
