// The NVIDIA fetchers (fetch/nvidia_source.h) against loopback HTTPS servers
// playing NVIDIA's RIM service and OCSP responder with the project's
// simulators (development device PKI, RIM signer, OCSP responder): a good
// document reaches the sink, verified by the real NvidiaVerifier; stalls,
// garbage, stale and forged documents do not. And the verdict's fetch hints
// become fetch targets (fetch::TargetsForVerdict).
#include <boost/test/unit_test.hpp>

#include <mutex>

#include <nlohmann/json.hpp>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/sim/dev_pki.h"
#include "attestation/nvidia/sim/ocsp_responder.h"
#include "attestation/nvidia/sim/report_builder.h"
#include "attestation/nvidia/sim/rim_signer.h"
#include "crypto/base64.h"
#include "crypto/hash.h"
#include "fetch/nvidia_source.h"
#include "fetch_fixture.h"
#include "https_test_server.h"

using namespace tenzro::tee;
using namespace tenzro::tee::fetch;
using namespace tenzro::tee::testing;
using Reply = TestHttpsServer::Reply;

namespace {

constexpr uint64_t kNow = 1'767'225'600;  // 2026-01-01
constexpr char kRimId[] = "NV_GPU_DRIVER_GH100_550.90.07";

std::array<uint8_t, 48> Fwid() {
  std::array<uint8_t, 48> f{};
  f.fill(0xF1);
  return f;
}

// The development device chain (GH100), the NVIDIA verifier with
// simulation on (dev device and RIM roots trusted), and the chain admitted
// as the collateral the fetchers authenticate OCSP responders against.
struct NvFixture {
  TlsEnv tls;
  AttestationVerifier verifiers;
  const nvidia::NvidiaVerifier* nv = nullptr;
  RecordingSink sink;
  nvidia::sim::DevChain chain;
  std::shared_ptr<const CollateralSet> known;

  NvFixture() {
    nvidia::VerifierOptions o;
    o.dev_roots = {nvidia::sim::DevRootFingerprint()};
    o.dev_rim_roots = {nvidia::sim::DevRimRootSha256()};
    CommonPolicy common;
    common.simulation = true;
    auto v = std::make_unique<nvidia::NvidiaVerifier>(nvidia::Policy{}, common, o);
    nvidia::sim::ChainSpec cs;
    cs.fwid = Fwid();
    auto c = nvidia::sim::IssueDevChain(cs);
    BOOST_REQUIRE(c.ok());
    chain = std::move(*c);
    auto doc = v->ParseCollateral(AsView(ToBytes(chain.Pem())), kNow);
    BOOST_REQUIRE(doc.ok());
    known = std::make_shared<const CollateralSet>(CollateralSet().With(std::move(*doc)));
    nv = v.get();
    verifiers.Install(std::move(v));
  }
  ServiceOptions Options(const std::string& rim_url, const std::string& ocsp_url) const {
    ServiceOptions o;
    o.nvidia_rim_url = rim_url;
    o.nvidia_ocsp_url = ocsp_url;
    o.ca_file = tls.ca_file;
    o.now = kNow;
    o.timeout = std::chrono::milliseconds(1000);
    auto k = known;
    o.known = [k] { return k; };
    return o;
  }
  const x509::Certificate& Cert(size_t i) const { return chain.certs.at(i).cert; }
  // The Provisioner ICA (issued by the Identity certificate).
  FetchTarget IcaTarget() const {
    return FetchTarget::NvidiaOcsp(AsView(Cert(2).der()), AsView(Cert(3).der()));
  }
};

// One outcome of one request, waited for.
struct Outcome {
  std::vector<RecordingSink::Got> got;
  std::vector<RecordingSink::Failed> failed;
};
Outcome FetchOne(NvFixture& fx, const std::string& rim_url, const std::string& ocsp_url,
                 const FetchTarget& t) {
  auto svc = StartService(fx.Options(rim_url, ocsp_url), fx.verifiers, fx.sink);
  BOOST_REQUIRE(svc->Request(t).ok());
  BOOST_REQUIRE(fx.sink.WaitOutcomes(1));
  return {fx.sink.got(), fx.sink.failed()};
}

void ExpectFailed(const Outcome& o, FetchFailure want, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_TEST(o.got.empty());
    BOOST_REQUIRE(o.failed.size() == 1u);
    BOOST_TEST(FetchFailureName(o.failed[0].why) == FetchFailureName(want), o.failed[0].message);
  }
}

