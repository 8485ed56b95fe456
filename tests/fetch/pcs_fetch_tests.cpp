// The Intel PCS fetcher against a loopback PCS serving the real vector
// collateral of dcapqvl-tdx-v4-uptodate and dcapqvl-sgx-v3 (issuer chains
// percent-encoded in the headers, as Intel sends them), and against
// misbehaving servers. What the fetcher hands on is authenticated by the
// real TdxVerifier (IntelTdx and IntelSgx), as in the plugin.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "attestation/tdx/tdx_verifier.h"
#include "crypto/hash.h"
#include "fetch_fixture.h"
#include "https_test_server.h"

using namespace tenzro::tee;
using namespace tenzro::tee::fetch;
using namespace tenzro::tee::testing;
using namespace std::chrono_literals;
using Reply = TestHttpsServer::Reply;

namespace {

constexpr char kCase[] = "tdx-v4-uptodate";
constexpr char kSgxCase[] = "sgx-v3-config-and-sw-hardening";
// SHA-256 of the Intel SGX Root CA's DER (issue 3).
constexpr char kIntelRootSha256[] =
    "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

// The real collateral of a case, served as Intel PCS serves it.
struct PcsData {
  Bytes tcb_info, tcb_chain, qe_identity, pck_crl, pck_chain, root_crl, root_ca;
  uint64_t now = 0;
  std::string fmspc;    // upper-case hex
  std::string flavour;  // "/tdx" or "/sgx": TCB Info and QE Identity are served there only

  explicit PcsData(const VectorCase& c)
      : tcb_info(c.Collateral("tcb_info")),
        tcb_chain(c.Collateral("tcb_sign_chain")),
        qe_identity(c.Collateral("qe_identity")),
        pck_crl(c.Collateral("pck_crl")),
        pck_chain(c.Collateral("pck_sign_chain")),
        root_crl(c.Collateral("root_ca_crl")),
        root_ca(c.Collateral("root_ca")),
        now(c.verify_at),
        fmspc(c.expect.value("fmspc", "")),
        flavour(c.name.rfind("sgx", 0) == 0 ? "/sgx" : "/tdx") {}

  Bytes FmspcBytes() const { return *FromHex(fmspc); }

  // How the Root CA CRL body is sent: PCCS sends hex text of the DER.
  enum class RootCrlForm { kHex, kDer, kPem };
  RootCrlForm root_form = RootCrlForm::kHex;

  Reply Serve(const std::string& target) const {
    Reply r;
    if (target == flavour + "/certification/v4/tcb?fmspc=" + fmspc) {
      r.headers = {{"Content-Type", "application/json"},
                   {"TCB-Info-Issuer-Chain", PercentEncode(Text(tcb_chain))}};
      r.body = tcb_info;
      return r;
    }
    // The sgx QE Identity path answers for a TDX case too: the Root CA CRL
    // job takes the root certificate from its issuer chain.
    if (target == flavour + "/certification/v4/qe/identity" ||
        target == "/sgx/certification/v4/qe/identity") {
      r.headers = {{"Content-Type", "application/json"},
                   {"SGX-Enclave-Identity-Issuer-Chain", PercentEncode(Text(tcb_chain))}};
      r.body = qe_identity;
      return r;
    }
    if (target == "/sgx/certification/v4/pckcrl?ca=platform&encoding=der" ||
        target == "/sgx/certification/v4/pckcrl?ca=processor&encoding=der") {
      r.headers = {{"Content-Type", "application/pkix-crl"},
                   {"SGX-PCK-CRL-Issuer-Chain", PercentEncode(Text(pck_chain))}};
      r.body = pck_crl;
      return r;
    }
    if (target == "/sgx/certification/v4/rootcacrl") {
      if (root_form == RootCrlForm::kHex) {
        r.body = ToBytes(ToHex(AsView(root_crl)));
      } else if (root_form == RootCrlForm::kDer) {
        r.body = root_crl;
      } else {
        auto crl = x509::Crl::Parse(AsView(root_crl));
        r.body = ToBytes(x509::CrlToPem(*crl));
      }
      return r;
    }
    r.status = 404;
    return r;
  }
};

struct PcsFixture {
  VectorCase vc;
  PcsData data;
  TlsEnv tls;
  AttestationVerifier verifiers;
  RecordingSink sink;

