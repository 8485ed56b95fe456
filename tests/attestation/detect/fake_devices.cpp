#include "attestation/detect/fake_devices.h"

#include <algorithm>

#include "attestation/detect/configfs_tsm.h"

namespace tenzro::tee::testing {
namespace {
const std::string kReport = detect::kTsmReportDir;
}

FakeDevices::Entry* FakeDevices::FindEntry(std::string_view path, std::string* attr) const {
  if (tsm_provider_.empty() || path.substr(0, kReport.size() + 1) != kReport + "/") return nullptr;
  std::string rest(path.substr(kReport.size() + 1));
  const auto slash = rest.find('/');
  const std::string name = rest.substr(0, slash);
  auto it = entries_.find(name);
  if (it == entries_.end()) return nullptr;
  *attr = slash == std::string::npos ? "" : rest.substr(slash + 1);
  return &it->second;
}

int FakeDevices::entries_created() const {
  std::lock_guard<std::mutex> l(mu_);
  return created_;
}
int FakeDevices::entries_live() const {
  std::lock_guard<std::mutex> l(mu_);
  return static_cast<int>(entries_.size());
}
std::vector<std::array<uint8_t, 64>> FakeDevices::inblobs_written() const {
  std::lock_guard<std::mutex> l(mu_);
  return inblobs_;
}
std::vector<std::string> FakeDevices::privlevels_written() const {
  std::lock_guard<std::mutex> l(mu_);
  return privlevels_;
}

bool FakeDevices::Exists(std::string_view path) const {
  std::lock_guard<std::mutex> l(mu_);
  const std::string p(path);
  if (nodes_.count(p) != 0 || files_.count(p) != 0) return true;
  if (!tsm_provider_.empty() && p == kReport) return true;
  std::string attr;
  return FindEntry(path, &attr) != nullptr;
}

Result<Bytes> FakeDevices::ReadFile(std::string_view path, size_t max_bytes) const {
  std::lock_guard<std::mutex> l(mu_);
  Bytes out;
  std::string attr;
  if (Entry* e = FindEntry(path, &attr)) {
    if (attr == "provider") {
      const std::string s = tsm_provider_ + "\n";
      out.assign(s.begin(), s.end());
    } else if (attr == "generation") {
      const std::string s = std::to_string(e->generation) + "\n";
      out.assign(s.begin(), s.end());
    } else if (attr == "outblob") {
      out = e->outblob;
      if (concurrent_writes_ > 0) {  // another writer, right after our read
        --concurrent_writes_;
        std::array<uint8_t, 64> other{};
        other.fill(0xEE);
        e->generation++;
        e->outblob = make_outblob_(other);
      }
    } else if (attr == "privlevel_floor" && privlevel_floor_ >= 0) {
      const std::string v = std::to_string(privlevel_floor_) + "\n";
      out.assign(v.begin(), v.end());
    } else if (attr == "auxblob" && !hide_auxblob_) {
      out = auxblob_;
    } else {
      return Error(ErrorCode::kNotFound, "no attribute " + std::string(path));
    }
  } else if (auto it = files_.find(std::string(path)); it != files_.end()) {
    out = it->second;
  } else {
    return Error(ErrorCode::kNotFound, "open " + std::string(path) + ": No such file");
  }
  if (out.size() > max_bytes) return Error(ErrorCode::kTooLarge, std::string(path));
  return out;
}

Status FakeDevices::WriteFile(std::string_view path, ByteView data) const {
  std::lock_guard<std::mutex> l(mu_);
  std::string attr;
  Entry* e = FindEntry(path, &attr);
  if (e != nullptr && attr == "privlevel" && privlevel_floor_ >= 0) {
    privlevels_.emplace_back(data.begin(), data.end());
    e->generation++;  // writing an option moves the generation, as the kernel does
    return Status::Ok();
  }
  if (e == nullptr || attr != "inblob") {
    return Error(ErrorCode::kInternal, "open " + std::string(path) + ": Permission denied");
  }
  if (data.size() > 64) return Error(ErrorCode::kInternal, "write inblob: Invalid argument");
  std::array<uint8_t, 64> in{};
  std::copy(data.begin(), data.end(), in.begin());
  inblobs_.push_back(in);
  e->generation++;
  e->outblob = make_outblob_(in);
  return Status::Ok();
}

Status FakeDevices::MakeDir(std::string_view path) const {
  std::lock_guard<std::mutex> l(mu_);
  const std::string p(path);
  if (tsm_provider_.empty() || p.rfind(kReport + "/", 0) != 0 ||
      p.find('/', kReport.size() + 1) != std::string::npos) {
    return Error(ErrorCode::kInternal, "mkdir " + p + ": Permission denied");
  }
  if (fail_mkdir_) return Error(ErrorCode::kInternal, "mkdir " + p + ": Permission denied");
  const std::string name = p.substr(kReport.size() + 1);
  if (entries_.count(name) != 0) return Error(ErrorCode::kInternal, "mkdir " + p + ": exists");
  entries_[name] = Entry{};
  ++created_;
  return Status::Ok();
}

Status FakeDevices::RemoveDir(std::string_view path) const {
  std::lock_guard<std::mutex> l(mu_);
  const std::string p(path);
  if (p.rfind(kReport + "/", 0) != 0 || entries_.erase(p.substr(kReport.size() + 1)) == 0) {
    return Error(ErrorCode::kInternal, "rmdir " + p + ": No such file");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> FakeDevices::ListDir(std::string_view path) const {
  std::lock_guard<std::mutex> l(mu_);
  if (std::string(path) != kReport || tsm_provider_.empty()) {
    return Error(ErrorCode::kNotFound, std::string(path));
  }
  std::vector<std::string> names;
  for (const auto& [k, v] : entries_) names.push_back(k);
  return names;
}

Result<int> FakeDevices::Ioctl(std::string_view path, unsigned long request, void* arg) const {
  IoctlHandler h;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = ioctls_.find(std::string(path));
    if (it == ioctls_.end()) {
      return Error(ErrorCode::kNotFound, "open " + std::string(path) + ": No such file");
    }
    h = it->second;
  }
  return h(request, arg);
}

}  // namespace tenzro::tee::testing
