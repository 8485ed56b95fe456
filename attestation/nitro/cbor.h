// Strict CBOR (RFC 8949) for Nitro documents, over libcbor's item decoder
// and encoders (issue 10). Internal to attestation/nitro/ and its simulator.
//
// Decode: the whole input must be exactly one data item. Definite lengths
// only; a declared length or count larger than the input left is refused
// before anything is allocated; at most max_depth nested containers and
// max_items items; floats, `undefined` and tags other than those allowed are
// refused. Byte and text strings are views into the input (the tree does not
// own bytes: keep the input alive while reading it).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace tenzro::tee::nitro::cbor {

enum class Kind : uint8_t { kUint, kNegint, kBytes, kText, kArray, kMap, kTag, kNull, kBool };

struct Item {
  Kind kind = Kind::kNull;
  // kUint: the value; kNegint: n for the integer -1 - n; kTag: the tag;
  // kBool: 0/1; kArray/kMap: the declared count (pairs for a map).
  uint64_t value = 0;
  ByteView data;                   // kBytes, kText
  std::vector<uint32_t> children;  // kArray: items; kMap: k0, v0, k1, v1...; kTag: 1
};

class Tree {
 public:
  const Item& root() const { return items_.front(); }
  const Item& at(uint32_t i) const { return items_[i]; }
  const Item& child(const Item& parent, size_t i) const { return items_[parent.children[i]]; }
  // The value of the map entry whose key is text `name` (nullptr when absent).
  // REQUIRES: map.kind == kMap and its keys are unique (Decode checks).
  const Item* Find(const Item& map, std::string_view name) const;
  // The value of the map entry whose key is the integer `label`.
  const Item* Find(const Item& map, int64_t label) const;

 private:
  friend class Decoder;
  std::vector<Item> items_;
};

struct Limits {
  size_t max_depth = 8;
  size_t max_items = 1024;
  std::optional<uint64_t> allowed_root_tag;  // the only tag accepted, at the root
};

// kInvalidArgument with a short reason when data is not one strict item.
// Map keys must be unique (integers and text compared by value).
Result<Tree> Decode(ByteView data, const Limits& limits);

inline std::string_view Text(const Item& item) {
  return {reinterpret_cast<const char*>(item.data.data()), item.data.size()};
}

// Appends encoded heads and values (definite lengths, shortest form).
class Writer {
 public:
  Writer& Uint(uint64_t v);
  Writer& Int(int64_t v);
  Writer& Bytes(ByteView v);
  Writer& Text(std::string_view v);
  Writer& Array(size_t n);
  Writer& Map(size_t n);
  Writer& Tag(uint64_t t);
  Writer& Null();
  Writer& Raw(ByteView v);  // already-encoded bytes
  const tee::Bytes& bytes() const { return out_; }
  tee::Bytes Take() { return std::move(out_); }

 private:
  template <typename F>
  Writer& Head(F encode);
  tee::Bytes out_;
};

}  // namespace tenzro::tee::nitro::cbor
