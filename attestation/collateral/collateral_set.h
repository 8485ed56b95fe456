// CollateralDoc and CollateralSet: admitted collateral and its selection (DESIGN §9).
//
// A CollateralSet is an immutable value: the registry builds a new one when a
// document is admitted, so a verification or an epoch transition works on one
// consistent set. Selection at time t: among documents of the right TEE type,
// kind and key, those valid at t (inclusive window), the highest rank
// (TDX tcbEvaluationDataNumber; 0 elsewhere), then the latest this_update,
// then the smallest content hash (a total order, so every node picks alike).
//
// Cost (issue 9 item 5): documents are shared between sets (With copies
// pointers, never bytes); Select and Group are O(log N) through an index by
// (type, kind, key). Verifiers may attach derived indexes (Derived), built
// once per set value and extended, not rebuilt, by With.
//
// Thread-safety: every const member may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attestation/tee_type.h"
#include "core/bytes.h"
#include "core/thread_annotations.h"

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

using CollateralDocPtr = std::shared_ptr<const CollateralDoc>;

// A range of shared documents that iterates as `const CollateralDoc&`.
class CollateralDocs {
 public:
  using Base = std::vector<const CollateralDoc*>::const_iterator;
  class iterator {
   public:
    using value_type = CollateralDoc;
    using reference = const CollateralDoc&;
    using pointer = const CollateralDoc*;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    iterator() = default;
    explicit iterator(Base it) : it_(it) {}
    reference operator*() const { return **it_; }
    pointer operator->() const { return *it_; }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++it_;
      return old;
    }
    bool operator==(const iterator& o) const { return it_ == o.it_; }
    bool operator!=(const iterator& o) const { return it_ != o.it_; }

   private:
    Base it_{};
  };
  CollateralDocs(Base begin, Base end) : begin_(begin), end_(end) {}
  iterator begin() const { return iterator(begin_); }
  iterator end() const { return iterator(end_); }
  size_t size() const { return static_cast<size_t>(end_ - begin_); }
  bool empty() const { return begin_ == end_; }

 private:
  Base begin_, end_;
};

// Data derived from a set by a verifier (e.g. an issuer index): a pure
// function of the set's documents. With() asks it for the index of the set
// plus one document, so admissions do not rebuild it.
class CollateralIndex {
 public:
  virtual ~CollateralIndex() = default;
  // The index of (this index's set + doc); nullptr: rebuilt on next use.
  virtual std::shared_ptr<const CollateralIndex> With(const CollateralDoc& doc) const = 0;
};

class CollateralSet {
 public:
  CollateralSet();
  explicit CollateralSet(std::vector<CollateralDoc> docs);

  // Every document, in content-hash order.
  CollateralDocs docs() const { return {by_hash_.begin(), by_hash_.end()}; }
  size_t size() const { return by_hash_.size(); }
  bool Contains(const Hash32& content_hash) const;
  // Returns a copy with doc added (no-op if its content hash is present).
  // Documents are shared, not copied.
  CollateralSet With(CollateralDoc doc) const;

  // Which documents may serve a call (null: every one).
  using DocFilter = std::function<bool(const CollateralDoc&)>;
  // The preferred document of the group valid at t among those `usable`
  // accepts (Prefers' order); null when none.
  const CollateralDoc* Select(TeeType type, const std::string& kind, ByteView key, uint64_t t,
                              const DocFilter& usable = nullptr) const;
  // The selection order: higher rank, then later this_update, then the
  // smaller content hash.
  static bool Prefers(const CollateralDoc& a, const CollateralDoc& b);
  // Every document of one type and kind (any key), ordered by key then
  // content hash.
  CollateralDocs Group(TeeType type, const std::string& kind) const;
  // Every document of one type, kind and key, ordered by content hash.
  CollateralDocs Group(TeeType type, const std::string& kind, ByteView key) const;
  // Hash of every document selected at t (one per type, kind and key), in
  // content-hash order: the epoch report's collateral_hash.
  Hash32 SelectionHash(uint64_t t) const;

  // The derived index named `tag`, built by build(*this) on first use and
  // shared by every copy of this set value.
  using IndexBuilder = std::function<std::shared_ptr<const CollateralIndex>(const CollateralSet&)>;
  std::shared_ptr<const CollateralIndex> Derived(const std::string& tag,
                                                 const IndexBuilder& build) const;

 private:
  struct Indexes {
    Mutex mu;
    std::map<std::string, std::shared_ptr<const CollateralIndex>> by_tag GUARDED_BY(mu);
  };
  // Owners of the documents: a short chain of admissions over one bulk
  // node, flattened when it grows (so With never touches every reference
  // count, and destruction never recurses deeply).
  struct Owner {
    std::shared_ptr<const Owner> parent;
    std::vector<CollateralDocPtr> docs;
    size_t depth = 0;
  };
  static constexpr size_t kMaxOwnerDepth = 32;
  void Insert(const CollateralDoc* doc);

  std::shared_ptr<const Owner> owner_;
  std::vector<const CollateralDoc*> by_hash_;   // sorted by content hash
  std::vector<const CollateralDoc*> by_group_;  // sorted by (type, kind, key, content hash)
  std::shared_ptr<Indexes> indexes_;            // shared by copies of the same value
};

}  // namespace tenzro::tee
