// The plugin module loaded as a node loads it: dlopen, tee_negotiate, the
// function table. For Boost tests that drive the C ABI (link ${CMAKE_DL_LIBS}).
#pragma once

#include <dlfcn.h>

#include <cstring>
#include <string>

#include <boost/test/unit_test.hpp>

#include "abi/tenzro_tee.h"

namespace tenzro::tee::testing {

class AbiModule {
 public:
  explicit AbiModule(const std::string& path) {
    lib_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    BOOST_REQUIRE_MESSAGE(lib_ != nullptr, "dlopen " << path << ": " << dlerror());
    void* sym = dlsym(lib_, "tee_negotiate");
    BOOST_REQUIRE(sym != nullptr);
    int32_t (*negotiate)(uint32_t, const tee_api**) = nullptr;
    std::memcpy(&negotiate, &sym, sizeof sym);
    BOOST_REQUIRE(negotiate(TEE_ABI_VERSION, &api_) == TEE_OK);
  }
  ~AbiModule() {
    if (lib_ != nullptr) dlclose(lib_);
  }
  AbiModule(const AbiModule&) = delete;
  AbiModule& operator=(const AbiModule&) = delete;
  const tee_api& api() const { return *api_; }

 private:
  void* lib_ = nullptr;
  const tee_api* api_ = nullptr;
};

}  // namespace tenzro::tee::testing
