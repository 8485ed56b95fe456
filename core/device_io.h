// DeviceIo: the one seam through which the node side touches the machine's
// devices and kernel interfaces (DESIGN §8, issues 12 and 14): TEE detection,
// evidence generation (configfs-tsm, /dev/sev-guest, /dev/nsm, /dev/tdx_guest)
// and hardware key sources (SNP_GET_DERIVED_KEY). Nothing on the consensus
// path uses it.
//
// Every path is absolute as the kernel names it ("/dev/sev-guest",
// "/sys/kernel/config/tsm/report") and is resolved under the seam's root
// directory, so tests run against fake /dev, /sys and configfs trees. An ioctl
// goes through Ioctl(), which a test overrides to answer like the device; only
// the system call itself is then untested. Thread-safety: implementations are
// safe to call from several threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee {

class DeviceIo {
 public:
  virtual ~DeviceIo() = default;

  // The root every path is resolved under ("/" on a real machine).
  virtual const std::string& root() const = 0;
  // True when the path exists (any file type); false on any error.
  virtual bool Exists(std::string_view path) const = 0;
  // Reads a regular file, a sysfs/configfs attribute or a character device
  // until EOF, at most max_bytes (kTooLarge beyond). kNotFound when absent.
  virtual Result<Bytes> ReadFile(std::string_view path, size_t max_bytes) const = 0;
  // Writes data in one write(2) (configfs attributes take one write).
  virtual Status WriteFile(std::string_view path, ByteView data) const = 0;
  // mkdir / rmdir (configfs report entries are directories).
  virtual Status MakeDir(std::string_view path) const = 0;
  virtual Status RemoveDir(std::string_view path) const = 0;
  // Names in a directory, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(std::string_view path) const = 0;
  // Opens the device read-write, issues ioctl(fd, request, arg), closes it.
  // Returns ioctl's non-negative result; an error Status names errno.
  virtual Result<int> Ioctl(std::string_view path, unsigned long request, void* arg) const = 0;
};

// The real machine under `root` (default "/"). Ioctl issues the system call.
std::unique_ptr<DeviceIo> SystemDeviceIo(std::string root = "/");

}  // namespace tenzro::tee
