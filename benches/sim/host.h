// The simulation's side of the C ABI: loads libtenzro_tee.so with dlopen as
// a node does, and an independent host-side implementation of the §7 stream
// (libsodium, the same calls a node would make) for the baselines.
#pragma once

#include <dlfcn.h>
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "abi/tenzro_tee.h"

namespace tenzro::simhost {

class Plugin {
 public:
  explicit Plugin(const std::string& path) {
    lib_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    void* sym = dlsym(lib_, "tee_negotiate");
    if (sym == nullptr) throw std::runtime_error("tee_negotiate not exported");
    using Negotiate = int32_t (*)(uint32_t, const tee_api**);
    Negotiate negotiate = nullptr;
    static_assert(sizeof negotiate == sizeof sym);
    std::memcpy(&negotiate, &sym, sizeof sym);
    if (negotiate(TEE_ABI_VERSION, &api_) != TEE_OK || api_ == nullptr) {
      throw std::runtime_error("ABI version negotiation failed");
    }
  }
  ~Plugin() {
    if (handle_ != nullptr) api_->close(handle_);
    if (lib_ != nullptr) dlclose(lib_);
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  void Open(const std::string& config) {
    Check(api_->open(config.c_str(), nullptr, &handle_), "open", nullptr);
  }
  const tee_api& api() const { return *api_; }
  tee_handle* h() const { return handle_; }
  // Throws with the plugin's last error when st is not TEE_OK.
  void Check(int32_t st, const char* what, const tee_handle* h) const {
    if (st != TEE_OK) {
      throw std::runtime_error(std::string(what) + ": " + api_->last_error(h));
    }
  }
  void Check(int32_t st, const char* what) const { Check(st, what, handle_); }

 private:
  void* lib_ = nullptr;
  const tee_api* api_ = nullptr;
  tee_handle* handle_ = nullptr;
};

__extension__ typedef unsigned __int128 Uint128;

// K = BLAKE2b-256(key = "tenzro-tee-leader-v1", msg = seed || E as u64 LE).
inline void EpochKey(const uint8_t seed[32], uint64_t epoch, uint8_t key[32]) {
  static const char kTag[] = "tenzro-tee-leader-v1";
  uint8_t msg[40];
  std::memcpy(msg, seed, 32);
  for (int i = 0; i < 8; ++i) msg[32 + i] = static_cast<uint8_t>(epoch >> (8 * i));
  crypto_generichash(key, 32, msg, sizeof msg, reinterpret_cast<const uint8_t*>(kTag),
                     sizeof kTag - 1);
}

template <typename Word>
unsigned BitLength(Word v) {
  unsigned b = 0;
  while (v != 0) {
    ++b;
    v >>= 1;
  }
  return b;
}

// The §7 draw for W < 2^64 (Word = uint64_t) or W < 2^128 (Uint128): only the
// low sizeof(Word) bytes of a 32-byte word can survive the mask.
template <typename Word>
class Stream {
 public:
  Stream(const uint8_t key[32], Word total) : total_(total) {
    std::memcpy(key_, key, 32);
    const unsigned b = BitLength<Word>(total - 1);
    mask_ = b >= sizeof(Word) * 8 ? ~Word(0) : ((Word(1) << b) - 1);
  }
  Word Draw(uint64_t slot) const {
    static const uint8_t kZeros[64] = {};
    uint8_t nonce[12] = {};
    for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(slot >> (8 * i));
    uint8_t block[64];
    for (uint32_t b = 0;; ++b) {
      crypto_stream_chacha20_ietf_xor_ic(block, kZeros, 64, nonce, b, key_);
      for (int w = 0; w < 2; ++w) {
        Word r = 0;
        for (int i = static_cast<int>(sizeof(Word)) - 1; i >= 0; --i)
          r = (r << 8) | block[32 * w + i];
        r &= mask_;
        if (r < total_) return r;
      }
    }
  }

 private:
  uint8_t key_[32];
  Word total_;
  Word mask_;
};

}  // namespace tenzro::simhost
