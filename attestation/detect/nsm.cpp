#include "attestation/detect/nsm.h"

#include <cbor.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace tenzro::tee::detect {
namespace {

struct CborFree {
  void operator()(cbor_item_t* i) const {
    if (i != nullptr) cbor_decref(&i);
  }
};
using Item = std::unique_ptr<cbor_item_t, CborFree>;

Item Str(const char* s) { return Item(cbor_build_string(s)); }

Item OptionalBytes(const std::optional<Bytes>& b) {
  if (!b) return Item(cbor_new_null());
  return Item(cbor_build_bytestring(b->data(), b->size()));
}

bool Add(cbor_item_t* map, Item key, Item value) {
  if (!key || !value) return false;
  cbor_pair p{key.get(), value.get()};
  return cbor_map_add(map, p);  // takes its own references
}

std::optional<std::string_view> TextOf(const cbor_item_t* i) {
  if (!cbor_isa_string(i) || !cbor_string_is_definite(i)) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(i)),
                          cbor_string_length(i));
}

// The value under `key` in a definite map, or null.
const cbor_item_t* Lookup(const cbor_item_t* map, std::string_view key) {
  if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) return nullptr;
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    auto k = TextOf(pairs[i].key);
    if (k && *k == key) return pairs[i].value;
  }
  return nullptr;
}

Result<Bytes> Serialize(const cbor_item_t* item) {
  unsigned char* buf = nullptr;
  size_t cap = 0;
  const size_t n = item != nullptr ? cbor_serialize_alloc(item, &buf, &cap) : 0;
  std::unique_ptr<unsigned char, decltype(&std::free)> owned(buf, &std::free);
  if (n == 0) return Error(ErrorCode::kInternal, "libcbor: cannot serialise the NSM request");
  return Bytes(buf, buf + n);
}

std::string ExplainNsmError(std::string_view code) {
  if (code == "InvalidArgument") return "an argument was rejected (nonce, user_data or key size)";
  if (code == "InvalidIndex") return "invalid PCR index";
  if (code == "InvalidResponse") return "the NSM could not build a response";
  if (code == "ReadOnlyIndex") return "PCR is locked";
  if (code == "InvalidOperation") return "operation not permitted in this state";
  if (code == "BufferTooSmall") return "response buffer too small";
  if (code == "InputTooLarge") return "request too large";
  if (code == "InternalError") return "internal NSM error";
  return "unknown NSM error";
}

}  // namespace

Result<Bytes> EncodeNsmAttestationRequest(const NsmAttestationRequest& req) {
  if (req.user_data && req.user_data->size() > kNsmMaxUserData)
    return Error(ErrorCode::kInvalidArgument, "user_data: over 512 bytes");
  if (req.nonce && req.nonce->size() > kNsmMaxNonce)
    return Error(ErrorCode::kInvalidArgument, "nonce: over 512 bytes");
  if (req.public_key && req.public_key->size() > kNsmMaxPublicKey)
    return Error(ErrorCode::kInvalidArgument, "public_key: over 1024 bytes");
  Item inner(cbor_new_definite_map(3));
  Item outer(cbor_new_definite_map(1));
  if (!inner || !outer || !Add(inner.get(), Str("user_data"), OptionalBytes(req.user_data)) ||
      !Add(inner.get(), Str("nonce"), OptionalBytes(req.nonce)) ||
      !Add(inner.get(), Str("public_key"), OptionalBytes(req.public_key))) {
    return Error(ErrorCode::kInternal, "libcbor: cannot build the NSM request");
  }
  cbor_item_t* inner_raw = inner.get();
  cbor_incref(inner_raw);
  if (!Add(outer.get(), Str("Attestation"), Item(inner_raw))) {
    return Error(ErrorCode::kInternal, "libcbor: cannot build the NSM request");
  }
  return Serialize(outer.get());
}