  explicit PcsFixture(const VectorCase& c) : vc(c), data(c) {
    // The vectors' root is the one the verifier pins by default.
    BOOST_REQUIRE_EQUAL(ToHex(AsView(RootOf(data.root_ca).fingerprint())), kIntelRootSha256);
    verifiers.Install(
        std::make_unique<tdx::TdxVerifier>(TeeType::IntelTdx, tdx::Policy{}, CommonPolicy{}));
    verifiers.Install(
        std::make_unique<tdx::TdxVerifier>(TeeType::IntelSgx, tdx::Policy{}, CommonPolicy{}));
  }

  // A loopback PCS serving this case's documents.
  std::unique_ptr<TestHttpsServer> Serve() const {
    return std::make_unique<TestHttpsServer>(
        tls.localhost.chain_pem, tls.localhost.key_pem,
        [this](const TestHttpsServer::Request& r) { return data.Serve(r.target); });
  }

  ServiceOptions Options(const std::string& url) const {
    ServiceOptions o;
    o.pcs_url = url;
    o.ca_file = tls.ca_file;
    o.now = data.now;
    return o;
  }
};

size_t CountTarget(const TestHttpsServer& s, const std::string& target) {
  size_t n = 0;
  for (const auto& [t, path] : s.log()) n += path == target ? 1u : 0u;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_pcs)

BOOST_AUTO_TEST_CASE(fetches_verifies_and_hands_on_every_pcs_document) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  auto sgx_case = FindCase("tdx", kSgxCase);
  if (!sgx_case) return;
  PcsFixture fx(*vc);
  const PcsData sgx(*sgx_case);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request& r) {
                           return r.target.rfind("/sgx/certification/v4/tcb", 0) == 0 ||
                                          r.target.rfind("/sgx/certification/v4/qe", 0) == 0
                                      ? sgx.Serve(r.target)
                                      : fx.data.Serve(r.target);
                         });
  auto svc = StartService(fx.Options(server.Url() + "/"), fx.verifiers, fx.sink);
  const Bytes fmspc = fx.data.FmspcBytes();
  const Bytes sgx_fmspc = sgx.FmspcBytes();
  BOOST_REQUIRE(svc->Request(FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc))).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::PckCrl(TeeType::IntelTdx, "platform")).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::RootCaCrl(TeeType::IntelTdx)).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::TcbInfo(TeeType::IntelSgx, AsView(sgx_fmspc))).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(5));
  BOOST_TEST(fx.sink.failed().empty());
  for (const auto& f : fx.sink.failed()) BOOST_TEST_MESSAGE(f.target.Key() << ": " << f.message);

  std::map<std::string, RecordingSink::Got> by_key;
  for (const auto& g : fx.sink.got()) by_key[g.target.Key()] = g;
  BOOST_REQUIRE(by_key.size() == 5u);

  // TCB Info: the exact signed JSON bytes, then the TCB signing chain.
  const auto& tcb = by_key.at(FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc)).Key());
  BOOST_TEST(tcb.doc.kind == "tcb_info");
  BOOST_TEST((tcb.doc.tee_type == TeeType::IntelTdx));
  BOOST_REQUIRE(tcb.doc.key.size() >= fmspc.size());  // the verifier's key ends with the FMSPC
  BOOST_TEST(ToHex(AsView(tcb.doc.key).last(fmspc.size())) == ToHex(AsView(fmspc)));
  std::string tcb_json = Text(fx.data.tcb_info);
  while (!tcb_json.empty() && std::isspace(static_cast<unsigned char>(tcb_json.back())))
    tcb_json.pop_back();
  BOOST_TEST(Text(tcb.blob).rfind(tcb_json + "\n-----BEGIN CERTIFICATE-----", 0) == 0u);
  auto chain = Certs(tcb.blob);
  auto expect_chain = Certs(fx.data.tcb_chain);
  BOOST_REQUIRE(chain.size() == expect_chain.size());
  for (size_t i = 0; i < chain.size(); ++i) BOOST_TEST(chain[i].der() == expect_chain[i].der());
  BOOST_TEST(tcb.now == fx.data.now);
  BOOST_TEST((tcb.doc.content_hash == crypto::Sha256(AsView(tcb.blob))));

  const auto& qe = by_key.at(FetchTarget::QeIdentity(TeeType::IntelTdx).Key());
  BOOST_TEST(qe.doc.kind == "qe_identity");

  // PCK CRL: PEM CRL (the served DER) + the PCK CRL issuer chain.
  const auto& pck = by_key.at(FetchTarget::PckCrl(TeeType::IntelTdx, "platform").Key());
  BOOST_TEST(Text(pck.blob).rfind("-----BEGIN X509 CRL-----", 0) == 0u);
  auto crl = x509::Crl::Parse(AsView(pck.blob));
  BOOST_REQUIRE(crl.ok());
  BOOST_TEST(crl->der() == fx.data.pck_crl);
  BOOST_TEST(Certs(pck.blob).size() == Certs(fx.data.pck_chain).size());

  BOOST_TEST(pck.doc.kind == tdx::kKindPckCrl);

  // Root CA CRL: sent as hex text, handed on as PEM with the root itself.
  const auto& root = by_key.at(FetchTarget::RootCaCrl(TeeType::IntelTdx).Key());
  auto root_crl = x509::Crl::Parse(AsView(root.blob));
  BOOST_REQUIRE(root_crl.ok());
  BOOST_TEST(root_crl->der() == fx.data.root_crl);
  auto root_chain = Certs(root.blob);
  BOOST_REQUIRE(root_chain.size() == 1u);
  BOOST_TEST(ToHex(AsView(root_chain[0].fingerprint())) == kIntelRootSha256);
  BOOST_TEST(root.doc.kind == tdx::kKindRootCaCrl);

  const auto& sgx_tcb = by_key.at(FetchTarget::TcbInfo(TeeType::IntelSgx, AsView(sgx_fmspc)).Key());
  BOOST_TEST((sgx_tcb.doc.tee_type == TeeType::IntelSgx));
  BOOST_TEST(sgx_tcb.doc.kind == tdx::kKindTcbInfo);

  BOOST_TEST(CountTarget(server, "/tdx/certification/v4/tcb?fmspc=" + fx.data.fmspc) == 1u);
  BOOST_TEST(CountTarget(server, "/sgx/certification/v4/tcb?fmspc=" + sgx.fmspc) == 1u);
  BOOST_TEST(CountTarget(server, "/sgx/certification/v4/pckcrl?ca=platform&encoding=der") == 1u);
  BOOST_TEST(server.max_in_flight() == 1u);  // one request at a time per host
  BOOST_TEST(svc->pcs()->stats().delivered == 5u);
}

