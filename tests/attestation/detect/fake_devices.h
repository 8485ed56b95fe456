// FakeDevices: a DeviceIo that plays the kernel for the detection and
// generation tests (a fake, not a mock): an in-memory tree of files and
// device nodes, a configfs-tsm report directory whose entries behave like
// the kernel's (attributes appear on mkdir, writing inblob bumps generation
// and makes outblob), and ioctl handlers per device.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/device_io.h"

namespace tenzro::tee::testing {

class FakeDevices final : public DeviceIo {
 public:
  using MakeOutblob = std::function<Bytes(const std::array<uint8_t, 64>& inblob)>;
  using IoctlHandler = std::function<Result<int>(unsigned long request, void* arg)>;

  // ---- set-up (before use) ---------------------------------------------------
  void AddNode(const std::string& path) { nodes_.insert(path); }
  void AddFile(const std::string& path, const std::string& content) {
    files_[path] = Bytes(content.begin(), content.end());
  }
  void OnIoctl(const std::string& path, IoctlHandler h) {
    nodes_.insert(path);
    ioctls_[path] = std::move(h);
  }
  // configfs-tsm with `provider`; outblob made from inblob by `make`.
  void EnableTsm(std::string provider, MakeOutblob make, Bytes auxblob) {
    tsm_provider_ = std::move(provider);
    make_outblob_ = std::move(make);
    auxblob_ = std::move(auxblob);
  }
  // The next `n` reports see another writer: after our outblob read, someone
  // writes the entry's inblob again (generation moves, outblob changes).
  void InjectConcurrentWriters(int n) { concurrent_writes_ = n; }
  void FailTsmMkdir(bool on) { fail_mkdir_ = on; }
  void HideAuxblob(bool on) { hide_auxblob_ = on; }
  // Entries show privlevel_floor = `floor` (SNP under an SVSM).
  void SetPrivlevelFloor(int floor) { privlevel_floor_ = floor; }

  // ---- observations ------------------------------------------------------------
  int entries_created() const;
  int entries_live() const;
  std::vector<std::array<uint8_t, 64>> inblobs_written() const;
  // privlevel values written, in order.
  std::vector<std::string> privlevels_written() const;

  // ---- DeviceIo -------------------------------------------------------------------
  const std::string& root() const override { return root_; }
  bool Exists(std::string_view path) const override;
  Result<Bytes> ReadFile(std::string_view path, size_t max_bytes) const override;
  Status WriteFile(std::string_view path, ByteView data) const override;
  Status MakeDir(std::string_view path) const override;
  Status RemoveDir(std::string_view path) const override;
  Result<std::vector<std::string>> ListDir(std::string_view path) const override;
  Result<int> Ioctl(std::string_view path, unsigned long request, void* arg) const override;

 private:
  struct Entry {
    uint64_t generation = 0;
    Bytes outblob;
  };
  // REQUIRES: mu_ held. The entry a path is in, and the attribute name.
  Entry* FindEntry(std::string_view path, std::string* attr) const;

  std::string root_ = "/fake-root";
  std::set<std::string> nodes_;
  std::map<std::string, Bytes> files_;
  std::map<std::string, IoctlHandler> ioctls_;
  std::string tsm_provider_;
  MakeOutblob make_outblob_;
  Bytes auxblob_;
  bool fail_mkdir_ = false;
  bool hide_auxblob_ = false;
  int privlevel_floor_ = -1;  // -1: no such attribute

  mutable std::mutex mu_;
  mutable int concurrent_writes_ = 0;
  mutable std::map<std::string, Entry> entries_;
  mutable int created_ = 0;
  mutable std::vector<std::array<uint8_t, 64>> inblobs_;
  mutable std::vector<std::string> privlevels_;
};

}  // namespace tenzro::tee::testing
