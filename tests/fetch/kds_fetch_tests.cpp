// The AMD KDS fetcher against a loopback KDS serving the real vector
// certificates and CRL of openpcc-azure-genoa-v3-crl (Genoa), including
// 429s with and without Retry-After, stalls and garbage.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "fetch_fixture.h"
#include "https_test_server.h"
#include "test_verifier.h"

using namespace tenzro::tee;
using namespace tenzro::tee::fetch;
using namespace tenzro::tee::testing;
using namespace std::chrono_literals;
using Reply = TestHttpsServer::Reply;

namespace {

constexpr char kCase[] = "genoa-v3-openpcc-with-crl";
constexpr char kStaleCase[] = "genoa-v3-openpcc-crl-stale";
// SHA-256 of the Genoa ARK's DER (issue 4).
constexpr char kGenoaArkSha256[] = "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1";

// ATTESTATION_REPORT fields (SEV-SNP ABI, Table 22): REPORTED_TCB at 0x180
// (Milan/Genoa layout: bl, tee, 4 reserved, snp, ucode), CHIP_ID at 0x1A0.
SnpTcb ReportedTcb(const Bytes& report) {
  BOOST_REQUIRE(report.size() >= 0x1E0);
  return SnpTcb{report[0x180], report[0x181], report[0x186], report[0x187], std::nullopt};
}
Bytes ChipId(const Bytes& report) { return Bytes(report.begin() + 0x1A0, report.begin() + 0x1E0); }

// Everything the server thread reads is computed up front on the test
// thread (Boost.Test macros are not thread-safe).
struct KdsData {
  Bytes vcek, chain, crl, report, vcek_der;
  uint64_t now = 0;
  std::string vcek_path;
  explicit KdsData(const VectorCase& c)
      : vcek(c.Collateral("vcek")), chain(c.Collateral("chain")), crl(c.Collateral("crl")),
        report(c.Evidence()), vcek_der(Certs(vcek).at(0).der()), now(c.verify_at) {
    const SnpTcb t = ReportedTcb(report);
    vcek_path = "/vcek/v1/Genoa/" + ToHex(AsView(ChipId(report))) + "?blSPL=" + std::to_string(t.bl) +
                "&teeSPL=" + std::to_string(t.tee) + "&snpSPL=" + std::to_string(t.snp) +
                "&ucodeSPL=" + std::to_string(t.ucode);
  }

  const std::string& VcekPath() const { return vcek_path; }

  Reply Serve(const std::string& target) const {
    Reply r;
    if (target == "/vcek/v1/Genoa/cert_chain" || target == "/vlek/v1/Genoa/cert_chain") {
      r.headers = {{"Content-Type", "application/x-pem-file"}};
      r.body = chain;
    } else if (target == "/vcek/v1/Genoa/crl") {
      r.headers = {{"Content-Type", "application/pkix-crl"}};
      r.body = crl;
    } else if (target == VcekPath()) {
      // KDS serves the VCEK as DER; the vector holds PEM.
      r.headers = {{"Content-Type", "application/octet-stream"}};
      r.body = vcek_der;
    } else {
      r.status = 404;
    }
    return r;
  }
};

struct KdsFixture {
  KdsData data;
  TlsEnv tls;
  AttestationVerifier verifiers;
  RecordingSink sink;

