#include "support/test_support.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "crypto/hash.h"

namespace tenzro::tee::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "tenzro-tee-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<storage::KvStore> OpenStore(const std::string& path) {
  storage::RocksOptions o;
  o.path = path;
  o.memory_budget_bytes = 16u << 20;
  auto s = storage::OpenRocksStore(o);
  if (!s.ok()) throw std::runtime_error(s.status().ToString());
  return std::move(*s);
}

Hash32 HashFromLabel(const std::string& label) {
  return crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
}
ValidatorId IdFromLabel(const std::string& label) { return HashFromLabel(label); }

U256Bytes Stake(uint64_t v) { return U256ToBe(U256(v)); }

std::string SourceDir() { return TEE_SOURCE_DIR; }

}  // namespace tenzro::tee::testing
