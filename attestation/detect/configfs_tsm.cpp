#include "attestation/detect/configfs_tsm.h"

#include <unistd.h>

#include <atomic>
#include <charconv>

namespace tenzro::tee::detect {
namespace {

std::atomic<uint64_t> g_entry_counter{0};

std::string Trim(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// A decimal attribute (generation, privlevel_floor).
Result<uint64_t> ReadNumber(const DeviceIo& io, const std::string& path) {
  TEE_ASSIGN_OR_RETURN(Bytes raw, io.ReadFile(path, 32));
  const std::string s = Trim(raw);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    return Error(ErrorCode::kInternal, path + ": not a number: \"" + s + "\"");
  }
  return v;
}

std::string NewEntry(const TsmOptions& o) {
  return std::string(kTsmReportDir) + "/" + o.entry_prefix + "-" + std::to_string(::getpid()) +
         "-" + std::to_string(g_entry_counter.fetch_add(1));
}

// Removes the entry on every path out.
class EntryGuard {
 public:
  EntryGuard(const DeviceIo& io, std::string path) : io_(io), path_(std::move(path)) {}
  ~EntryGuard() { (void)io_.RemoveDir(path_); }
  EntryGuard(const EntryGuard&) = delete;
  EntryGuard& operator=(const EntryGuard&) = delete;

 private:
  const DeviceIo& io_;
  std::string path_;
};

enum class Attempt { kDone, kConflict };

Result<Attempt> TryOnce(const DeviceIo& io, std::string_view provider,
                        const std::array<uint8_t, 64>& inblob, const TsmOptions& o,
                        TsmReport& out) {
  const std::string entry = NewEntry(o);
  TEE_TRY(io.MakeDir(entry));
  EntryGuard guard(io, entry);
  TEE_ASSIGN_OR_RETURN(Bytes prov, io.ReadFile(entry + "/provider", 64));
  const std::string got = Trim(prov);
  if (got != provider) {
    return Error(ErrorCode::kUnsupported,
                 "configfs-tsm provider is \"" + got + "\", not \"" + std::string(provider) + "\"");
  }
  // A guest running above VMPL 0 (under an SVSM, say) cannot ask for a
  // VMPL 0 report: ask at the floor the provider states (written before the
  // generation is read, since writing an option moves it).
  if (provider == kTsmProviderSnp) {
    auto floor = ReadNumber(io, entry + "/privlevel_floor");
    if (floor.ok() && *floor > 0) {
      const std::string level = std::to_string(*floor);
      TEE_TRY(io.WriteFile(entry + "/privlevel",
                           ByteView(reinterpret_cast<const uint8_t*>(level.data()), level.size())));
    }
  }
  TEE_ASSIGN_OR_RETURN(uint64_t before, ReadNumber(io, entry + "/generation"));
  TEE_TRY(io.WriteFile(entry + "/inblob", ByteView(inblob.data(), inblob.size())));
  TEE_ASSIGN_OR_RETURN(out.outblob, io.ReadFile(entry + "/outblob", kTsmMaxBlob));
  auto aux = io.ReadFile(entry + "/auxblob", kTsmMaxBlob);
  if (aux.ok()) {
    out.auxblob = std::move(*aux);
  } else if (aux.status().code() == ErrorCode::kNotFound) {
    out.auxblob.clear();  // kernels before auxblob, or a provider without one
  } else {
    return std::move(aux).status();
  }
  TEE_ASSIGN_OR_RETURN(uint64_t after, ReadNumber(io, entry + "/generation"));
  if (after != before + 1) return Attempt::kConflict;
  if (out.outblob.empty()) return Error(ErrorCode::kInternal, entry + "/outblob is empty");
  return Attempt::kDone;
}

}  // namespace

bool TsmPresent(const DeviceIo& io) { return io.Exists(kTsmReportDir); }

Result<TsmReport> TsmGetReport(const DeviceIo& io, std::string_view provider,
                               const std::array<uint8_t, 64>& inblob, const TsmOptions& options) {
  if (!TsmPresent(io)) {
    return Error(ErrorCode::kNotFound, std::string(kTsmReportDir) +
                                           " is absent (configfs-tsm needs Linux 6.7+ and "
                                           "configfs mounted)");
  }
  TsmReport out;
  for (unsigned i = 1; i <= options.max_attempts; ++i) {
    out.attempts = i;
    TEE_ASSIGN_OR_RETURN(Attempt a, TryOnce(io, provider, inblob, options, out));
    if (a == Attempt::kDone) return out;
  }
  return Error(ErrorCode::kInternal, "configfs-tsm: another writer changed the report entry in " +
                                         std::to_string(options.max_attempts) +
                                         " attempts (generation moved)");
}

Result<std::string> TsmProbeProvider(const DeviceIo& io) {
  if (!TsmPresent(io)) return Error(ErrorCode::kNotFound, "configfs-tsm absent");
  const std::string entry = NewEntry(TsmOptions{});
  TEE_TRY(io.MakeDir(entry));
  EntryGuard guard(io, entry);
  TEE_ASSIGN_OR_RETURN(Bytes prov, io.ReadFile(entry + "/provider", 64));
  return Trim(prov);
}

}  // namespace tenzro::tee::detect
