// The HTTPS client against loopback servers with a test CA: verification of
// the chain and of the host name, deadlines, size caps, redirects, cancel.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "fetch/https_client.h"
#include "fetch_fixture.h"
#include "https_test_server.h"

using namespace tenzro::tee;
using namespace tenzro::tee::fetch;
using namespace tenzro::tee::testing;
using namespace std::chrono_literals;
using Reply = TestHttpsServer::Reply;

namespace {

std::unique_ptr<HttpsClient> Client(const std::string& ca_file, std::chrono::milliseconds timeout = 2000ms,
                                    size_t max_body = 1u << 20) {
  HttpsOptions o;
  o.ca_bundle = ca_file;
  o.timeout = timeout;
  o.max_body_bytes = max_body;
  auto c = HttpsClient::Create(o);
  BOOST_REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.status().message()));
  return std::move(c).value();
}

BaseUrl Base(const std::string& url) {
  auto b = ParseBaseUrl(url);
  BOOST_REQUIRE_MESSAGE(b.ok(), (b.ok() ? "" : b.status().message()));
  return *b;
}

TestHttpsServer::Handler Echo() {
  return [](const TestHttpsServer::Request& r) {
    Reply rep;
    rep.headers = {{"X-Target", r.target}, {"Content-Type", "text/plain"}};
    rep.body = ToBytes("hello " + r.target);
    return rep;
  };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_https)

BOOST_AUTO_TEST_CASE(get_with_verified_tls) {
  TlsEnv env;
  TestHttpsServer server(env.localhost.chain_pem, env.localhost.key_pem, Echo());
  auto client = Client(env.ca_file);
  auto o = client->Get(Base(server.Url() + "/base"), "/x?y=1");
  BOOST_REQUIRE_MESSAGE(o.ok(), o.message);
  BOOST_TEST(o.response.status == 200u);
  BOOST_TEST(Text(o.response.body) == "hello /base/x?y=1");
  BOOST_REQUIRE(o.response.Header("x-target") != nullptr);  // case-insensitive
  BOOST_TEST(*o.response.Header("X-TARGET") == "/base/x?y=1");
  BOOST_TEST(o.response.Header("absent") == nullptr);
}

BOOST_AUTO_TEST_CASE(wrong_ca_is_a_tls_failure) {
  TlsEnv env;
  TestCa other("another CA");
  TlsIdentity foreign = other.Issue("localhost");
  TestHttpsServer server(foreign.chain_pem, foreign.key_pem, Echo());
  auto client = Client(env.ca_file);
  auto o = client->Get(Base(server.Url()), "/x");
  BOOST_TEST((o.error == NetError::kTls), NetErrorName(o.error) << ": " << o.message);
  BOOST_TEST(server.requests() == 0u);  // nothing was sent over an unverified channel
}

BOOST_AUTO_TEST_CASE(wrong_host_name_is_a_tls_failure) {
  TlsEnv env;
  TlsIdentity elsewhere = env.ca.Issue("pcs.example");  // trusted CA, other name
  TestHttpsServer server(elsewhere.chain_pem, elsewhere.key_pem, Echo());
  auto client = Client(env.ca_file);
  auto o = client->Get(Base(server.Url("localhost")), "/x");
  BOOST_TEST((o.error == NetError::kTls), NetErrorName(o.error) << ": " << o.message);
  // The IP literal does not match a DNS name either.
  TestHttpsServer good(env.localhost.chain_pem, env.localhost.key_pem, Echo());
  auto ip = client->Get(Base(good.Url("127.0.0.1")), "/x");
  BOOST_TEST((ip.error == NetError::kTls), NetErrorName(ip.error) << ": " << ip.message);
}

BOOST_AUTO_TEST_CASE(missing_ca_bundle_is_a_config_error) {
  HttpsOptions o;
  o.ca_bundle = "/nonexistent/ca.pem";
  auto c = HttpsClient::Create(o);
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST((c.status().code() == ErrorCode::kConfig));
}

