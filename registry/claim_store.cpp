#include "registry/claim_store.h"

#include <limits>
#include <stdexcept>

namespace tenzro::tee::registry {

uint32_t ClaimStore::Add(const ClaimSet& claims) {
  if (claims.empty()) return 0;
  Bytes enc;
  PutClaims(enc, claims);
  enc.shrink_to_fit();
  bytes_ += enc.size();
  if (!free_.empty()) {
    const uint32_t h = free_.back();
    free_.pop_back();
    slots_[h - 1] = std::move(enc);
    return h;
  }
  if (slots_.size() >= std::numeric_limits<uint32_t>::max() - 1) throw std::length_error("claim store full");
  slots_.push_back(std::move(enc));
  return static_cast<uint32_t>(slots_.size());
}

void ClaimStore::Release(uint32_t handle) {
  if (handle == 0) return;
  Bytes& slot = slots_[handle - 1];
  bytes_ -= slot.size();
  Bytes().swap(slot);
  free_.push_back(handle);
}

Result<ClaimSet> ClaimStore::Get(uint32_t handle) const {
  ClaimSet out;
  if (handle == 0) return out;
  if (handle > slots_.size()) return Error(ErrorCode::kInternal, "unknown claims handle");
  ByteReader rd(AsView(slots_[handle - 1]));
  TEE_TRY(ReadClaims(rd, out));
  if (!rd.AtEnd()) return Error(ErrorCode::kStorage, "corrupt claims: trailing bytes");
  return out;
}

}  // namespace tenzro::tee::registry