BOOST_AUTO_TEST_CASE(root_ca_crl_as_der_or_pem) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  for (auto form : {PcsData::RootCrlForm::kDer, PcsData::RootCrlForm::kPem}) {
    PcsFixture fx(*vc);
    fx.data.root_form = form;
    TestHttpsServer server(
        fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
        [&](const TestHttpsServer::Request& r) { return fx.data.Serve(r.target); });
    auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);
    BOOST_REQUIRE(svc->Request(FetchTarget::RootCaCrl(TeeType::IntelSgx)).ok());
    BOOST_REQUIRE(fx.sink.WaitOutcomes(1));
    BOOST_REQUIRE(fx.sink.got().size() == 1u);
    auto crl = x509::Crl::Parse(AsView(fx.sink.got()[0].blob));
    BOOST_REQUIRE(crl.ok());
    BOOST_TEST(crl->der() == fx.data.root_crl);
  }
}

BOOST_AUTO_TEST_CASE(garbage_and_forgeries_are_rejected_and_not_handed_on) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  // Each TCB Info FMSPC gets its own misbehaviour.
  Bytes tampered = fx.data.tcb_info;
  const std::string text = Text(tampered);
  const size_t at =
      text.find("\"tcbEvaluationDataNumber\":") + 26;  // a digit inside the signed bytes
  BOOST_REQUIRE(at > 26u);
  tampered[at] = tampered[at] == '9' ? '8' : static_cast<uint8_t>(tampered[at] + 1);
  TestHttpsServer server(
      fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem, [&](const TestHttpsServer::Request& r) {
        Reply rep = fx.data.Serve("/tdx/certification/v4/tcb?fmspc=" + fx.data.fmspc);
        if (r.target.find("fmspc=000000000001") != std::string::npos)
          rep.body = ToBytes("<html>oops</html>");
        else if (r.target.find("fmspc=000000000002") != std::string::npos)
          rep.body = tampered;
        else if (r.target.find("fmspc=000000000003") != std::string::npos)
          rep.headers.clear();  // no chain
        else if (r.target.find("fmspc=000000000004") != std::string::npos)
          rep.status = 404;
        else if (r.target.find("fmspc=000000000005") != std::string::npos) {
          // A genuine chain but the wrong one (the PCK CRL's): the signature fails.
          rep.headers = {{"TCB-Info-Issuer-Chain", PercentEncode(Text(fx.data.pck_chain))}};
        } else if (r.target.find("pckcrl") != std::string::npos) {
          rep = fx.data.Serve("/sgx/certification/v4/pckcrl?ca=platform&encoding=der");
          rep.body = Bytes(300, 0x30);
        } else {
          rep.status = 500;
        }
        return rep;
      });
  auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);
  std::map<std::string, FetchFailure> expect;
  for (int i = 1; i <= 5; ++i) {
    const Bytes fmspc = {0, 0, 0, 0, 0, static_cast<uint8_t>(i)};
    auto t = FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc));
    BOOST_REQUIRE(svc->Request(t).ok());
    expect[t.Key()] = i == 2 || i == 5 ? FetchFailure::kUnverified
                      : i == 4         ? FetchFailure::kHttpStatus
                                       : FetchFailure::kGarbage;
  }
  auto crl = FetchTarget::PckCrl(TeeType::IntelTdx, "processor");
  BOOST_REQUIRE(svc->Request(crl).ok());
  expect[crl.Key()] = FetchFailure::kGarbage;
  BOOST_REQUIRE(fx.sink.WaitOutcomes(expect.size()));
  BOOST_TEST(fx.sink.got().empty());
  auto failed = fx.sink.failed();
  BOOST_REQUIRE(failed.size() == expect.size());
  for (const auto& f : failed) {
    BOOST_TEST((f.why == expect.at(f.target.Key())),
               f.target.Key() << ": " << FetchFailureName(f.why) << " (" << f.message << ")");
  }
  BOOST_TEST(svc->pcs()->stats().failed == expect.size());
}