BOOST_AUTO_TEST_CASE(a_stalled_server_times_out) {
  TlsEnv env;
  TestHttpsServer server(env.localhost.chain_pem, env.localhost.key_pem,
                         [](const TestHttpsServer::Request&) {
                           Reply r;
                           r.stall = true;
                           return r;
                         });
  auto client = Client(env.ca_file, 300ms);
  auto t0 = std::chrono::steady_clock::now();
  auto o = client->Get(Base(server.Url()), "/stall");
  auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST((o.error == NetError::kTimeout), NetErrorName(o.error) << ": " << o.message);
  BOOST_TEST((took >= 280ms));
  BOOST_TEST((took < 3s));
}

BOOST_AUTO_TEST_CASE(a_slow_reply_past_the_deadline_times_out) {
  TlsEnv env;
  TestHttpsServer server(env.localhost.chain_pem, env.localhost.key_pem, [](const TestHttpsServer::Request&) {
    Reply r;
    r.body = ToBytes("late");
    r.delay = 1500ms;
    return r;
  });
  auto o = Client(env.ca_file, 300ms)->Get(Base(server.Url()), "/slow");
  BOOST_TEST((o.error == NetError::kTimeout), NetErrorName(o.error) << ": " << o.message);
}

BOOST_AUTO_TEST_CASE(body_over_the_cap_is_refused) {
  TlsEnv env;
  TestHttpsServer server(env.localhost.chain_pem, env.localhost.key_pem, [](const TestHttpsServer::Request&) {
    Reply r;
    r.body = Bytes(64 * 1024, 'x');
    return r;
  });
  auto o = Client(env.ca_file, 2000ms, 1024)->Get(Base(server.Url()), "/big");
  BOOST_TEST((o.error == NetError::kTooLarge), NetErrorName(o.error) << ": " << o.message);
  auto fits = Client(env.ca_file, 2000ms, 64 * 1024)->Get(Base(server.Url()), "/big");
  BOOST_TEST(fits.ok(), fits.message);
}

BOOST_AUTO_TEST_CASE(redirects_stay_on_the_same_origin) {
  TlsEnv env;
  TestHttpsServer other(env.localhost.chain_pem, env.localhost.key_pem, Echo());
  const std::string other_url = other.Url();
  TestHttpsServer server(env.localhost.chain_pem, env.localhost.key_pem,
                         [&other_url](const TestHttpsServer::Request& r) {
                           Reply rep;
                           if (r.target == "/moved") {
                             rep.status = 302;
                             rep.headers = {{"Location", "/final"}};
                           } else if (r.target == "/away") {
                             rep.status = 301;
                             rep.headers = {{"Location", other_url + "/final"}};
                           } else if (r.target == "/loop") {
                             rep.status = 307;
                             rep.headers = {{"Location", "/loop"}};
                           } else {
                             rep.body = ToBytes("at " + r.target);
                           }
                           return rep;
                         });
  auto client = Client(env.ca_file);
  auto ok = client->Get(Base(server.Url()), "/moved");
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.message);
  BOOST_TEST(Text(ok.response.body) == "at /final");
  auto away = client->Get(Base(server.Url()), "/away");
  BOOST_TEST((away.error == NetError::kRedirect), NetErrorName(away.error) << ": " << away.message);
  BOOST_TEST(other.requests() == 0u);
  auto loop = client->Get(Base(server.Url()), "/loop");
  BOOST_TEST((loop.error == NetError::kRedirect), NetErrorName(loop.error) << ": " << loop.message);
}

BOOST_AUTO_TEST_CASE(cancel_all_aborts_a_request_in_flight) {
  TlsEnv env;
  TestHttpsServer server(env.localhost.chain_pem, env.localhost.key_pem, [](const TestHttpsServer::Request&) {
    Reply r;
    r.stall = true;
    return r;
  });
  auto client = Client(env.ca_file, 10s);
  auto t0 = std::chrono::steady_clock::now();
  auto pending = std::async(std::launch::async, [&] { return client->Get(Base(server.Url()), "/stall"); });
  while (server.requests() == 0 && std::chrono::steady_clock::now() - t0 < 5s) std::this_thread::sleep_for(5ms);
  BOOST_REQUIRE(server.requests() == 1u);
  client->CancelAll();
  auto o = pending.get();
  BOOST_TEST((o.error == NetError::kCancelled), NetErrorName(o.error) << ": " << o.message);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 3s));
  // And nothing new starts.
  auto after = client->Get(Base(server.Url()), "/x");
  BOOST_TEST((after.error == NetError::kCancelled));
}

BOOST_AUTO_TEST_SUITE_END()
