#include "attestation/collateral/collateral_set.h"

#include <algorithm>
#include <tuple>

#include "crypto/hash.h"

namespace tenzro::tee {
namespace {

// Three-way comparison of byte strings (std::lexicographical_compare on
// vectors trips gcc 12's -Wstringop-overread).
int CompareBytes(ByteView a, ByteView b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int CompareKind(const CollateralDoc& d, TeeType type, const std::string& kind) {
  if (d.tee_type != type) return d.tee_type < type ? -1 : 1;
  const int c = d.kind.compare(kind);
  return c == 0 ? 0 : (c < 0 ? -1 : 1);
}
// Group order: (type, kind, key), then content hash.
int CompareGroup(const CollateralDoc& d, TeeType type, const std::string& kind, ByteView key) {
  if (const int c = CompareKind(d, type, kind); c != 0) return c;
  return CompareBytes(AsView(d.key), key);
}
bool GroupLess(const CollateralDoc* a, const CollateralDoc* b) {
  const int c = CompareGroup(*a, b->tee_type, b->kind, AsView(b->key));
  return c != 0 ? c < 0 : a->content_hash < b->content_hash;
}
bool HashLess(const CollateralDoc* a, const CollateralDoc* b) {
  return a->content_hash < b->content_hash;
}

// The sub-range of `sorted` where cmp(doc) == 0, cmp being monotonic.
template <typename Cmp>
CollateralDocs EqualRange(const std::vector<const CollateralDoc*>& sorted, const Cmp& cmp) {
  auto lo = std::lower_bound(sorted.begin(), sorted.end(), 0,
                             [&](const CollateralDoc* d, int) { return cmp(*d) < 0; });
  auto hi = std::upper_bound(lo, sorted.end(), 0,
                             [&](int, const CollateralDoc* d) { return cmp(*d) > 0; });
  return {lo, hi};
}

}  // namespace

CollateralSet::CollateralSet() : indexes_(std::make_shared<Indexes>()) {}

CollateralSet::CollateralSet(std::vector<CollateralDoc> docs) : CollateralSet() {
  std::sort(docs.begin(), docs.end(), [](const CollateralDoc& a, const CollateralDoc& b) {
    return a.content_hash < b.content_hash;
  });
  auto owner = std::make_shared<Owner>();
  for (auto& d : docs) {
    if (!owner->docs.empty() && owner->docs.back()->content_hash == d.content_hash) continue;
    owner->docs.push_back(std::make_shared<const CollateralDoc>(std::move(d)));
  }
  for (const auto& d : owner->docs) by_hash_.push_back(d.get());
  by_group_ = by_hash_;
  std::sort(by_group_.begin(), by_group_.end(), GroupLess);
  owner_ = std::move(owner);
}

bool CollateralSet::Contains(const Hash32& content_hash) const {
  auto it =
      std::lower_bound(by_hash_.begin(), by_hash_.end(), content_hash,
                       [](const CollateralDoc* d, const Hash32& h) { return d->content_hash < h; });
  return it != by_hash_.end() && (*it)->content_hash == content_hash;
}

void CollateralSet::Insert(const CollateralDoc* doc) {
  by_hash_.insert(std::upper_bound(by_hash_.begin(), by_hash_.end(), doc, HashLess), doc);
  by_group_.insert(std::upper_bound(by_group_.begin(), by_group_.end(), doc, GroupLess), doc);
}

CollateralSet CollateralSet::With(CollateralDoc doc) const {
  if (Contains(doc.content_hash)) return *this;
  const auto shared = std::make_shared<const CollateralDoc>(std::move(doc));
  CollateralSet out;
  out.by_hash_.reserve(by_hash_.size() + 1);
  out.by_hash_ = by_hash_;
  out.by_group_.reserve(by_group_.size() + 1);
  out.by_group_ = by_group_;
  out.Insert(shared.get());
  auto owner = std::make_shared<Owner>();
  const size_t depth = owner_ != nullptr ? owner_->depth + 1 : 0;
  if (depth > kMaxOwnerDepth) {
    for (const Owner* o = owner_.get(); o != nullptr; o = o->parent.get()) {
      owner->docs.insert(owner->docs.end(), o->docs.begin(), o->docs.end());
    }
  } else {
    owner->parent = owner_;
    owner->depth = depth;
  }
  owner->docs.push_back(shared);
  out.owner_ = std::move(owner);
  std::map<std::string, std::shared_ptr<const CollateralIndex>> indexes;
  if (indexes_ != nullptr) {  // null only in a moved-from set
    MutexLock lock(&indexes_->mu);
    indexes = indexes_->by_tag;
  }
  MutexLock lock(&out.indexes_->mu);
  for (const auto& [tag, index] : indexes) {
    if (auto next = index->With(*shared)) out.indexes_->by_tag.emplace(tag, std::move(next));
  }
  return out;
}

CollateralDocs CollateralSet::Group(TeeType type, const std::string& kind, ByteView key) const {
  return EqualRange(by_group_,
                    [&](const CollateralDoc& d) { return CompareGroup(d, type, kind, key); });
}

CollateralDocs CollateralSet::Group(TeeType type, const std::string& kind) const {
  return EqualRange(by_group_, [&](const CollateralDoc& d) { return CompareKind(d, type, kind); });
}

bool CollateralSet::Prefers(const CollateralDoc& a, const CollateralDoc& b) {
  return std::tie(a.rank, a.this_update, b.content_hash) >
         std::tie(b.rank, b.this_update, a.content_hash);
}

const CollateralDoc* CollateralSet::Select(TeeType type, const std::string& kind, ByteView key,
                                           uint64_t t, const DocFilter& usable) const {
  const CollateralDoc* best = nullptr;
  for (const auto& d : Group(type, kind, key)) {
    if (!d.ValidAt(t) || (usable && !usable(d))) continue;
    if (best == nullptr || Prefers(d, *best)) best = &d;
  }
  return best;
}

Hash32 CollateralSet::SelectionHash(uint64_t t) const {
  std::vector<Hash32> selected;
  for (auto it = by_group_.begin(); it != by_group_.end();) {
    const CollateralDoc& first = **it;
    const CollateralDocs group = Group(first.tee_type, first.kind, AsView(first.key));
    if (const auto* d = Select(first.tee_type, first.kind, AsView(first.key), t)) {
      selected.push_back(d->content_hash);
    }
    it += static_cast<std::ptrdiff_t>(group.size());
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

std::shared_ptr<const CollateralIndex> CollateralSet::Derived(const std::string& tag,
                                                              const IndexBuilder& build) const {
  if (indexes_ == nullptr) return build(*this);  // a moved-from set
  {
    MutexLock lock(&indexes_->mu);
    auto it = indexes_->by_tag.find(tag);
    if (it != indexes_->by_tag.end()) return it->second;
  }
  // Built outside the lock; a racing build of the same pure function loses.
  std::shared_ptr<const CollateralIndex> built = build(*this);
  MutexLock lock(&indexes_->mu);
  return indexes_->by_tag.emplace(tag, std::move(built)).first->second;
}

}  // namespace tenzro::tee
