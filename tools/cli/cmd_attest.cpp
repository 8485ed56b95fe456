// tenzro-tee attest --tee auto|tdx|snp|nitro|nvidia --validator-key HEX
//     --challenge HEX --out FILE [--simulate] [--collateral-out DIR]
//
// Writes evidence bound to (key, challenge) (DESIGN §4) in the form
// register_validator and `verify` take. Hardware first; simulated evidence of
// any of the four types only when asked (--simulate, TENZRO_SIMULATE_*), and
// such evidence verifies only where [tee.consensus] simulation = true.
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "attestation/detect/provider.h"
#include "attestation/detect/sim/simulate.h"
#include "tools/cli/cli.h"

namespace tenzro::tee::cli {
namespace {

const char* SimulateEnvName(TeeType t) {
  switch (t) {
    case TeeType::IntelTdx:
      return "TENZRO_SIMULATE_TDX";
    case TeeType::AmdSevSnp:
      return "TENZRO_SIMULATE_SNP";
    case TeeType::AwsNitro:
      return "TENZRO_SIMULATE_NITRO";
    case TeeType::NvidiaGpu:
      return "TENZRO_SIMULATE_NVIDIA";
    default:
      return nullptr;
  }
}

bool SimulationAsked(TeeType t, bool flag) {
  if (flag) return true;
  const char* name = SimulateEnvName(t);
  const char* v = name != nullptr ? std::getenv(name) : nullptr;
  if (v == nullptr) return false;
  const std::string s(v);
  return !s.empty() && s != "0" && s != "false";
}

constexpr TeeType kOrder[] = {TeeType::IntelTdx, TeeType::AmdSevSnp, TeeType::AwsNitro,
                              TeeType::NvidiaGpu};

Result<Obtained> Simulate(TeeType type, const ReportDataBinding& binding, uint64_t now) {
  TEE_ASSIGN_OR_RETURN(detect::sim::SimulatedEvidence ev,
                       detect::sim::SimulateEvidence(type, binding, now));
  Obtained o;
  o.type = type;
  o.simulated = true;
  o.evidence = std::move(ev.evidence);
  o.collateral = std::move(ev.collateral);
  return o;
}

Result<Obtained> FromHardware(TeeType type, const ReportDataBinding& binding) {
  auto io = SystemDeviceIo();
  detect::Environment env;
  env.io = io.get();
  TEE_ASSIGN_OR_RETURN(Bytes ev, GenerateEvidence(type, binding, env));
  Obtained o;
  o.type = type;
  o.evidence = std::move(ev);
  return o;
}

}  // namespace

int ExitFor(const Status& s) {
  return s.code() == ErrorCode::kNotFound || s.code() == ErrorCode::kUnsupported ? kExitNegative
                                                                                 : kExitUsage;
}

Result<Obtained> ObtainEvidence(TeeType type, const ReportDataBinding& binding, bool simulate_flag,
                                uint64_t now) {
  if (type != TeeType::None) {
    if (SimulationAsked(type, simulate_flag)) return Simulate(type, binding, now);
    return FromHardware(type, binding);
  }
  auto io = SystemDeviceIo();
  detect::Environment env;
  env.io = io.get();
  const auto d = detect::detect_tee(env);
  if (const auto* t = d.FirstReady()) return FromHardware(t->type, binding);
  for (TeeType t : kOrder) {
    if (SimulationAsked(t, simulate_flag)) return Simulate(t, binding, now);
  }
  std::string why = "no usable TEE found";
  for (const auto& t : d.tees) {
    why += "; " + std::string(detect::TeeDisplayName(t.type)) + ": " + t.reason;
  }
  for (const auto& a : d.absent) {
    why += "; " + std::string(detect::TeeDisplayName(a.type)) + ": " + a.reason;
  }
  return Error(ErrorCode::kNotFound, why);
}

Command AddAttestCommand(CLI::App& app) {
  struct Args {
    std::string tee = "auto", key, challenge, out, collateral_out;
    bool simulate = false;
  };
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("attest", "make evidence bound to a validator key (node side)");
  sub->add_option("--tee", a->tee, "auto|tdx|snp|nitro|nvidia")->capture_default_str();
  sub->add_option("--validator-key", a->key, "32-byte validator public key, hex")->required();
  sub->add_option("--challenge", a->challenge, "32-byte challenge, hex")->required();
  sub->add_option("--out", a->out, "evidence file")->required();
  sub->add_flag("--simulate", a->simulate,
                "simulated evidence from the project's simulators (trusted only with "
                "[tee.consensus] simulation = true)");
  sub->add_option("--collateral-out", a->collateral_out,
                  "directory for the collateral of simulated TDX evidence");
  return {
      sub, [a]() {
        TeeType type = TeeType::None;
        if (a->tee != "auto") {
          auto t = TeeTypeFromCliName(a->tee);
          if (!t || *t == TeeType::Simulated || *t == TeeType::IntelSgx) {
            return Usage("--tee: expected auto|tdx|snp|nitro|nvidia, not " + a->tee);
          }
          type = *t;
        }
        BindingInput b;
        if (!ParseHexArg(a->key, "--validator-key", b.validator_id) ||
            !ParseHexArg(a->challenge, "--challenge", b.challenge)) {
          return kExitUsage;
        }
        auto got = ObtainEvidence(type, b, a->simulate, static_cast<uint64_t>(std::time(nullptr)));
        if (!got.ok()) {
          std::cerr << "tenzro-tee: attest: " << got.status().message() << "\n";
          return ExitFor(got.status());
        }
        if (!WriteFile(a->out, got->evidence)) return Usage(a->out + ": cannot write");
        if (!a->collateral_out.empty()) {
          std::error_code ec;
          std::filesystem::create_directories(a->collateral_out, ec);
          if (ec) return Usage(a->collateral_out + ": " + ec.message());
          for (size_t i = 0; i < got->collateral.size(); ++i) {
            const std::string f = a->collateral_out + "/collateral-" + std::to_string(i) + ".bin";
            if (!WriteFile(f, got->collateral[i])) return Usage(f + ": cannot write");
          }
        }
        const auto binding = ComputeBinding(b);
        std::cout << "TEE Type: " << detect::TeeDisplayName(got->type) << "\n"
                  << "Simulated: " << (got->simulated ? "true" : "false") << "\n"
                  << "Evidence: " << got->evidence.size() << " bytes -> " << a->out << "\n"
                  << "Binding: " << ToHex(AsView(binding)) << "\n";
        if (got->simulated) {
          std::cerr << "tenzro-tee: simulated evidence: it verifies only where "
                       "[tee.consensus] simulation = true\n";
        }
        return FinishStdout(kExitOk);
      }};
}

}  // namespace tenzro::tee::cli
