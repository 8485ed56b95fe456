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

auto LowerById(std::vector<CoreEntry>& v, const ValidatorId& id) {
  return std::lower_bound(v.begin(), v.end(), id,
                          [](const CoreEntry& e, const ValidatorId& k) { return e.id < k; });
}
auto LowerById(const std::vector<CoreEntry>& v, const ValidatorId& id) {
  return std::lower_bound(v.begin(), v.end(), id,
                          [](const CoreEntry& e, const ValidatorId& k) { return e.id < k; });
}
auto LowerBig(std::vector<BigStake>& v, const ValidatorId& id) {
  return std::lower_bound(v.begin(), v.end(), id,
                          [](const BigStake& e, const ValidatorId& k) { return e.id < k; });
}

}  // namespace

U256Bytes CoreBucket::StakeBe(const CoreEntry& e) const {
  U256Bytes out{};
  if (e.stake != 0) {
    for (size_t i = 0; i < 8; ++i) out[31 - i] = static_cast<uint8_t>(e.stake >> (8 * i));
    return out;
  }
  auto it = std::lower_bound(big.begin(), big.end(), e.id,
                             [](const BigStake& b, const ValidatorId& k) { return b.id < k; });
  if (it != big.end() && it->id == e.id) out = it->stake_be;
  return out;
}

U256 CoreBucket::Stake(const CoreEntry& e) const {
  if (e.stake != 0) return U256(e.stake);
  return U256FromBe(StakeBe(e));
}

void SetStake(CoreBucket& b, CoreEntry& e, const U256Bytes& stake_be) {
  if (auto small = SmallStake(stake_be)) {
    if (e.stake == 0) DropBigStake(b, e.id);
    e.stake = *small;
    return;
  }
  e.stake = 0;
  auto it = LowerBig(b.big, e.id);
  if (it != b.big.end() && it->id == e.id) it->stake_be = stake_be;
  else b.big.insert(it, BigStake{e.id, stake_be});
}

void DropBigStake(CoreBucket& b, const ValidatorId& id) {
  auto it = LowerBig(b.big, id);
  if (it != b.big.end() && it->id == id) b.big.erase(it);
}

ValidatorIndex::ValidatorIndex() : core_(kBucketCount), state_(kBucketCount) {}

std::optional<IndexedValidator> ValidatorIndex::Find(const ValidatorId& id) const {
  const size_t b = BucketOf(id);
  const CoreBucket* cb = core_[b].get();
  if (cb == nullptr) return std::nullopt;
  auto it = LowerById(cb->entries, id);
  if (it == cb->entries.end() || it->id != id) return std::nullopt;
  const size_t pos = static_cast<size_t>(it - cb->entries.begin());
  return IndexedValidator{id, cb->StakeBe(*it), state_[b][pos]};
}

CoreBucket& ValidatorIndex::MutableCore(size_t b) {
  auto& p = core_[b];
  if (!p) {
    p = std::make_shared<CoreBucket>();
  } else if (p.use_count() != 1) {
    p = std::make_shared<CoreBucket>(*p);  // a snapshot holds it: copy on write
  } else {
    // Sole owner: a snapshot that shared the bucket released it (maybe on
    // another thread); order its reads before our writes.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return *p;
}

void ValidatorIndex::Put(const ValidatorId& id, const U256Bytes& stake_be, const StateEntry& state) {
  const size_t b = BucketOf(id);
  if (const CoreBucket* cb = core_[b].get()) {
    auto it = LowerById(cb->entries, id);
    if (it != cb->entries.end() && it->id == id) {
      const size_t pos = static_cast<size_t>(it - cb->entries.begin());
      state_[b][pos] = state;
      if (cb->StakeBe(*it) != stake_be) {
        CoreBucket& mb = MutableCore(b);
        SetStake(mb, mb.entries[pos], stake_be);
      }
      return;
    }
  }
  CoreBucket& mb = MutableCore(b);
  auto it = LowerById(mb.entries, id);
  const auto pos = it - mb.entries.begin();
  CoreEntry e;
  e.id = id;
  auto inserted = mb.entries.insert(it, e);
  SetStake(mb, *inserted, stake_be);
  state_[b].insert(state_[b].begin() + pos, state);
  ++size_;
}

bool ValidatorIndex::Erase(const ValidatorId& id) {
  const size_t b = BucketOf(id);
  const CoreBucket* cb = core_[b].get();
  if (cb == nullptr) return false;
  auto found = LowerById(cb->entries, id);
  if (found == cb->entries.end() || found->id != id) return false;
  const auto pos = found - cb->entries.begin();
  CoreBucket& mb = MutableCore(b);
  if (mb.entries[static_cast<size_t>(pos)].stake == 0) DropBigStake(mb, id);
  mb.entries.erase(mb.entries.begin() + pos);
  state_[b].erase(state_[b].begin() + pos);
  if (mb.entries.empty()) {
    core_[b].reset();
    state_[b] = {};
  }
  --size_;
  return true;
}

StateEntry& ValidatorIndex::MutableState(const ValidatorId& id) {
  const size_t b = BucketOf(id);
  auto it = LowerById(core_[b]->entries, id);
  return state_[b][static_cast<size_t>(it - core_[b]->entries.begin())];
}

std::shared_ptr<const CoreSnapshot> ValidatorIndex::Freeze() const {
  auto s = std::make_shared<CoreSnapshot>();
  s->buckets.assign(core_.begin(), core_.end());
  s->size = size_;
  return s;
}

}  // namespace tenzro::tee::registry
