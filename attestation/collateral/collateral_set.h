// CollateralDoc and CollateralSet: admitted collateral and its selection (DESIGN §9).
//
// A CollateralSet is an immutable value: the registry builds a new one when a
// document is admitted, so a verification or an epoch transition works on one
// consistent set. Selection at time t: among documents of the right TEE type,
// kind and key, those valid at t (inclusive window), the highest rank
// (TDX tcbEvaluationDataNumber; 0 elsewhere), then the latest this_update,
// then the smallest content hash (a total order, so every node picks alike).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attestation/tee_type.h"
#include "core/bytes.h"

namespace tenzro::tee {

struct CollateralDoc {
  TeeType tee_type = TeeType::None;
  std::string kind;  // e.g. "sim_revocation_list"
  Bytes key;         // selection key (FMSPC, product, issuer); empty for global
  uint64_t this_update = 0;
  uint64_t next_update = 0;
  uint64_t rank = 0;
  Hash32 content_hash{};  // SHA-256 of data
  Bytes data;             // the document as submitted

  bool ValidAt(uint64_t t) const { return this_update <= t && t <= next_update; }
};

class CollateralSet {
 public:
  CollateralSet() = default;
  explicit CollateralSet(std::vector<CollateralDoc> docs);

  const std::vector<CollateralDoc>& docs() const { return docs_; }
  bool Contains(const Hash32& content_hash) const;
  // Returns a copy with doc added (no-op if its content hash is present).
  CollateralSet With(CollateralDoc doc) const;

  const CollateralDoc* Select(TeeType type, const std::string& kind, ByteView key,
                              uint64_t t) const;
  // Hash of every document selected at t (one per type, kind and key), in
  // content-hash order: the epoch report's collateral_hash.
  Hash32 SelectionHash(uint64_t t) const;

 private:
  std::vector<CollateralDoc> docs_;  // sorted by content hash
};

}  // namespace tenzro::tee
