#include "attestation/nitro/cbor.h"

#include <cbor.h>

#include <algorithm>
#include <string>

namespace tenzro::tee::nitro::cbor {

// Builds the tree from libcbor's item callbacks. Containers stay open on a
// stack until their declared number of children has completed.
class Decoder {
 public:
  explicit Decoder(const Limits& limits) : limits_(limits) {}

  Result<Tree> Run(ByteView data);

  // Callback bodies (static trampolines below).
  void Leaf(Kind kind, uint64_t value, ByteView bytes = {}) { Open(kind, value, bytes, 0); }
  void Container(Kind kind, uint64_t declared, uint64_t children) {
    if (children > left_) return Fail("a declared length exceeds the input");
    Open(kind, declared, {}, children);
  }
  void Fail(const char* why) {
    if (error_ == nullptr) error_ = why;
  }

 private:
  struct Open_ {
    uint32_t index;
    uint64_t remaining;
  };
  void Open(Kind kind, uint64_t value, ByteView bytes, uint64_t children);
  void Complete();

  const Limits& limits_;
  Tree tree_;
  std::vector<Open_> stack_;
  bool done_ = false;
  size_t left_ = 0;  // input bytes not yet consumed
  const char* error_ = nullptr;
};

namespace {

Decoder& D(void* ctx) { return *static_cast<Decoder*>(ctx); }
void OnU8(void* c, uint8_t v) { D(c).Leaf(Kind::kUint, v); }
void OnU16(void* c, uint16_t v) { D(c).Leaf(Kind::kUint, v); }
void OnU32(void* c, uint32_t v) { D(c).Leaf(Kind::kUint, v); }
void OnU64(void* c, uint64_t v) { D(c).Leaf(Kind::kUint, v); }
void OnN8(void* c, uint8_t v) { D(c).Leaf(Kind::kNegint, v); }
void OnN16(void* c, uint16_t v) { D(c).Leaf(Kind::kNegint, v); }
void OnN32(void* c, uint32_t v) { D(c).Leaf(Kind::kNegint, v); }
void OnN64(void* c, uint64_t v) { D(c).Leaf(Kind::kNegint, v); }
void OnBytes(void* c, cbor_data p, size_t n) { D(c).Leaf(Kind::kBytes, n, ByteView(p, n)); }
void OnText(void* c, cbor_data p, size_t n) { D(c).Leaf(Kind::kText, n, ByteView(p, n)); }
void OnArray(void* c, size_t n) { D(c).Container(Kind::kArray, n, n); }
void OnMap(void* c, size_t n) {
  // Two items per pair; n > 2^63 cannot fit in the input either.
  const uint64_t pairs = n;
  D(c).Container(Kind::kMap, pairs, pairs > (UINT64_MAX >> 1) ? UINT64_MAX : 2 * pairs);
}
void OnTag(void* c, uint64_t t) { D(c).Container(Kind::kTag, t, 1); }
void OnNull(void* c) { D(c).Leaf(Kind::kNull, 0); }
void OnBool(void* c, bool b) { D(c).Leaf(Kind::kBool, b ? 1 : 0); }
void OnIndefinite(void* c) { D(c).Fail("indefinite length"); }
void OnUndefined(void* c) { D(c).Fail("undefined value"); }
void OnFloat(void* c, float) { D(c).Fail("floating-point value"); }
void OnDouble(void* c, double) { D(c).Fail("floating-point value"); }

cbor_callbacks Callbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = OnU8;
  cb.uint16 = OnU16;
  cb.uint32 = OnU32;
  cb.uint64 = OnU64;
  cb.negint8 = OnN8;
  cb.negint16 = OnN16;
  cb.negint32 = OnN32;
  cb.negint64 = OnN64;
  cb.byte_string = OnBytes;
  cb.string = OnText;
  cb.byte_string_start = OnIndefinite;
  cb.string_start = OnIndefinite;
  cb.indef_array_start = OnIndefinite;
  cb.indef_map_start = OnIndefinite;
  cb.indef_break = OnIndefinite;
  cb.array_start = OnArray;
  cb.map_start = OnMap;
  cb.tag = OnTag;
  cb.null = OnNull;
  cb.boolean = OnBool;
  cb.undefined = OnUndefined;
  cb.float2 = OnFloat;
  cb.float4 = OnFloat;
  cb.float8 = OnDouble;
  return cb;
}

Status Malformed(const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "CBOR: " + why);
}

// Integer and text keys compare by value (a map with two equal keys is refused).
bool SameKey(const Item& a, const Item& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Kind::kText || a.kind == Kind::kBytes)
    return std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end());
  return a.value == b.value && a.children.empty() && b.children.empty();
}

}  // namespace