Reply StatusOnly(unsigned status) {
  Reply r;
  r.status = status;
  return r;
}

// ---- RIM service ---------------------------------------------------------------------

std::string GoodRim() {
  auto xml = nvidia::sim::MakeRim(nvidia::sim::SpecWithMeasurements("550.90.07", 1, 4, 1));
  BOOST_REQUIRE(xml.ok());
  return *xml;
}

// The RIM service's JSON for `xml` under `id`.
Bytes RimJson(const std::string& id, const std::string& xml, bool with_sha = true) {
  nlohmann::json j = {
      {"id", id}, {"rim", crypto::Base64Encode(AsView(ToBytes(xml)))}, {"rim_format", "SWID"}};
  if (with_sha) j["sha256"] = ToHex(AsView(crypto::Sha256(AsView(ToBytes(xml)))));
  return ToBytes(j.dump());
}

Outcome FetchRim(NvFixture& fx, Reply reply) {
  std::mutex mu;
  std::string seen;
  TestHttpsServer server(
      fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem, [&](const TestHttpsServer::Request& r) {
        std::lock_guard lock(mu);
        seen = r.method + " " + r.target;
        return r.target == std::string("/v1/rim/") + kRimId ? reply : StatusOnly(404);
      });
  Outcome o = FetchOne(fx, server.Url() + "/v1/rim", "", FetchTarget::NvidiaRim(kRimId));
  std::lock_guard lock(mu);
  BOOST_TEST(seen == std::string("GET /v1/rim/") + kRimId);
  return o;
}

Reply Body(Bytes b) {
  Reply r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(b);
  return r;
}

// ---- OCSP responder --------------------------------------------------------------------

enum class OcspMode { kGood, kOtherNonce, kNoNonce, kStale, kOtherCert, kForged, kGarbage, kStall };

struct OcspServer {
  NvFixture& fx;
  OcspMode mode;
  nvidia::sim::DevOcspResponder responder;
  nvidia::sim::DevOcspResponder forger;  // issued by the GSP leaf, not by the root
  std::mutex mu;
  std::string method, content_type;

  OcspServer(NvFixture& f, OcspMode m)
      : fx(f), mode(m), responder(Make()), forger(Make(&f.chain.certs.front())) {}
  static nvidia::sim::DevOcspResponder Make(const nvidia::sim::DevCert* issuer = nullptr) {
    auto r = issuer ? nvidia::sim::DevOcspResponder::Make(*issuer)
                    : nvidia::sim::DevOcspResponder::Make();
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return std::move(*r);
  }

  // Runs on the server thread: no Boost.Test macros.
  Reply Handle(const TestHttpsServer::Request& r) {
    {
      std::lock_guard lock(mu);
      method = r.method;
    }
    Reply reply;
    if (mode == OcspMode::kStall) {
      reply.stall = true;
      return reply;
    }
    reply.headers = {{"Content-Type", "application/ocsp-response"}};
    if (mode == OcspMode::kGarbage) {
      reply.body = ToBytes("<html>not an OCSP response</html>");
      return reply;
    }
    auto nonce = OcspRequestNonce(AsView(r.body));
    if (!nonce.ok()) return StatusOnly(400);
    nvidia::sim::OcspAnswer a;
    a.this_update = static_cast<int64_t>(kNow) - 3600;
    a.next_update = static_cast<int64_t>(kNow) + 86400;
    a.nonce = *nonce;
    if (mode == OcspMode::kOtherNonce) a.nonce = Bytes(32, 0x77);
    if (mode == OcspMode::kNoNonce) a.nonce.reset();
    if (mode == OcspMode::kStale) a.next_update = static_cast<int64_t>(kNow) - 60;
    const bool other = mode == OcspMode::kOtherCert;
    const auto& by = mode == OcspMode::kForged ? forger : responder;
    auto der = by.Respond(fx.Cert(other ? 1 : 2), fx.Cert(other ? 2 : 3), a);
    if (!der.ok()) return StatusOnly(500);
    reply.body = std::move(*der);
    return reply;
  }
};

Outcome FetchOcsp(NvFixture& fx, OcspMode mode, std::string* method = nullptr) {
  OcspServer os(fx, mode);
  TestHttpsServer server(fx.tls.localhost.chain_pem, fx.tls.localhost.key_pem,
                         [&](const TestHttpsServer::Request& r) { return os.Handle(r); });
  Outcome o = FetchOne(fx, "", server.Url(), fx.IcaTarget());
  std::lock_guard lock(os.mu);
  if (method) *method = os.method;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fetch_nvidia)

