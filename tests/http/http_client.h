// A small blocking HTTP client for the tests of the HTTP API: every read is
// bounded by a socket timeout, so a server that hangs fails a test instead of
// stalling the suite.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace tenzro::tee::testing::http_client {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string allow;
  json j;
};

// Every blocking read of a test socket ends after this: a server that hangs
// fails the test instead of the suite.
inline void BoundReads(tcp::socket& s, int seconds = 20) {
  timeval tv{};
  tv.tv_sec = seconds;
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

inline tcp::socket Connect(net::io_context& ioc, uint16_t port) {
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  BoundReads(s);
  return s;
}

inline Reply Send(uint16_t port, bhttp::verb verb, const std::string& target,
                  const std::string& body = "", const std::string& token = "") {
  net::io_context ioc;
  tcp::socket s = Connect(ioc, port);
  bhttp::request<bhttp::string_body> req(verb, target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (!body.empty() || verb == bhttp::verb::post) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(false);
  req.prepare_payload();
  bhttp::write(s, req);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64u << 20);
  bhttp::read(s, buf, parser);
  Reply r;
  r.status = parser.get().result_int();
  r.body = parser.get().body();
  r.allow = std::string(parser.get()[bhttp::field::allow]);
  r.j = json::parse(r.body, nullptr, false);
  return r;
}

inline Reply Get(uint16_t port, const std::string& target, const std::string& token = "") {
  return Send(port, bhttp::verb::get, target, "", token);
}
inline Reply Post(uint16_t port, const std::string& target, const std::string& body) {
  return Send(port, bhttp::verb::post, target, body);
}

// Reads until the peer closes; true when it closed (EOF or reset) before the
// receive timeout.
inline bool ReadsUntilClosed(tcp::socket& s, std::string* got = nullptr) {
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    const size_t n = s.read_some(net::buffer(buf), ec);
    if (got != nullptr) got->append(buf, n);
    if (ec == net::error::eof || ec == net::error::connection_reset) return true;
    if (ec) return false;  // timeout (EAGAIN) or anything else
  }
}

template <typename F>
bool WaitFor(F&& condition, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace tenzro::tee::testing::http_client
