#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/threadpool.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "storage/kv_store.h"

namespace tenzro::tee::storage {
namespace {

constexpr std::array<const char*, kCfCount> kCfNames = {
    "validators", "evidence", "collateral", "epochs", "metadata", "mpc_shares", "providers"};

rocksdb::Slice ToSlice(ByteView v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }
ByteView FromSlice(const rocksdb::Slice& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  return Error(ErrorCode::kStorage, std::string(what) + ": " + s.ToString());
}

// An Env whose background thread pools belong to one store (issue 9, item
// 11). Env::Default()'s pools are process-wide: once a database has
// scheduled a flush or a compaction on them, their threads (rocksdb:low,
// rocksdb:high) live until the process exits, so a plugin that was closed
// (and dlclosed) would leave threads behind in the node. Here the store's
// flushes and compactions run on pools it creates at open and joins at
// close. Files, clock and everything else go to Env::Default(), which starts
// no thread of its own for them.
//
// UnSchedule returns 0 (nothing removed): RocksDB then waits at Close for the
// queued jobs, which see the shutdown and return at once. That is what it
// does for a job that already started, so it is always safe.
class OwnedPoolsEnv final : public rocksdb::EnvWrapper {
 public:
  OwnedPoolsEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {
    // DB::Open raises LOW and HIGH to its compaction and flush limits
    // (IncBackgroundThreadsIfNeeded); BOTTOM stays empty, so RocksDB never
    // schedules there.
    pools_[kBottom].reset(rocksdb::NewThreadPool(0));
    pools_[kLow].reset(rocksdb::NewThreadPool(1));
    pools_[kHigh].reset(rocksdb::NewThreadPool(1));
  }
  ~OwnedPoolsEnv() override { JoinAll(); }
  OwnedPoolsEnv(const OwnedPoolsEnv&) = delete;
  OwnedPoolsEnv& operator=(const OwnedPoolsEnv&) = delete;

  static const char* kClassName() { return "TenzroOwnedPoolsEnv"; }
  const char* Name() const override { return kClassName(); }

  void Schedule(void (*function)(void*), void* arg, Priority pri, void* /*tag*/,
                void (* /*unschedule*/)(void*)) override {
    Pool(pri).SubmitJob([function, arg] { function(arg); });
  }
  int UnSchedule(void* /*tag*/, Priority /*pri*/) override { return 0; }
  unsigned int GetThreadPoolQueueLen(Priority pri) const override {
    return Pool(pri).GetQueueLen();
  }
  void SetBackgroundThreads(int number, Priority pri) override {
    Pool(pri).SetBackgroundThreads(number);
  }
  int GetBackgroundThreads(Priority pri) override { return Pool(pri).GetBackgroundThreads(); }
  void IncBackgroundThreadsIfNeeded(int number, Priority pri) override {
    if (Pool(pri).GetBackgroundThreads() < number) Pool(pri).SetBackgroundThreads(number);
  }
  int ReserveThreads(int /*threads*/, Priority /*pri*/) override { return 0; }
  int ReleaseThreads(int /*threads*/, Priority /*pri*/) override { return 0; }
  void LowerThreadPoolIOPriority(Priority /*pool*/) override {}
  void LowerThreadPoolCPUPriority(Priority /*pool*/) override {}
  rocksdb::Status LowerThreadPoolCPUPriority(Priority /*pool*/,
                                             rocksdb::CpuPriority /*pri*/) override {
    return rocksdb::Status::OK();
  }

  // Runs what is queued, then joins every thread. REQUIRES: no database
  // uses the env any more.
  void JoinAll() {
    for (auto& p : pools_) p->WaitForJobsAndJoinAllThreads();
  }

 private:
  static constexpr size_t kBottom = 0, kLow = 1, kHigh = 2;
  rocksdb::ThreadPool& Pool(Priority pri) const {
    switch (pri) {
      case Priority::BOTTOM:
        return *pools_[kBottom];
      case Priority::HIGH:
        return *pools_[kHigh];
      default:
        return *pools_[kLow];  // LOW, and USER (not used by the database)
    }
  }
  std::array<std::unique_ptr<rocksdb::ThreadPool>, 3> pools_;
};

class RocksStore final : public KvStore {
 public:
  RocksStore(std::unique_ptr<OwnedPoolsEnv> env, std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> handles, bool sync_writes, StoreMode mode)
      : env_(std::move(env)),
        db_(std::move(db)),
        handles_(std::move(handles)),
        sync_writes_(sync_writes),
        mode_(mode) {}
  ~RocksStore() override {
    // Flush the memtables so the next open replays no WAL (issue 9, item
    // 12). Best effort: on failure the synced WAL still holds every write.
    if (mode_ == StoreMode::kReadWrite) {
      rocksdb::FlushOptions fo;
      fo.wait = true;
      db_->Flush(fo, handles_).PermitUncheckedError();
    }
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close().PermitUncheckedError();
    db_.reset();
    env_->JoinAll();  // no thread of ours outlives the store
  }

