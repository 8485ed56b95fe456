// tenzro-tee provider list --type TYPE --db DIR [--model ID] [--json]
// tenzro-tee provider verify --id HEX --db DIR [--at UNIX] [--config FILE]
//
// Exit status: list 0; verify 0 when the provider's current verdict is
// valid, 1 when not; 2 usage or a database that cannot be read.
#include "tools/cli/cmd_provider.h"

#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "consensus_hooks/hooks.h"
#include "plugin/config.h"
#include "plugin/provider_json.h"
#include "plugin/wiring.h"
#include "registry/tee_registry.h"
#include "storage/kv_store.h"

namespace tenzro::tee::cli {
namespace {

constexpr int kExitValid = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitUsage = 2;

int Fail(const std::string& msg) {
  std::cerr << "tenzro-tee provider: " << msg << "\n";
  return kExitUsage;
}

Result<std::unique_ptr<registry::TeeRegistry>> OpenReadOnly(const std::string& db) {
  storage::RocksOptions o;
  o.path = db;
  o.mode = storage::StoreMode::kReadOnly;
  o.create_if_missing = false;
  o.memory_budget_bytes = 16u << 20;
  TEE_ASSIGN_OR_RETURN(auto store, storage::OpenRocksStore(o));
  return registry::TeeRegistry::Open(std::move(store));
}

CLI::App* ProviderCommand(CLI::App& app) {
  auto found = app.get_subcommands([](const CLI::App* s) { return s->get_name() == "provider"; });
  if (!found.empty()) return found.front();
  auto* p = app.add_subcommand("provider", "confidential-AI model providers (issue 15)");
  p->require_subcommand(1);
  return p;
}

struct ListArgs {
  std::string type, db, model;
  bool json = false;
};

int RunList(const ListArgs& a) {
  const auto type = TeeTypeFromCliName(a.type);
  if (!type || *type == TeeType::None) return Fail("--type: unknown type " + a.type);
  auto reg = OpenReadOnly(a.db);
  if (!reg.ok()) return Fail(reg.status().message());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, p] : (*reg)->providers()) {
    if (!p.HasType(*type) || (!a.model.empty() && p.model_id != a.model)) continue;
    if (a.json) {
      nlohmann::json j = nlohmann::json::object();
      j["provider_id"] = ToHex(AsView(id));
      j["model_id"] = p.model_id;
      j["model_hash"] = ToHex(AsView(p.model_hash));
      j["status"] = registry::ValidatorStatusName(p.status);
      j["valid_until"] = ValidUntilJson(p.valid_until);
      nlohmann::json types = nlohmann::json::array();
      for (const auto& e : p.evidence) types.push_back(std::string(TeeTypeName(e.tee_type)));
      j["tee_types"] = std::move(types);
      out.push_back(std::move(j));
    } else {
      std::cout << ToHex(AsView(id)) << "  " << registry::ValidatorStatusName(p.status) << "  "
                << p.model_id << "  " << ToHex(AsView(p.model_hash)) << "\n";
    }
  }
  if (a.json) std::cout << out.dump(2) << "\n";
  return kExitValid;
}

struct VerifyArgs {
  std::string id, db, config;
  uint64_t at = 0;
};

int RunVerify(const VerifyArgs& a) {
  const auto id = FromHexFixed<32>(a.id);
  if (!id) return Fail("--id: 32 bytes of hex");
  plugin::Config config;
  if (!a.config.empty()) {
    auto c = plugin::LoadConfig(a.config);
    if (!c.ok()) return Fail(c.status().message());
    config = std::move(*c);
  }
  auto reg = OpenReadOnly(a.db);
  if (!reg.ok()) return Fail(reg.status().message());
  const auto verifier = plugin::BuildVerifier(config);
  consensus::ConsensusHooks hooks(**reg, *verifier, consensus::HookParams{}, nullptr);
  // --at is required: verification never reads the wall clock.
  auto check = hooks.CheckProvider(*id, a.at);
  if (!check.ok()) return Fail(check.status().message());
  std::cout << plugin::ProviderCheckToJson(*check).dump(2) << "\n";
  return check->valid ? kExitValid : kExitInvalid;
}

}  // namespace

std::function<std::optional<int>()> AddProviderCommands(CLI::App& app) {
  CLI::App* provider = ProviderCommand(app);
  auto list_args = std::make_shared<ListArgs>();
  auto* list = provider->add_subcommand("list", "providers with evidence of a TEE type");
  list->add_option("--type", list_args->type, "tdx|sgx|snp|nitro|nvidia|nvidia-gpu|...")
      ->required();
  list->add_option("--db", list_args->db, "the node's database directory")->required();
  list->add_option("--model", list_args->model, "only this model id");
  list->add_flag("--json", list_args->json, "JSON array");

  auto verify_args = std::make_shared<VerifyArgs>();
  auto* verify =
      provider->add_subcommand("verify", "a provider's current verdict from its stored claims");
  verify->add_option("--id", verify_args->id, "32-byte provider id, hex")->required();
  verify->add_option("--db", verify_args->db, "the node's database directory")->required();
  verify->add_option("--at", verify_args->at, "verification time, unix seconds")->required();
  verify->add_option("--config", verify_args->config,
                     "node config (chain parameters: policy, simulation)");

  return [list, verify, list_args, verify_args]() -> std::optional<int> {
    if (*list) return RunList(*list_args);
    if (*verify) return RunVerify(*verify_args);
    return std::nullopt;
  };
}

}  // namespace tenzro::tee::cli
