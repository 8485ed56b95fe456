// `tenzro-tee provider list|verify` (issue 15): read a node's database
// without disturbing it (RocksDB read-only open: no lock, no write).
#pragma once

#include <functional>
#include <optional>

#include <CLI/CLI.hpp>

namespace tenzro::tee::cli {

// Adds `provider list` and `provider verify` under the `provider` subcommand
// (made here unless another file made it first, e.g. `provider register`).
// The returned function runs the chosen one and gives its exit status, or
// nullopt when neither was chosen.
std::function<std::optional<int>()> AddProviderCommands(CLI::App& app);

}  // namespace tenzro::tee::cli
