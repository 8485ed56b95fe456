#include "registry/claim_store.h"

#include <algorithm>
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

Status ClaimStore::DecodeInto(uint32_t handle, ClaimSet& out) const {
  if (handle == 0) {
    out.clear();
    return Status::Ok();
  }
  if (handle > slots_.size()) return Error(ErrorCode::kInternal, "unknown claims handle");
  const ByteView data = AsView(slots_[handle - 1]);
  {
    ByteReader rd(data);
    uint16_t n = 0;
    bool same = rd.ReadU16Le(n) && n == out.size();
    for (auto it = out.begin(); same && it != out.end(); ++it) {
      uint8_t klen = 0;
      uint32_t vlen = 0;
      ByteView key, value;
      same = rd.ReadU8(klen) && rd.ReadView(klen, key) && rd.ReadU32Le(vlen) && vlen <= (1u << 16) &&
             rd.ReadView(vlen, value) && std::equal(key.begin(), key.end(), it->first.begin(), it->first.end());
      if (same) it->second.assign(value.begin(), value.end());
    }
    if (same && rd.AtEnd()) return Status::Ok();
  }
  out.clear();
  ByteReader rd(data);
  TEE_TRY(ReadClaims(rd, out));
  if (!rd.AtEnd()) return Error(ErrorCode::kStorage, "corrupt claims: trailing bytes");
  return Status::Ok();
}

}  // namespace tenzro::tee::registry