BOOST_AUTO_TEST_CASE(a_truncated_response_hands_on_nothing) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request& r) {
                           Reply rep = fx.data.Serve(r.target);
                           rep.truncate_to = rep.body.size() / 2;  // the connection drops mid-body
                           return rep;
                         });
  auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::PckCrl(TeeType::IntelTdx, "platform")).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(2));
  BOOST_TEST(fx.sink.got().empty());
  for (const auto& f : fx.sink.failed()) {
    BOOST_TEST((f.why == FetchFailure::kNetwork),
               f.target.Key() << ": " << FetchFailureName(f.why) << " " << f.message);
  }
}

BOOST_AUTO_TEST_CASE(a_stale_document_is_rejected) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  // The verifier recognises it at any time; its nextUpdate decides.
  Bytes bundle = fx.data.tcb_info;
  bundle.push_back('\n');
  bundle.insert(bundle.end(), fx.data.tcb_chain.begin(), fx.data.tcb_chain.end());
  auto doc = fx.verifiers.For(TeeType::IntelTdx).ParseCollateral(AsView(bundle), fx.data.now);
  BOOST_REQUIRE_MESSAGE(doc.ok(), (doc.ok() ? "" : doc.status().message()));
  TestHttpsServer server(
      fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
      [&](const TestHttpsServer::Request& r) { return fx.data.Serve(r.target); });
  const Bytes fmspc = fx.data.FmspcBytes();
  for (uint64_t now : {doc->next_update, doc->next_update + 1}) {
    RecordingSink sink;
    ServiceOptions o = fx.Options(server.Url());
    o.now = now;
    auto svc = StartService(o, fx.verifiers, sink);
    BOOST_REQUIRE(svc->Request(FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc))).ok());
    BOOST_REQUIRE(sink.WaitOutcomes(1));
    if (now == doc->next_update) {  // inclusive window: still current
      BOOST_TEST(sink.got().size() == 1u);
    } else {
      BOOST_TEST(sink.got().empty());
      BOOST_REQUIRE(sink.failed().size() == 1u);
      BOOST_TEST((sink.failed()[0].why == FetchFailure::kStale), sink.failed()[0].message);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_stalled_server_times_out_without_blocking_the_caller) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request& r) {
                           if (r.target.find("/tcb?") != std::string::npos) {
                             Reply stall;
                             stall.stall = true;
                             return stall;
                           }
                           return fx.data.Serve(r.target);
                         });
  ServiceOptions o = fx.Options(server.Url());
  o.timeout = 400ms;
  auto svc = StartService(o, fx.verifiers, fx.sink);
  const Bytes fmspc = fx.data.FmspcBytes();
  auto t0 = std::chrono::steady_clock::now();
  BOOST_REQUIRE(svc->Request(FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc))).ok());
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());  // queued behind it
  const auto enqueue_time = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(
      (enqueue_time < 50ms),
      "Request took " << std::chrono::duration_cast<std::chrono::milliseconds>(enqueue_time).count()
                      << " ms");
  BOOST_REQUIRE(fx.sink.WaitOutcomes(2, 10s));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_REQUIRE(fx.sink.failed().size() == 1u);
  BOOST_TEST((fx.sink.failed()[0].why == FetchFailure::kTimeout), fx.sink.failed()[0].message);
  BOOST_TEST((took >= 380ms));
  BOOST_TEST((took < 5s));
  // The lane recovered: the next target was fetched after the timeout.
  BOOST_REQUIRE(fx.sink.got().size() == 1u);
  BOOST_TEST(fx.sink.got()[0].doc.kind == "qe_identity");
}

