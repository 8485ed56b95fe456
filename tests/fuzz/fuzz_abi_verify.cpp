// The ABI's verify entry with fuzzed evidence and collateral: input split at
// the first 0xff byte into evidence and one collateral blob. Always TEE_OK or
// a clean error status, and a JSON verdict to free.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "abi/tenzro_tee.h"

namespace {
const tee_api* g_api = nullptr;
tee_handle* g_h = nullptr;
std::filesystem::path g_dir;

void Cleanup() {
  if (g_h != nullptr) g_api->close(g_h);
  g_h = nullptr;
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

void Init() {
  if (tee_negotiate(TEE_ABI_VERSION, &g_api) != TEE_OK) std::abort();
  g_dir = std::filesystem::temp_directory_path() / ("tenzro-fuzz-" + std::to_string(getpid()));
  const auto& dir = g_dir;
  std::filesystem::create_directories(dir);
  std::string cfg = (dir / "c.toml").string();
  FILE* f = std::fopen(cfg.c_str(), "w");
  if (f == nullptr) std::abort();
  std::fprintf(f,
               "[tee]\ndb_path = '%s'\nlog_level = \"off\"\n[tee.consensus]\nsimulation = true\n",
               (dir / "db").string().c_str());
  std::fclose(f);
  if (g_api->open(cfg.c_str(), nullptr, &g_h) != TEE_OK) std::abort();
  // Registered after open, so it runs before the statics open created die.
  std::atexit(Cleanup);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (g_h == nullptr) Init();
  const uint8_t* split = static_cast<const uint8_t*>(std::memchr(data, 0xff, size));
  size_t ev_len = split != nullptr ? static_cast<size_t>(split - data) : size;
  tee_blob blob{split != nullptr ? split + 1 : nullptr, split != nullptr ? size - ev_len - 1 : 0};
  uint8_t id[32] = {1};
  uint8_t challenge[32] = {2};
  char* json = nullptr;
  size_t len = 0;
  int32_t st = g_api->verify(g_h, TEE_TYPE_SIMULATED, data, ev_len, &blob, blob.data ? 1 : 0,
                             1'767'225'600, id, challenge, &json, &len);
  if (st == TEE_OK && (json == nullptr || std::strlen(json) != len)) std::abort();
  if (st != TEE_OK && st != TEE_ERR_INVALID_ARGUMENT && st != TEE_ERR_TOO_LARGE) std::abort();
  g_api->free(json);
  return 0;
}
