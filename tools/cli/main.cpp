// tenzro-tee: command-line verifier and simulator. Runs the same verification
// code as the plugin under the config's policy (built-in defaults without
// --config). Not consensus: it may read collateral from a directory.
//
//   tenzro-tee verify --tee <simulated|tdx|sgx|snp|nitro|nvidia> --evidence FILE
//       [--collateral DIR] [--config FILE] [--validator-key HEX --challenge HEX]
//       [--issued-at UNIX] --at UNIX [--json]
//   tenzro-tee simulate --validator-key HEX --challenge HEX --issued-at UNIX --out FILE
//       [--debug] [--measurement HEX]
//   tenzro-tee simulate-revocation --this-update UNIX --next-update UNIX
//       [--measurement HEX]... --out FILE
//   tenzro-tee provider list|verify ...      (tools/cli/cmd_provider.cpp)
//
// Exit status: 0 valid (or file written), 1 invalid, 2 usage or internal error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "attestation/sim/simulator.h"
#include "attestation/standalone.h"
#include "crypto/hash.h"
#include "plugin/config.h"
#include "plugin/wiring.h"
#include "tools/cli/cmd_provider.h"

namespace {
using namespace tenzro::tee;

constexpr int kExitValid = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;
constexpr uintmax_t kMaxFileBytes = 64u << 20;

std::optional<Bytes> ReadFile(const std::string& path, std::string& err) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    err = path + ": " + ec.message();
    return std::nullopt;
  }
  if (size > kMaxFileBytes) {
    err = path + ": larger than 64 MiB";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = path + ": cannot open";
    return std::nullopt;
  }
  Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}

// True only when every byte reached the file: the write, the flush and the
// close are all checked (a full disk or /dev/full fails at flush or close).
bool WriteFile(const std::string& path, const Bytes& data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool written = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  const bool flushed = std::fflush(f) == 0;
  const bool closed = std::fclose(f) == 0;
  return written && flushed && closed;
}

// Standard output must reach its destination too (`verify > /dev/full`).
int FinishStdout(int status) {
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::cerr << "tenzro-tee: cannot write standard output\n";
    return kExitUsage;
  }
  return status;
}

int Usage(const std::string& msg) {
  std::cerr << "tenzro-tee: " << msg << "\n";
  return kExitUsage;
}

template <size_t N>
bool ParseHexArg(const std::string& text, const char* name, std::array<uint8_t, N>& out) {
  auto v = FromHexFixed<N>(text);
  if (!v) {
    std::cerr << "tenzro-tee: " << name << ": expected " << 2 * N << " hex digits\n";
    return false;
  }
  out = *v;
  return true;
}

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

struct VerifyArgs {
  std::string tee, evidence, collateral, config, key, challenge;
  std::optional<uint64_t> issued_at;
  uint64_t at = 0;
  bool json = false;
};

int RunVerify(const VerifyArgs& a) {
  auto type = TeeTypeFromCliName(a.tee);
  if (!type) return Usage("--tee: unknown type " + a.tee);
  plugin::Config config;
  if (!a.config.empty()) {
    auto c = plugin::LoadConfig(a.config);
    if (!c.ok()) return Usage(c.status().message());
    config = std::move(*c);
  }
  std::string err;
  auto evidence = ReadFile(a.evidence, err);
  if (!evidence) return Usage(err);
  if (evidence->size() > config.max_evidence_bytes) {
    return Usage(a.evidence + ": larger than max_evidence_bytes");
  }
  std::vector<Bytes> blobs;
  if (!a.collateral.empty()) {
    std::error_code ec;
    std::filesystem::directory_iterator it(a.collateral, ec);
    if (ec) return Usage(a.collateral + ": " + ec.message());
    std::vector<std::filesystem::path> files;
    for (const auto& entry : it) {
      if (entry.is_regular_file(ec)) files.push_back(entry.path());  // flat: no recursion
    }
    std::sort(files.begin(), files.end());
    // The node limits of the ABI's verify call ([tee] verify_max_collateral_*).
    if (files.size() > config.verify_max_collateral_blobs) {
      return Usage(a.collateral + ": more than " +
                   std::to_string(config.verify_max_collateral_blobs) +
                   " files ([tee] verify_max_collateral_blobs)");
    }
    uint64_t total = 0;
    for (const auto& f : files) {
      auto data = ReadFile(f.string(), err);
      if (!data) return Usage(err);
      total += data->size();
      if (total > config.verify_max_collateral_bytes) {
        return Usage(a.collateral + ": more than " +
                     std::to_string(config.verify_max_collateral_bytes) +
                     " bytes in all ([tee] verify_max_collateral_bytes)");
      }
      blobs.push_back(std::move(*data));
    }
  }
  StandaloneRequest req;
  req.tee_type = *type;
  req.evidence = AsView(*evidence);
  for (const auto& b : blobs) req.collateral_blobs.push_back(AsView(b));
  req.now = a.at;
  req.evidence_time = a.issued_at;
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
  auto verifier = plugin::BuildVerifier(config);
  auto verdict = VerifyStandalone(*verifier, req);
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

    VerifyArgs va;
    uint64_t issued_at = 0;
    auto* verify = app.add_subcommand("verify", "verify evidence and print the verdict");
    verify->add_option("--tee", va.tee, "simulated|tdx|sgx|snp|nitro|nvidia")->required();
    verify->add_option("--evidence", va.evidence, "evidence file")->required();
    verify->add_option("--collateral", va.collateral, "collateral directory (flat, by content)");
    verify->add_option("--config", va.config, "node config (TOML); built-in defaults without");
    verify->add_option("--validator-key", va.key, "32-byte validator public key, hex");
    verify->add_option("--challenge", va.challenge, "32-byte challenge, hex");
    auto* issued_opt = verify->add_option("--issued-at", issued_at, "evidence time, unix seconds");
    verify->add_option("--at", va.at, "verification time, unix seconds")->required();
    verify->add_flag("--json", va.json, "print the verdict JSON");

    std::string s_key, s_challenge, s_out, s_measurement;
    uint64_t s_issued = 0;
    bool s_debug = false;
    auto* simulate = app.add_subcommand("simulate", "make Simulated evidence (development key)");
    simulate->add_option("--validator-key", s_key)->required();
    simulate->add_option("--challenge", s_challenge)->required();
    simulate->add_option("--issued-at", s_issued)->required();
    simulate->add_option("--out", s_out)->required();
    simulate->add_option("--measurement", s_measurement, "48-byte measurement, hex");
    simulate->add_flag("--debug", s_debug);

    uint64_t r_this = 0, r_next = 0;
    std::vector<std::string> r_measurements;
    std::string r_out;
    auto* revoke = app.add_subcommand("simulate-revocation", "make a Simulated revocation list");
    revoke->add_option("--this-update", r_this)->required();
    revoke->add_option("--next-update", r_next)->required();
    revoke->add_option("--measurement", r_measurements, "revoked measurement, hex");
    revoke->add_option("--out", r_out)->required();

    auto run_provider = cli::AddProviderCommands(app);  // issue 15

    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      app.exit(e);
      return kExitUsage;
    }

    if (auto rc = run_provider()) return *rc;
    if (*verify) {
      if (*issued_opt) va.issued_at = issued_at;
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