// A job that outlives its fetcher's Shutdown (here a 503 retry that comes due
// after it) ends as cancelled. Before, Run called Finish while holding mu_,
// which Finish takes again: the worker deadlocked, and with it the plugin's
// close (seen in a repeated fetch.fetch_plugin run). Fetcher's EXCLUDES(mu_)
// annotations now make the TSan build refuse that call at compile time.
BOOST_AUTO_TEST_CASE(a_retry_due_after_shutdown_is_cancelled_without_deadlock) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request&) {
                           Reply busy;
                           busy.status = 503;
                           return busy;
                         });
  ServiceOptions o = fx.Options(server.Url());
  o.fetcher.backoff_base = 100ms;
  o.fetcher.backoff_max = 200ms;
  auto svc = StartService(o, fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());
  for (int i = 0; i < 500 && server.requests() < 1; ++i) std::this_thread::sleep_for(10ms);
  BOOST_REQUIRE(server.requests() >= 1u);
  svc->pcs()->Shutdown();              // the lane stops; the pool still runs
  std::this_thread::sleep_for(800ms);  // the retry comes due and runs
  std::atomic<bool> closed{false};
  std::thread watchdog([&] {
    for (int i = 0; i < 200 && !closed; ++i) std::this_thread::sleep_for(50ms);
    if (!closed) {
      std::fprintf(stderr, "fetcher deadlocked: a job that outlived Shutdown never finished\n");
      std::abort();
    }
  });
  BOOST_TEST(svc->pcs()->pending() == 0u);  // blocked on the held mutex before the fix
  svc.reset();                              // joins the pool
  closed = true;
  watchdog.join();
  BOOST_TEST(server.requests() <= 2u);   // the retry sent nothing after Shutdown
  BOOST_TEST(fx.sink.failed().empty());  // cancelled is not a failure to report
}

