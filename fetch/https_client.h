// HttpsClient: a small, bounded HTTPS GET (and POST, for OCSP) client (Boost.Beast + OpenSSL) for
// the collateral fetchers.
//
// - TLS 1.2+ with peer verification against a CA bundle (a PEM file from the
//   config, or the system's trust store) and hostname verification; SNI.
// - Every network step (resolve, connect, handshake, write, read of the whole
//   response) has its own deadline; the response header and body are capped.
// - Redirects are followed only within the same origin (scheme, host, port),
//   at most `max_redirects` times; a redirect to another host is an error.
// - One connection per request ("Connection: close"): the fetchers make a few
//   requests an hour, so there is nothing to gain from keep-alive.
//
// Thread-safety: Get may be called from several threads at once; each call
// blocks its caller (a pool thread, never a hook) until it completes, fails or
// is cancelled. CancelAll aborts every call in flight and refuses new ones.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "fetch/url.h"

namespace tenzro::tee::fetch {

struct HttpsOptions {
  std::string ca_bundle;  // PEM file of trusted CAs; empty: the system's default store
  std::chrono::milliseconds timeout{10000};  // per network step
  size_t max_body_bytes = 4u << 20;
  uint32_t max_header_bytes = 64u << 10;  // Intel's issuer-chain headers are ~3 KB
  int max_redirects = 3;
  std::string user_agent = "tenzro-tee";
};

// Why a request failed (before any HTTP status was seen).
enum class NetError {
  kNone,
  kResolve,
  kConnect,
  kTls,  // handshake or certificate/hostname verification
  kTimeout,
  kProtocol,   // malformed HTTP, redirect without Location, ...
  kTooLarge,   // header or body over the caps
  kRedirect,   // redirect to another origin, or too many
  kCancelled,  // CancelAll (shutdown)
};
const char* NetErrorName(NetError e);

struct HttpResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes body;
  // Case-insensitive lookup of the first header with this name.
  const std::string* Header(std::string_view name) const;
};

// A request body to POST (OCSP requests, RFC 6960 appendix A.1).
struct PostBody {
  Bytes data;
  std::string content_type;  // e.g. "application/ocsp-request"
};

struct HttpOutcome {
  NetError error = NetError::kNone;
  std::string message;  // empty when ok
  HttpResponse response;
  bool ok() const { return error == NetError::kNone; }
};

class HttpsClient {
 public:
  // kConfig when the CA bundle cannot be loaded.
  static Result<std::unique_ptr<HttpsClient>> Create(HttpsOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // GET base.prefix + target. REQUIRES: target starts with '/'.
  HttpOutcome Get(const BaseUrl& base, std::string_view target);
  // POST `body` to base.prefix + target. A redirect is not followed (a POST
  // is not replayed elsewhere): kRedirect.
  HttpOutcome Post(const BaseUrl& base, std::string_view target, const PostBody& body);
  void CancelAll();
  const HttpsOptions& options() const;

 private:
  struct Impl;
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tenzro::tee::fetch
