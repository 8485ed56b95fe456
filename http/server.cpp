#include "http/server.h"

#include <chrono>
#include <optional>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "fetch/thread_pool.h"

namespace tenzro::tee::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;

Response JsonError(unsigned status, const std::string& code, const std::string& message) {
  Response r;
  r.status = status;
  r.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
  return r;
}

namespace {

constexpr size_t kFirstRead = 4096;
constexpr size_t kDrainChunk = 64 << 10;

milliseconds Ms(uint64_t v) { return milliseconds(static_cast<int64_t>(v)); }

}  // namespace

struct Server::Impl {
  Impl(const HttpConfig& c, const Handler& h)
      : config(c),
        handler(h),
        pool(static_cast<size_t>(c.verify_threads), static_cast<size_t>(c.verify_queue)),
        acceptor(ioc),
        retry_timer(ioc),
        work(net::make_work_guard(ioc)) {}

  Response SafeHandle(const Request& req) const noexcept;
  void Accept();
  void OnAccept(const error_code& ec, tcp::socket socket);
  void Run();
  void Stop();

  const HttpConfig config;
  const Handler& handler;
  std::atomic<size_t> live{0};
  std::atomic<uint64_t> accepted{0}, refused{0}, requests{0}, timeouts{0}, rejected_busy{0};
  // Declared before the io_context: sessions destroyed with it still count
  // themselves out of `live`, and the pool is stopped before it goes.
  fetch::ThreadPool pool;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer retry_timer;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::mutex stop_mu;
  bool stopped = false;
  std::vector<std::thread> threads;
};

namespace {

// One connection: read a request (idle timeout for its first byte, read
// timeout for the whole of it), answer it, repeat while kept alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& impl) : stream_(std::move(socket)), impl_(impl) {
    impl_.live.fetch_add(1);
  }
  ~Session() { impl_.live.fetch_sub(1); }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitIdle(); });
  }

 private:
  void WaitIdle() {
    if (buffer_.size() > 0) return ReadRequest();  // the next request is already here
    stream_.expires_after(Ms(impl_.config.idle_timeout_ms));
    stream_.async_read_some(
        buffer_.prepare(kFirstRead),
        [self = shared_from_this()](const error_code& ec, size_t n) { self->OnIdle(ec, n); });
  }

  void OnIdle(const error_code& ec, size_t n) {
    if (ec) {
      if (ec == beast::error::timeout) impl_.timeouts.fetch_add(1);
      return Close();
    }
    buffer_.commit(n);
    ReadRequest();
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(impl_.config.header_limit_bytes));
    parser_->body_limit(impl_.config.body_limit_bytes);
    stream_.expires_after(Ms(impl_.config.read_timeout_ms));
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](const error_code& ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(const error_code& ec) {
    if (ec == bhttp::error::end_of_stream) return Close();
    if (ec == beast::error::timeout) {
      impl_.timeouts.fetch_add(1);  // a slow client: closed without an answer
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return Write(
          JsonError(413, "payload_too_large",
                    "body over " + std::to_string(impl_.config.body_limit_bytes) + " bytes"),
          true);
    }
    if (ec == bhttp::error::header_limit) {
      return Write(JsonError(431, "header_too_large", "request header over the limit"), true);
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return Write(JsonError(400, "bad_request", "not an HTTP/1.1 request: " + ec.message()), true);
    }
    if (ec) return Close();
    impl_.requests.fetch_add(1);
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.authorization = std::string(msg[bhttp::field::authorization]);
    req.body = std::move(msg.body());
    parser_.reset();
    if (!impl_.handler.Blocking(req)) return Write(impl_.SafeHandle(req), false);
    // The pool answers on this session's strand; the I/O thread moves on.
    auto ex = stream_.get_executor();
    const bool posted =
        impl_.pool.Post([self = shared_from_this(), ex, req = std::move(req)]() mutable {
          Response r = self->impl_.SafeHandle(req);
          net::post(ex, [self, r = std::move(r)]() mutable { self->Write(std::move(r), false); });
        });
    if (!posted) {
      impl_.rejected_busy.fetch_add(1);
      Write(JsonError(503, "busy", "verification queue is full; retry later"), false);
    }
  }

  void Write(Response r, bool close) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(r.status), version_);
    res->set(bhttp::field::server, "tenzro-tee");
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    if (!r.allow.empty()) res->set(bhttp::field::allow, r.allow);
    res->body() = std::move(r.body);
    close = close || !keep_alive_;
    res->keep_alive(!close);
    res->prepare_payload();
    stream_.expires_after(Ms(impl_.config.write_timeout_ms));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, close](const error_code& ec, size_t) {
                         if (ec) return self->Close();
                         if (close) return self->LingeringClose();
                         self->WaitIdle();
                       });
  }

  // After an answer that ends the connection while the client may still be
  // sending (413): stop sending and read what comes, so that closing does not
  // reset the connection before the client read the answer. Bounded by the
  // read timeout.
  void LingeringClose() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(Ms(impl_.config.read_timeout_ms));
    Drain();
  }

  void Drain() {
    drain_.resize(kDrainChunk);
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](const error_code& ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Server::Impl& impl_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::vector<char> drain_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
};

}  // namespace

