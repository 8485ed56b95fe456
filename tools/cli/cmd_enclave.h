// Issue 14 subcommands of tenzro-tee (not consensus):
//
//   tenzro-tee enclave-encrypt --config FILE --key-id ID --in FILE --out FILE
//   tenzro-tee enclave-decrypt --config FILE --key-id ID --in FILE --out FILE
//   tenzro-tee mpc-demo --config FILE [--message TEXT]
//
// The key source is the config's [tee.enclave] (simulation needs
// [tee.consensus] simulation = true). mpc-demo generates a 2-of-3 FROST
// group in the config's database, signs with every 2-of-3 subset, shows
// that one share alone cannot, and verifies each signature with libsodium.
#pragma once

#include <memory>
#include <optional>

namespace CLI {
class App;
}

namespace tenzro::tee::cli {

class EnclaveCommands {
 public:
  virtual ~EnclaveCommands() = default;
  // After parsing: the exit status when one of these subcommands ran.
  virtual std::optional<int> Run() = 0;
};

std::unique_ptr<EnclaveCommands> RegisterEnclaveCommands(CLI::App& app);

}  // namespace tenzro::tee::cli