  explicit KdsFixture(const VectorCase& c) : data(c) {
    x509::Certificate ark = RootOf(data.chain);
    BOOST_REQUIRE_EQUAL(ToHex(AsView(ark.fingerprint())), kGenoaArkSha256);
    verifiers.Install(std::make_unique<TestCollateralVerifier>(TeeType::AmdSevSnp, std::vector{ark}));
  }
  ServiceOptions Options(const std::string& url) const {
    ServiceOptions o;
    o.kds_url = url;
    o.ca_file = tls.ca_file;
    o.now = data.now;
    return o;
  }
  FetchTarget Vcek() const {
    return FetchTarget::Vcek("Genoa", AsView(ChipId(data.report)), ReportedTcb(data.report));
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_kds)

BOOST_AUTO_TEST_CASE(fetches_vcek_chains_and_crl) {
  auto vc = FindCase("snp", kCase);
  if (!vc) return;
  KdsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request& r) { return fx.data.Serve(r.target); });
  auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(fx.Vcek()).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::VcekChain("Genoa")).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::KdsCrl("Genoa")).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(3));
  for (const auto& f : fx.sink.failed()) BOOST_TEST_MESSAGE(f.target.Key() << ": " << f.message);
  BOOST_REQUIRE(fx.sink.got().size() == 3u);
  std::map<std::string, RecordingSink::Got> by_key;
  for (const auto& g : fx.sink.got()) by_key[g.target.Key()] = g;

  // VCEK: the leaf, then ASK and ARK.
  const auto& vcek = by_key.at(fx.Vcek().Key());
  auto certs = Certs(vcek.blob);
  BOOST_REQUIRE(certs.size() == 3u);
  BOOST_TEST(certs[0].der() == Certs(fx.data.vcek)[0].der());
  BOOST_TEST(certs[2].der() == RootOf(fx.data.chain).der());
  BOOST_TEST(vcek.doc.kind == "vek");

  const auto& chain = by_key.at(FetchTarget::VcekChain("Genoa").Key());
  BOOST_TEST(Certs(chain.blob).size() == 2u);
  BOOST_TEST(chain.doc.kind == "ca_certs");

  // CRL: PEM of the served DER, followed by the ARK only.
  const auto& crl = by_key.at(FetchTarget::KdsCrl("Genoa").Key());
  auto parsed = x509::Crl::Parse(AsView(crl.blob));
  BOOST_REQUIRE(parsed.ok());
  BOOST_TEST(parsed->der() == fx.data.crl);
  auto crl_chain = Certs(crl.blob);
  BOOST_REQUIRE(crl_chain.size() == 1u);
  BOOST_TEST(crl_chain[0].der() == RootOf(fx.data.chain).der());

  // The VCEK URL carried the chip id and the reported TCB.
  bool saw_vcek = false;
  for (const auto& [t, path] : server.log()) saw_vcek = saw_vcek || path == fx.data.VcekPath();
  BOOST_TEST(saw_vcek);
  BOOST_TEST(fx.data.VcekPath().find("/Genoa/" + vc->expect.value("chip_id", std::string("?")) + "?") !=
             std::string::npos);
  BOOST_TEST(server.max_in_flight() == 1u);
}

BOOST_AUTO_TEST_CASE(rate_limit_one_request_at_a_time_and_retry_after) {
  auto vc = FindCase("snp", kCase);
  if (!vc) return;
  KdsFixture fx(*vc);
  std::mutex mu;
  int served = 0;
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem, [&](const TestHttpsServer::Request& r) {
    std::lock_guard lock(mu);
    // The 2nd request is refused with Retry-After: 1; every answer takes a
    // while, so overlapping requests would be seen.
    if (++served == 2) {
      Reply busy;
      busy.status = 429;
      busy.headers = {{"Retry-After", "1"}};
      return busy;
    }
    Reply rep = fx.data.Serve(r.target);
    rep.delay = 60ms;
    return rep;
  });
  auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);  // 2 pool threads
  BOOST_REQUIRE(svc->Request(FetchTarget::VcekChain("Genoa")).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::VlekChain("Genoa")).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::KdsCrl("Genoa")).ok());
  BOOST_REQUIRE(svc->Request(fx.Vcek()).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(4));
  for (const auto& f : fx.sink.failed()) BOOST_TEST_MESSAGE(f.target.Key() << ": " << f.message);
  BOOST_TEST(fx.sink.got().size() == 4u);
  BOOST_TEST(server.max_in_flight() == 1u);
  auto log = server.log();
  BOOST_REQUIRE(log.size() == 7u);  // 1 + 1 (429) + retry + crl(2) + vcek(2)
  BOOST_TEST(log[2].second == log[1].second);  // the refused request is the one retried
  const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(log[2].first - log[1].first);
  BOOST_TEST(gap.count() >= 950, "retry came " << gap.count() << " ms after the 429");
  BOOST_TEST_MESSAGE("retry " << gap.count() << " ms after a 429 with Retry-After: 1");
  BOOST_TEST(svc->kds()->stats().retries == 1u);
}

BOOST_AUTO_TEST_CASE(exponential_backoff_is_bounded_and_gives_up) {
  auto vc = FindCase("snp", kCase);
  if (!vc) return;
  KdsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem, [](const TestHttpsServer::Request&) {
    Reply busy;
    busy.status = 429;  // no Retry-After: exponential backoff alone
    return busy;
  });
  ServiceOptions o = fx.Options(server.Url());
  o.fetcher.max_attempts = 4;
  o.fetcher.backoff_base = 100ms;
  o.fetcher.backoff_max = 300ms;
  auto svc = StartService(o, fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(FetchTarget::VcekChain("Genoa")).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(1));
  BOOST_REQUIRE(fx.sink.failed().size() == 1u);
  BOOST_TEST((fx.sink.failed()[0].why == FetchFailure::kRateLimited), fx.sink.failed()[0].message);
  auto log = server.log();
  BOOST_REQUIRE(log.size() == 4u);
  auto ms = [&](size_t i) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(log[i].first - log[i - 1].first).count();
  };
  BOOST_TEST(ms(1) >= 95);   // 100
  BOOST_TEST(ms(2) >= 195);  // 200
  BOOST_TEST(ms(3) >= 295);  // 400 capped at 300
  BOOST_TEST(ms(3) < 1500);
}