  Result<std::optional<Bytes>> Get(Cf cf, ByteView key) const override {
    rocksdb::PinnableSlice value;
    auto s = db_->Get(rocksdb::ReadOptions(), handles_[Index(cf)], ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<Bytes>();
    if (!s.ok()) return FromRocks(s, "get");
    ByteView v = FromSlice(value);
    return std::optional<Bytes>(Bytes(v.begin(), v.end()));
  }

  Status CatchUpWithPrimary() override {
    if (mode_ != StoreMode::kSecondary) return KvStore::CatchUpWithPrimary();
    auto s = db_->TryCatchUpWithPrimary();
    return s.ok() ? Status::Ok() : FromRocks(s, "catch up with primary");
  }

  Status Write(const WriteBatch& batch) override {
    if (mode_ != StoreMode::kReadWrite)
      return Error(ErrorCode::kStorage, "the database is open read-only");
    rocksdb::WriteBatch wb;
    for (size_t i = 0; i < batch.size(); ++i) {
      const WriteBatch::Op op = batch.op(i);
      auto* cf = handles_[Index(op.cf)];
      rocksdb::Status s;
      switch (op.kind) {
        case WriteBatch::Kind::kPut:
          s = wb.Put(cf, ToSlice(op.key), ToSlice(op.value));
          break;
        case WriteBatch::Kind::kDelete:
          s = wb.Delete(cf, ToSlice(op.key));
          break;
        case WriteBatch::Kind::kDeleteRange:
          s = wb.DeleteRange(cf, ToSlice(op.key), ToSlice(op.value));
          break;
      }
      if (!s.ok()) return FromRocks(s, "batch");
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync_writes_;
    return FromRocks(db_->Write(wo, &wb), "write");
  }

  Status ForEach(Cf cf, const std::function<bool(ByteView, ByteView)>& fn) const override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[Index(cf)]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (!fn(FromSlice(it->key()), FromSlice(it->value()))) break;
    }
    return FromRocks(it->status(), "iterate");
  }

  Status ForEachInRange(Cf cf, ByteView begin, ByteView end,
                        const std::function<bool(ByteView, ByteView)>& fn) const override {
    const rocksdb::Slice upper = ToSlice(end);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[Index(cf)]));
    for (it->Seek(ToSlice(begin)); it->Valid(); it->Next()) {
      if (!fn(FromSlice(it->key()), FromSlice(it->value()))) break;
    }
    return FromRocks(it->status(), "iterate");
  }

  Result<std::vector<std::optional<Bytes>>> MultiGet(
      Cf cf, const std::vector<Bytes>& keys) const override {
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (const auto& k : keys) slices.push_back(ToSlice(AsView(k)));
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), handles_[Index(cf)], slices.size(), slices.data(),
                  values.data(), statuses.data());
    std::vector<std::optional<Bytes>> out(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i], "multiget");
      ByteView v = FromSlice(values[i]);
      out[i] = Bytes(v.begin(), v.end());
    }
    return out;
  }

 private:
  static size_t Index(Cf cf) { return static_cast<size_t>(cf) + 1; }  // 0 is "default"

  std::unique_ptr<OwnedPoolsEnv> env_;  // outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  bool sync_writes_;
  StoreMode mode_;
};

}  // namespace

const char* CfName(Cf cf) { return kCfNames[static_cast<size_t>(cf)]; }

Status KvStore::ForEachInRange(Cf cf, ByteView begin, ByteView end,
                               const std::function<bool(ByteView, ByteView)>& fn) const {
  auto less = [](ByteView a, ByteView b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  };
  return ForEach(cf, [&](ByteView k, ByteView v) {
    if (less(k, begin)) return true;
    if (!less(k, end)) return false;
    return fn(k, v);
  });
}

Result<std::vector<std::optional<Bytes>>> KvStore::MultiGet(Cf cf,
                                                            const std::vector<Bytes>& keys) const {
  std::vector<std::optional<Bytes>> out;
  out.reserve(keys.size());
  for (const auto& k : keys) {
    TEE_ASSIGN_OR_RETURN(auto v, Get(cf, AsView(k)));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::unique_ptr<KvStore>> OpenRocksStore(const RocksOptions& options) {
  // Budget: one LRU cache holds data blocks and, charged to it, memtables (at
  // most half).
  const size_t budget = static_cast<size_t>(options.memory_budget_bytes);
  // Memtables are charged to the cache, so the cache capacity is the budget.
  auto cache = rocksdb::NewLRUCache(budget);
  auto wbm = std::make_shared<rocksdb::WriteBufferManager>(budget / 2, cache);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;

  rocksdb::ColumnFamilyOptions cf_opts;
  cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_opts.write_buffer_size = std::max<size_t>(budget / 8, 1u << 20);
  cf_opts.max_write_buffer_number = 2;

  auto env = std::make_unique<OwnedPoolsEnv>();
  rocksdb::DBOptions db_opts;
  db_opts.env = env.get();
  db_opts.create_if_missing = options.create_if_missing;
  db_opts.create_missing_column_families = true;
  db_opts.write_buffer_manager = wbm;
  db_opts.max_open_files = 256;
  db_opts.keep_log_file_num = 2;
  db_opts.paranoid_checks = true;
  db_opts.max_background_jobs = 2;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_opts);
  for (const char* name : kCfNames) cfs.emplace_back(name, cf_opts);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  switch (options.mode) {
    case StoreMode::kReadWrite:
      s = rocksdb::DB::Open(db_opts, options.path, cfs, &handles, &raw);
      break;
    case StoreMode::kReadOnly:
      db_opts.create_if_missing = false;
      s = rocksdb::DB::OpenForReadOnly(db_opts, options.path, cfs, &handles, &raw);
      break;
    case StoreMode::kSecondary:
      db_opts.create_if_missing = false;
      db_opts.max_open_files = -1;  // RocksDB requires it of secondaries
      s = rocksdb::DB::OpenAsSecondary(db_opts, options.path, options.secondary_path, cfs, &handles,
                                       &raw);
      break;
  }
  if (!s.ok()) return FromRocks(s, "open " + options.path);
  std::unique_ptr<rocksdb::DB> db(raw);
  return std::unique_ptr<KvStore>(std::make_unique<RocksStore>(
      std::move(env), std::move(db), std::move(handles), options.sync_writes, options.mode));
}

}  // namespace tenzro::tee::storage
