#include "registry/claim_store.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tenzro::tee::registry {

ByteView ClaimStore::View(const Slot& s) const {
  if (s.pool == 0) return AsView(large_[s.index]);
  return ByteView(pools_.at(s.pool).At(s.index), s.len);
}

uint32_t ClaimStore::Add(const ClaimSet& claims) {
  if (claims.empty()) return 0;
  Bytes enc;
  PutClaims(enc, claims);
  Slot slot;
  slot.len = static_cast<uint32_t>(enc.size());
  if (enc.size() > kLargest) {
    if (!free_large_.empty()) {
      slot.index = free_large_.back();
      free_large_.pop_back();
      large_[slot.index] = std::move(enc);
    } else {
      slot.index = static_cast<uint32_t>(large_.size());
      large_.push_back(std::move(enc));
    }
  } else {
    slot.pool = static_cast<uint32_t>((enc.size() + 15) / 16);
    Pool& p = pools_[slot.pool];
    p.stride = size_t{slot.pool} * 16;
    if (!p.free.empty()) {
      slot.index = p.free.back();
      p.free.pop_back();
    } else {
      if (p.next % (kSlab / p.stride) == 0) p.slabs.push_back(std::make_unique<uint8_t[]>(kSlab));
      slot.index = p.next++;
    }
    std::copy(enc.begin(), enc.end(), p.At(slot.index));
  }
  if (!free_handles_.empty()) {
    const uint32_t h = free_handles_.back();
    free_handles_.pop_back();
    slots_[h - 1] = slot;
    return h;
  }
  if (slots_.size() >= std::numeric_limits<uint32_t>::max() - 1)
    throw std::length_error("claim store full");
  slots_.push_back(slot);
  return static_cast<uint32_t>(slots_.size());
}

void ClaimStore::Release(uint32_t handle) {
  if (handle == 0) return;
  const Slot s = slots_[handle - 1];
  if (s.pool == 0) {
    Bytes().swap(large_[s.index]);
    free_large_.push_back(s.index);
  } else {
    pools_.at(s.pool).free.push_back(s.index);
  }
  slots_[handle - 1] = Slot{};
  free_handles_.push_back(handle);
}

Result<ClaimSet> ClaimStore::Get(uint32_t handle) const {
  ClaimSet out;
  TEE_TRY(DecodeInto(handle, out));
  return out;
}

Status ClaimStore::DecodeInto(uint32_t handle, ClaimSet& out) const {
  if (handle == 0) {
    out.clear();
    return Status::Ok();
  }
  if (handle > slots_.size() || slots_[handle - 1].len == 0) {
    return Error(ErrorCode::kInternal, "unknown claims handle");
  }
  const ByteView data = View(slots_[handle - 1]);
  {
    ByteReader rd(data);
    uint16_t n = 0;
    bool same = rd.ReadU16Le(n) && n == out.size();
    for (auto it = out.begin(); same && it != out.end(); ++it) {
      uint8_t klen = 0;
      uint32_t vlen = 0;
      ByteView key, value;
      same = rd.ReadU8(klen) && rd.ReadView(klen, key) && rd.ReadU32Le(vlen) &&
             vlen <= (1u << 16) && rd.ReadView(vlen, value) &&
             std::equal(key.begin(), key.end(), it->first.begin(), it->first.end());
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

size_t ClaimStore::bytes() const {
  size_t n = slots_.capacity() * sizeof(Slot);
  for (const auto& [cls, p] : pools_) n += p.slabs.size() * kSlab;
  for (const auto& b : large_) n += b.capacity();
  return n;
}

}  // namespace tenzro::tee::registry
