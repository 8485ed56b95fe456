// A local HTTPS server on loopback for the fetcher tests (Boost.Beast, TLS
// with a certificate made at test time). Each connection serves one request
// through a handler that can answer, delay, or stall (read the request and
// never answer). The server records every request with its arrival time and
// the most requests it ever had in flight at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"

namespace tenzro::tee::testing {

class TestHttpsServer {
 public:
  struct Request {
    std::string target;
    std::string method;  // "GET", "POST"
    Bytes body;
  };
  struct Reply {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    Bytes body;
    bool stall = false;                  // never answer (the client must time out)
    std::chrono::milliseconds delay{0};  // answer after this long
    std::optional<size_t> truncate_to;   // announce the whole body, send this much, close
  };
  using Handler = std::function<Reply(const Request&)>;
  using Clock = std::chrono::steady_clock;

  // cert_chain_pem: the server certificate (then intermediates); key_pem its key.
  TestHttpsServer(const std::string& cert_chain_pem, const std::string& key_pem, Handler handler);
  ~TestHttpsServer();
  TestHttpsServer(const TestHttpsServer&) = delete;
  TestHttpsServer& operator=(const TestHttpsServer&) = delete;

  uint16_t port() const;
  // "https://<host>:<port>"
  std::string Url(const std::string& host = "localhost") const;

  size_t requests() const;
  size_t max_in_flight() const { return max_in_flight_.load(); }
  std::vector<std::pair<Clock::time_point, std::string>> log() const;

  // Called from the server thread.
  Reply Handle(const Request& r);
  void Enter();
  void Leave();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<std::pair<Clock::time_point, std::string>> log_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<size_t> max_in_flight_{0};
};

// Percent-encodes everything but RFC 3986 unreserved characters (as Intel
// PCS encodes its issuer-chain headers).
std::string PercentEncode(const std::string& s);

}  // namespace tenzro::tee::testing
