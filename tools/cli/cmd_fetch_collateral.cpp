// tenzro-tee fetch-collateral --tee tdx|snp --evidence F --out DIR (issue 13):
// gets what `verify --collateral DIR` needs with the plugin's own fetchers
// (fetch/: Intel PCS, AMD KDS), each document authenticated by the verifier
// at the fetch time before it is written. Not consensus.
//
// TDX/SGX: the evidence is verified without collateral and the verdict's
// fetch hints name the documents (TCB Info for its FMSPC, QE Identity, PCK
// CRL, Root CA CRL). SNP: the report's product, chip id and reported TCB name
// the VCEK; the product's VCEK chain and CRL come with it.
//
// Exit status: 0 every document fetched, 1 some could not be, 2 usage or
// internal error.
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "attestation/snp/report.h"
#include "attestation/standalone.h"
#include "attestation/vendors.h"
#include "fetch/service.h"
#include "plugin/wiring.h"
#include "tools/cli/cli.h"

namespace tenzro::tee::cli {
namespace {

// Intel's and AMD's public services: the defaults when neither the command
// line nor --config names one (README, Configuration).
constexpr char kDefaultPcsUrl[] = "https://api.trustedservices.intel.com";
constexpr char kDefaultKdsUrl[] = "https://kdsintf.amd.com";

struct Args {
  std::string tee, evidence, out, config, pcs_url, kds_url, ca_bundle;
  uint64_t timeout_ms = 0;
  uint64_t deadline_secs = 60;
  std::optional<uint64_t> at;
};

// Writes each document as it arrives; remembers failures.
class DirSink final : public fetch::FetchSink {
 public:
  explicit DirSink(std::filesystem::path dir) : dir_(std::move(dir)) {}

  void OnFetched(const fetch::FetchTarget& target, ByteView blob, const CollateralDoc& doc,
                 uint64_t /*now*/) override {
    std::string name = target.Key();
    for (char& c : name)
      if (c == '/' || c == '?' || c == '&' || c == '=') c = '_';
    const std::filesystem::path path = dir_ / (name + FileSuffix(doc.kind));
    std::lock_guard lock(mu_);
    if (WriteFile(path.string(), Bytes(blob.begin(), blob.end())))
      written_[target.Key()] = path.string();
    else
      failed_[target.Key()] = path.string() + ": cannot write";
  }
  void OnFetchFailed(const fetch::FetchTarget& target, fetch::FetchFailure why,
                     const std::string& message) override {
    std::lock_guard lock(mu_);
    failed_[target.Key()] = std::string(fetch::FetchFailureName(why)) + ": " + message;
  }
  std::map<std::string, std::string> written() const {
    std::lock_guard lock(mu_);
    return written_;
  }
  std::map<std::string, std::string> failed() const {
    std::lock_guard lock(mu_);
    return failed_;
  }

