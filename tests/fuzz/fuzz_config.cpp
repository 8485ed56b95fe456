// The node's TOML config: any text parses or fails with kConfig.
#include <cstdlib>
#include <string_view>

#include "plugin/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tenzro::tee;
  auto c = plugin::ParseConfig(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!c.ok() && c.status().code() != ErrorCode::kConfig) std::abort();
  if (c.ok()) (void)plugin::ParamsHash(*c);
  return 0;
}
