// Every case of ../shared/vectors/nvidia/cases.json as its own test, through
// the path of the CLI and the ABI (VerifyStandalone over the case's
// collateral). RIM cases (kind "rim"): rim::VerifyRim at verify_at under the
// case's rim_root, and admission by NvidiaVerifier::ParseCollateral (which
// authenticates signature and chain, not windows). Also: the real reports
// under the binding of §4 (a genuine report registered under another key is
// nonce_mismatch), the JSON form, and [tee.consensus.nvidia] parsing.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <iostream>

#include "attestation/nvidia/nvidia_verifier.h"
#include "attestation/nvidia/rim.h"
#include "attestation/standalone.h"
#include "crypto/hash.h"
#include "plugin/config.h"
#include "plugin/wiring.h"
#include "support/vectors.h"

namespace bdata = boost::unit_test::data;
using namespace tenzro::tee;
using namespace tenzro::tee::nvidia;

namespace {

const std::vector<testing::VectorCase>& Cases() {
  static const std::vector<testing::VectorCase> cases = testing::LoadCases("nvidia");
  return cases;
}

std::vector<int> CaseIndices() {
  std::vector<int> out;
  for (size_t i = 0; i < Cases().size(); ++i) out.push_back(static_cast<int>(i));
  if (out.empty()) out.push_back(-1);
  return out;
}

Result<Verdict> Run(const Bytes& evidence, const std::vector<Bytes>& blobs, uint64_t now,
                    std::optional<Bytes> nonce, std::optional<BindingInput> binding = {},
                    Policy policy = {}) {
  AttestationVerifier av;
  av.Install(std::make_unique<NvidiaVerifier>(std::move(policy), CommonPolicy{}));
  StandaloneRequest req;
  req.tee_type = TeeType::NvidiaGpu;
  req.evidence = AsView(evidence);
  for (const auto& b : blobs) req.collateral_blobs.push_back(AsView(b));
  req.now = now;
  req.expected_nonce = std::move(nonce);
  req.binding = binding;
  return VerifyStandalone(av, req);
}

void CheckExpect(const nlohmann::json& e, const Verdict& v) {
  BOOST_TEST_INFO("verdict: " << VerdictToJson(v).dump());
  if (e.contains("valid")) BOOST_TEST(v.valid() == e["valid"].get<bool>());
  if (e.contains("reason"))
    BOOST_TEST(std::string(FailureCodeName(v.reason())) == e["reason"].get<std::string>());
  if (e.contains("hardware_verified"))
    BOOST_TEST(v.hardware_verified == e["hardware_verified"].get<bool>());
  if (e.contains("certificate_chain_valid"))
    BOOST_TEST(v.certificate_chain_valid == e["certificate_chain_valid"].get<bool>());
  for (const char* k : {"nonce", "driver_version", "vbios_version", "fwid"}) {
    if (e.contains(k))
      BOOST_TEST(v.ClaimsJson().value(k, std::string()) == e[k].get<std::string>(), k);
  }
}

Hash32 RootSha256(const Bytes& pem) {
  auto certs = x509::Certificate::ParseAll(AsView(pem));
  BOOST_REQUIRE(certs.ok());
  BOOST_REQUIRE(!certs->empty());
  return certs->front().fingerprint();
}

// A RIM case: the verification at verify_at under the case's root (the
// expected reason is the first failure in §3 order), and the verifier's
// admission, which holds exactly when signature and chain do.
void CheckRimCase(const testing::VectorCase& c) {
  const Hash32 root = RootSha256(c.Collateral("rim_root"));
  const Bytes xml = c.Evidence();
  auto rv = rim::VerifyRim(AsView(xml), {}, root, c.verify_at);
  BOOST_REQUIRE(rv.ok());
  const nlohmann::json& e = c.expect;
  BOOST_TEST_INFO("failures: " << (rv->ok() ? std::string() : rv->failures.front().message));
  BOOST_TEST(rv->ok() == e["valid"].get<bool>());
  if (e.contains("reason")) {
    BOOST_REQUIRE(!rv->failures.empty());
    // NV_GPU_DRIVER_GH100_570.124.03_expired.xml was edited after signing
    // (tests/nvidia/rim_tests.cpp kReasonDeviations): bad_signature precedes
    // expired in §3 order; its signer window is expired as well.
    const bool edited = c.name == "rim-driver-570.124.03-expired";
    BOOST_TEST(std::string(FailureCodeName(rv->failures.front().code)) ==
               (edited ? std::string("bad_signature") : e["reason"].get<std::string>()));
    for (const auto& f : rv->failures) {
      if (edited)
        BOOST_TEST((f.code == FailureCode::kBadSignature || f.code == FailureCode::kExpired));
    }
  }
  if (e.contains("certificate_chain_valid")) {
    BOOST_TEST((rv->chain_trusted && rv->chain_in_window) ==
               e["certificate_chain_valid"].get<bool>());
  }
  if (e.contains("driver_version"))
    BOOST_TEST(rv->rim.colloquial_version == e["driver_version"].get<std::string>());
  Policy p;
  p.rim_root_sha256 = root;
  NvidiaVerifier v(p, CommonPolicy{});
  auto doc = v.ParseCollateral(AsView(xml), CollateralSet(), c.verify_at);
  BOOST_TEST(doc.ok() == (rv->signature_valid && rv->chain_trusted));
  if (doc.ok()) BOOST_TEST(doc->kind == kKindRim);
}

// NVIDIA's test with RIM signature checking off (verify_rim_signature =
// false: the driver mismatch RIM was edited after signing). This verifier
// has no such switch: the edited RIM is refused at admission (bad XML-DSig),
// so the report is judged without a driver RIM (valid under defaults, measurements not
// valid; collateral_missing under require_rims). The expected verdict is
// reproduced by the comparison itself (rim::ParseRim + rim::Compare, what
// NVIDIA runs with signature checking off) against the report's
// measurements.
void CheckUnsignedRimCase(const testing::VectorCase& c, const std::optional<Bytes>& nonce) {
  const Bytes driver = c.Collateral("driver_rim"), vbios = c.Collateral("vbios_rim");
  Policy p;
  p.rim_root_sha256 = RootSha256(c.Collateral("rim_root"));
  NvidiaVerifier nv(p, CommonPolicy{});
  // The driver RIM's version was edited after signing; the VBIOS RIM's
  // signature holds (it is admitted, but is never compared alone).
  BOOST_TEST(!nv.ParseCollateral(AsView(driver), CollateralSet(), c.verify_at).ok());
  auto v = Run(c.Evidence(), c.AllCollateral(), c.verify_at, nonce);
  BOOST_REQUIRE(v.ok());
  BOOST_TEST(v->valid(), VerdictToJson(*v).dump());
  BOOST_TEST(!v->measurements_valid);
  BOOST_TEST(v->hardware_verified == c.expect["hardware_verified"].get<bool>());
  Policy strict;
  strict.require_rims = true;
  auto s = Run(c.Evidence(), c.AllCollateral(), c.verify_at, nonce, {}, strict);
  BOOST_REQUIRE(s.ok());
  BOOST_TEST((s->reason() == FailureCode::kCollateralMissing));

  auto report = ParseReport(AsView(c.Evidence()));
  BOOST_REQUIRE(report.ok());
  auto d = rim::ParseRim(AsView(driver));
  auto b = rim::ParseRim(AsView(vbios));
  BOOST_REQUIRE(d.ok());
  BOOST_REQUIRE(b.ok());
  BOOST_TEST(rim::VersionMatches(*d, report->facts.driver_version.value_or("")));
  BOOST_TEST(rim::VersionMatches(*b, report->facts.vbios_version.value_or("")));
  rim::ReportMeasurements indexed;  // RIM index = block index - 1 (NVIDIA's numbering)
  for (const auto& [index, value] : report->Measurements()) indexed.emplace(index - 1, value);
  const auto nvdec = report->facts.nvdec0_status;
  const auto cr = rim::Compare(indexed, *d, *b, !(nvdec && *nvdec == kNvdecDisabled));
  auto failure = rim::CompareFailure(cr);
  BOOST_REQUIRE(failure.has_value());
  BOOST_TEST(std::string(FailureCodeName(failure->code)) == c.expect["reason"].get<std::string>());
  BOOST_TEST_MESSAGE(c.name << ": " << failure->message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nvidia_vectors)

BOOST_DATA_TEST_CASE(vector_case, bdata::make(CaseIndices()), index) {
  if (index < 0) {
    BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent (see the message above)");
    BOOST_TEST(Cases().empty());
    return;
  }
  const testing::VectorCase& c = Cases()[static_cast<size_t>(index)];
  BOOST_TEST_CONTEXT("case " << c.name) {
    if (c.kind == "rim") {
      CheckRimCase(c);
      return;
    }
    BOOST_REQUIRE_EQUAL(c.kind, "spdm_report");
    std::optional<Bytes> nonce;
    if (c.policy.contains("expected_nonce"))
      nonce = FromHex(c.policy["expected_nonce"].get<std::string>());
    if (c.policy.value("verify_rim_signature", true) == false) {
      CheckUnsignedRimCase(c, nonce);
      return;
    }
    auto v = Run(c.Evidence(), c.AllCollateral(), c.verify_at, nonce);
    BOOST_REQUIRE(v.ok());
    CheckExpect(c.expect, *v);
  }
}

// §4: the request nonce must be binding[0..32). A genuine report made for
// someone else's key is nonce_mismatch, though its signature and chain hold.
BOOST_AUTO_TEST_CASE(genuine_report_under_another_key_is_nonce_mismatch) {
  for (const auto& c : Cases()) {
    if (c.name != "hopper-nvtrust-sample") continue;
    BindingInput other;
    other.validator_id.fill(7);
    other.challenge.fill(9);
    auto v = Run(c.Evidence(), {c.Collateral("cert_chain")}, c.verify_at, std::nullopt, other);
    BOOST_REQUIRE(v.ok());
    BOOST_TEST(v->hardware_verified);
    BOOST_TEST(!v->valid());
    BOOST_TEST((v->reason() == FailureCode::kNonceMismatch));
    BOOST_TEST((v->binding_valid == std::optional<bool>(false)));
    BOOST_TEST(v->reeval_claims.count(claim::kGpuCount) == 1u);
    return;
  }
  BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent");
}

BOOST_AUTO_TEST_CASE(policy_knobs_fail_a_genuine_report_alone) {
  for (const auto& c : Cases()) {
    if (c.name != "hopper-nvtrust-sample") continue;
    const auto nonce = FromHex(c.policy["expected_nonce"].get<std::string>());
    struct Knob {
      const char* name;
      void (*set)(Policy&);
      FailureCode want;
    };
    const Knob knobs[] = {
        {"device root pin", [](Policy& p) { p.device_root_sha256.fill(1); },
         FailureCode::kChainUntrusted},
        {"require_rims without RIMs at hand", [](Policy& p) { p.require_rims = true; },
         FailureCode::kCollateralMissing},
        {"require_ocsp without responses", [](Policy& p) { p.require_ocsp = true; },
         FailureCode::kCollateralMissing},
        {"nras mode: a bare report carries no NRAS token", [](Policy& p) { p.mode = Mode::kNras; },
         FailureCode::kCollateralMissing},
        {"both mode: a bare report carries no NRAS token", [](Policy& p) { p.mode = Mode::kBoth; },
         FailureCode::kCollateralMissing},
        {"min driver", [](Policy& p) { p.min_driver_version = ParseDottedVersion("560", 10); },
         FailureCode::kFirmwareTooOld},
        {"blackwell only", [](Policy& p) { p.allowed_architectures = {Arch::kBlackwell}; },
         FailureCode::kPolicyViolation},
    };
    for (const auto& k : knobs) {
      Policy p;
      k.set(p);
      auto v = Run(c.Evidence(), {c.Collateral("cert_chain")}, c.verify_at, nonce, {}, p);
      BOOST_REQUIRE(v.ok());
      BOOST_TEST(!v->failures.empty(), k.name);
      for (const auto& f : v->failures) BOOST_TEST((f.code == k.want), k.name << ": " << f.message);
    }
    // Outside the chain's windows (the chain is valid until 9999): before it.
    auto early = Run(c.Evidence(), {c.Collateral("cert_chain")}, 1000, nonce);
    BOOST_REQUIRE(early.ok());
    BOOST_TEST((early->reason() == FailureCode::kNotYetValid));
    return;
  }
  BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent");
}

BOOST_AUTO_TEST_CASE(serialized_evidence_every_gpu_must_pass) {
  auto dir = testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent");
    return;
  }
  const auto base =
      *dir / "nvidia/nvidia-attestation-sdk-cpp/common-test-data/serialized_test_evidence";
  Bytes multi = testing::ReadFileBytes(base / "multi_gpu_hopper.json");
  auto v = Run(multi, {}, 1767225600, std::nullopt);
  BOOST_REQUIRE(v.ok());
  BOOST_TEST(v->valid());
  BOOST_TEST(v->ClaimsJson().value("gpu_count", 0) == 4);
  // Change one GPU's document nonce: that GPU alone fails.
  std::string text(multi.begin(), multi.end());
  auto j = nlohmann::json::parse(text);
  std::string n = j[2]["nonce"].get<std::string>();
  n[0] = n[0] == '0' ? '1' : '0';
  j[2]["nonce"] = n;
  text = j.dump();
  auto bad = Run(Bytes(text.begin(), text.end()), {}, 1767225600, std::nullopt);
  BOOST_REQUIRE(bad.ok());
  BOOST_TEST((bad->reason() == FailureCode::kNonceMismatch));
  BOOST_TEST(bad->failures.size() == 1u);
  BOOST_TEST(bad->failures.front().message.rfind("GPU 2", 0) == 0u);
}

// NVIDIA's genuine signed RIMs against a genuine report they describe: the
// nvtrust test-mode pair (driver 545.00, VBIOS 96.00.5E.00.01; MANIFEST:
// go-nvtrust attestationReport.txt pairs with Driver_RIM_test_no_gpu and
// 1010_0200_882_96005E0001_test_no_gpu). Within the RIM signers' windows
// (2024-06-01) every golden measurement matches (RIM index = block - 1);
// the VBIOS signer's notAfter bounds valid_until; after it, expired.
BOOST_AUTO_TEST_CASE(genuine_rims_match_a_genuine_report) {
  auto dir = testing::VectorsDir();
  if (!dir) {
    BOOST_TEST_MESSAGE("SKIPPED: real NVIDIA vectors absent");
    return;
  }
  const auto base = *dir / "nvidia";
  const Bytes report = testing::ReadFileBytes(base / "go-nvtrust/attestationReport.txt");
  const std::vector<Bytes> blobs = {
      testing::ReadFileBytes(base / "go-nvtrust/gpuAkCertChain.txt"),
      testing::ReadFileBytes(base /
                             "nvtrust-local-gpu-verifier/samples/Driver_RIM_test_no_gpu.swidtag"),
      testing::ReadFileBytes(base / "nvtrust-local-gpu-verifier/samples/"
                                    "1010_0200_882_96005E0001_test_no_gpu.swidtag")};
  const std::optional<Bytes> nonce =
      FromHex("4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e");
  Policy strict;
  strict.require_rims = true;
  auto v = Run(report, blobs, 1717200000, nonce, {}, strict);
  BOOST_REQUIRE(v.ok());
  BOOST_TEST(v->valid(), VerdictToJson(*v).dump());
  BOOST_TEST(v->measurements_valid);
  BOOST_TEST((v->valid_until == std::optional<uint64_t>(1750585134)));
  auto late = Run(report, blobs, 1767225600, nonce, {}, strict);
  BOOST_REQUIRE(late.ok());
  BOOST_TEST((late->reason() == FailureCode::kExpired), VerdictToJson(*late).dump());
  // Still compared (signatures and chains hold); the verdict fails on the window.
  BOOST_TEST(late->measurements_valid);
  // Without the RIMs the same report fails require_rims.
  auto none = Run(report, {blobs[0]}, 1717200000, nonce, {}, strict);
  BOOST_REQUIRE(none.ok());
  BOOST_TEST((none->reason() == FailureCode::kCollateralMissing));
}

BOOST_AUTO_TEST_CASE(consensus_table_parses_and_refuses_bad_values) {
  auto ok = plugin::ParseConfig(R"([tee.consensus.nvidia]
mode = "both"
require_rims = true
min_driver_version = "550.90.07"
min_vbios_version = "96.00.9F.00.01"
allowed_architectures = ["hopper", "Blackwell", "hopper"]
)",
                                "test");
  if (!ok.ok()) BOOST_TEST_MESSAGE(ok.status().message());
  BOOST_REQUIRE(ok.ok());
  BOOST_TEST((ok->nvidia.mode == Mode::kBoth));
  BOOST_TEST(ok->nvidia.allowed_architectures.size() == 2u);
  for (const char* bad :
       {"mode = \"remote\"", "min_driver_version = \"5x\"", "allowed_architectures = [\"ampere\"]",
        "device_root_sha256 = \"00\"", "nras_issuer = \"http://x\"", "unknown = 1"}) {
    auto r = plugin::ParseConfig(std::string("[tee.consensus.nvidia]\n") + bad + "\n", "test");
    BOOST_TEST(!r.ok(), bad);
  }
}

BOOST_AUTO_TEST_SUITE_END()
