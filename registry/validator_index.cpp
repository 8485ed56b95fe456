#include "registry/validator_index.h"

#include <algorithm>
#include <atomic>

namespace tenzro::tee::registry {
namespace {

// The stake as a u64 in [1, 2^64 - 1], or nullopt (zero or wider).
std::optional<uint64_t> SmallStake(const U256Bytes& be) {
  for (size_t i = 0; i < 24; ++i) {
    if (be[i] != 0) return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = 24; i < 32; ++i) v = (v << 8) | be[i];
  if (v == 0) return std::nullopt;
  return v;
}

auto LowerBig(std::vector<BigStake>& v, const ValidatorId& id) {
  return std::lower_bound(v.begin(), v.end(), id,
                          [](const BigStake& e, const ValidatorId& k) { return e.id < k; });
}

void DropBig(CoreBucket& b, const ValidatorId& id) {
  auto it = LowerBig(b.big, id);
  if (it != b.big.end() && it->id == id) b.big.erase(it);
}

// After observing use_count() == 1 on an object another thread may just have
// released: order that thread's reads before our writes.
template <typename T>
bool SoleOwner(const std::shared_ptr<T>& p) {
  if (p.use_count() != 1) return false;
  std::atomic_thread_fence(std::memory_order_acquire);
  return true;
}

// Grows a column by a quarter instead of doubling: a million validators
// leave about 12% slack in the index instead of about a third.
template <typename V>
void Reserve1(V& v) {
  if (v.size() == v.capacity()) v.reserve(v.size() + v.size() / 4 + 4);
}

}  // namespace

U256Bytes CoreBucket::StakeBe(size_t k) const {
  U256Bytes out{};
  if (const uint64_t s = stakes[k]; s != 0) {
    for (size_t i = 0; i < 8; ++i) out[31 - i] = static_cast<uint8_t>(s >> (8 * i));
    return out;
  }
  const ValidatorId& key = id(k);
  auto it = std::lower_bound(big.begin(), big.end(), key,
                             [](const BigStake& b, const ValidatorId& x) { return b.id < x; });
  if (it != big.end() && it->id == key) out = it->stake_be;
  return out;
}

U256 CoreBucket::Stake(size_t k) const {
  if (stakes[k] != 0) return U256(stakes[k]);
  return U256FromBe(StakeBe(k));
}

std::vector<ValidatorId>& MutableIds(CoreBucket& b) {
  if (!SoleOwner(b.ids)) b.ids = std::make_shared<std::vector<ValidatorId>>(*b.ids);
  return *b.ids;
}

std::pair<size_t, bool> Locate(const CoreBucket& b, const ValidatorId& id) {
  auto it = std::lower_bound(b.ids->begin(), b.ids->end(), id);
  return {static_cast<size_t>(it - b.ids->begin()), it != b.ids->end() && *it == id};
}

void SetStake(CoreBucket& b, size_t k, const U256Bytes& stake_be) {
  const ValidatorId& id = b.id(k);
  if (auto small = SmallStake(stake_be)) {
    if (b.stakes[k] == 0) DropBig(b, id);
    b.stakes[k] = *small;
    return;
  }
  b.stakes[k] = 0;
  auto it = LowerBig(b.big, id);
  if (it != b.big.end() && it->id == id)
    it->stake_be = stake_be;
  else
    b.big.insert(it, BigStake{id, stake_be});
}

void InsertAt(CoreBucket& b, size_t pos, const ValidatorId& id, const U256Bytes& stake_be) {
  auto& ids = MutableIds(b);
  Reserve1(ids);
  Reserve1(b.stakes);
  ids.insert(ids.begin() + static_cast<std::ptrdiff_t>(pos), id);
  b.stakes.insert(b.stakes.begin() + static_cast<std::ptrdiff_t>(pos), 1);
  SetStake(b, pos, stake_be);
}

void EraseAt(CoreBucket& b, size_t pos) {
  if (b.stakes[pos] == 0) DropBig(b, b.id(pos));
  auto& ids = MutableIds(b);
  ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(pos));
  b.stakes.erase(b.stakes.begin() + static_cast<std::ptrdiff_t>(pos));
}

ValidatorIndex::ValidatorIndex() : core_(kBucketCount), state_(kBucketCount) {}

std::optional<IndexedValidator> ValidatorIndex::Find(const ValidatorId& id) const {
  const size_t b = BucketOf(id);
  const CoreBucket* cb = core_[b].get();
  if (cb == nullptr) return std::nullopt;
  auto [pos, found] = Locate(*cb, id);
  if (!found) return std::nullopt;
  return IndexedValidator{id, cb->StakeBe(pos), state_[b][pos]};
}

CoreBucket& ValidatorIndex::MutableCore(size_t b) {
  auto& p = core_[b];
  if (!p)
    p = std::make_shared<CoreBucket>();
  else if (!SoleOwner(p))
    p = std::make_shared<CoreBucket>(*p);  // a snapshot holds it
  return *p;
}

void ValidatorIndex::Put(const ValidatorId& id, const U256Bytes& stake_be,
                         const StateEntry& state) {
  const size_t b = BucketOf(id);
  if (const CoreBucket* cb = core_[b].get()) {
    auto [pos, found] = Locate(*cb, id);
    if (found) {
      state_[b][pos] = state;
      if (cb->StakeBe(pos) != stake_be) SetStake(MutableCore(b), pos, stake_be);
      return;
    }
  }
  CoreBucket& mb = MutableCore(b);
  const size_t pos = Locate(mb, id).first;
  InsertAt(mb, pos, id, stake_be);
  Reserve1(state_[b]);
  state_[b].insert(state_[b].begin() + static_cast<std::ptrdiff_t>(pos), state);
  ++size_;
}

bool ValidatorIndex::Erase(const ValidatorId& id) {
  const size_t b = BucketOf(id);
  const CoreBucket* cb = core_[b].get();
  if (cb == nullptr) return false;
  auto [pos, found] = Locate(*cb, id);
  if (!found) return false;
  CoreBucket& mb = MutableCore(b);
  EraseAt(mb, pos);
  state_[b].erase(state_[b].begin() + static_cast<std::ptrdiff_t>(pos));
  if (mb.size() == 0) {
    core_[b].reset();
    state_[b] = {};
  }
  --size_;
  return true;
}

StateEntry& ValidatorIndex::MutableState(const ValidatorId& id) {
  const size_t b = BucketOf(id);
  return state_[b][Locate(*core_[b], id).first];
}

std::shared_ptr<const CoreSnapshot> ValidatorIndex::Freeze() const {
  auto s = std::make_shared<CoreSnapshot>();
  s->buckets.assign(core_.begin(), core_.end());
  s->size = size_;
  return s;
}

}  // namespace tenzro::tee::registry
