// Server: a small HTTP/1.1 server over Boost.Beast (the model of Beast's
// example/advanced/server): one session per connection on its own strand,
// body and header limits, idle/read/write timeouts and a connection cap on
// every connection, and a bounded pool for handlers that block (verification).
//
// Lifecycle: Start -> requests -> Stop (or destruction), which closes the
// acceptor, stops the I/O threads, waits for running pool tasks and joins
// every thread the server started. Nothing here reads the registry or decides
// anything: routes are the Handler's business (http/api.h).
//
// Thread-safety: Start, Stop and the accessors may be called from any
// thread; the handler runs on an I/O thread (Blocking() false) or on a pool
// thread (Blocking() true), concurrently with itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/thread_annotations.h"
#include "http/http_config.h"

namespace tenzro::tee::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string authorization;
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // the Allow header of a 405
};

class Handler {
 public:
  virtual ~Handler() = default;
  // True when the request may block for long (verification): it then runs on
  // the bounded pool, never on an I/O thread.
  virtual bool Blocking(const Request& req) const = 0;
  virtual Response Handle(const Request& req) const = 0;
};

// A JSON error body {"error": code, "message": message}.
Response JsonError(unsigned status, const std::string& code, const std::string& message);

struct ServerStats {
  uint64_t accepted = 0;
  uint64_t refused = 0;  // closed at accept: over max_connections
  uint64_t requests = 0;
  uint64_t timeouts = 0;
  uint64_t rejected_busy = 0;  // 503: the pool's queue was full
};

class Server {
 public:
  // REQUIRES: handler outlives the server. kConfig on a bad listen address
  // or a refused remote bind, kInternal when the address cannot be bound.
  static Result<std::unique_ptr<Server>> Start(const HttpConfig& config, const Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Idempotent.
  void Stop();
  uint16_t port() const { return port_; }
  size_t connections() const;
  ServerStats stats() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace tenzro::tee::http