BOOST_AUTO_TEST_CASE(garbage_stall_and_stale_crl_are_rejected) {
  auto vc = FindCase("snp", kCase);
  if (!vc) return;
  KdsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem, [&](const TestHttpsServer::Request& r) {
    Reply rep = fx.data.Serve(r.target);
    if (r.target == "/vlek/v1/Genoa/cert_chain") rep.body = ToBytes("not a certificate");
    if (r.target == fx.data.VcekPath()) rep.body = Bytes(200, 0xAB);
    if (r.target == "/vcek/v1/Genoa/crl") rep.stall = true;
    return rep;
  });
  ServiceOptions o = fx.Options(server.Url());
  o.timeout = 300ms;
  auto svc = StartService(o, fx.verifiers, fx.sink);
  auto t0 = std::chrono::steady_clock::now();
  BOOST_REQUIRE(svc->Request(FetchTarget::VlekChain("Genoa")).ok());
  BOOST_REQUIRE(svc->Request(fx.Vcek()).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::KdsCrl("Genoa")).ok());
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 50ms));
  BOOST_REQUIRE(fx.sink.WaitOutcomes(3));
  BOOST_TEST(fx.sink.got().empty());
  std::map<std::string, FetchFailure> why;
  for (const auto& f : fx.sink.failed()) why[f.target.Key()] = f.why;
  BOOST_TEST((why.at(FetchTarget::VlekChain("Genoa").Key()) == FetchFailure::kGarbage));
  BOOST_TEST((why.at(fx.Vcek().Key()) == FetchFailure::kGarbage));
  BOOST_TEST((why.at(FetchTarget::KdsCrl("Genoa").Key()) == FetchFailure::kTimeout));

  // The same genuine CRL fetched after its nextUpdate (the stale case's time).
  auto stale = FindCase("snp", kStaleCase);
  if (!stale) return;
  TestHttpsServer good(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                       [&](const TestHttpsServer::Request& r) { return fx.data.Serve(r.target); });
  RecordingSink sink;
  ServiceOptions so = fx.Options(good.Url());
  so.now = stale->verify_at;
  auto svc2 = StartService(so, fx.verifiers, sink);
  BOOST_REQUIRE(svc2->Request(FetchTarget::KdsCrl("Genoa")).ok());
  BOOST_REQUIRE(sink.WaitOutcomes(1));
  BOOST_TEST(sink.got().empty());
  BOOST_REQUIRE(sink.failed().size() == 1u);
  BOOST_TEST((sink.failed()[0].why == FetchFailure::kStale), sink.failed()[0].message);
}

BOOST_AUTO_TEST_CASE(a_crl_whose_issuer_is_not_in_the_chain_is_garbage) {
  auto vc = FindCase("snp", kCase);
  if (!vc) return;
  KdsFixture fx(*vc);
  // Serve a CRL from a development CA instead of AMD's.
  auto key = x509::PrivateKey::Generate(x509::KeyKind::kP256);
  BOOST_REQUIRE(key.ok());
  x509::CertSpec spec;
  spec.subject = {{"CN", "not an ARK"}};
  spec.is_ca = true;
  spec.not_before = 0;
  spec.not_after = 4102444800;
  auto ca = x509::IssueCertificate(spec, key->public_key(), nullptr, *key);
  BOOST_REQUIRE(ca.ok());
  x509::CrlSpec cs;
  cs.this_update = static_cast<int64_t>(fx.data.now) - 10;
  cs.next_update = static_cast<int64_t>(fx.data.now) + 86400;
  auto crl = x509::IssueCrl(cs, *ca, *key);
  BOOST_REQUIRE(crl.ok());
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem, [&](const TestHttpsServer::Request& r) {
    Reply rep = fx.data.Serve(r.target);
    if (r.target == "/vcek/v1/Genoa/crl") rep.body = crl->der();
    return rep;
  });
  auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(FetchTarget::KdsCrl("Genoa")).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(1));
  BOOST_REQUIRE(fx.sink.failed().size() == 1u);
  BOOST_TEST((fx.sink.failed()[0].why == FetchFailure::kGarbage), fx.sink.failed()[0].message);
}

BOOST_AUTO_TEST_SUITE_END()
