#include "tools/cli/cmd_serve.h"

#include <signal.h>

#include <cerrno>
#include <ctime>
#include <iostream>

#include "plugin/serve.h"

namespace tenzro::tee::cli {

std::unique_ptr<ServeCommand> RegisterServe(CLI::App& app) {
  auto c = std::make_unique<ServeCommand>();
  c->sub = app.add_subcommand(
      "serve", "serve the HTTP API (verification, registry reads) without a node; never writes");
  c->sub->add_option("--config", c->config, "node config (TOML) with [tee.http] listen")
      ->required();
  c->sub
      ->add_option("--mode", c->mode,
                   "secondary: follow a running node (RocksDB secondary); read-only: the "
                   "database as of start")
      ->check(CLI::IsMember({"secondary", "read-only"}));
  c->sub->add_option("--secondary-path", c->secondary_path,
                     "secondary's own directory (default: <db_path>.serve-secondary)");
  c->sub
      ->add_option("--refresh-secs", c->refresh_secs,
                   "secondary: catch up with the node every N seconds")
      ->check(CLI::Range(1, 86400));
  return c;
}

int ServeCommand::Run() const {
  auto loaded = plugin::LoadConfig(config);
  if (!loaded.ok()) {
    std::cerr << "tenzro-tee: " << loaded.status().message() << "\n";
    return 2;
  }
  plugin::ServeNode::Options o;
  o.config = std::move(*loaded);
  o.mode = mode == "read-only" ? storage::StoreMode::kReadOnly : storage::StoreMode::kSecondary;
  o.secondary_path =
      secondary_path.empty() ? o.config.db_path + ".serve-secondary" : secondary_path;
  // Signals are taken synchronously: blocked here, before any thread starts,
  // so every thread inherits the mask and only sigtimedwait sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  auto node = plugin::ServeNode::Open(std::move(o));
  if (!node.ok()) {
    std::cerr << "tenzro-tee: serve: " << node.status().ToString() << "\n";
    return 2;
  }
  std::cout << "serving on port " << (*node)->port() << " (" << mode << ")" << std::endl;
  const bool follow = mode == "secondary";
  for (;;) {
    timespec wait{};
    wait.tv_sec = static_cast<time_t>(refresh_secs);
    const int sig = sigtimedwait(&set, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
    if (sig < 0 && errno == EAGAIN && follow) {
      if (Status s = (*node)->Refresh(); !s.ok())
        std::cerr << "tenzro-tee: serve: refresh: " << s.ToString() << "\n";
    }
  }
  return 0;
}

}  // namespace tenzro::tee::cli