BOOST_AUTO_TEST_CASE(rim_fetched_verified_and_handed_on) {
  NvFixture fx;
  const std::string xml = GoodRim();
  const Outcome o = FetchRim(fx, Body(RimJson(kRimId, xml)));
  for (const auto& f : o.failed) BOOST_TEST_MESSAGE(f.message);
  BOOST_REQUIRE(o.got.size() == 1u);
  BOOST_TEST((o.got[0].blob == ToBytes(xml)));  // the XML, not the JSON envelope
  BOOST_TEST(o.got[0].doc.kind == nvidia::kKindRim);
  BOOST_TEST(Text(o.got[0].doc.key) == "driver:550.90.07");
}

BOOST_AUTO_TEST_CASE(rim_garbage_forged_stale_and_stalls_are_refused) {
  const std::string xml = GoodRim();
  {
    NvFixture fx;
    ExpectFailed(FetchRim(fx, Body(ToBytes("{not json"))), FetchFailure::kGarbage, "not JSON");
  }
  {
    NvFixture fx;
    ExpectFailed(FetchRim(fx, Body(RimJson("NV_GPU_DRIVER_GH100_1.0", xml))),
                 FetchFailure::kGarbage, "another RIM ID");
  }
  {
    NvFixture fx;
    Bytes j = RimJson(kRimId, xml, false);
    auto jj = nlohmann::json::parse(j);
    jj["sha256"] = std::string(64, '0');
    ExpectFailed(FetchRim(fx, Body(ToBytes(jj.dump()))), FetchFailure::kGarbage, "sha256 field");
  }
  {
    NvFixture fx;  // edited after signing: the XML-DSig digest fails
    std::string forged = xml;
    const auto at = forged.find("550.90.07");
    BOOST_REQUIRE(at != std::string::npos);
    forged.replace(at, 9, "550.90.08");
    ExpectFailed(FetchRim(fx, Body(RimJson(kRimId, forged))), FetchFailure::kUnverified,
                 "forged RIM");
  }
  {
    NvFixture fx;  // signed by a signer certificate that expired before now
    auto signer = nvidia::sim::IssueRimSigner(1'700'000'000, 1'750'000'000);
    BOOST_REQUIRE(signer.ok());
    const auto& pki = nvidia::sim::DevRimPki();
    auto stale = nvidia::sim::SignRimXml(
        nvidia::sim::RimXml(nvidia::sim::SpecWithMeasurements("550.90.07", 1, 4, 1)), signer->key,
        {signer->cert, pki.ca, pki.root});
    BOOST_REQUIRE(stale.ok());
    ExpectFailed(FetchRim(fx, Body(RimJson(kRimId, *stale))), FetchFailure::kStale, "stale RIM");
  }
  {
    NvFixture fx;
    Reply r;
    r.stall = true;
    ExpectFailed(FetchRim(fx, r), FetchFailure::kTimeout, "stall");
  }
}

BOOST_AUTO_TEST_CASE(ocsp_posted_with_a_nonce_verified_and_handed_on) {
  NvFixture fx;
  std::string method;
  const Outcome o = FetchOcsp(fx, OcspMode::kGood, &method);
  for (const auto& f : o.failed) BOOST_TEST_MESSAGE(f.message);
  BOOST_TEST(method == "POST");
  BOOST_REQUIRE(o.got.size() == 1u);
  BOOST_TEST(o.got[0].doc.kind == nvidia::kKindOcsp);
  BOOST_TEST((o.got[0].doc.key == fx.Cert(2).serial()));
  BOOST_TEST(o.got[0].doc.next_update == kNow + 86400);
}

BOOST_AUTO_TEST_CASE(ocsp_garbage_replayed_stale_forged_and_stalls_are_refused) {
  const std::pair<OcspMode, FetchFailure> cases[] = {
      {OcspMode::kGarbage, FetchFailure::kGarbage},
      {OcspMode::kOtherNonce, FetchFailure::kGarbage},  // a replayed response
      {OcspMode::kNoNonce, FetchFailure::kGarbage},
      {OcspMode::kOtherCert, FetchFailure::kGarbage},
      {OcspMode::kForged, FetchFailure::kUnverified},  // responder not issued by the root
      {OcspMode::kStale, FetchFailure::kStale},
      {OcspMode::kStall, FetchFailure::kTimeout},
  };
  for (const auto& [mode, want] : cases) {
    NvFixture fx;
    ExpectFailed(FetchOcsp(fx, mode), want, "mode " + std::to_string(static_cast<int>(mode)));
  }
}

