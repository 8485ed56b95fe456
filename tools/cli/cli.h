// Shared by the tenzro-tee subcommands (main.cpp and cmd_*.cpp): exit codes,
// file and stdout helpers, hex arguments, and the registration of commands
// kept in their own files.
//
// Exit status of every command: 0 success, 1 a negative answer (invalid
// evidence, no usable TEE, a refused pre-check), 2 usage or internal error.
#pragma once

#include <CLI/CLI.hpp>

#include <array>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "attestation/binding.h"
#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "core/status.h"
#include "plugin/config.h"

namespace tenzro::tee::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNegative = 1;
inline constexpr int kExitUsage = 2;

// A whole file, at most 64 MiB; nullopt with `err` set otherwise.
std::optional<Bytes> ReadFile(const std::string& path, std::string& err);
// True only when every byte reached the file: the write, the flush and the
// close are all checked (a full disk or /dev/full fails at flush or close).
bool WriteFile(const std::string& path, const Bytes& data);
// Standard output must reach its destination too (`verify > /dev/full`).
int FinishStdout(int status);
// Prints "tenzro-tee: msg" on stderr; returns kExitUsage.
int Usage(const std::string& msg);

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

// The node config at `path` (TOML), or the built-in defaults when `path` is
// empty; false, with the error printed, when it does not load.
bool LoadConfigArg(const std::string& path, plugin::Config& config);

// The regular files directly in `dir` (flat, DESIGN §9), sorted, within the
// node limits of verify ([tee] verify_max_collateral_*); nullopt with `err`.
// `names`, when given, receives each blob's file name, in the same order.
std::optional<std::vector<Bytes>> ReadCollateralDir(const std::string& dir,
                                                    const plugin::Config& config, std::string& err,
                                                    std::vector<std::string>* names = nullptr);

// A subcommand kept in its own file: main runs `run` when `sub` was given.
struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};

// ---- issue 12 (cmd_detect.cpp, cmd_attest.cpp, cmd_provider_register.cpp) ----

// Evidence for a validator key and challenge, from this machine's hardware or,
// when asked, from the project's simulators (TDX, SNP, Nitro, NVIDIA). Simulation is asked
// by --simulate or TENZRO_SIMULATE_TDX / _SNP / _NITRO / _NVIDIA (any value
// but "", "0", "false"); it changes what is generated, never what is trusted
// (DESIGN §8).
struct Obtained {
  TeeType type = TeeType::None;
  Bytes evidence;
  bool simulated = false;
  std::vector<Bytes> collateral;  // simulated TDX: the collateral that goes with it
};
// type None = auto: the first ready hardware TEE (TDX, SNP, Nitro, NVIDIA),
// else the first type whose simulation is asked. Errors: kNotFound /
// kUnsupported (no usable TEE: exit 1), others (exit 2).
Result<Obtained> ObtainEvidence(TeeType type, const ReportDataBinding& binding, bool simulate_flag,
                                uint64_t now);
// kExitNegative for "no usable TEE" statuses, kExitUsage for the rest.
int ExitFor(const Status& s);

Command AddDetectCommand(CLI::App& app);
Command AddAttestCommand(CLI::App& app);
Command AddProviderRegisterCommand(CLI::App& app);
// issue 13 (cmd_fetch_collateral.cpp).
Command AddFetchCollateralCommand(CLI::App& app);

// What every --help ends with.
inline constexpr char kExitStatusHelp[] =
    "Exit status: 0 success (valid verdict, file written, everything fetched), 1 a negative "
    "answer (invalid verdict, no usable TEE, refused pre-check, some collateral not fetched), 2 "
    "usage or internal error.";

}  // namespace tenzro::tee::cli
