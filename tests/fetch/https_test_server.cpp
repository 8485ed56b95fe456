#include "https_test_server.h"

#include <array>
#include <cctype>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace tenzro::tee::testing {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ssl::context& ctx, TestHttpsServer& server)
      : stream_(std::move(socket), ctx), timer_(stream_.get_executor()), server_(server) {}

  void Start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (!ec) self->Read();
                            });
  }

 private:
  void Read() {
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Respond();
                     });
  }

  void Respond() {
    server_.Enter();
    entered_ = true;
    TestHttpsServer::Reply r = server_.Handle(TestHttpsServer::Request{
        std::string(req_.target().data(), req_.target().size()), std::string(req_.method_string()),
        Bytes(req_.body().begin(), req_.body().end())});
    if (r.stall) {
      // Keep the connection open and silent; the client gives up. Watch for
      // its close so the in-flight count drops.
      beast::get_lowest_layer(stream_).expires_never();
      stream_.async_read_some(net::buffer(sink_),
                              [self = shared_from_this()](beast::error_code, size_t) {});
      return;
    }
    res_.result(r.status);
    res_.version(11);
    for (const auto& [k, v] : r.headers) res_.set(k, v);
    res_.body() = std::move(r.body);
    res_.keep_alive(false);
    res_.prepare_payload();
    if (r.truncate_to && *r.truncate_to < res_.body().size()) res_.body().resize(*r.truncate_to);
    if (r.delay.count() > 0) {
      timer_.expires_after(r.delay);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Write(); });
    } else {
      Write();
    }
  }

  void Write() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, size_t) {
      self->Done();
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

 public:
  ~Session() { Done(); }

 private:
  void Done() {
    if (entered_) server_.Leave();
    entered_ = false;
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::vector_body<uint8_t>> res_;
  std::array<char, 64> sink_{};
  TestHttpsServer& server_;
  bool entered_ = false;
};

}  // namespace

struct TestHttpsServer::Impl {
  net::io_context ioc{1};
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  TestHttpsServer* server = nullptr;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), ctx, *server)->Start();
      Accept();
    });
  }
};

TestHttpsServer::TestHttpsServer(const std::string& cert_chain_pem, const std::string& key_pem,
                                 Handler handler)
    : impl_(std::make_unique<Impl>()), handler_(std::move(handler)) {
  impl_->server = this;
  impl_->ctx.use_certificate_chain(net::buffer(cert_chain_pem));
  impl_->ctx.use_private_key(net::buffer(key_pem), ssl::context::pem);
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->Accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

TestHttpsServer::~TestHttpsServer() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  // Sessions still held by pending handlers die with the io_context and
  // report to this object: destroy it while the counters are alive.
  impl_.reset();
}

uint16_t TestHttpsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string TestHttpsServer::Url(const std::string& host) const {
  return "https://" + host + ":" + std::to_string(port());
}

size_t TestHttpsServer::requests() const {
  std::lock_guard lock(mu_);
  return log_.size();
}

std::vector<std::pair<TestHttpsServer::Clock::time_point, std::string>> TestHttpsServer::log()
    const {
  std::lock_guard lock(mu_);
  return log_;
}

TestHttpsServer::Reply TestHttpsServer::Handle(const Request& r) {
  {
    std::lock_guard lock(mu_);
    log_.emplace_back(Clock::now(), r.target);
  }
  return handler_(r);
}

void TestHttpsServer::Enter() {
  size_t now = ++in_flight_;
  size_t seen = max_in_flight_.load();
  while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
  }
}

void TestHttpsServer::Leave() { --in_flight_; }

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tenzro::tee::testing
