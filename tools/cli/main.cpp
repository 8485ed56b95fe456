// tenzro-tee: command-line verifier and simulator. Runs the same verification
// code as the plugin under the config's policy (built-in defaults without
// --config). Not consensus: it may read collateral from a directory.
//
//   tenzro-tee verify --tee <simulated|tdx|sgx|snp|nitro|nvidia> --evidence FILE
//       [--collateral DIR] [--config FILE] [--validator-key HEX --challenge HEX] [--nonce HEX]
//       [--issued-at UNIX] --at UNIX|RFC3339|now [--json]
//   tenzro-tee simulate --validator-key HEX --challenge HEX --issued-at UNIX --out FILE
//       [--debug] [--measurement HEX]
//   tenzro-tee simulate-revocation --this-update UNIX --next-update UNIX
//       [--measurement HEX]... --out FILE
//   tenzro-tee detect [--json]                                     (cmd_detect.cpp)
//   tenzro-tee attest --tee auto|tdx|snp|nitro|nvidia ...          (cmd_attest.cpp)
//   tenzro-tee provider register --type tee --tee-type ... --generate-attestation ...
//                                                                  (cmd_provider_register.cpp)
//   tenzro-tee provider list|verify ...                            (cmd_provider.cpp)
//
//   tenzro-tee fetch-collateral --tee tdx|sgx|snp --evidence FILE --out DIR ...
//                                                                  (cmd_fetch_collateral.cpp)
//
// Exit status: 0 success, 1 a negative answer, 2 usage or internal error
// (cli::kExitStatusHelp).
#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "attestation/sim/simulator.h"
#include "attestation/standalone.h"
#include "attestation/vendors.h"
#include "crypto/hash.h"
#include "plugin/config.h"
#include "plugin/version.h"
#include "plugin/wiring.h"
#include "tools/cli/cli.h"
#include "tools/cli/cmd_enclave.h"
#include "tools/cli/cmd_provider.h"
#include "tools/cli/cmd_serve.h"

