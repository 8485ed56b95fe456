#include "attestation/collateral/collateral_set.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "crypto/hash.h"

namespace tenzro::tee {
namespace {
bool Better(const CollateralDoc& a, const CollateralDoc& b) {
  // True when a is preferred over b.
  return std::tie(a.rank, a.this_update, b.content_hash) >
         std::tie(b.rank, b.this_update, a.content_hash);
}
}  // namespace

CollateralSet::CollateralSet(std::vector<CollateralDoc> docs) : docs_(std::move(docs)) {
  std::sort(docs_.begin(), docs_.end(),
            [](const CollateralDoc& a, const CollateralDoc& b) { return a.content_hash < b.content_hash; });
  docs_.erase(std::unique(docs_.begin(), docs_.end(),
                          [](const CollateralDoc& a, const CollateralDoc& b) {
                            return a.content_hash == b.content_hash;
                          }),
              docs_.end());
}

bool CollateralSet::Contains(const Hash32& content_hash) const {
  return std::binary_search(
      docs_.begin(), docs_.end(), content_hash,
      [](const auto& a, const auto& b) {
        if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Hash32>) {
          return a < b.content_hash;
        } else {
          return a.content_hash < b;
        }
      });
}

CollateralSet CollateralSet::With(CollateralDoc doc) const {
  if (Contains(doc.content_hash)) return *this;
  std::vector<CollateralDoc> docs = docs_;
  docs.push_back(std::move(doc));
  return CollateralSet(std::move(docs));
}

const CollateralDoc* CollateralSet::Select(TeeType type, const std::string& kind, ByteView key,
                                           uint64_t t) const {
  const CollateralDoc* best = nullptr;
  for (const auto& d : docs_) {
    if (d.tee_type != type || d.kind != kind || !d.ValidAt(t)) continue;
    if (!std::equal(d.key.begin(), d.key.end(), key.begin(), key.end())) continue;
    if (best == nullptr || Better(d, *best)) best = &d;
  }
  return best;
}

Hash32 CollateralSet::SelectionHash(uint64_t t) const {
  std::set<std::tuple<TeeType, std::string, Bytes>> groups;
  for (const auto& d : docs_) groups.emplace(d.tee_type, d.kind, d.key);
  std::vector<Hash32> selected;
  for (const auto& [type, kind, key] : groups) {
    if (const auto* d = Select(type, kind, AsView(key), t)) selected.push_back(d->content_hash);
  }
  std::sort(selected.begin(), selected.end());
  static constexpr char kTag[] = "tenzro-tee-collateral-v1";
  crypto::Blake2b256Stream h;
  h.Update(ByteView(reinterpret_cast<const uint8_t*>(kTag), sizeof(kTag) - 1));
  Bytes count;
  PutU64Le(count, selected.size());
  h.Update(AsView(count));
  for (const auto& s : selected) h.Update(AsView(s));
  return h.Final();
}

}  // namespace tenzro::tee
