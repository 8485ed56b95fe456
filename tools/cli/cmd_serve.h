// `tenzro-tee serve`: the HTTP API standalone (plugin/serve.h), beside a
// running node or on a copy of its database.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace tenzro::tee::cli {

struct ServeCommand {
  CLI::App* sub = nullptr;
  std::string config;
  std::string mode = "secondary";
  std::string secondary_path;
  uint64_t refresh_secs = 10;
  // Serves until SIGINT or SIGTERM. Exit status 0, or 2 on a usage or
  // start-up error.
  int Run() const;
};

std::unique_ptr<ServeCommand> RegisterServe(CLI::App& app);

}  // namespace tenzro::tee::cli
