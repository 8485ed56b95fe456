#include "consensus_hooks/epoch_view.h"

#include <algorithm>
#include <stdexcept>

namespace tenzro::tee::consensus {
namespace {
__extension__ typedef unsigned __int128 Uint128;

void PutBe128(Uint128 v, U256Bytes& out) {
  out.fill(0);
  for (size_t i = 0; i < 16; ++i) out[31 - i] = static_cast<uint8_t>(v >> (8 * i));
}
}  // namespace

EpochView::EpochView(SnapshotHeader header, registry::FrozenSet set)
    : header_(header), set_(std::move(set)) {
  bucket_start_.resize(registry::kBucketCount + 1);
  uint32_t at = 0;
  const auto& buckets = set_.core->buckets;
  for (size_t b = 0; b < registry::kBucketCount; ++b) {
    if (b + 8 < registry::kBucketCount) __builtin_prefetch(buckets[b + 8].get());
    bucket_start_[b] = at;
    if (const auto& cb = buckets[b]) at += static_cast<uint32_t>(cb->size());
  }
  bucket_start_[registry::kBucketCount] = at;
  set_.attested.resize((size() + 63) / 64, 0);
}

std::pair<const registry::CoreBucket*, size_t> EpochView::Locate(size_t i) const {
  // The last bucket whose first index is <= i holds i: a bucket after it
  // starts past i, so it is not empty.
  auto it = std::upper_bound(bucket_start_.begin(), bucket_start_.end() - 1, static_cast<uint32_t>(i));
  const size_t b = static_cast<size_t>(it - bucket_start_.begin()) - 1;
  return {set_.core->buckets[b].get(), i - bucket_start_[b]};
}

const ValidatorId& EpochView::IdAt(size_t i) const {
  auto [b, k] = Locate(i);
  return b->id(k);
}

U256 EpochView::StakeAt(size_t i) const {
  auto [b, k] = Locate(i);
  return b->Stake(k);
}

Status EpochView::ForEachWeight(
    const std::function<void(size_t, const ValidatorId&, const U256Bytes&, bool)>& f) const {
  size_t i = 0;
  U256Bytes w{};
  try {
    Visit([&](const registry::CoreBucket& b, size_t k, bool attested) {
      if (const uint64_t stake = b.stakes[k]; stake != 0) {
        PutBe128(static_cast<Uint128>(stake) * (attested ? header_.multiplier : 1u), w);
      } else {
        U256 v = b.Stake(k);
        if (attested) v *= U256(header_.multiplier);
        w = U256ToBe(v);
      }
      f(i++, b.id(k), w, attested);
    });
  } catch (const std::overflow_error&) {
    return Error(ErrorCode::kOverflow, "a weight of epoch " + std::to_string(epoch()) + " passes 2^256 - 1");
  }
  return Status::Ok();
}

Result<U256> EpochView::TotalWeight() const {
  Uint128 small = 0;
  U256 total = 0;
  try {
    Visit([&](const registry::CoreBucket& b, size_t k, bool attested) {
      if (const uint64_t stake = b.stakes[k]; stake != 0) {
        const Uint128 w = static_cast<Uint128>(stake) * (attested ? header_.multiplier : 1u);
        if (small > ~Uint128(0) - w) {
          total += (U256(static_cast<uint64_t>(small >> 64)) << 64) + U256(static_cast<uint64_t>(small));
          small = 0;
        }
        small += w;
      } else {
        U256 v = b.Stake(k);
        if (attested) v *= U256(header_.multiplier);
        total += v;
      }
    });
    total += (U256(static_cast<uint64_t>(small >> 64)) << 64) + U256(static_cast<uint64_t>(small));
  } catch (const std::overflow_error&) {
    return Error(ErrorCode::kOverflow, "total weight of epoch " + std::to_string(epoch()) +
                                           " does not fit in 256 bits");
  }
  return total;
}

Result<const LeaderTable*> EpochView::Table() const {
  std::call_once(table_once_, [this] {
    LeaderTable::Builder builder(header_.seed, header_.epoch, header_.multiplier, size());
    Visit([&](const registry::CoreBucket& b, size_t k, bool attested) {
      if (const uint64_t stake = b.stakes[k]; stake != 0) builder.Add(stake, attested);
      else builder.Add(b.Stake(k), attested);
    });
    auto t = std::move(builder).Finish();
    if (t.ok()) table_.emplace(std::move(t).value());
    else table_status_ = t.status();
  });
  if (!table_) return table_status_;
  return &*table_;
}

EpochSnapshot EpochView::Materialize() const {
  EpochSnapshot s;
  s.epoch = header_.epoch;
  s.epoch_time = header_.epoch_time;
  s.seed = header_.seed;
  s.multiplier = header_.multiplier;
  s.params_hash = header_.params_hash;
  s.collateral_hash = header_.collateral_hash;
  s.entries.reserve(size());
  Visit([&](const registry::CoreBucket& b, size_t k, bool attested) {
    s.entries.push_back(SnapshotEntry{b.id(k), b.StakeBe(k), attested});
  });
  return s;
}

}  // namespace tenzro::tee::consensus