Response Server::Impl::SafeHandle(const Request& req) const noexcept {
  try {
    return handler.Handle(req);
  } catch (const std::bad_alloc&) {
    return JsonError(503, "out_of_memory", "out of memory");
  } catch (...) {
    return JsonError(500, "internal", "internal error");
  }
}

void Server::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](const error_code& ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void Server::Impl::OnAccept(const error_code& ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or memory: pause instead of spinning on accept.
    retry_timer.expires_after(milliseconds(50));
    retry_timer.async_wait([this](const error_code& wec) {
      if (!wec) Accept();
    });
    return;
  }
  accepted.fetch_add(1);
  if (live.load() >= config.max_connections) {
    refused.fetch_add(1);
    error_code ignored;
    socket.close(ignored);
  } else {
    std::make_shared<Session>(std::move(socket), *this)->Run();
  }
  Accept();
}

void Server::Impl::Run() {
  // A handler that throws (it should not) must not end the thread early.
  while (!ioc.stopped()) {
    try {
      ioc.run();
    } catch (...) {
    }
  }
}

void Server::Impl::Stop() {
  std::lock_guard lock(stop_mu);
  if (stopped) return;
  stopped = true;
  ioc.stop();
  for (auto& t : threads) t.join();
  threads.clear();
  // Running verifications finish and post their answers into the stopped
  // io_context; its destruction releases them with their sessions.
  pool.Stop();
  error_code ignored;
  acceptor.close(ignored);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

void Server::Stop() { impl_->Stop(); }

size_t Server::connections() const { return impl_->live.load(); }

ServerStats Server::stats() const {
  ServerStats s;
  s.accepted = impl_->accepted.load();
  s.refused = impl_->refused.load();
  s.requests = impl_->requests.load();
  s.timeouts = impl_->timeouts.load();
  s.rejected_busy = impl_->rejected_busy.load();
  return s;
}

Result<std::unique_ptr<Server>> Server::Start(const HttpConfig& config, const Handler& handler) {
  TEE_TRY(ValidateHttpConfig(config));
  TEE_ASSIGN_OR_RETURN(ListenAddress addr, ParseListen(config.listen));
  auto impl = std::make_unique<Impl>(config, handler);
  error_code ec;
  const tcp::endpoint ep(net::ip::make_address(addr.host, ec), addr.port);
  if (ec) return Error(ErrorCode::kConfig, "tee.http.listen: " + ec.message());
  auto fail = [&](const char* step) {
    return Error(ErrorCode::kInternal, std::string("tee.http.listen ") + config.listen + ": " +
                                           step + ": " + ec.message());
  };
  if (impl->acceptor.open(ep.protocol(), ec); ec) return fail("open");
  if (impl->acceptor.set_option(net::socket_base::reuse_address(true), ec); ec)
    return fail("reuse_address");
  if (impl->acceptor.bind(ep, ec); ec) return fail("bind");
  if (impl->acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return fail("listen");
  const uint16_t port = impl->acceptor.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  // Owned by the server before any thread starts: whatever fails below, its
  // destructor stops and joins what did start.
  Impl* p = impl.get();
  std::unique_ptr<Server> server(new Server(std::move(impl)));
  server->port_ = port;
  p->Accept();
  for (uint64_t i = 0; i < config.io_threads; ++i) p->threads.emplace_back([p] { p->Run(); });
  return server;
}

}  // namespace tenzro::tee::http
