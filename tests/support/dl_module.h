// The plugin module loaded with dlopen as a node would, and its negotiated
// function table (the tests that go through the C ABI). Header-only: Boost.Test
// assertions, so only Boost.Test binaries include it; link ${CMAKE_DL_LIBS}.
#pragma once

#include <dlfcn.h>

#include <cstring>
#include <string>

#include <boost/test/unit_test.hpp>

#include "abi/tenzro_tee.h"

namespace tenzro::tee::testing {

class DlModule {
 public:
  explicit DlModule(const std::string& path) {
    lib_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    BOOST_REQUIRE_MESSAGE(lib_ != nullptr, "dlopen " << path << ": " << dlerror());
    void* sym = dlsym(lib_, "tee_negotiate");
    BOOST_REQUIRE(sym != nullptr);
    int32_t (*negotiate)(uint32_t, const tee_api**) = nullptr;
    std::memcpy(&negotiate, &sym, sizeof sym);
    BOOST_REQUIRE(negotiate(TEE_ABI_VERSION, &api_) == TEE_OK);
  }
  ~DlModule() {
    if (lib_ != nullptr) dlclose(lib_);
  }
  DlModule(const DlModule&) = delete;
  DlModule& operator=(const DlModule&) = delete;
  const tee_api& api() const { return *api_; }

 private:
  void* lib_ = nullptr;
  const tee_api* api_ = nullptr;
};

}  // namespace tenzro::tee::testing