namespace {

// The response's root item; an NSM error (named and explained) or malformed
// CBOR is kInternal. `what` names the request in messages.
Result<Item> LoadResponse(ByteView response, const char* what) {
  cbor_load_result res{};
  Item root(cbor_load(response.data(), response.size(), &res));
  if (!root || res.error.code != CBOR_ERR_NONE) {
    return Error(ErrorCode::kInternal, "NSM response is not CBOR");
  }
  if (res.read != response.size()) {
    return Error(ErrorCode::kInternal, "NSM response has trailing bytes");
  }
  if (const cbor_item_t* err = Lookup(root.get(), "Error")) {
    auto code = TextOf(err);
    const std::string name = code ? std::string(*code) : std::string("?");
    return Error(ErrorCode::kInternal, std::string("NSM refused the ") + what + " request: " +
                                           name + " (" + ExplainNsmError(name) + ")");
  }
  return root;
}

// One request/response over NSM_IOCTL_RAW.
Result<Bytes> Exchange(const DeviceIo& io, const Bytes& request) {
  if (request.empty()) return Error(ErrorCode::kInternal, "empty NSM request");
  if (request.size() > kNsmRequestMax) {
    return Error(ErrorCode::kInvalidArgument, "NSM request over 4096 bytes");
  }
  Bytes response(kNsmResponseMax, 0);
  NsmRaw raw{};
  raw.request = {reinterpret_cast<uintptr_t>(request.data()), request.size()};
  raw.response = {reinterpret_cast<uintptr_t>(response.data()), response.size()};
  auto r = io.Ioctl(kNsmDevice, kNsmIoctlRaw, &raw);
  if (!r.ok()) return Error(r.status().code(), "NSM ioctl: " + r.status().message());
  if (raw.response.len > response.size()) {
    return Error(ErrorCode::kInternal, "NSM reported a response longer than its buffer");
  }
  response.resize(raw.response.len);
  return response;
}

// A CBOR unsigned integer under `key` of `map` that fits in 16 bits.
std::optional<uint64_t> U16At(const cbor_item_t* map, std::string_view key) {
  const cbor_item_t* v = Lookup(map, key);
  if (v == nullptr || !cbor_isa_uint(v)) return std::nullopt;
  const uint64_t n = cbor_get_int(v);
  if (n > 0xFFFF) return std::nullopt;
  return n;
}

}  // namespace

Result<Bytes> DecodeNsmAttestationResponse(ByteView response) {
  TEE_ASSIGN_OR_RETURN(Item root, LoadResponse(response, "attestation"));
  const cbor_item_t* att = Lookup(root.get(), "Attestation");
  const cbor_item_t* doc = att != nullptr ? Lookup(att, "document") : nullptr;
  if (doc == nullptr) {
    return Error(ErrorCode::kInternal, "NSM response has no Attestation.document");
  }
  if (!cbor_isa_bytestring(doc) || !cbor_bytestring_is_definite(doc)) {
    return Error(ErrorCode::kInternal, "NSM Attestation.document is not a byte string");
  }
  const uint8_t* p = cbor_bytestring_handle(doc);
  const size_t len = cbor_bytestring_length(doc);
  if (len == 0) return Error(ErrorCode::kInternal, "NSM returned an empty attestation document");
  return Bytes(p, p + len);
}

Result<Bytes> NsmGetAttestation(const DeviceIo& io, const NsmAttestationRequest& req) {
  TEE_ASSIGN_OR_RETURN(Bytes request, EncodeNsmAttestationRequest(req));
  TEE_ASSIGN_OR_RETURN(Bytes response, Exchange(io, request));
  return DecodeNsmAttestationResponse(AsView(response));
}

Bytes EncodeNsmDescribeRequest() {
  // A unit variant: serde writes its name as a text string.
  auto out = Serialize(Str("DescribeNSM").get());
  return out.ok() ? std::move(*out) : Bytes{};  // Exchange refuses an empty request
}

Result<std::string> DecodeNsmDescribeResponse(ByteView response) {
  TEE_ASSIGN_OR_RETURN(Item root, LoadResponse(response, "DescribeNSM"));
  const cbor_item_t* d = Lookup(root.get(), "DescribeNSM");
  if (d == nullptr) return Error(ErrorCode::kInternal, "NSM response has no DescribeNSM");
  auto major = U16At(d, "version_major");
  auto minor = U16At(d, "version_minor");
  auto patch = U16At(d, "version_patch");
  if (!major || !minor || !patch) {
    return Error(ErrorCode::kInternal, "NSM DescribeNSM has no version_major/minor/patch");
  }
  return std::to_string(*major) + "." + std::to_string(*minor) + "." + std::to_string(*patch);
}

Result<std::string> NsmDescribeVersion(const DeviceIo& io) {
  TEE_ASSIGN_OR_RETURN(Bytes response, Exchange(io, EncodeNsmDescribeRequest()));
  return DecodeNsmDescribeResponse(AsView(response));
}

}  // namespace tenzro::tee::detect
