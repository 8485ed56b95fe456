// tenzro-tee provider register --type tee
//     --tee-type intel-tdx|amd-sev-snp|aws-nitro|nvidia-gpu
//     (--generate-attestation [--simulate] | --evidence FILE)
//     --id HEX --challenge HEX [--stake N] --out request.json
//     [--config FILE] [--collateral DIR] [--at UNIX]
//
// Writes the registration request a node submits on chain: the type, the
// evidence (base64), the binding inputs and the verdict of a local pre-check
// under the config's policy (built-in defaults without --config). Evidence
// that would not verify is refused with the verdict's reason (exit 1) and no
// file is written. The pre-check is not consensus: the chain's nodes decide
// with their own admitted collateral (DESIGN §2).
//
// Seam for issue 15 (model providers): `--type model` with --model-id and
// --model-hash binds with tenzro-tee-model-v1 instead; BuildRequest takes the
// binding it is given, so only the option parsing and the binding differ.
#include <ctime>

#include <nlohmann/json.hpp>

#include "attestation/detect/detect.h"
#include "attestation/standalone.h"
#include "core/u256.h"
#include "crypto/base64.h"
#include "plugin/wiring.h"
#include "tools/cli/cli.h"

namespace tenzro::tee::cli {
namespace {

// The seed's feature-flag names.
std::optional<TeeType> TeeTypeFromFlagName(const std::string& name) {
  if (name == "intel-tdx") return TeeType::IntelTdx;
  if (name == "amd-sev-snp") return TeeType::AmdSevSnp;
  if (name == "aws-nitro") return TeeType::AwsNitro;
  if (name == "nvidia-gpu") return TeeType::NvidiaGpu;
  return std::nullopt;
}

struct Args {
  std::string type, tee_type, id, challenge, stake, out, config, collateral, evidence;
  bool generate = false, simulate = false;
  uint64_t at = 0;
  bool at_given = false;
};

nlohmann::json BuildRequest(const Args& a, const BindingInput& b, const Obtained& o,
                            const Verdict& v, uint64_t at) {
  const auto binding = ComputeBinding(b);
  return {{"type", a.type},
          {"tee_type", a.tee_type},
          {"id", ToHex(AsView(b.validator_id))},
          {"stake", a.stake.empty() ? nlohmann::json() : nlohmann::json(a.stake)},
          {"evidence", crypto::Base64Encode(AsView(o.evidence))},
          {"binding",
           {{"tag", kBindingTag},
            {"validator_key", ToHex(AsView(b.validator_id))},
            {"challenge", ToHex(AsView(b.challenge))},
            {"binding", ToHex(AsView(binding))}}},
          {"simulated", o.simulated},
          {"precheck", {{"at", at}, {"verdict", VerdictToJson(v)}}}};
}

int Run(const Args& a) {
  if (a.type != "tee") {
    return Usage("--type: only \"tee\" (model providers arrive with issue 15), not " + a.type);
  }
  auto type = TeeTypeFromFlagName(a.tee_type);
  if (!type) return Usage("--tee-type: expected intel-tdx|amd-sev-snp|aws-nitro|nvidia-gpu");
  if (a.generate == !a.evidence.empty()) {
    return Usage("give exactly one of --generate-attestation and --evidence FILE");
  }
  if (a.simulate && !a.generate) return Usage("--simulate goes with --generate-attestation");
  BindingInput b;
  if (!ParseHexArg(a.id, "--id", b.validator_id) ||
      !ParseHexArg(a.challenge, "--challenge", b.challenge)) {
    return kExitUsage;
  }
  if (!a.stake.empty()) {
    auto s = ParseU256(a.stake);
    if (!s || *s == 0) return Usage("--stake: expected a non-zero decimal or 0x integer < 2^256");
  }
  plugin::Config config;
  if (!LoadConfigArg(a.config, config)) return kExitUsage;
  std::string err;
  std::vector<Bytes> blobs;
  if (!a.collateral.empty()) {
    auto read = ReadCollateralDir(a.collateral, config, err);
    if (!read) return Usage(err);
    blobs = std::move(*read);
  }
  const uint64_t at = a.at_given ? a.at : static_cast<uint64_t>(std::time(nullptr));
  Obtained o;
  if (a.generate) {
    auto got = ObtainEvidence(*type, b, a.simulate, at);
    if (!got.ok()) {
      std::cerr << "tenzro-tee: provider register: " << got.status().message() << "\n";
      return ExitFor(got.status());
    }
    o = std::move(*got);
  } else {
    auto ev = ReadFile(a.evidence, err);
    if (!ev) return Usage(err);
    o.type = *type;
    o.evidence = std::move(*ev);
  }
  if (o.evidence.size() > config.max_evidence_bytes) {
    return Usage("evidence larger than max_evidence_bytes");
  }
  StandaloneRequest req;
  req.tee_type = o.type;
  req.evidence = AsView(o.evidence);
  for (const auto& c : blobs) req.collateral_blobs.push_back(AsView(c));
  for (const auto& c : o.collateral) req.collateral_blobs.push_back(AsView(c));
  req.now = at;
  req.evidence_time = at;  // TDX/SNP/NVIDIA: the registration time (DESIGN §5)
  req.binding = b;
  auto verifier = plugin::BuildVerifier(config);
  auto verdict = VerifyStandalone(*verifier, req);
  if (!verdict.ok()) {
    std::cerr << "tenzro-tee: internal error: " << verdict.status().ToString() << "\n";
    return kExitUsage;
  }
  if (!verdict->valid()) {
    std::cerr << "tenzro-tee: refused: the evidence would not verify: "
              << FailureCodeName(verdict->failures.front().code) << ": "
              << verdict->failures.front().message << "\n";
    return kExitNegative;
  }
  const std::string text = BuildRequest(a, b, o, *verdict, at).dump(2) + "\n";
  if (!WriteFile(a.out, Bytes(text.begin(), text.end()))) return Usage(a.out + ": cannot write");
  std::cout << "TEE Type: " << detect::TeeDisplayName(o.type) << "\n"
            << "Pre-check: valid" << (o.simulated ? " (simulated evidence)" : "") << "\n"
            << "Request: " << a.out << "\n";
  return FinishStdout(kExitOk);
}

}  // namespace

Command AddProviderRegisterCommand(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* provider = app.add_subcommand("provider", "provider registration requests");
  provider->require_subcommand(1);
  auto* sub = provider->add_subcommand("register", "write a registration request (node side)");
  sub->add_option("--type", a->type, "tee")->required();
  sub->add_option("--tee-type", a->tee_type, "intel-tdx|amd-sev-snp|aws-nitro|nvidia-gpu")
      ->required();
  sub->add_flag("--generate-attestation", a->generate, "make the evidence on this machine");
  sub->add_flag("--simulate", a->simulate, "simulated TDX/SNP evidence (devnets)");
  sub->add_option("--evidence", a->evidence, "existing evidence file instead");
  sub->add_option("--id", a->id, "32-byte validator/provider public key, hex")->required();
  sub->add_option("--challenge", a->challenge, "32-byte challenge, hex")->required();
  sub->add_option("--stake", a->stake, "stake, decimal or 0x-hex");
  sub->add_option("--out", a->out, "request file (JSON)")->required();
  sub->add_option("--config", a->config, "node config (TOML) for the pre-check");
  sub->add_option("--collateral", a->collateral, "collateral directory for the pre-check");
  auto* at = sub->add_option("--at", a->at, "pre-check time, unix seconds (default: now)");
  // `provider` alone is usage; `provider register` runs.
  return {sub, [a, at]() {
            a->at_given = at->count() > 0;
            return Run(*a);
          }};
}

}  // namespace tenzro::tee::cli
