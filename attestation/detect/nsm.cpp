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
  unsigned char* buf = nullptr;
  size_t cap = 0;
  const size_t n = cbor_serialize_alloc(outer.get(), &buf, &cap);
  std::unique_ptr<unsigned char, decltype(&std::free)> owned(buf, &std::free);
  if (n == 0) return Error(ErrorCode::kInternal, "libcbor: cannot serialise the NSM request");
  return Bytes(buf, buf + n);
}

Result<Bytes> DecodeNsmAttestationResponse(ByteView response) {
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
    return Error(ErrorCode::kInternal, "NSM refused the attestation request: " + name + " (" +
                                           ExplainNsmError(name) + ")");
  }
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
  return DecodeNsmAttestationResponse(AsView(response));
}

}  // namespace tenzro::tee::detect
