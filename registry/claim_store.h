// ClaimStore: the re-evaluation claims (DESIGN §6) of attested records, kept
// in memory in their canonical byte encoding (88 bytes for Simulated
// evidence) instead of as a std::map per record. A handle names one record's
// claims; the epoch decodes them into a ClaimSet for Reevaluator::Check, so a
// re-evaluator still sees every attested record's own claims.
//
// Encodings live in slabs of 256 KiB per size class (16-byte steps), not in
// one heap allocation each: a million registrations then leave no small
// long-lived blocks scattered between their temporaries, and a renewal reuses
// the slot its predecessor freed.
//
// Thread-safety: none inside; the registry serialises access.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "attestation/verdict.h"
#include "core/bytes.h"
#include "core/status.h"
#include "registry/record.h"

namespace tenzro::tee::registry {

class ClaimStore {
 public:
  // Handle 0 stands for "no claims" and is never allocated.
  uint32_t Add(const ClaimSet& claims);
  void Release(uint32_t handle);
  Result<ClaimSet> Get(uint32_t handle) const;
  // The same into `out`, reusing its nodes when it holds the same keys in
  // the same order (the common case along an epoch): no allocation then.
  Status DecodeInto(uint32_t handle, ClaimSet& out) const;
  size_t live() const { return slots_.size() - free_handles_.size(); }
  size_t bytes() const;  // memory held (slabs, large encodings, slot table)

 private:
  static constexpr size_t kSlab = 256u << 10;
  static constexpr size_t kLargest = 4096;  // larger encodings get their own block
  struct Pool {
    size_t stride = 0;
    std::vector<std::unique_ptr<uint8_t[]>> slabs;
    std::vector<uint32_t> free;  // freed slot indices
    uint32_t next = 0;           // slots handed out so far
    uint8_t* At(uint32_t i) const {
      return slabs[i / (kSlab / stride)].get() + (i % (kSlab / stride)) * stride;
    }
  };
  struct Slot {
    uint32_t len = 0;
    uint32_t pool = 0;  // stride / 16; 0: a large encoding, index into large_
    uint32_t index = 0;
  };
  ByteView View(const Slot& s) const;

  std::map<uint32_t, Pool> pools_;  // by stride / 16
  std::vector<Bytes> large_;
  std::vector<uint32_t> free_large_;
  std::vector<Slot> slots_;  // handle - 1
  std::vector<uint32_t> free_handles_;
};

}  // namespace tenzro::tee::registry