 private:
  static std::string FileSuffix(const std::string& kind) {
    if (kind.find("crl") != std::string::npos) return ".crl";
    if (kind.find("tcb_info") != std::string::npos || kind.find("qe_identity") != std::string::npos)
      return ".json";
    return ".pem";
  }
  const std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> written_, failed_;
};

Result<std::vector<fetch::FetchTarget>> TargetsFor(TeeType type, const Bytes& evidence,
                                                   const plugin::Config& config, uint64_t at) {
  if (type == TeeType::IntelTdx || type == TeeType::IntelSgx) {
    StandaloneRequest req;
    req.tee_type = type;
    req.evidence = AsView(evidence);
    req.now = at;
    auto verifier = plugin::BuildVerifier(config);
    TEE_ASSIGN_OR_RETURN(Verdict v, VerifyStandalone(*verifier, req));
    if (v.Has(FailureCode::kMalformed) || v.Has(FailureCode::kUnsupported)) {
      return Error(ErrorCode::kInvalidArgument,
                   "the evidence is not a quote this verifier reads: " +
                       (v.failures.empty() ? std::string() : v.failures.front().message));
    }
    return fetch::TargetsForVerdict(type, v);
  }
  // SNP: the raw report leads every form this command reads (raw, or
  // followed by the extended report's certificate table).
  if constexpr (!VendorBuilt(Vendor::kAmdSevSnp)) {
    return Error(ErrorCode::kUnsupported, VendorBuiltOutMessage(Vendor::kAmdSevSnp));
  } else {
    if (evidence.size() < snp::format::kReportSize)
      return Error(ErrorCode::kInvalidArgument, "shorter than an SNP report");
    TEE_ASSIGN_OR_RETURN(snp::Report r,
                         snp::ParseReport(ByteView(evidence.data(), snp::format::kReportSize)));
    std::vector<fetch::FetchTarget> out;
    for (auto p : {snp::Product::kMilan, snp::Product::kGenoa, snp::Product::kTurin}) {
      if ((r.products & snp::ProductBit(p)) == 0) continue;
      const std::string product(snp::format::ProductName(p));
      out.push_back(fetch::FetchTarget::KdsCrl(product));
      if (r.signing_key == snp::SigningKey::kVlek) {
        out.push_back(fetch::FetchTarget::VlekChain(product));
        continue;  // a VLEK comes with the evidence (KDS serves VLEKs to CSPs only)
      }
      out.push_back(fetch::FetchTarget::VcekChain(product));
      if (r.chip_id_masked()) continue;
      const snp::TcbParts t = snp::DecodeTcb(r.reported_tcb, p);
      fetch::SnpTcb tcb{t.boot_loader, t.tee, t.snp, t.microcode, std::nullopt};
      if (p == snp::Product::kTurin) tcb.fmc = t.fmc;
      out.push_back(fetch::FetchTarget::Vcek(product, r.chip_id_for(p), tcb));
    }
    return out;
  }
}

int Run(const Args& a) {
  auto type = TeeTypeFromCliName(a.tee);
  if (!type ||
      (*type != TeeType::IntelTdx && *type != TeeType::IntelSgx && *type != TeeType::AmdSevSnp)) {
    return Usage("--tee: fetch-collateral serves tdx, sgx and snp, got " + a.tee);
  }
  if (const auto vendor = VendorOf(*type); vendor && !VendorBuilt(*vendor)) {
    return Usage("--tee " + a.tee + ": " + VendorBuiltOutMessage(*vendor));
  }
  plugin::Config config;
  if (!LoadConfigArg(a.config, config)) return kExitUsage;
  std::string err;
  auto evidence = ReadFile(a.evidence, err);
  if (!evidence) return Usage(err);
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  if (ec) return Usage(a.out + ": " + ec.message());

  const uint64_t at = a.at ? *a.at : static_cast<uint64_t>(std::time(nullptr));
  auto targets = TargetsFor(*type, *evidence, config, at);
  if (!targets.ok()) return Usage(a.evidence + ": " + targets.status().message());
  if (targets->empty()) {
    std::cout << "nothing to fetch: the evidence names no missing collateral\n";
    return FinishStdout(kExitOk);
  }

  const bool intel = *type != TeeType::AmdSevSnp;
  fetch::FetchConfig fc;
  const std::string& pcs = !a.pcs_url.empty() ? a.pcs_url : config.pcs_url;
  const std::string& kds = !a.kds_url.empty() ? a.kds_url : config.kds_url;
  if (intel) fc.pcs_url = pcs.empty() ? kDefaultPcsUrl : pcs;
  if (!intel) fc.kds_url = kds.empty() ? kDefaultKdsUrl : kds;
  fc.ca_bundle = !a.ca_bundle.empty() ? a.ca_bundle : config.fetch_ca_bundle;
  fc.timeout =
      std::chrono::milliseconds(a.timeout_ms != 0 ? a.timeout_ms : config.fetch_timeout_ms);
  fc.fetcher.refresh_interval = std::chrono::seconds(0);
  // The fetched documents are authenticated by the same verifiers as
  // `verify` would use, at the fetch time `at`.
  auto verifier = plugin::BuildVerifier(config);
  DirSink sink(a.out);
  auto service = fetch::FetchService::Start(fc, *verifier, sink, nullptr, [at] { return at; });
  if (!service.ok()) return Usage(service.status().message());
  for (const auto& t : *targets) {
    if (Status s = (*service)->Request(t); !s.ok()) return Usage(t.Key() + ": " + s.message());
  }
  fetch::Fetcher* f = intel ? (*service)->pcs() : (*service)->kds();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(a.deadline_secs);
  while (f->pending() != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const bool timed_out = f->pending() != 0;
  (*service)->Shutdown();

  const auto written = sink.written();
  auto failed = sink.failed();
  for (const auto& t : *targets) {
    const std::string key = t.Key();
    if (written.count(key) == 0 && failed.count(key) == 0)
      failed[key] = timed_out ? "not fetched before --deadline-secs" : "not delivered";
  }
  for (const auto& [key, path] : written) std::cout << "fetched " << key << " -> " << path << "\n";
  for (const auto& [key, why] : failed) std::cout << "FAILED " << key << ": " << why << "\n";
  return FinishStdout(failed.empty() ? kExitOk : kExitNegative);
}

}  // namespace

Command AddFetchCollateralCommand(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto at_value = std::make_shared<uint64_t>(0);
  auto* sub = app.add_subcommand(
      "fetch-collateral",
      "fetch the collateral of TDX/SGX or SNP evidence from Intel PCS or AMD KDS into a directory "
      "for verify --collateral");
  sub->add_option("--tee", a->tee, "tdx|sgx|snp")->required();
  sub->add_option("--evidence", a->evidence, "evidence file (quote or SNP report)")->required();
  sub->add_option("--out", a->out, "directory to write the documents into (created)")->required();
  sub->add_option("--config", a->config,
                  "node config (TOML): [tee] pcs_url, kds_url, fetch_ca_bundle, fetch_timeout_ms");
  sub->add_option(
      "--pcs-url", a->pcs_url,
      std::string("Intel PCS/PCCS base URL (default: [tee] pcs_url, else ") + kDefaultPcsUrl + ")");
  sub->add_option(
      "--kds-url", a->kds_url,
      std::string("AMD KDS base URL (default: [tee] kds_url, else ") + kDefaultKdsUrl + ")");
  sub->add_option(
      "--ca-bundle", a->ca_bundle,
      "PEM file of trusted TLS CAs (default: [tee] fetch_ca_bundle, else the system's)");
  sub->add_option("--timeout-ms", a->timeout_ms,
                  "per network step (default: [tee] fetch_timeout_ms)");
  sub->add_option("--deadline-secs", a->deadline_secs, "give up on what is not fetched by then")
      ->capture_default_str();
  auto* at = sub->add_option("--at", *at_value,
                             "fetch time, unix seconds: documents must be current then "
                             "(default: now)");
  return {sub, [a, at, at_value] {
            if (*at) a->at = *at_value;
            return Run(*a);
          }};
}

}  // namespace tenzro::tee::cli
