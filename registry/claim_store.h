// ClaimStore: the re-evaluation claims (DESIGN §6) of attested records, kept
// in memory in their canonical byte encoding (about 90 bytes for Simulated
// evidence) instead of as a std::map per record. A handle names one record's
// claims; the epoch decodes them into a ClaimSet for Reevaluator::Check, so a
// re-evaluator still sees every attested record's own claims.
//
// Thread-safety: none inside; the registry serialises access.
#pragma once

#include <cstdint>
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
  size_t live() const { return slots_.size() - free_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  std::vector<Bytes> slots_;  // handle - 1
  std::vector<uint32_t> free_;
  size_t bytes_ = 0;
};

}  // namespace tenzro::tee::registry