BOOST_AUTO_TEST_CASE(wrong_ca_fails_tls_and_sends_nothing) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  TestCa rogue("rogue CA");
  TlsIdentity id = rogue.Issue("localhost");
  TestHttpsServer server(id.chain_pem, id.key_pem, [&](const TestHttpsServer::Request& r) {
    return fx.data.Serve(r.target);
  });
  auto svc = StartService(fx.Options(server.Url()), fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(1));
  BOOST_REQUIRE(fx.sink.failed().size() == 1u);
  BOOST_TEST((fx.sink.failed()[0].why == FetchFailure::kTls), fx.sink.failed()[0].message);
  BOOST_TEST(server.requests() == 0u);
}

BOOST_AUTO_TEST_CASE(requests_are_deduplicated_bounded_and_unchanged_content_is_not_repeated) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request& r) {
                           Reply rep = fx.data.Serve(r.target);
                           rep.delay = 200ms;
                           return rep;
                         });
  ServiceOptions o = fx.Options(server.Url());
  o.fetcher.max_pending = 2;
  auto svc = StartService(o, fx.verifiers, fx.sink);
  const Bytes fmspc = fx.data.FmspcBytes();
  auto tcb = FetchTarget::TcbInfo(TeeType::IntelTdx, AsView(fmspc));
  BOOST_REQUIRE(svc->Request(tcb).ok());
  BOOST_REQUIRE(svc->Request(tcb).ok());  // deduplicated
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());
  auto full = svc->Request(FetchTarget::RootCaCrl(TeeType::IntelTdx));
  BOOST_TEST((full.code() == ErrorCode::kTooLarge));
  BOOST_TEST(svc->pcs()->pending() == 2u);
  BOOST_REQUIRE(fx.sink.WaitOutcomes(2));
  std::this_thread::sleep_for(100ms);
  BOOST_TEST(fx.sink.got().size() == 2u);
  BOOST_TEST(CountTarget(server, "/tdx/certification/v4/tcb?fmspc=" + fx.data.fmspc) == 1u);

  // Fetched again with the same content: not handed on a second time.
  BOOST_REQUIRE(svc->Request(tcb).ok());
  for (int i = 0; i < 400 && svc->pcs()->pending() > 0; ++i) std::this_thread::sleep_for(10ms);
  BOOST_TEST(svc->pcs()->pending() == 0u);
  BOOST_TEST(CountTarget(server, "/tdx/certification/v4/tcb?fmspc=" + fx.data.fmspc) == 2u);
  BOOST_TEST(fx.sink.got().size() == 2u);
  BOOST_TEST(svc->pcs()->stats().unchanged == 1u);

  // Malformed targets and the other service's kinds are refused at once.
  BOOST_TEST((svc->Request(FetchTarget::PckCrl(TeeType::IntelTdx, "bogus")).code() ==
              ErrorCode::kInvalidArgument));
  BOOST_TEST((svc->Request(FetchTarget::VcekChain("Milan")).code() == ErrorCode::kUnsupported));
}

BOOST_AUTO_TEST_CASE(periodic_refresh_refetches_what_was_requested) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  TestHttpsServer server(
      fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
      [&](const TestHttpsServer::Request& r) { return fx.data.Serve(r.target); });
  ServiceOptions o = fx.Options(server.Url());
  o.fetcher.refresh_interval = 1s;
  auto svc = StartService(o, fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(FetchTarget::QeIdentity(TeeType::IntelTdx)).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(1));
  const std::string path = "/tdx/certification/v4/qe/identity";
  for (int i = 0; i < 500 && CountTarget(server, path) < 3; ++i) std::this_thread::sleep_for(10ms);
  BOOST_TEST(CountTarget(server, path) >= 3u);
  BOOST_TEST(fx.sink.got().size() == 1u);  // same content: handed on once
  svc->Shutdown();
  const size_t after = server.requests();
  std::this_thread::sleep_for(1300ms);
  BOOST_TEST(server.requests() == after);  // shut down: no more refreshes
}

