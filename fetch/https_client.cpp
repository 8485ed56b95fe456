#include "fetch/https_client.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "crypto/ossl.h"

namespace tenzro::tee::fetch {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

const char* NetErrorName(NetError e) {
  switch (e) {
    case NetError::kNone:
      return "none";
    case NetError::kResolve:
      return "resolve";
    case NetError::kConnect:
      return "connect";
    case NetError::kTls:
      return "tls";
    case NetError::kTimeout:
      return "timeout";
    case NetError::kProtocol:
      return "protocol";
    case NetError::kTooLarge:
      return "too_large";
    case NetError::kRedirect:
      return "redirect";
    case NetError::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

HttpOutcome Fail(NetError e, std::string message) {
  HttpOutcome o;
  o.error = e;
  o.message = std::move(message);
  return o;
}

bool IsRedirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsNoCase(k, name)) return &v;
  }
  return nullptr;
}

struct HttpsClient::Impl {
  // Takes ownership of a context made in the plugin's own library context
  // (crypto/ossl.h): the host's OpenSSL configuration never reaches TLS.
  explicit Impl(SSL_CTX* native) : ctx(native) {}
  HttpsOptions options;
  ssl::context ctx;
  std::mutex mu;
  bool cancelled = false;
  std::set<net::io_context*> active;

  // Registers a request's io_context so CancelAll can stop it.
  class Active {
   public:
    Active(Impl& impl, net::io_context& ioc) : impl_(impl), ioc_(ioc) {
      std::lock_guard lock(impl_.mu);
      impl_.active.insert(&ioc_);
    }
    ~Active() {
      std::lock_guard lock(impl_.mu);
      impl_.active.erase(&ioc_);
    }
    Active(const Active&) = delete;
    Active& operator=(const Active&) = delete;

   private:
    Impl& impl_;
    net::io_context& ioc_;
  };

  // Runs the io_context until the started operation sets `done`, the budget
  // elapses or CancelAll stops it. False when the operation did not finish.
  bool Run(net::io_context& ioc, const bool& done) {
    {
      std::lock_guard lock(mu);
      if (cancelled) return false;
      ioc.restart();
    }
    // Socket operations carry their own deadline (tcp_stream); the budget
    // only bounds what has none (the resolver).
    ioc.run_for(options.timeout + std::chrono::milliseconds(500));
    return done;
  }

  HttpOutcome NotFinished(const std::string& step, const BaseUrl& base) {
    std::lock_guard lock(mu);
    if (cancelled) return Fail(NetError::kCancelled, "cancelled (shutdown)");
    return Fail(NetError::kTimeout, step + " " + base.Origin() + " timed out");
  }

  // One request: GET, or POST of *body when body is set.
  HttpOutcome SendOnce(const BaseUrl& base, const std::string& target, const PostBody* body);
};

HttpOutcome HttpsClient::Impl::SendOnce(const BaseUrl& base, const std::string& target,
                                        const PostBody* body) {
  // Declaration order matters: the stream and resolver go before the
  // io_context, so abandoned handlers are destroyed, never run.
  net::io_context ioc(1);
  Active registration(*this, ioc);
  tcp::resolver resolver(ioc);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  beast::error_code ec;
  bool done = false;

  tcp::resolver::results_type endpoints;
  resolver.async_resolve(base.host, std::to_string(base.port),
                         [&](beast::error_code e, tcp::resolver::results_type r) {
                           ec = e;
                           endpoints = std::move(r);
                           done = true;
                         });
  if (!Run(ioc, done)) return NotFinished("resolving", base);
  if (ec) return Fail(NetError::kResolve, "resolving " + base.host + ": " + ec.message());

  done = false;
  tcp_layer.expires_after(options.timeout);
  tcp_layer.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  if (!Run(ioc, done)) return NotFinished("connecting to", base);
  if (ec == beast::error::timeout)
    return Fail(NetError::kTimeout, "connecting to " + base.Origin() + " timed out");
  if (ec) return Fail(NetError::kConnect, "connecting to " + base.Origin() + ": " + ec.message());

  // SNI (never for an IP literal, RFC 6066 §3) and hostname verification of
  // the peer certificate on top of chain verification.
  if (!IsIpLiteral(base.host) &&
      SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(base.host.c_str())) != 1) {
    return Fail(NetError::kTls, "cannot set SNI for " + base.host);
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(base.host));

  done = false;
  tcp_layer.expires_after(options.timeout);
  stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!Run(ioc, done)) return NotFinished("TLS handshake with", base);
  if (ec == beast::error::timeout)
    return Fail(NetError::kTimeout, "TLS handshake with " + base.Origin() + " timed out");
  if (ec) return Fail(NetError::kTls, "TLS handshake with " + base.Origin() + ": " + ec.message());

  http::request<http::vector_body<uint8_t>> req{
      body != nullptr ? http::verb::post : http::verb::get,
      beast::string_view(target.data(), target.size()), 11};
  req.set(http::field::host, base.HostHeader());
  req.set(http::field::user_agent, options.user_agent);
  req.set(http::field::accept, "*/*");
  req.set(http::field::connection, "close");
  if (body != nullptr) {
    req.set(http::field::content_type, body->content_type);
    req.body() = body->data;
    req.prepare_payload();
  }

  done = false;
  tcp_layer.expires_after(options.timeout);
  http::async_write(stream, req, [&](beast::error_code e, size_t) {
    ec = e;
    done = true;
  });
  if (!Run(ioc, done)) return NotFinished("sending to", base);
  if (ec == beast::error::timeout)
    return Fail(NetError::kTimeout, "sending to " + base.Origin() + " timed out");
  if (ec) return Fail(NetError::kProtocol, "sending to " + base.Origin() + ": " + ec.message());

  // One deadline for the whole response: a server that trickles bytes cannot
  // keep the request alive past it.
  beast::flat_buffer buffer;
  http::response_parser<http::vector_body<uint8_t>> parser;
  parser.header_limit(options.max_header_bytes);
  parser.body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
  done = false;
  tcp_layer.expires_after(options.timeout);
  http::async_read(stream, buffer, parser, [&](beast::error_code e, size_t) {
    ec = e;
    done = true;
  });
  if (!Run(ioc, done)) return NotFinished("reading from", base);
  if (ec == beast::error::timeout) {
    return Fail(NetError::kTimeout, "reading from " + base.Origin() + target + " timed out");
  }
  if (ec == http::error::body_limit || ec == http::error::header_limit ||
      ec == http::error::buffer_overflow) {
    return Fail(NetError::kTooLarge,
                "response from " + base.Origin() + target + " over the size cap");
  }
  // A server that closes without close_notify after a complete message is
  // common and harmless.
  if (ec && !(ec == ssl::error::stream_truncated && parser.is_done())) {
    return Fail(NetError::kProtocol,
                "reading from " + base.Origin() + target + ": " + ec.message());
  }
  beast::error_code ignored;
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);

  auto res = parser.release();
  HttpOutcome out;
  out.response.status = res.result_int();
  for (const auto& field : res) {
    auto name = field.name_string();
    auto value = field.value();
    out.response.headers.emplace_back(std::string(name.data(), name.size()),
                                      std::string(value.data(), value.size()));
  }
  out.response.body = std::move(res.body());
  return out;
}

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() { CancelAll(); }

