#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tools/cli/cli.h"

namespace tenzro::tee::cli {

namespace {
constexpr uintmax_t kMaxFileBytes = 64u << 20;
}

std::optional<Bytes> ReadFile(const std::string& path, std::string& err) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    err = path + ": " + ec.message();
    return std::nullopt;
  }
  if (size > kMaxFileBytes) {
    err = path + ": larger than 64 MiB";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = path + ": cannot open";
    return std::nullopt;
  }
  Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return data;
}

bool WriteFile(const std::string& path, const Bytes& data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool written = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  const bool flushed = std::fflush(f) == 0;
  const bool closed = std::fclose(f) == 0;
  return written && flushed && closed;
}

int FinishStdout(int status) {
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::cerr << "tenzro-tee: cannot write standard output\n";
    return kExitUsage;
  }
  return status;
}

int Usage(const std::string& msg) {
  std::cerr << "tenzro-tee: " << msg << "\n";
  return kExitUsage;
}

bool LoadConfigArg(const std::string& path, plugin::Config& config) {
  if (path.empty()) return true;
  auto c = plugin::LoadConfig(path);
  if (!c.ok()) {
    Usage(c.status().message());
    return false;
  }
  config = std::move(*c);
  return true;
}

std::optional<std::vector<Bytes>> ReadCollateralDir(const std::string& dir,
                                                    const plugin::Config& config, std::string& err,
                                                    std::vector<std::string>* names) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    err = dir + ": " + ec.message();
    return std::nullopt;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : it) {
    if (entry.is_regular_file(ec)) files.push_back(entry.path());  // flat: no recursion
  }
  std::sort(files.begin(), files.end());
  // The node limits of the ABI's verify call ([tee] verify_max_collateral_*).
  if (files.size() > config.verify_max_collateral_blobs) {
    err = dir + ": more than " + std::to_string(config.verify_max_collateral_blobs) +
          " files ([tee] verify_max_collateral_blobs)";
    return std::nullopt;
  }
  std::vector<Bytes> blobs;
  uint64_t total = 0;
  for (const auto& f : files) {
    auto data = ReadFile(f.string(), err);
    if (!data) return std::nullopt;
    total += data->size();
    if (total > config.verify_max_collateral_bytes) {
      err = dir + ": more than " + std::to_string(config.verify_max_collateral_bytes) +
            " bytes in all ([tee] verify_max_collateral_bytes)";
      return std::nullopt;
    }
    blobs.push_back(std::move(*data));
    if (names != nullptr) names->push_back(f.filename().string());
  }
  return blobs;
}

}  // namespace tenzro::tee::cli
