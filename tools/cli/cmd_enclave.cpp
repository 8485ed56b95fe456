#include "tools/cli/cmd_enclave.h"

#include <sodium.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "attestation/enclave_crypto/enclave_crypto.h"
#include "attestation/mpc/mpc_service.h"
#include "core/device_io.h"
#include "crypto/aead.h"
#include "plugin/config.h"
#include "plugin/enclave.h"
#include "storage/kv_store.h"

namespace tenzro::tee::cli {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

int Fail(const std::string& msg, int code = kUsage) {
  std::cerr << "tenzro-tee: " << msg << "\n";
  return code;
}

std::optional<Bytes> Read(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > enclave_crypto::kMaxPlaintextBytes + enclave_crypto::kOverheadBytes) {
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool Write(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.flush();
  out.close();
  return static_cast<bool>(out);
}

class Commands final : public EnclaveCommands {
 public:
  explicit Commands(CLI::App& app) {
    for (auto [name, help, cmd] :
         {std::tuple{"enclave-encrypt", "AES-256-GCM under the [tee.enclave] key source", &enc_},
          std::tuple{"enclave-decrypt", "open an enclave-encrypt ciphertext", &dec_}}) {
      *cmd = app.add_subcommand(name, help);
      (*cmd)->add_option("--config", config_, "node config (TOML) with [tee.enclave]")->required();
      (*cmd)->add_option("--key-id", key_id_, "key id (1..255 bytes)")->required();
      (*cmd)->add_option("--in", in_, "input file")->required();
      (*cmd)->add_option("--out", out_, "output file")->required();
    }
    demo_ = app.add_subcommand("mpc-demo", "2-of-3 FROST(Ed25519, SHA-512) signing demo");
    demo_->add_option("--config", config_, "node config (TOML) with [tee.enclave]")->required();
    demo_->add_option("--message", message_, "message to sign");
  }

  std::optional<int> Run() override {
    if (enc_->parsed() || dec_->parsed()) return RunCrypt(enc_->parsed());
    if (demo_->parsed()) return RunDemo();
    return std::nullopt;
  }

 private:
  struct Setup {
    plugin::Config config;
    std::unique_ptr<DeviceIo> io;
    std::unique_ptr<enclave_crypto::EnclaveCrypto> crypto;
  };

  std::optional<Setup> Load(int& rc) {
    auto cfg = plugin::LoadConfig(config_);
    if (!cfg.ok()) {
      rc = Fail(cfg.status().message());
      return std::nullopt;
    }
    Setup s{std::move(*cfg), SystemDeviceIo("/"), nullptr};
    auto src = plugin::MakeKeySource(s.config, *s.io);
    if (!src.ok()) {
      rc = Fail(src.status().message());
      return std::nullopt;
    }
    s.crypto = std::make_unique<enclave_crypto::EnclaveCrypto>(*src);
    return s;
  }

  int RunCrypt(bool encrypt) {
    int rc = kUsage;
    auto s = Load(rc);
    if (!s) return rc;
    auto in = Read(in_);
    if (!in) return Fail(in_ + ": cannot read (or larger than 64 MiB)");
    auto r = encrypt ? s->crypto->Encrypt(key_id_, AsView(*in))
                     : s->crypto->Decrypt(key_id_, AsView(*in));
    crypto::Wipe(*in);
    if (!r.ok()) {
      return Fail(std::string(ErrorCodeName(r.status().code())) + ": " + r.status().message(),
                  kFailed);
    }
    const bool ok = Write(out_, *r);
    crypto::Wipe(*r);
    return ok ? kOk : Fail(out_ + ": cannot write");
  }

  int RunDemo() {
    int rc = kUsage;
    auto s = Load(rc);
    if (!s) return rc;
    storage::RocksOptions ro;
    ro.path = s->config.db_path;
    auto store = storage::OpenRocksStore(ro);
    if (!store.ok()) return Fail(store.status().message());
    mpc::MpcService svc(*s->crypto, **store);
    auto g = svc.GenerateShares(2, 3);
    if (!g.ok()) return Fail(g.status().message(), kFailed);
    const ByteView msg(reinterpret_cast<const uint8_t*>(message_.data()), message_.size());
    std::cout << "group_public_key " << ToHex(AsView(g->group_public_key)) << "\n";
    int failures = 0;
    for (const auto& subset : std::vector<std::vector<uint16_t>>{{1, 2}, {1, 3}, {2, 3}}) {
      std::vector<mpc::frost::Commitment> list;
      std::vector<mpc::frost::SignatureShare> shares;
      bool ok = true;
      for (uint16_t id : subset) {
        auto c = svc.Commit({g->group_public_key, id});
        ok = ok && c.ok();
        if (c.ok()) list.push_back(*c);
      }
      for (uint16_t id : subset) {
        auto z = ok ? svc.SignWithShare({g->group_public_key, id}, msg, list)
                    : Result<mpc::frost::SignatureShare>(Error(ErrorCode::kInternal, "commit"));
        ok = ok && z.ok();
        if (z.ok()) shares.push_back(*z);
      }
      auto out = ok ? svc.Aggregate(g->group_public_key, msg, list, shares)
                    : Result<mpc::AggregateOutcome>(Error(ErrorCode::kInternal, "sign"));
      const bool verified =
          out.ok() && out->signature &&
          crypto_sign_verify_detached(out->signature->data(), msg.data(), msg.size(),
                                      g->group_public_key.data()) == 0;
      std::cout << "signers " << subset[0] << "," << subset[1] << " signature "
                << (out.ok() && out->signature ? ToHex(AsView(*out->signature)) : "-")
                << " ed25519_verify " << (verified ? "ok" : "FAILED") << "\n";
      failures += verified ? 0 : 1;
    }
    // One share alone is below the threshold.
    auto c = svc.Commit({g->group_public_key, 1});
    auto one = c.ok() ? svc.SignWithShare({g->group_public_key, 1}, msg, std::span(&*c, 1))
                      : Result<mpc::frost::SignatureShare>(c.status());
    std::cout << "signers 1 alone: "
              << (one.ok() ? "SIGNED (unexpected)" : "refused: " + one.status().message()) << "\n";
    failures += one.ok() ? 1 : 0;
    return failures == 0 ? kOk : kFailed;
  }

  CLI::App* enc_ = nullptr;
  CLI::App* dec_ = nullptr;
  CLI::App* demo_ = nullptr;
  std::string config_, key_id_, in_, out_;
  std::string message_ = "tenzro mpc demo";
};

}  // namespace

std::unique_ptr<EnclaveCommands> RegisterEnclaveCommands(CLI::App& app) {
  return std::make_unique<Commands>(app);
}

}  // namespace tenzro::tee::cli
