#include "core/device_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tenzro::tee {
namespace {

std::string Errno(std::string_view what, std::string_view path) {
  return std::string(what) + " " + std::string(path) + ": " + std::strerror(errno);
}

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class SystemIo final : public DeviceIo {
 public:
  explicit SystemIo(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  }
  const std::string& root() const override { return root_; }

  bool Exists(std::string_view path) const override {
    struct stat st {};
    return ::stat(Resolve(path).c_str(), &st) == 0;
  }

  Result<Bytes> ReadFile(std::string_view path, size_t max_bytes) const override {
    Fd fd(::open(Resolve(path).c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      return Error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInternal,
                   Errno("open", path));
    }
    Bytes out;
    uint8_t buf[4096];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error(ErrorCode::kInternal, Errno("read", path));
      if (n == 0) return out;
      if (out.size() + static_cast<size_t>(n) > max_bytes) {
        return Error(ErrorCode::kTooLarge,
                     std::string(path) + ": larger than " + std::to_string(max_bytes) + " bytes");
      }
      out.insert(out.end(), buf, buf + n);
    }
  }

  Status WriteFile(std::string_view path, ByteView data) const override {
    Fd fd(::open(Resolve(path).c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0) return Error(ErrorCode::kInternal, Errno("open", path));
    ssize_t n;
    do {
      n = ::write(fd.get(), data.data(), data.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Error(ErrorCode::kInternal, Errno("write", path));
    if (static_cast<size_t>(n) != data.size()) {
      return Error(ErrorCode::kInternal, std::string("short write to ") + std::string(path));
    }
    return Status::Ok();
  }

  Status MakeDir(std::string_view path) const override {
    if (::mkdir(Resolve(path).c_str(), 0700) != 0) {
      return Error(ErrorCode::kInternal, Errno("mkdir", path));
    }
    return Status::Ok();
  }

  Status RemoveDir(std::string_view path) const override {
    if (::rmdir(Resolve(path).c_str()) != 0) {
      return Error(ErrorCode::kInternal, Errno("rmdir", path));
    }
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(std::string_view path) const override {
    DIR* d = ::opendir(Resolve(path).c_str());
    if (d == nullptr) {
      return Error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInternal,
                   Errno("opendir", path));
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<int> Ioctl(std::string_view path, unsigned long request, void* arg) const override {
    Fd fd(::open(Resolve(path).c_str(), O_RDWR | O_CLOEXEC));
    if (fd.get() < 0) {
      return Error(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kInternal,
                   Errno("open", path));
    }
    int r;
    do {
      r = ::ioctl(fd.get(), request, arg);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return Error(ErrorCode::kInternal, Errno("ioctl", path));
    return r;
  }

 private:
  std::string Resolve(std::string_view path) const {
    if (root_ == "/") return std::string(path);
    return root_ + std::string(path);
  }

  std::string root_;
};

}  // namespace

std::unique_ptr<DeviceIo> SystemDeviceIo(std::string root) {
  return std::make_unique<SystemIo>(std::move(root));
}

}  // namespace tenzro::tee