namespace {
using namespace tenzro::tee;
using cli::FinishStdout;
using cli::ParseHexArg;
using cli::ReadFile;
using cli::Usage;
using cli::WriteFile;

constexpr int kExitValid = cli::kExitOk;
constexpr int kExitInvalid = cli::kExitNegative;
constexpr int kExitUsage = cli::kExitUsage;

void PrintHuman(const Verdict& v) {
  auto j = VerdictToJson(v);
  std::cout << (v.valid() ? "VALID" : "INVALID") << " " << TeeTypeName(v.tee_type) << "\n";
  for (const char* key :
       {"reason", "hardware_verified", "certificate_chain_valid", "measurements_valid",
        "binding_valid", "debug", "tcb_status", "valid_until"}) {
    std::cout << "  " << key << ": " << j[key].dump() << "\n";
  }
  for (const auto& f : v.failures) {
    std::cout << "  failure " << FailureCodeName(f.code) << ": " << f.message << "\n";
  }
  for (const auto& [k, val] : j["claims"].items())
    std::cout << "  claim " << k << ": " << val.dump() << "\n";
}

// --at: unix seconds, "now" (the wall clock: this CLI is not consensus), or
// an RFC 3339 time such as 2026-01-01T00:00:00Z or 2026-01-01T01:00:00+01:00
// (fractions of a second are dropped). nullopt on anything else.
std::optional<uint64_t> ParseAt(const std::string& text) {
  if (text == "now") return static_cast<uint64_t>(std::time(nullptr));
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 19) return std::nullopt;
    return std::stoull(text);
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  char t = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &t, &h, &mi, &sec,
                  &used) != 7 ||
      used != 19 || (t != 'T' && t != 't') || text[4] != '-' || text[7] != '-' || text[13] != ':' ||
      text[16] != ':')
    return std::nullopt;
  size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const size_t digits = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == digits) return std::nullopt;
  }
  int64_t offset = 0;
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z') && i + 1 == text.size()) {
    offset = 0;
  } else if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':' &&
             std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
             std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
             std::isdigit(static_cast<unsigned char>(text[i + 4])) &&
             std::isdigit(static_cast<unsigned char>(text[i + 5]))) {
    const int oh = (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
    const int om = (text[i + 4] - '0') * 10 + (text[i + 5] - '0');
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (text[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const time_t utc = timegm(&tm);
  // timegm normalises (Feb 30 -> Mar 2): a date that moved did not exist.
  if (utc < 0 || tm.tm_mday != d || tm.tm_mon != mo - 1) return std::nullopt;
  const int64_t at = static_cast<int64_t>(utc) - offset;
  if (at < 0) return std::nullopt;
  return static_cast<uint64_t>(at);
}

struct VerifyArgs {
  std::string tee, evidence, collateral, config, key, challenge, nonce;
  std::optional<uint64_t> issued_at;
  uint64_t at = 0;
  bool json = false;
  bool verbose = false;
};

int RunVerify(const VerifyArgs& a) {
  auto type = TeeTypeFromCliName(a.tee);
  if (!type) return Usage("--tee: unknown type " + a.tee);
  plugin::Config config;
  if (!cli::LoadConfigArg(a.config, config)) return kExitUsage;
  std::string err;
  auto evidence = ReadFile(a.evidence, err);
  if (!evidence) return Usage(err);
  if (evidence->size() > config.max_evidence_bytes) {
    return Usage(a.evidence + ": larger than max_evidence_bytes");
  }
  std::vector<Bytes> blobs;
  std::vector<std::string> names;
  if (!a.collateral.empty()) {
    auto read = cli::ReadCollateralDir(a.collateral, config, err, &names);
    if (!read) return Usage(err);
    blobs = std::move(*read);
  }
  StandaloneRequest req;
  req.tee_type = *type;
  req.evidence = AsView(*evidence);
  for (const auto& b : blobs) req.collateral_blobs.push_back(AsView(b));
  req.now = a.at;
  req.evidence_time = a.issued_at;
  if (!a.nonce.empty()) {
    req.expected_nonce = FromHex(a.nonce);
    if (!req.expected_nonce) return Usage("--nonce: not hex");
  }
  if (a.key.empty() != a.challenge.empty()) {
    return Usage("--validator-key and --challenge go together");
  }
  if (!a.key.empty()) {
    BindingInput b;
    if (!ParseHexArg(a.key, "--validator-key", b.validator_id) ||
        !ParseHexArg(a.challenge, "--challenge", b.challenge)) {
      return kExitUsage;
    }
    req.binding = b;
  }
  if (!a.nonce.empty()) {
    auto n = FromHex(a.nonce);
    if (!n || n->empty() || n->size() > 64) return Usage("--nonce: expected 1 to 64 bytes of hex");
    req.expected_nonce = std::move(*n);
  }
  std::vector<std::pair<size_t, std::string>> unused;
  if (a.verbose) req.unused = &unused;
  auto verifier = plugin::BuildVerifier(config);
  auto verdict = VerifyStandalone(*verifier, req);
  // --verbose: files of the collateral directory that were not used (on
  // stderr, so --json output stays one document).
  for (const auto& [i, why] : unused) {
    std::cerr << "tenzro-tee: not used: " << a.collateral << "/" << names.at(i) << ": " << why
              << "\n";
  }
  if (!verdict.ok()) {
    std::cerr << "tenzro-tee: internal error: " << verdict.status().ToString() << "\n";
    return kExitUsage;
  }
  if (a.json)
    std::cout << VerdictToJson(*verdict).dump(2) << "\n";
  else
    PrintHuman(*verdict);
  return FinishStdout(verdict->valid() ? kExitValid : kExitInvalid);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (!crypto::InitCrypto()) return Usage("libsodium failed to initialise");
    CLI::App app{"tenzro-tee: TEE attestation verifier"};
    app.require_subcommand(1);
    app.footer(cli::kExitStatusHelp);
    app.set_version_flag(
        "--version",
        std::string("tenzro-tee ") + plugin::kVersionString + " (vendors: " +
            (kBuiltVendors == 0 ? std::string("none") : VendorSetNames(kBuiltVendors, ", ")) + ")");

    VerifyArgs va;
    uint64_t issued_at = 0;
    auto* verify = app.add_subcommand("verify", "verify evidence and print the verdict");
    verify->add_option("--tee", va.tee, "simulated|tdx|sgx|snp|nitro|nvidia")->required();
    verify->add_option("--evidence", va.evidence, "evidence file")->required();
    verify->add_option("--collateral", va.collateral, "collateral directory (flat, by content)");
    verify->add_option("--config", va.config, "node config (TOML); built-in defaults without");
    verify->add_option("--validator-key", va.key, "32-byte validator public key, hex");
    verify->add_option("--challenge", va.challenge, "32-byte challenge, hex");
    verify->add_option("--nonce", va.nonce, "nonce the evidence must carry, hex (NVIDIA, Nitro)");
    auto* issued_opt = verify->add_option("--issued-at", issued_at, "evidence time, unix seconds");
    std::string at_text;
    verify
        ->add_option("--at", at_text,
                     "verification time: unix seconds, RFC 3339 (2026-01-01T00:00:00Z) or now")
        ->required();
    verify->add_flag("--json", va.json, "print the verdict JSON");
    verify->add_flag("--verbose", va.verbose,
                     "report (on stderr) each --collateral file that was not used, and why");

    std::string s_key, s_challenge, s_out, s_measurement;
    uint64_t s_issued = 0;
    bool s_debug = false;
    auto* simulate = app.add_subcommand("simulate", "make Simulated evidence (development key)");
    simulate->add_option("--validator-key", s_key, "32-byte validator public key, hex")->required();
    simulate->add_option("--challenge", s_challenge, "32-byte challenge, hex")->required();
    simulate->add_option("--issued-at", s_issued, "evidence time, unix seconds")->required();
    simulate->add_option("--out", s_out, "evidence file to write")->required();
    simulate->add_option("--measurement", s_measurement, "48-byte measurement, hex");
    simulate->add_flag("--debug", s_debug, "mark the evidence as from a debug enclave");

    uint64_t r_this = 0, r_next = 0;
    std::vector<std::string> r_measurements;
    std::string r_out;
    auto* revoke = app.add_subcommand("simulate-revocation", "make a Simulated revocation list");
    revoke->add_option("--this-update", r_this, "start of the list's window, unix seconds")
        ->required();
    revoke->add_option("--next-update", r_next, "end of the list's window, unix seconds")
        ->required();
    revoke->add_option("--measurement", r_measurements, "revoked measurement, hex");
    revoke->add_option("--out", r_out, "list file to write")->required();

    auto serve = cli::RegisterServe(app);

    // issue 12: detect, attest, provider register (tools/cli/cmd_*.cpp).
    const std::vector<cli::Command> commands = {
        cli::AddDetectCommand(app), cli::AddAttestCommand(app),
        cli::AddProviderRegisterCommand(app), cli::AddFetchCollateralCommand(app)};
    auto enclave_cmds = cli::RegisterEnclaveCommands(app);  // issue 14

    auto run_provider = cli::AddProviderCommands(app);  // issue 15

    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      app.exit(e);
      return kExitUsage;
    }

    for (const auto& c : commands) {
      if (*c.sub) return c.run();
    }
    if (auto rc = enclave_cmds->Run()) return *rc;
    if (auto rc = run_provider()) return *rc;
    if (*serve->sub) return serve->Run();
    if (*verify) {
      if (*issued_opt) va.issued_at = issued_at;
      auto at = ParseAt(at_text);
      if (!at) return Usage("--at: expected unix seconds, RFC 3339 or now, got " + at_text);
      va.at = *at;
      return RunVerify(va);
    }
    if (*simulate) {
      sim::EvidenceSpec spec;
      if (!ParseHexArg(s_key, "--validator-key", spec.binding.validator_id) ||
          !ParseHexArg(s_challenge, "--challenge", spec.binding.challenge) ||
          (!s_measurement.empty() &&
           !ParseHexArg(s_measurement, "--measurement", spec.measurement))) {
        return kExitUsage;
      }
      spec.issued_at = s_issued;
      spec.debug = s_debug;
      if (!WriteFile(s_out, sim::MakeEvidence(spec))) return Usage(s_out + ": cannot write");
      return kExitValid;
    }
    if (*revoke) {
      if (r_next < r_this) return Usage("--next-update before --this-update");
      std::vector<simulated::Measurement> ms;
      for (const auto& m : r_measurements) {
        simulated::Measurement v{};
        if (!ParseHexArg(m, "--measurement", v)) return kExitUsage;
        ms.push_back(v);
      }
      if (!WriteFile(r_out, sim::MakeRevocationList(r_this, r_next, ms)))
        return Usage(r_out + ": cannot write");
      return kExitValid;
    }
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "tenzro-tee: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
}
