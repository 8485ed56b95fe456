// configfs-tsm (Linux >= 6.7, Documentation/ABI/testing/configfs-tsm): the
// kernel's vendor-neutral report interface, through DeviceIo.
//
//   mkdir /sys/kernel/config/tsm/report/<entry>      the kernel fills in attributes
//   provider   (RO) "tdx_guest" | "sev_guest"
//   generation (RO) incremented on every write to inblob or an option
//   inblob     (WO) up to 64 bytes of report data
//   outblob    (RO) TDX: the quote; SNP: the 1184-byte report
//   auxblob    (RO) SNP: the GHCB certificate table (may be empty)
//   privlevel_floor (RO, SNP) the lowest VMPL this guest may ask a report for;
//              when above 0 we write it to privlevel (WO) before inblob
//   rmdir <entry>
//
// Another process writing the same entry between our write and our reads
// shows as a generation other than ours + 1: the blobs are then not ours and
// the whole exchange is retried (with a fresh entry).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/device_io.h"
#include "core/status.h"

namespace tenzro::tee::detect {

inline constexpr char kTsmReportDir[] = "/sys/kernel/config/tsm/report";
inline constexpr char kTsmProviderTdx[] = "tdx_guest";
inline constexpr char kTsmProviderSnp[] = "sev_guest";
// Bounds of what we read back (a TDX quote is about 5 KiB, an SNP
// certificate table a few KiB; the kernel caps outblob at 32 KiB).
inline constexpr size_t kTsmMaxBlob = 1u << 20;

struct TsmReport {
  Bytes outblob;
  Bytes auxblob;
  unsigned attempts = 0;  // 1 unless a concurrent writer forced retries
};

struct TsmOptions {
  unsigned max_attempts = 3;
  // Report entries are named <prefix>-<pid>-<counter>.
  std::string entry_prefix = "tenzro-tee";
};

// True when the report directory exists (configfs mounted, tsm loaded).
bool TsmPresent(const DeviceIo& io);

// One report from `provider` bound to `inblob`. kUnsupported when the entry's
// provider is another one; kInternal on I/O errors or when every attempt met
// a concurrent writer. The entry is removed on every path out.
Result<TsmReport> TsmGetReport(const DeviceIo& io, std::string_view provider,
                               const std::array<uint8_t, 64>& inblob,
                               const TsmOptions& options = {});

// The provider name of a new entry (for detection): mkdir, read provider,
// rmdir. Needs write access to configfs (root on most systems).
Result<std::string> TsmProbeProvider(const DeviceIo& io);

}  // namespace tenzro::tee::detect