Result<std::unique_ptr<HttpsClient>> HttpsClient::Create(HttpsOptions options) {
  SSL_CTX* native = SSL_CTX_new_ex(crypto::LibCtx(), nullptr, TLS_client_method());
  if (native == nullptr) return Error(ErrorCode::kInternal, "TLS context: cannot create");
  auto impl = std::make_unique<Impl>(native);
  impl->options = std::move(options);
  boost::system::error_code ec;
  impl->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1,
                        ec);
  if (ec) return Error(ErrorCode::kInternal, "TLS context: " + ec.message());
  if (SSL_CTX_set_min_proto_version(impl->ctx.native_handle(), TLS1_2_VERSION) != 1) {
    return Error(ErrorCode::kInternal, "TLS context: cannot require TLS 1.2");
  }
  if (impl->options.ca_bundle.empty()) {
    impl->ctx.set_default_verify_paths(ec);
    if (ec) return Error(ErrorCode::kConfig, "cannot load the system CA store: " + ec.message());
  } else {
    impl->ctx.load_verify_file(impl->options.ca_bundle, ec);
    if (ec) {
      return Error(ErrorCode::kConfig,
                   "cannot load CA bundle " + impl->options.ca_bundle + ": " + ec.message());
    }
  }
  impl->ctx.set_verify_mode(ssl::verify_peer);
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

HttpOutcome HttpsClient::Get(const BaseUrl& base, std::string_view target) {
  std::string t = base.prefix + std::string(target);
  for (int hop = 0;; ++hop) {
    HttpOutcome o = impl_->SendOnce(base, t, nullptr);
    if (!o.ok() || !IsRedirect(o.response.status)) return o;
    if (hop >= impl_->options.max_redirects) {
      return Fail(NetError::kRedirect, "more than " + std::to_string(impl_->options.max_redirects) +
                                           " redirects from " + base.Origin() + t);
    }
    const std::string* loc = o.response.Header("location");
    if (loc == nullptr || loc->empty())
      return Fail(NetError::kProtocol, "redirect without Location");
    if (loc->front() == '/' && (loc->size() < 2 || (*loc)[1] != '/')) {
      t = *loc;
      continue;
    }
    std::string absolute = loc->rfind("//", 0) == 0 ? "https:" + *loc : *loc;
    auto next = ParseAbsoluteUrl(absolute);
    if (!next || !next->origin.SameOrigin(base)) {
      return Fail(NetError::kRedirect,
                  "redirect from " + base.Origin() + " to another origin refused: " + *loc);
    }
    t = next->target;
  }
}

HttpOutcome HttpsClient::Post(const BaseUrl& base, std::string_view target, const PostBody& body) {
  const std::string t = base.prefix + std::string(target);
  HttpOutcome o = impl_->SendOnce(base, t, &body);
  if (o.ok() && IsRedirect(o.response.status)) {
    return Fail(NetError::kRedirect, "redirect of a POST to " + base.Origin() + t + " refused");
  }
  return o;
}

void HttpsClient::CancelAll() {
  std::lock_guard lock(impl_->mu);
  impl_->cancelled = true;
  for (net::io_context* ioc : impl_->active) ioc->stop();
}

const HttpsOptions& HttpsClient::options() const { return impl_->options; }

}  // namespace tenzro::tee::fetch
