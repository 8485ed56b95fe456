// The host's OpenSSL state is not a consensus input (issue 9 item 15). A host
// that restricts its default library context (only the "null" provider: no
// digest, no signature algorithm) and keeps an error of its own on its
// thread's queue loads the module and verifies SNP evidence: the verdict is
// the same as for an unrestricted host, and the host's queue holds exactly
// its own error afterwards.
//
//   openssl_host_test gen DIR                  evidence, collateral, config
//   openssl_host_test check DIR MODULE plain|restricted
//
// Two processes, because the restriction must come before the first use of
// the default context, and the simulator that makes the evidence signs with it.
#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "abi/tenzro_tee.h"
#include "attestation/snp/sim/simulator.h"

using namespace tenzro::tee;

namespace {

constexpr uint64_t kNow = 1767225600;
constexpr int kHostReason = 42;

void Fill(uint8_t* p, uint8_t v) { std::memset(p, v, 32); }

bool Write(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
  out.close();
  return static_cast<bool>(out);
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int Gen(const std::string& dir) {
  BindingInput b;
  Fill(b.validator_id.data(), 0x11);
  Fill(b.challenge.data(), 0x22);
  auto spec = snp::sim::DefaultSimSpec(snp::format::Product::kGenoa);
  snp::sim::Bind(spec.report, b);
  auto ev = snp::sim::Simulate(spec);
  if (!ev.ok()) return 2;
  const Bytes e = ev->Extended(true);
  const bool ok = Write(dir + "/evidence.bin", std::string(e.begin(), e.end())) &&
                  Write(dir + "/vek.pem", ev->VekPem()) &&
                  Write(dir + "/chain.pem", ev->ChainPem()) &&
                  Write(dir + "/config.toml",
                        "[tee]\ndb_path = '" + dir +
                            "/db'\nlog_level = \"off\"\n[tee.consensus]\nsimulation = true\n");
  return ok ? 0 : 2;
}

int Check(const std::string& dir, const std::string& module, bool restricted) {
  int failures = 0;
  auto check = [&](bool c, const char* what) {
    if (!c) {
      std::cerr << "FAIL: " << what << "\n";
      ++failures;
    }
  };
  OSSL_PROVIDER* null_provider = nullptr;  // the host's, unloaded at the end (LSan)
  if (restricted) {
    // As a host's openssl.cnf activating only "null" would: the default
    // context can fetch nothing.
    null_provider = OSSL_PROVIDER_load(nullptr, "null");
    check(null_provider != nullptr, "load the null provider");
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    check(md == nullptr, "the restricted default context still fetches SHA256");
    EVP_MD_free(md);
    ERR_clear_error();  // the host's business, before its own error below
  }
  ERR_raise_data(ERR_LIB_USER, kHostReason, "the host's own error");
  const unsigned long host_error = ERR_peek_last_error();

  void* lib = dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
  check(lib != nullptr, "dlopen");
  if (lib == nullptr) return 1;
  int32_t (*negotiate)(uint32_t, const tee_api**) = nullptr;
  void* sym = dlsym(lib, "tee_negotiate");
  std::memcpy(&negotiate, &sym, sizeof negotiate);
  const tee_api* api = nullptr;
  check(negotiate != nullptr && negotiate(TEE_ABI_VERSION, &api) == TEE_OK, "negotiate");
  if (api == nullptr) return 1;
  tee_handle* h = nullptr;
  const std::string cfg = dir + "/config.toml";
  check(api->open(cfg.c_str(), nullptr, &h) == TEE_OK, "open");
  if (h == nullptr) return 1;
  const std::string ev = Read(dir + "/evidence.bin"), vek = Read(dir + "/vek.pem"),
                    chain = Read(dir + "/chain.pem");
  tee_blob blobs[2] = {{reinterpret_cast<const uint8_t*>(vek.data()), vek.size()},
                       {reinterpret_cast<const uint8_t*>(chain.data()), chain.size()}};
  uint8_t id[32], challenge[32];
  Fill(id, 0x11);
  Fill(challenge, 0x22);
  char* json = nullptr;
  size_t len = 0;
  check(api->verify(h, TEE_TYPE_AMD_SEV_SNP, reinterpret_cast<const uint8_t*>(ev.data()), ev.size(),
                    blobs, 2, kNow, id, challenge, &json, &len) == TEE_OK,
        "verify");
  const std::string verdict = json != nullptr ? std::string(json, len) : "";
  api->free(json);
  check(api->close(h) == TEE_OK, "close");
  dlclose(lib);
  std::cout << verdict << "\n";
  check(verdict.find("\"valid\":true") != std::string::npos, "the SNP evidence verifies");
  // The host's queue: exactly its own error, nothing of ours, nothing lost.
  check(ERR_peek_error() == host_error, "the host's error is still first on its queue");
  (void)ERR_get_error();
  check(ERR_peek_error() == 0, "the plugin left errors on the host's queue");
  if (null_provider != nullptr) OSSL_PROVIDER_unload(null_provider);
  std::cout << (restricted ? "restricted" : "plain") << ": " << failures << " failed\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "gen") return Gen(argv[2]);
  if (argc == 5 && std::string(argv[1]) == "check") {
    return Check(argv[2], argv[3], std::string(argv[4]) == "restricted");
  }
  std::cerr << "usage: openssl_host_test gen DIR | check DIR MODULE plain|restricted\n";
  return 2;
}
