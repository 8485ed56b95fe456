#include "plugin/serve.h"

#include "attestation/standalone.h"
#include "plugin/wiring.h"
#include "registry/tee_registry.h"

namespace tenzro::tee::plugin {

http::ApiOptions HttpApiOptions(const Config& config, http::DefaultTime default_time) {
  http::ApiOptions ao;
  ao.limits.max_evidence_bytes = config.max_evidence_bytes;
  ao.limits.max_collateral_blobs = config.verify_max_collateral_blobs;
  ao.limits.max_collateral_bytes = config.verify_max_collateral_bytes;
  ao.bearer_token = config.http.bearer_token;
  ao.default_time = default_time;
  return ao;
}

namespace {

// The registry owns its store; generations share one database.
class SharedStore final : public storage::KvStore {
 public:
  explicit SharedStore(std::shared_ptr<storage::KvStore> inner) : inner_(std::move(inner)) {}
  Result<std::optional<Bytes>> Get(storage::Cf cf, ByteView key) const override {
    return inner_->Get(cf, key);
  }
  Status Write(const storage::WriteBatch& batch) override { return inner_->Write(batch); }
  Status ForEach(storage::Cf cf, const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->ForEach(cf, fn);
  }
  Status ForEachInRange(storage::Cf cf, ByteView begin, ByteView end,
                        const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->ForEachInRange(cf, begin, end, fn);
  }
  Result<std::vector<std::optional<Bytes>>> MultiGet(
      storage::Cf cf, const std::vector<Bytes>& keys) const override {
    return inner_->MultiGet(cf, keys);
  }

 private:
  std::shared_ptr<storage::KvStore> inner_;
};

}  // namespace

struct ServeNode::Generation {
  std::unique_ptr<registry::TeeRegistry> registry;
  std::unique_ptr<consensus::ConsensusHooks> hooks;
};

Result<std::unique_ptr<ServeNode>> ServeNode::Open(Options options) {
  if (!options.config.http.enabled())
    return Error(ErrorCode::kConfig, "serve needs [tee.http] listen");
  if (options.config.db_path.empty()) return Error(ErrorCode::kConfig, "serve needs [tee] db_path");
  if (options.mode == storage::StoreMode::kReadWrite)
    return Error(ErrorCode::kConfig, "serve opens the database read-only or as a secondary");
  TEE_TRY(CheckVendorsBuilt(options.config.chain(), "serve"));
  std::unique_ptr<ServeNode> n(new ServeNode());
  n->options_ = std::move(options);
  const Config& config = n->options_.config;
  storage::RocksOptions ro;
  ro.path = config.db_path;
  ro.mode = n->options_.mode;
  ro.secondary_path = n->options_.secondary_path;
  ro.memory_budget_bytes = config.rocksdb_memory_mb << 20;
  TEE_ASSIGN_OR_RETURN(auto store, storage::OpenRocksStore(ro));
  n->store_ = std::move(store);
  n->verifier_ = BuildVerifier(config);
  n->standalone_verifier_ = BuildVerifier(config);
  TEE_ASSIGN_OR_RETURN(auto gen, n->Load());
  {
    MutexLock lock(&n->mu_);
    n->current_ = std::move(gen);
  }
  const ServeNode* self = n.get();
  n->api_ = std::make_unique<http::Api>([self] { return self->hooks(); },
                                        [self](StandaloneRequest req) -> Result<Verdict> {
                                          // Not consensus: the admitted set as the database holds
                                          // it, plus the caller's blobs, through this process's own
                                          // verifiers.
                                          const auto hooks = self->hooks();
                                          const std::shared_ptr<const CollateralSet> admitted =
                                              hooks->AdmittedCollateral();
                                          req.base = admitted.get();
                                          return VerifyStandalone(*self->standalone_verifier_, req);
                                        },
                                        HttpApiOptions(config, http::DefaultTime::kWallClock));
  TEE_ASSIGN_OR_RETURN(n->server_, http::Server::Start(config.http, *n->api_));
  return n;
}

ServeNode::~ServeNode() {
  if (server_) server_->Stop();  // joins every thread that reads what follows
  server_.reset();
  api_.reset();
  MutexLock lock(&mu_);
  current_.reset();
}

Result<std::shared_ptr<ServeNode::Generation>> ServeNode::Load() {
  auto gen = std::make_shared<Generation>();
  TEE_ASSIGN_OR_RETURN(gen->registry,
                       registry::TeeRegistry::Open(std::make_unique<SharedStore>(store_)));
  const Config& config = options_.config;
  // Answers under another policy than the node's would mislead: refuse.
  const Hash32 params_hash = ParamsHash(config.chain());
  if (auto stored = gen->registry->params_hash(); stored && *stored != params_hash) {
    return Error(ErrorCode::kParamsMismatch,
                 "database " + config.db_path + " holds epochs made under params_hash " +
                     ToHex(AsView(*stored)) + ", config gives " + ToHex(AsView(params_hash)));
  }
  consensus::HookParams hp;
  hp.multiplier = config.multiplier;
  hp.expiry_window_secs = config.expiry_window_secs;
  hp.max_evidence_bytes = config.max_evidence_bytes;
  hp.max_collateral_bytes = config.max_collateral_bytes;
  hp.snapshot_retention = static_cast<uint32_t>(config.snapshot_retention);
  hp.params_hash = params_hash;
  gen->hooks = std::make_unique<consensus::ConsensusHooks>(*gen->registry, *verifier_, hp, nullptr);
  return gen;
}

Status ServeNode::Refresh() {
  TEE_TRY(store_->CatchUpWithPrimary());
  TEE_ASSIGN_OR_RETURN(auto gen, Load());
  MutexLock lock(&mu_);
  current_ = std::move(gen);
  return Status::Ok();
}

std::shared_ptr<const consensus::ConsensusHooks> ServeNode::hooks() const {
  MutexLock lock(&mu_);
  // Aliasing: the pointer keeps its whole generation alive.
  return std::shared_ptr<const consensus::ConsensusHooks>(current_, current_->hooks.get());
}

}  // namespace tenzro::tee::plugin