void Decoder::Open(Kind kind, uint64_t value, ByteView bytes, uint64_t children) {
  if (error_ != nullptr) return;
  if (done_) return Fail("more than one item");
  if (tree_.items_.size() >= limits_.max_items) return Fail("too many items");
  if (kind == Kind::kTag &&
      (!stack_.empty() || !tree_.items_.empty() || limits_.allowed_root_tag != value)) {
    return Fail("unexpected tag");
  }
  const auto index = static_cast<uint32_t>(tree_.items_.size());
  Item item;
  item.kind = kind;
  item.value = value;
  item.data = bytes;
  tree_.items_.push_back(std::move(item));
  if (!stack_.empty()) tree_.items_[stack_.back().index].children.push_back(index);
  if (children > 0) {
    if (stack_.size() >= limits_.max_depth) return Fail("nested too deeply");
    stack_.push_back({index, children});
    return;
  }
  Complete();
}

// The item just added is complete: close every container it completes.
void Decoder::Complete() {
  while (!stack_.empty()) {
    if (--stack_.back().remaining > 0) return;
    stack_.pop_back();
  }
  done_ = true;
}

Result<Tree> Decoder::Run(ByteView data) {
  const cbor_callbacks cb = Callbacks();
  size_t pos = 0;
  // libcbor 0.8's item decoder refuses the one-byte tags 6..20 as
  // "unassigned", COSE_Sign1's 18 among them: read that head here.
  const std::optional<uint64_t> tag = limits_.allowed_root_tag;
  if (tag && *tag < 24 && !data.empty() && data[0] == 0xc0 + *tag) {
    left_ = data.size();
    Container(Kind::kTag, *tag, 1);
    pos = 1;
  }
  while (!done_ && error_ == nullptr) {
    if (pos >= data.size()) return Malformed("truncated");
    left_ = data.size() - pos;
    const cbor_decoder_result r = cbor_stream_decode(data.data() + pos, left_, &cb, this);
    if (r.status == CBOR_DECODER_NEDATA) return Malformed("truncated");
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0 || r.read > left_)
      return Malformed("not well-formed");
    pos += r.read;
  }
  if (error_ != nullptr) return Malformed(error_);
  if (pos != data.size()) return Malformed("trailing bytes after the item");
  for (const Item& it : tree_.items_) {
    if (it.kind != Kind::kMap) continue;
    for (size_t i = 0; i < it.children.size(); i += 2) {
      for (size_t j = i + 2; j < it.children.size(); j += 2) {
        if (SameKey(tree_.at(it.children[i]), tree_.at(it.children[j])))
          return Malformed("duplicate map key");
      }
    }
  }
  return std::move(tree_);
}

Result<Tree> Decode(ByteView data, const Limits& limits) {
  Decoder d(limits);
  return d.Run(data);
}

const Item* Tree::Find(const Item& map, std::string_view name) const {
  for (size_t i = 0; i + 1 < map.children.size(); i += 2) {
    const Item& k = at(map.children[i]);
    if (k.kind == Kind::kText && Text(k) == name) return &at(map.children[i + 1]);
  }
  return nullptr;
}

const Item* Tree::Find(const Item& map, int64_t label) const {
  const Kind kind = label < 0 ? Kind::kNegint : Kind::kUint;
  const uint64_t v = label < 0 ? static_cast<uint64_t>(-(label + 1)) : static_cast<uint64_t>(label);
  for (size_t i = 0; i + 1 < map.children.size(); i += 2) {
    const Item& k = at(map.children[i]);
    if (k.kind == kind && k.value == v) return &at(map.children[i + 1]);
  }
  return nullptr;
}

// ---- Writer ----------------------------------------------------------------

template <typename F>
Writer& Writer::Head(F encode) {
  unsigned char buf[9];
  const size_t n = encode(buf, sizeof buf);
  out_.insert(out_.end(), buf, buf + n);
  return *this;
}

Writer& Writer::Uint(uint64_t v) {
  return Head([&](unsigned char* b, size_t n) { return cbor_encode_uint(v, b, n); });
}
Writer& Writer::Int(int64_t v) {
  if (v >= 0) return Uint(static_cast<uint64_t>(v));
  const auto n = static_cast<uint64_t>(-(v + 1));
  return Head([&](unsigned char* b, size_t s) { return cbor_encode_negint(n, b, s); });
}
Writer& Writer::Bytes(ByteView v) {
  Head([&](unsigned char* b, size_t n) { return cbor_encode_bytestring_start(v.size(), b, n); });
  return Raw(v);
}
Writer& Writer::Text(std::string_view v) {
  Head([&](unsigned char* b, size_t n) { return cbor_encode_string_start(v.size(), b, n); });
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}
Writer& Writer::Array(size_t n) {
  return Head([&](unsigned char* b, size_t s) { return cbor_encode_array_start(n, b, s); });
}
Writer& Writer::Map(size_t n) {
  return Head([&](unsigned char* b, size_t s) { return cbor_encode_map_start(n, b, s); });
}
Writer& Writer::Tag(uint64_t t) {
  return Head([&](unsigned char* b, size_t s) { return cbor_encode_tag(t, b, s); });
}
Writer& Writer::Null() {
  return Head([&](unsigned char* b, size_t s) { return cbor_encode_null(b, s); });
}
Writer& Writer::Raw(ByteView v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}

}  // namespace tenzro::tee::nitro::cbor
