// Shared pieces of the fetcher tests: a sink that records what the fetchers
// hand on, a test CA with its bundle file, the real-vector cases, and a
// FetchService wired to test verifiers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "attestation/verifier.h"
#include "fetch/service.h"
#include "support/test_support.h"
#include "support/vectors.h"
#include "test_pki.h"

namespace tenzro::tee::testing {

class RecordingSink final : public fetch::FetchSink {
 public:
  struct Got {
    fetch::FetchTarget target;
    Bytes blob;
    CollateralDoc doc;
    uint64_t now = 0;
  };
  struct Failed {
    fetch::FetchTarget target;
    fetch::FetchFailure why;
    std::string message;
  };

  void OnFetched(const fetch::FetchTarget& target, ByteView blob, const CollateralDoc& doc,
                 uint64_t now) override;
  void OnFetchFailed(const fetch::FetchTarget& target, fetch::FetchFailure why,
                     const std::string& message) override;
  // Until at least n outcomes (delivered + failed) arrived; false on timeout.
  bool WaitOutcomes(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::vector<Got> got() const;
  std::vector<Failed> failed() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Got> got_;
  std::vector<Failed> failed_;
};

// A test CA, its PEM bundle on disk, and a server identity for "localhost".
struct TlsEnv {
  TempDir dir;
  TestCa ca{"tenzro-tee fetch test CA"};
  std::string ca_file;
  TlsIdentity localhost;
  TlsEnv();
};

// The named case of <vendor>/cases.json, or nullopt (and a test message)
// when the vectors are absent.
std::optional<VectorCase> FindCase(const std::string& vendor, const std::string& name);

// Certificates of a PEM/DER blob; throws when there are none.
std::vector<x509::Certificate> Certs(const Bytes& pem_or_der);
// The self-signed certificate of a chain; throws when there is none.
x509::Certificate RootOf(const Bytes& chain_pem);

struct ServiceOptions {
  std::string pcs_url, kds_url, ca_file;
  std::string nvidia_rim_url, nvidia_ocsp_url;
  fetch::KnownCollateral known;  // may be empty
  uint64_t now = 0;
  std::chrono::milliseconds timeout{2000};
  fetch::FetcherOptions fetcher = [] {
    fetch::FetcherOptions o;
    o.refresh_interval = std::chrono::seconds(0);
    o.backoff_base = std::chrono::milliseconds(100);
    o.backoff_max = std::chrono::milliseconds(3000);
    return o;
  }();
};

// Starts a FetchService; throws on failure.
std::unique_ptr<fetch::FetchService> StartService(const ServiceOptions& o,
                                                  const AttestationVerifier& v,
                                                  fetch::FetchSink& sink);

std::string Text(const Bytes& b);
Bytes ToBytes(const std::string& s);

}  // namespace tenzro::tee::testing
