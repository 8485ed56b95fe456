// Test support: temporary directories, a fault-injecting store (a fake, not a
// mock), and small builders shared by the unit tests.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/u256.h"
#include "storage/kv_store.h"

namespace tenzro::tee::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Wraps a real store; while armed, Write fails with kStorage and writes nothing.
class FaultyStore final : public storage::KvStore {
 public:
  explicit FaultyStore(std::unique_ptr<storage::KvStore> inner) : inner_(std::move(inner)) {}
  void FailWrites(bool on) { fail_writes_ = on; }

  Result<std::optional<Bytes>> Get(storage::Cf cf, ByteView key) const override {
    return inner_->Get(cf, key);
  }
  Status Write(const storage::WriteBatch& batch) override {
    if (fail_writes_) return Error(ErrorCode::kStorage, "injected write failure");
    return inner_->Write(batch);
  }
  Status ForEach(storage::Cf cf, const std::function<bool(ByteView, ByteView)>& fn) const override {
    return inner_->ForEach(cf, fn);
  }

 private:
  std::unique_ptr<storage::KvStore> inner_;
  std::atomic<bool> fail_writes_{false};
};

std::unique_ptr<storage::KvStore> OpenStore(const std::string& path);
ValidatorId IdFromLabel(const std::string& label);  // SHA-256 of the label
Hash32 HashFromLabel(const std::string& label);
U256Bytes Stake(uint64_t v);
std::string SourceDir();

}  // namespace tenzro::tee::testing