BOOST_AUTO_TEST_CASE(ocsp_request_carries_sha384_certid_and_nonce) {
  NvFixture fx;
  const Bytes nonce(32, 0x42);
  auto req = OcspRequestDer(AsView(fx.Cert(2).der()), AsView(fx.Cert(3).der()), AsView(nonce));
  BOOST_REQUIRE(req.ok());
  auto back = OcspRequestNonce(AsView(*req));
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((*back == nonce));
  // A target whose id is not two certificates is refused before any I/O.
  NvidiaOcspSource src;
  FetchTarget bad = fx.IcaTarget();
  bad.id.pop_back();
  BOOST_TEST(!src.Check(bad).ok());
  BOOST_TEST(src.Check(fx.IcaTarget()).ok());
  NvidiaRimSource rims;
  BOOST_TEST(!rims.Check(FetchTarget::NvidiaRim("../etc/passwd")).ok());
  BOOST_TEST(!rims.Check(FetchTarget::NvidiaRim("")).ok());
  BOOST_TEST(rims.Check(FetchTarget::NvidiaRim(kRimId)).ok());
}

// A verdict without RIMs and OCSP responses names them as fetch hints; the
// fetch layer turns them into targets its NVIDIA sources accept. Admitted
// documents are no longer hinted.
BOOST_AUTO_TEST_CASE(verdict_hints_become_nvidia_targets) {
  NvFixture fx;
  nvidia::sim::ReportSpec spec;
  spec.measurements = nvidia::sim::HopperMeasurements();
  spec.opaque =
      nvidia::sim::GpuOpaque("550.90.07", {0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0}, Fwid());
  auto report = nvidia::sim::SignedReport(spec, fx.chain.leaf_key());
  BOOST_REQUIRE(report.ok());
  auto verify = [&](const CollateralSet& set) {
    VerifyRequest req;
    req.evidence = AsView(*report);
    req.collateral = &set;
    req.now = kNow;
    auto v = fx.nv->Verify(req);
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(v->valid(), VerdictToJson(*v).dump());
    return *v;
  };
  const Verdict v = verify(*fx.known);
  const auto targets = TargetsForVerdict(TeeType::NvidiaGpu, v);
  std::set<std::string> rims;
  size_t ocsp = 0;
  NvidiaRimSource rim_src;
  NvidiaOcspSource ocsp_src;
  for (const auto& t : targets) {
    if (t.kind == Kind::kNvidiaRim) {
      rims.insert(t.name);
      BOOST_TEST(rim_src.Check(t).ok(), t.Key());
    } else {
      BOOST_TEST((t.kind == Kind::kNvidiaOcsp));
      BOOST_TEST(ocsp_src.Check(t).ok(), t.Key());
      ++ocsp;
    }
  }
  BOOST_TEST(ocsp == 3u);  // BROM, Provisioner ICA, Identity
  BOOST_TEST((rims == std::set<std::string>{kRimId, "NV_GPU_VBIOS_1010_0200_882_96009F0001"}));
  BOOST_TEST(TargetsForVerdict(TeeType::AmdSevSnp, v).empty());

  // The ICA's response admitted: its hint is gone, the other two remain.
  auto responder = nvidia::sim::DevOcspResponder::Make();
  BOOST_REQUIRE(responder.ok());
  nvidia::sim::OcspAnswer a;
  auto der = responder->Respond(fx.Cert(2), fx.Cert(3), a);
  BOOST_REQUIRE(der.ok());
  auto doc = fx.nv->ParseCollateral(AsView(*der), *fx.known, kNow);
  BOOST_REQUIRE(doc.ok());
  const CollateralSet with = fx.known->With(std::move(*doc));
  const Verdict w = verify(with);
  size_t left = 0;
  for (const auto& t : TargetsForVerdict(TeeType::NvidiaGpu, w)) {
    if (t.kind != Kind::kNvidiaOcsp) continue;
    ++left;
    BOOST_TEST((t.Key() != fx.IcaTarget().Key()));
  }
  BOOST_TEST(left == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
