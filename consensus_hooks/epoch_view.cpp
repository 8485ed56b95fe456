#include "consensus_hooks/epoch_view.h"

#include <algorithm>

#include "consensus_hooks/weight.h"

namespace tenzro::tee::consensus {
namespace {
Status Overflow(const std::string& what, uint64_t epoch) {
  return Error(ErrorCode::kOverflow,
               what + " of epoch " + std::to_string(epoch) + " does not fit in 256 bits");
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
  auto it =
      std::upper_bound(bucket_start_.begin(), bucket_start_.end() - 1, static_cast<uint32_t>(i));
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
  const WeightRule rule(header_.multiplier);
  size_t i = 0;
  bool overflow = false;
  U256Bytes w{};
  Visit([&](const registry::CoreBucket& b, size_t k, bool attested) {
    if (overflow) return;
    if (!rule.WeightBe(b, k, attested, w)) {
      overflow = true;
      return;
    }
    f(i++, b.id(k), w, attested);
  });
  if (overflow) return Overflow("a weight", epoch());
  return Status::Ok();
}

Result<U256> EpochView::TotalWeight() const {
  WeightSum sum(WeightRule(header_.multiplier));
  Visit([&](const registry::CoreBucket& b, size_t k, bool attested) { sum.Add(b, k, attested); });
  if (auto total = sum.Total()) return *total;
  return Overflow("total weight", epoch());
}

Result<const LeaderTable*> EpochView::Table() const {
  std::call_once(table_once_, [this] {
    LeaderTable::Builder builder(header_.seed, header_.epoch, header_.multiplier, size());
    Visit([&](const registry::CoreBucket& b, size_t k, bool attested) {
      if (const uint64_t stake = b.stakes[k]; stake != 0)
        builder.Add(stake, attested);
      else
        builder.Add(b.Stake(k), attested);
    });
    auto t = std::move(builder).Finish();
    if (t.ok())
      table_.emplace(std::move(t).value());
    else
      table_status_ = t.status();
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
