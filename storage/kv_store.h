// KvStore: the storage seam under the registry.
//
// Column families (DESIGN §6, issue 2): validators, evidence (by hash),
// collateral, epochs, metadata; mpc_shares (issue 14, never read by consensus); providers
// (issue 15). Every write is one atomic, synced batch; a failed Write changes nothing. RocksDB's
// Status never leaves storage/.
// Thread-safety: Get/ForEach may run concurrently with each other and with
// Write; callers serialise their read-modify-write sequences.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::storage {

enum class Cf : uint8_t {
  kValidators = 0,
  kEvidence,
  kCollateral,
  kEpochs,
  kMetadata,
  kMpcShares,  // issue 14: FROST key shares sealed with enclave_crypto
  kProviders,  // issue 15: confidential-AI model providers, key = provider id
};
inline constexpr size_t kCfCount = 7;
const char* CfName(Cf cf);

// The operations of one atomic write. Keys and values are kept in one flat
// buffer (two allocations a batch, not two an operation), so a genesis batch
// of many records does not scatter small allocations over the heap.
class WriteBatch {
 public:
  enum class Kind : uint8_t { kPut, kDelete, kDeleteRange };
  struct Op {
    Cf cf;
    Kind kind;
    ByteView key;
    ByteView value;  // kPut: the value; kDeleteRange: the exclusive end key
  };
  void Put(Cf cf, ByteView key, ByteView value) { Add(cf, Kind::kPut, key, value); }
  void Delete(Cf cf, ByteView key) { Add(cf, Kind::kDelete, key, {}); }
  // Deletes every key k with begin <= k < end (bytewise order).
  void DeleteRange(Cf cf, ByteView begin, ByteView end) { Add(cf, Kind::kDeleteRange, begin, end); }
  size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  // Views into the batch, valid until the next Put/Delete.
  Op op(size_t i) const {
    const Ref& r = refs_[i];
    return {r.cf, r.kind, ByteView(data_).subspan(r.key_at, r.key_len),
            ByteView(data_).subspan(r.value_at, r.value_len)};
  }

 private:
  struct Ref {
    Cf cf;
    Kind kind;
    uint32_t key_len;
    uint32_t value_len;
    size_t key_at;
    size_t value_at;
  };
  void Add(Cf cf, Kind kind, ByteView key, ByteView value) {
    Ref r{cf,
          kind,
          static_cast<uint32_t>(key.size()),
          static_cast<uint32_t>(value.size()),
          data_.size(),
          data_.size() + key.size()};
    data_.insert(data_.end(), key.begin(), key.end());
    data_.insert(data_.end(), value.begin(), value.end());
    refs_.push_back(r);
  }
  Bytes data_;
  std::vector<Ref> refs_;
};

class KvStore {
 public:
  virtual ~KvStore() = default;
  virtual Result<std::optional<Bytes>> Get(Cf cf, ByteView key) const = 0;
  virtual Status Write(const WriteBatch& batch) = 0;
  // Visits every entry of cf in key order; stop early by returning false.
  virtual Status ForEach(Cf cf,
                         const std::function<bool(ByteView key, ByteView value)>& fn) const = 0;
  // Visits the entries with begin <= key < end in key order. The default
  // filters ForEach; stores that can seek override it.
  virtual Status ForEachInRange(Cf cf, ByteView begin, ByteView end,
                                const std::function<bool(ByteView key, ByteView value)>& fn) const;
  // Point reads of many keys at once (results in key order of `keys`). The
  // default loops over Get; stores with a batched read override it.
  virtual Result<std::vector<std::optional<Bytes>>> MultiGet(Cf cf,
                                                             const std::vector<Bytes>& keys) const;
  // A secondary instance (StoreMode::kSecondary) catches up with the primary
  // that writes the database; kUnsupported for other stores.
  virtual Status CatchUpWithPrimary() {
    return Error(ErrorCode::kUnsupported, "not a secondary instance");
  }
};

// How the database is opened. kReadOnly and kSecondary never write (Write
// fails with kStorage) and may open a database a running node holds
// (`tenzro-tee serve`, issue 13): kReadOnly sees it as of the open,
// kSecondary follows the primary on CatchUpWithPrimary.
enum class StoreMode : uint8_t { kReadWrite, kReadOnly, kSecondary };

struct RocksOptions {
  std::string path;
  StoreMode mode = StoreMode::kReadWrite;
  std::string secondary_path;                  // kSecondary: the instance's own info-log directory
  uint64_t memory_budget_bytes = 64ull << 20;  // block cache + memtables
  bool create_if_missing = true;
  // Every write is synced (fsync of the WAL) before it is acknowledged. Off
  // only in tests and benches that measure something else than durability
  // (a node always syncs: an acknowledged epoch must survive a crash).
  bool sync_writes = true;
};

// Opens (or creates) the database. kStorage when it is locked by another
// process, corrupt, or the path is not a usable directory.
Result<std::unique_ptr<KvStore>> OpenRocksStore(const RocksOptions& options);

}  // namespace tenzro::tee::storage