BOOST_AUTO_TEST_SUITE_END()

// tenzro-tee fetch-collateral (issue 13) against the loopback PCS: what it
// writes is exactly what `verify --collateral DIR` needs. The CLI's path
// comes from TENZRO_TEE_CLI (set by CTest).
BOOST_AUTO_TEST_SUITE(fetch_cli)

namespace {

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int RunCli(const std::string& args, const std::string& log) {
  const char* cli = std::getenv("TENZRO_TEE_CLI");
  BOOST_REQUIRE_MESSAGE(cli != nullptr, "TENZRO_TEE_CLI is not set");
  const int rc =
      std::system((std::string("'") + cli + "' " + args + " > '" + log + "' 2>&1").c_str());
  BOOST_REQUIRE(rc != -1 && WIFEXITED(rc));
  return WEXITSTATUS(rc);
}

}  // namespace

BOOST_AUTO_TEST_CASE(fetch_collateral_writes_what_verify_needs) {
  auto vc = FindCase("tdx", kCase);
  if (!vc) return;
  PcsFixture fx(*vc);
  const auto served = fx.Serve();
  TestHttpsServer& server = *served;
  TempDir dir;
  const std::string quote = dir.Sub("quote.bin");
  const Bytes ev = vc->Evidence();
  WriteTextFile(quote, std::string(ev.begin(), ev.end()));
  const std::string at = std::to_string(vc->verify_at);
  const std::string verify =
      "verify --tee tdx --evidence '" + quote + "' --at " + at + " --json --collateral ";

  // Before: the quote alone is not valid.
  BOOST_TEST(RunCli(verify + "'" + dir.Sub("empty") + "'", dir.Sub("v0")) != 0);
  const std::string fetch = "fetch-collateral --tee tdx --evidence '" + quote + "' --ca-bundle '" +
                            fx.tls.ca_file + "' --at " + at + " --deadline-secs 30 --pcs-url ";
  const int rc =
      RunCli(fetch + server.Url() + " --out '" + dir.Sub("coll") + "'", dir.Sub("fetch.log"));
  const std::string log = ReadTextFile(dir.Sub("fetch.log"));
  BOOST_TEST(rc == 0, log);
  BOOST_TEST(log.find("fetched IntelTdx/tcb_info/") != std::string::npos, log);
  BOOST_TEST(log.find("FAILED") == std::string::npos, log);
  BOOST_TEST(server.requests() >= 2u);
  // After: valid with exactly the fetched directory.
  const int vrc = RunCli(verify + "'" + dir.Sub("coll") + "'", dir.Sub("v1"));
  const std::string out = ReadTextFile(dir.Sub("v1"));
  BOOST_TEST(vrc == 0, out);
  BOOST_TEST(out.find("\"tcb_status\": \"UpToDate\"") != std::string::npos, out);

  // A PCS that has nothing: exit 1, every document named as failed.
  TestHttpsServer empty(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                        [](const TestHttpsServer::Request&) {
                          Reply r;
                          r.status = 404;
                          return r;
                        });
  BOOST_TEST(RunCli(fetch + empty.Url() + " --out '" + dir.Sub("coll2") + "'",
                    dir.Sub("fetch2.log")) == 1);
  const std::string log2 = ReadTextFile(dir.Sub("fetch2.log"));
  BOOST_TEST(log2.find("FAILED IntelTdx/tcb_info/") != std::string::npos, log2);
  // Usage errors: a vendor it does not serve, junk evidence.
  BOOST_TEST(
      RunCli("fetch-collateral --tee nitro --evidence '" + quote + "' --out '" + dir.Sub("x") + "'",
             dir.Sub("u1")) == 2);
  WriteTextFile(dir.Sub("junk.bin"), std::string(700, 'z'));
  BOOST_TEST(RunCli("fetch-collateral --tee tdx --evidence '" + dir.Sub("junk.bin") + "' --out '" +
                        dir.Sub("x") + "' --pcs-url " + server.Url(),
                    dir.Sub("u2")) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
